"""Upload exports into the chosen workspace: read several files at once, say what each
is, store and merge them, map unknown layouts; list and delete the workspace's files."""
from datetime import datetime

import pandas as pd
import streamlit as st

import ui
from optimizer import i18n
from optimizer.model import dataset
from optimizer.errors import IngestError, unexpected
from optimizer.reading.ingest import (MAPPABLE_REPORT_TYPES, MAPPING_GROUPS, ColumnMapping, header_signature,
                              preview, required_for_mapping)
from optimizer.store.database import Conflict, clean_file_name, sha256_hex

lang = ui.lang()
c = ui.ctx()
st.title(ui.t("upload.title"))
st.caption(ui.t("upload.help"))
ws = ui.require_workspace()
if not c.can("upload", ws):
    st.info(ui.t("upload.read_only", name=ws.name), icon=":material/visibility:")
    st.stop()
# the sample account is a demonstration: files go into a new workspace of their own
into_new = c.is_sample(ws) and c.can("create_workspace")
if into_new:
    st.info(ui.t("upload.sample_new_ws"), icon=":material/create_new_folder:")
    new_name = st.text_input(ui.t("ws.new_name"), key="upload_new_ws", placeholder=ui.t("ws.new_name_hint"))
else:
    st.caption(":material/folder_open: " + ui.t("upload.into", name=ws.name))
target = st.session_state.get("upload_target")  # the workspace this page's files went into
made_now = False  # a workspace made by this run: the sidebar shows it once the files are in
renamed = st.session_state.get("upload_renamed")  # (workspace id, name asked, name given) when the name was taken
if renamed and renamed[0] in (target, ws.id):
    st.info(ui.t("ws.name_taken", asked=renamed[1], name=renamed[2]), icon=":material/drive_file_rename_outline:")


def target_workspace(first_account: str | None):
    """The workspace the files go into (made on the first file when the sample is shown)."""
    global target, made_now
    if not into_new:
        return ws
    if target is not None:
        try:
            return c.access.workspace(target, "upload")
        except PermissionError:
            pass
    base = (new_name or "").strip() or first_account or ui.t("ws.default_name", date=f"{datetime.now():%Y-%m-%d}")
    name, n = base, 1
    while True:
        try:
            made = c.access.create_workspace(name)
            break
        except Conflict:
            n += 1
            name = f"{base} ({n})"
    target, made_now = made.id, True
    st.session_state["upload_target"] = made.id
    if name != base:  # say so: the files are not in the workspace of that name
        st.session_state["upload_renamed"] = (made.id, base, name)
    ui.choose_next(made.id)
    return made


def store_export(name: str, data: bytes, exp, mapping, account: str | None = None, asked: bool = False) -> dict:
    """Store one read file in the workspace: what to show about it. A file that names no
    account, in a workspace that already holds accounts of its platform, is first asked
    about (which account it belongs to); ``asked``: the answer is ``account``."""
    dest = target_workspace(exp.table["account"].dropna().astype(str).iloc[0]
                            if "account" in exp.table and exp.table["account"].notna().any() else None)
    if not asked and c.store.find_upload(dest.id, sha256_hex(data)) is None:  # a file stored before: no question
        choice = dataset.account_choice(c.access.table(dest.id).table, exp.table, name)
        if choice is not None and choice.ask:
            return {"name": name, "pending": (exp, mapping, choice)}
    try:
        result = ui.upload_export(dest, name, data, exp, mapping, account=account)
    except IngestError as err:  # e.g. another advertiser's rows beside this workspace's: nothing stored
        return {"name": name, "error": err}
    if result.duplicate:
        u = result.upload
        earlier = c.access.table(dest.id).file_names().get(u.id, u.file_name)  # as the messages name it
        return {"name": name, "duplicate": ui.t("upload.duplicate", file=name, earlier=earlier,
                                                 who=ui.who(u.uploaded_by_name), when=ui.when(u.uploaded_at))}
    return {"name": name, "report": result.report, "info": exp.info, "mapped": mapping is not None,
            "account": account}


