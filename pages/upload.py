"""Upload exports: read several files at once, say what each is, merge them, map unknown layouts."""
import pandas as pd
import streamlit as st

import ui
from optimizer import i18n
from optimizer.errors import IngestError
from optimizer.ingest import (MAPPABLE_FIELDS, MAPPABLE_REPORT_TYPES, ColumnMapping, header_signature,
                              preview)

lang = ui.lang()
st.title(ui.t("upload.title"))
st.caption(ui.t("upload.help"))

files = st.file_uploader(ui.t("upload.picker"), type=["csv", "tsv", "txt", "xlsx", "xlsm", "xls"],
                         accept_multiple_files=True, key="upload_files")
results: dict = st.session_state.setdefault("upload_results", {})
new = [f for f in files or [] if f.file_id not in results]
if new:
    bar = st.progress(0.0, text=ui.t("upload.reading", n=len(new)))
    for i, f in enumerate(new):
        bar.progress(i / len(new), text=ui.t("upload.reading_one", file=f.name, i=i + 1, n=len(new)))
        exp, err, used = ui.read_upload(f.getvalue(), f.name)
        if exp is not None:
            results[f.file_id] = {"name": f.name, "report": ui.add_export(exp), "info": exp.info, "mapped": used}
        else:
            results[f.file_id] = {"name": f.name, "error": err}
    bar.empty()


def show_mapping_form(fid: str, name: str, data: bytes) -> None:
    """Let the user say what each column of an unknown layout holds."""
    with st.expander(ui.t("upload.map_title", file=name), expanded=True, icon=":material/table_edit:"):
        st.caption(ui.t("upload.map_help"))
        first = preview(data, name)
        row = st.number_input(ui.t("upload.map_header_row"), min_value=1, max_value=60, step=1,
                              value=first.header_row, key=f"upload_map_row_{fid}")
        prev = first if row == first.header_row else preview(data, name, header_row=int(row))
        width = max([len(prev.columns)] + [len(r) for r in prev.rows])
        cols = [c or f"#{i + 1}" for i, c in enumerate(prev.columns + [""] * (width - len(prev.columns)))]
        st.markdown(f"**{ui.t('upload.preview')}**")
        st.dataframe(pd.DataFrame([r + [""] * (width - len(r)) for r in prev.rows], columns=cols),
                     hide_index=True, width="stretch")
        with st.form(key=f"upload_map_form_{fid}"):
            rtype = st.selectbox(ui.t("upload.map_report_type"), MAPPABLE_REPORT_TYPES,
                                 format_func=lambda c: ui.name_of(i18n.REPORT_TYPE, c), key=ui.wkey(f"upload_map_rt_{fid}"))
            options = [None] + [c for c in prev.columns if c]
            grid = st.columns(3)
            chosen = {}
            for j, field in enumerate(MAPPABLE_FIELDS):
                default = prev.suggested.get(field)
                chosen[field] = grid[j % 3].selectbox(
                    ui.t("upload.map_field", field=ui.t(f"field.{field}")), options,
                    index=options.index(default) if default in options else 0,
                    format_func=lambda c: ui.t("upload.map_none") if c is None else c,
                    key=f"upload_map_{field}_{fid}")
            save = st.checkbox(ui.t("upload.map_save"), value=True, key=f"upload_map_save_{fid}")
            go = st.form_submit_button(ui.t("upload.map_apply"), type="primary")
        if go:
            mapping = ColumnMapping({f: c for f, c in chosen.items() if c}, header_row=int(row), report_type=rtype)
            exp, err, _ = ui.read_upload(data, name, mapping)
            if err is not None:
                st.error(err.message(lang), icon=":material/error:")
                return
            if save:
                ui.mapping_store().save(header_signature(prev.columns), mapping)
            results[fid] = {"name": name, "report": ui.add_export(exp), "info": exp.info, "mapped": True}
            st.rerun()


by_id = {f.file_id: f for f in files or []}
for fid, r in results.items():
    err: IngestError | None = r.get("error")
    if err is None:
        if r.get("mapped"):
            st.info(ui.t("upload.map_used", file=r["name"]), icon=":material/table_edit:")
        for msg in r["report"].messages(lang):
            st.caption(":material/content_copy: " + msg)
        for note in r["info"].notes:
            st.warning(f"{r['name']}: {note.zh if lang == 'zh' else note.en}", icon=":material/info:")
        continue
    st.error(ui.t("upload.failed", file=r["name"]) + "\n\n" + err.message(lang), icon=":material/error:")
    if err.mappable and fid in by_id:
        show_mapping_form(fid, r["name"], by_id[fid].getvalue())

infos = [r["info"] for r in results.values() if "info" in r]
if infos:
    st.subheader(ui.t("upload.summary"))
    totals_word = {"ok": "upload.totals_ok", "mismatch": "upload.totals_mismatch", "absent": "upload.totals_absent"}
    summary = pd.DataFrame([{
        "file": i.file,
        "platform": ui.name_of(i18n.PLATFORM, i.platform),
        "report": ui.name_of(i18n.REPORT_TYPE, i.report_type),
        "dates": f"{i.date_start} ~ {i.date_end}" if i.date_start else "–",
        "rows": i.rows,
        "cost": i18n.money(i.cost, (i.currency or "").split(",")[0] or None),
        "totals": ui.t(totals_word[i.totals_check]),
        "skipped": ", ".join(f"{ui.name_of(i18n.SKIP_REASON, k)} {v}" for k, v in i.skipped.items()) or "–",
        "accounts": i.accounts, "campaigns": i.campaigns, "keywords": i.keywords,
        "encoding": i.encoding or "Excel",
    } for i in infos]).astype({"accounts": "Int64", "campaigns": "Int64", "keywords": "Int64"})
    st.dataframe(summary, hide_index=True, width="stretch", key="upload_summary", column_config={
        "file": st.column_config.TextColumn(ui.t("col.file"), pinned=True),
        "platform": ui.t("col.platform"), "report": ui.t("col.report_type"),
        "dates": ui.t("col.dates"), "rows": st.column_config.NumberColumn(ui.t("col.rows"), format="%,d"),
        "cost": ui.t("col.cost"), "totals": ui.t("col.totals_check"), "skipped": ui.t("col.skipped"),
        "accounts": ui.t("col.accounts"), "campaigns": ui.t("col.campaigns"), "keywords": ui.t("col.keywords"),
        "encoding": ui.t("col.encoding")})

table = st.session_state.get(ui.K_TABLE)
if table is not None and len(table):
    st.subheader(ui.t("upload.loaded"))
    st.caption(ui.t("upload.loaded_caption", rows=len(table), files=table["source_file"].nunique()))
    c1, c2 = st.columns([1, 3])
    c1.page_link("pages/overview.py", label=ui.t("nav.overview"), icon=":material/monitoring:")
    if c2.button(ui.t("upload.clear"), key="upload_clear", icon=":material/delete:"):
        ui.clear_uploads()
        st.session_state.pop("upload_results", None)
        st.session_state.pop("upload_files", None)
        st.toast(ui.t("upload.cleared"))
        st.rerun()