def ask_account(fid: str, name: str, data: bytes, exp, mapping, choice) -> None:
    """Ask which account a file that names none belongs to (an existing one, suggested by
    the plans it shares, or a new one), then store it."""
    with st.container(border=True):
        st.markdown(":material/person_search: " + ui.t("upload.account_ask", file=name))
        new_opt = len(choice.options)
        labels = [ui.t("upload.account_existing", account=i18n.account_label(exp.info.platform, a, "", lang),
                       share=f"{share:.0%}") for a, share in choice.options] + [ui.t("upload.account_new")]
        with st.form(key=f"upload_account_form_{fid}"):
            pick = st.radio(ui.t("upload.account_pick"), range(len(labels)), format_func=labels.__getitem__,
                            index=new_opt if choice.default is None else choice.default,
                            key=f"upload_account_pick_{fid}")
            typed = st.text_input(ui.t("upload.account_new_name"), value=choice.new_name,
                                  key=f"upload_account_name_{fid}")
            st.caption(ui.t("upload.account_hint"))
            go = st.form_submit_button(ui.t("upload.account_go"), type="primary")
        if go:
            account = (typed or "").strip() if pick == new_opt else choice.options[pick][0]
            if pick == new_opt and not account:
                st.error(ui.t("upload.account_need_name"), icon=":material/error:")
                return
            results[fid] = {**store_export(name, data, exp, mapping, account or None, asked=True),
                            "mapped": mapping is not None}
            st.rerun()


files = st.file_uploader(ui.t("upload.picker"), type=None,  # any file: ingest names a wrong one in words
                         accept_multiple_files=True, key="upload_files")
results: dict = st.session_state.setdefault("upload_results", {})
new = [f for f in files or [] if f.file_id not in results]
if new:
    bar = st.progress(0.0, text=ui.t("upload.reading", n=len(new)))
    for i, f in enumerate(new):
        name = clean_file_name(f.name)  # no folders, control or bidi characters: shown as it is
        bar.progress(i / len(new), text=ui.t("upload.reading_one", file=name, i=i + 1, n=len(new)))
        data = f.getvalue()
        try:  # one file failing is that file's error: the others of the upload are still read and stored
            exp, err, mapping, used = ui.read_upload_mapped(data, name)
            if exp is not None:
                results[f.file_id] = {**store_export(name, data, exp, mapping), "mapped": used}
            else:
                results[f.file_id] = {"name": name, "error": err}
        except Exception as exc:
            ui.log_failure(name, exc)
            results[f.file_id] = {"name": name, "error": unexpected(name, exc)}
    bar.empty()
    if made_now:  # show the new workspace in the sidebar, not the sample's
        st.rerun()


def show_mapping_form(fid: str, name: str, data: bytes) -> None:
    """Let the user say what each column of an unknown layout holds."""
    with st.expander(ui.t("upload.map_title", file=name), expanded=True, icon=":material/table_edit:"):
        st.caption(ui.t("upload.map_help"))
        first = preview(data, name)
        row = st.number_input(ui.t("upload.map_header_row"), min_value=0, max_value=60, step=1,
                              value=first.header_row, key=f"upload_map_row_{fid}")
        if row == 0:
            st.caption(ui.t("upload.map_headerless"))
        prev = first if row == first.header_row else preview(data, name, header_row=int(row))
        width = max([len(prev.columns)] + [len(r) for r in prev.rows])
        cols = [c or f"#{i + 1}" for i, c in enumerate(prev.columns + [""] * (width - len(prev.columns)))]
        st.markdown(f"**{ui.t('upload.preview')}**")
        ui.dataframe(pd.DataFrame([r + [""] * (width - len(r)) for r in prev.rows], columns=cols),
                     hide_index=True, width="stretch")
        # outside the form: the required fields are marked again when the report type changes
        rtype = st.selectbox(ui.t("upload.map_report_type"), MAPPABLE_REPORT_TYPES,
                             format_func=lambda c: ui.name_of(i18n.REPORT_TYPE, c), key=ui.wkey(f"upload_map_rt_{fid}"))
        required = required_for_mapping(rtype)
        with st.form(key=f"upload_map_form_{fid}"):
            options = [None] + [c for c in prev.columns if c]
            chosen = {}
            for group, fields in MAPPING_GROUPS:
                st.markdown(f"**{ui.t(f'upload.map_group_{group}')}**")
                for start in range(0, len(fields), 4):  # row by row: read in the order asked
                    grid = st.columns(4)
                    for cell, field in zip(grid, fields[start:start + 4]):
                        label = ui.t("upload.map_field", field=ui.t(f"field.{field}"))
                        if field in required:
                            others = "、".join(f"“{ui.t(f'field.{o}')}”" for o in required[field])
                            label = (ui.t("upload.map_one_of", label=label, others=others) if others
                                     else ui.t("upload.map_required", label=label))
                        default = prev.suggested.get(field)
                        chosen[field] = cell.selectbox(
                            label, options,
                            index=options.index(default) if default in options else 0,
                            format_func=lambda c: ui.t("upload.map_none") if c is None else c,
                            key=f"upload_map_{field}_{fid}")
            save = st.checkbox(ui.t("upload.map_save"), value=row > 0, disabled=row == 0,
                               key=f"upload_map_save_{fid}") and row > 0
            go = st.form_submit_button(ui.t("upload.map_apply"), type="primary")
        if go:
            mapping = ColumnMapping({f: c for f, c in chosen.items() if c}, header_row=int(row), report_type=rtype)
            exp, err, _ = ui.read_upload(data, name, mapping)
            if err is not None:
                st.error(err.message(lang, "below"), icon=":material/error:")
                return
            if save:
                ui.mapping_store().save(header_signature(prev.columns), mapping)
            try:
                results[fid] = store_export(name, data, exp, mapping)
            except Exception as exc:  # this file's error, not the page's
                ui.log_failure(name, exc)
                results[fid] = {"name": name, "error": unexpected(name, exc)}
            st.rerun()


by_id = {f.file_id: f for f in files or []}
for fid, r in results.items():
    err: IngestError | None = r.get("error")
    if "pending" in r:
        if fid in by_id:
            ask_account(fid, r["name"], by_id[fid].getvalue(), *r["pending"])
        continue
    if "duplicate" in r:
        st.caption(":material/content_copy: " + r["duplicate"])
        continue
    if err is None:
        shown_name = r["report"].file  # "name (2).csv" when another stored file has its name, as the messages say
        if r.get("mapped"):
            st.info(ui.t("upload.map_used", file=shown_name), icon=":material/table_edit:")
        if r.get("account"):
            st.caption(":material/person: " + ui.t("upload.account_set", file=shown_name, account=r["account"]))
        for msg in r["report"].messages(lang):
            st.caption(":material/content_copy: " + msg)
        other = r["report"].account_warning(lang)
        if other:
            st.warning(other, icon=":material/person_alert:")
        for note in r["info"].notes:
            st.warning(f"{shown_name}: {note.zh if lang == 'zh' else note.en}", icon=":material/info:")
        continue
    st.error(ui.t("upload.failed", file=r["name"]) + "\n\n"
             + err.message(lang, "below" if fid in by_id else "reselect"), icon=":material/error:")
    if err.mappable and fid in by_id:
        show_mapping_form(fid, r["name"], by_id[fid].getvalue())

infos = [(r["report"].file, r["info"]) for r in results.values() if "info" in r]
if infos:
    st.subheader(ui.t("upload.summary"))
    totals_word = {"ok": "upload.totals_ok", "mismatch": "upload.totals_mismatch", "absent": "upload.totals_absent"}
    summary = pd.DataFrame([{
        "file": file,
        "platform": ui.name_of(i18n.PLATFORM, i.platform),
        "report": ui.name_of(i18n.REPORT_TYPE, i.report_type),
        "dates": f"{i.date_start} ~ {i.date_end}" if i.date_start else "–",
        "rows": i.rows,
        "cost": i18n.money(i.cost, (i.currency or "").split(",")[0] or None),
        "totals": ui.t(totals_word[i.totals_check]),
        "skipped": ", ".join(f"{ui.name_of(i18n.SKIP_REASON, k)} {v}" for k, v in i.skipped.items()) or "–",
        # a count the report cannot give (no account column) reads – rather than None
        **{k: "–" if v is None else f"{v:,}" for k, v in
           (("accounts", i.accounts), ("campaigns", i.campaigns), ("keywords", i.keywords))},
        "encoding": i.encoding or "Excel",
    } for file, i in infos])
    ui.dataframe(summary, hide_index=True, width="stretch", key="upload_summary", column_config={
        "file": st.column_config.TextColumn(ui.t("col.file")),
        "platform": ui.t("col.platform"), "report": ui.t("col.report_type"),
        "dates": ui.t("col.dates"), "rows": st.column_config.NumberColumn(ui.t("col.rows"), format="%,d"),
        "cost": ui.t("col.cost"), "totals": ui.t("col.totals_check"), "skipped": ui.t("col.skipped"),
        "accounts": ui.t("col.accounts"), "campaigns": ui.t("col.campaigns"), "keywords": ui.t("col.keywords"),
        "encoding": ui.t("col.encoding")})

shown = c.access.workspace(target, "view") if target is not None and into_new else ws
stored = c.access.table(shown.id)
if len(stored.table) and not c.is_sample(shown):
    table = stored.table
    st.subheader(ui.t("upload.loaded"))
    ui.prepare_workspace(shown)  # the pages' analyses, computed in the background and kept
    ui.preparation_progress(shown)
    st.caption(ui.t("upload.loaded_caption", rows=len(table), files=table["source_file"].nunique())
               + " · " + ui.t("upload.workspace", name=shown.name))
    # same-named files (Google names every keyword download alike) by the names the messages use, and their account
    file_names, file_accounts = stored.file_names(), stored.file_accounts()
    ui.dataframe(pd.DataFrame([{
        "file": file_names.get(u.id, u.file_name), "account": ui.account_names(file_accounts.get(u.id, ())),
        "by": ui.who(u.uploaded_by_name), "at": ui.when(u.uploaded_at),
        "report": ui.name_of(i18n.REPORT_TYPE, u.report_type), "rows": u.rows, "sha256": u.checksum[:12],
    } for u in stored.uploads]), hide_index=True, width="stretch", key="upload_stored", column_config={
        "file": ui.t("col.file"), "account": ui.t("col.account"),
        "by": ui.t("col.uploaded_by"), "at": ui.t("col.uploaded_at"),
        "report": ui.t("col.report_type"), "rows": st.column_config.NumberColumn(ui.t("col.rows"), format="%,d"),
        "sha256": "SHA-256"})
    c1, c2 = st.columns([1, 3])
    c1.page_link("pages/overview.py", label=ui.t("nav.overview"), icon=":material/monitoring:")
    if c.can("delete", shown):
        with c2.popover(ui.t("upload.delete"), icon=":material/delete:"):
            names = {u.id: f"{file_names.get(u.id, u.file_name)} · {ui.account_names(file_accounts.get(u.id, ()))}"
                           f" · {ui.when(u.uploaded_at)}" for u in stored.uploads}
            # nothing is deleted that was not ticked; every file asks for the workspace's name
            pick = [i for i in st.multiselect(ui.t("upload.delete_pick"), list(names), format_func=names.get,
                                              select_all=ui.select_all(),
                                              key="upload_delete_pick", placeholder=ui.t("upload.delete_pick_hint"))
                    if i in names]
            confirmed = bool(pick)
            if pick:
                st.caption(ui.t("upload.delete_confirm", n=len(pick), name=shown.name))
                after = ui.memo(("upload_without", shown.id, tuple(names), tuple(sorted(pick))),
                                lambda: c.access.table_without(shown.id, pick))
                loss = dataset.deletion_loss(table, after)
                if loss.empty:
                    st.markdown(ui.t("upload.loss_none"))
                else:
                    lines = []
                    for x in loss.itertuples(index=False):
                        who = ui.account_label(x._asdict())
                        cur = x.currency or None
                        if x.gone:   # an account of totals rows only (no day column) has no days to count
                            line = ui.t("upload.loss_gone" if x.days else "upload.loss_gone_nodays", account=who,
                                        rows=f"{x.rows:,}", total=x.days, cost=i18n.money(x.cost_lost, cur, 0))
                            kept = c.access.account_records(shown.id, ui.account_key(pd.Series(x._asdict())))
                            if kept:
                                line += "。" if lang == "zh" else ". "
                                line += ui.t("upload.loss_kept", what=("、" if lang == "zh" else ", ").join(
                                    ui.t(f"upload.kept_{k}") for k in kept))
                        else:
                            line = ui.t("upload.loss_account" if x.days else "upload.loss_account_nodays",
                                        account=who, rows=f"{x.rows_lost:,}",
                                        cost=i18n.money(x.cost_lost, cur, 0), days=x.days_lost, total=x.days)
                            if x.days_lost:
                                line += ui.t("upload.loss_span", start=f"{x.first_lost:%Y-%m-%d}",
                                             end=f"{x.last_lost:%Y-%m-%d}")
                        lines.append("- " + line)
                    rows_lost = len(table) - len(after)
                    st.markdown(ui.t("upload.loss_rows", rows=f"{rows_lost:,}") + "\n\n" + "\n".join(lines))
                if len(pick) == len(names):  # every file: type the workspace's name, as to delete the workspace
                    st.warning(ui.t("upload.delete_every"), icon=":material/warning:")
                    typed = st.text_input(ui.t("ws.delete_type", name=shown.name), key="upload_delete_name")
                    confirmed = typed == shown.name
            if st.button(ui.t("upload.delete_go"), key="upload_clear", type="primary", icon=":material/delete:",
                         disabled=not confirmed) and confirmed:
                c.access.delete_uploads(shown.id, pick)
                st.session_state.pop("upload_results", None)
                st.session_state.pop("upload_files", None)
                st.toast(ui.t("upload.cleared_ws", name=shown.name, n=len(pick)))
                st.rerun()
