"""Landing pages: one row per page with its keywords, spend, CVR trend and status; the
page audit; URL changes and keyword–page mismatches."""
import pandas as pd
import streamlit as st

import ui
from optimizer import i18n
from optimizer.landing.audit import AuditSettings, audit_html, audit_urls
from optimizer.model.dataset import for_account, merge
from optimizer.errors import UserError
from optimizer.landing.analysis import page_of
from optimizer.landing.report import default_previous, snapshot_uploads

lang = ui.lang()
accounts, is_sample = ui.current_accounts()
ui.page_header("lp.title", "lp.caption", is_sample)
acct, model = ui.pick_account(accounts, "lp_account")
ctx = ui.account_context(acct, model)
rows = model.rows()
currency, sym, akey = ctx.currency, ctx.symbol, ctx.key
ws = ui.require_workspace()
store = ui.ctx().access.audit_store(ws.id)
settings = AuditSettings.from_env()  # the operator's OPTIMIZER_AUDIT_ALLOWED_HOSTS

snapshots = {u.id: u for u in snapshot_uploads(ui.ctx().access.uploads(ws.id),
                                                 (acct["platform"], acct["account"], acct["currency"]))}
default = default_previous(list(snapshots.values()))
with st.expander(ui.t("lp.settings"), icon=":material/tune:", expanded=default is not None):
    c = st.columns([3, 1])
    # "" is "no earlier file" (a value of None would be read as no choice at all)
    stored_pick = c[0].selectbox(
        ui.t("lp.previous_stored"), ["", *snapshots],
        key=ui.wkey("lp_previous_stored", default=default.id if default is not None else ""),
        format_func=lambda i: ui.t("lp.previous_none") if i == "" else
        f"{snapshots[i].file_name} · {ui.when(snapshots[i].uploaded_at)}") or None
    alpha = c[1].select_slider(ui.t("dr.alpha"), [0.01, 0.05, 0.10, 0.20], 0.05, key="lp_alpha",
                               help=ui.t("dr.alpha_help"))
    uploads = st.file_uploader(ui.t("lp.previous"), type=None,  # any file: ingest names a wrong one
                               accept_multiple_files=True, key="lp_previous")
    previous = ui.memo(("lp_snapshot", ws.id, stored_pick),
                       lambda: ui.ctx().access.upload_table(ws.id, stored_pick)) if stored_pick is not None else None
    for f in uploads or []:
        exp, err, _ = ui.read_upload(f.getvalue(), f.name)
        if err is not None:
            st.error(ui.t("lp.previous_bad", error=err.message(lang)), icon=":material/error:")
            continue
        previous, _ = merge(previous, exp)
    if previous is not None:
        previous = for_account(previous, acct["platform"], acct["account"], acct["currency"])
        if previous.empty:
            st.warning(ui.t("lp.previous_other"), icon=":material/warning:")
            previous = None

try:
    latest, before = store.latest(akey), store.previous(akey)
except UserError as err:  # damaged saved audits: say so, audit afresh
    st.error(err.message(lang), icon=":material/error:")
    latest, before = {}, {}
with st.spinner(ui.t("lp.title")):
    # an earlier upload kept in the workspace is named by its id; files given only here, by their content
    report = model.landing(ctx.classifier(), previous, latest, before, float(alpha), currency,
                           previous_key=("upload", stored_pick) if previous is not None and not uploads else None)
pages = report.pages
if pages.empty:
    st.info(ui.t("lp.no_pages"), icon=":material/info:")
    st.stop()

counts = report.counts()  # the same figures as `landing --json` and the workbook
m = st.columns(5)
m[0].metric(ui.t("lp.pages"), f"{counts['pages']:,}")
m[1].metric(ui.t("lp.red"), f"{counts['red']:,}")
m[2].metric(ui.t("lp.url_changes"), f"{counts['url_findings']:,}")
m[3].metric(ui.t("lp.mismatched"), f"{counts['mismatched_keywords']:,}")
m[4].metric(ui.t("lp.drop_money"), i18n.money(counts["drop_money"], currency, 0))

st.subheader(ui.t("lp.table"))
reasons = "reasons_zh" if lang == "zh" else "reasons_en"
shown = pages.assign(status=pages["status"].map(lambda s: ui.name_of(i18n.PAGE_STATUS, s)),
                     drop=pages["drop_change"] * 100)
event = ui.dataframe(
    shown[["status", "page", reasons, "n_keywords", "cost", "conversions", "cvr", "cvr_weekly", "drop", "audited"]],
    hide_index=True, width="stretch", key="lp_pages", on_select="rerun", selection_mode="single-row",
    column_config={
        "status": ui.t("col.status"), "page": st.column_config.TextColumn(ui.t("col.page"), width="medium"),
        reasons: st.column_config.TextColumn(ui.t("col.reasons_short"), width="large"),
        "n_keywords": st.column_config.NumberColumn(ui.t("col.n_keywords"), format="%,d"),
        "cost": st.column_config.NumberColumn(ui.t("col.cost"), format=f"{sym}%,.0f"),
        "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f"),
        "cvr": ui.percent_column(ui.t("col.cvr")),
        "cvr_weekly": st.column_config.LineChartColumn(ui.t("col.cvr_trend"), y_min=0),
        "drop": st.column_config.NumberColumn(ui.t("col.drop"), format="%+.0f%%"),
        "audited": st.column_config.CheckboxColumn(ui.t("col.audited"))})
picked = event.selection.rows[0] if event and event.selection.rows else 0
page = pages.iloc[min(picked, len(pages) - 1)]

st.subheader(ui.t("lp.detail"))
st.markdown(f"**{ui.name_of(i18n.PAGE_STATUS, page['status'])} · {page['page']}**")
left, right = st.columns([3, 2])
with left:
    days = report.series.loc[report.series["entity"] == page["page"]]
    if len(days):
        st.caption(ui.t("lp.cvr_chart"))
        drop = report.drops.loc[(report.drops["entity"] == page["page"]) & (report.drops["metric"] == "cvr")]
        if len(drop) and drop["status"].iloc[0] == "flag":
            d = drop.iloc[0]
            fig = ui.drift_chart(days, "cvr", d["start"], d["before"], d["after"], currency, None,
                                 (d["start_low"], d["start_high"]))
        else:
            fig = ui.drift_chart(days, "cvr", None, currency=currency)  # no change found: no change line
        st.plotly_chart(fig, width="stretch", key="lp_chart")
with right:
    st.caption(ui.t("lp.findings"))
    items = [x for x in str(page[reasons]).split("；" if lang == "zh" else "; ") if x]
    if page["status"] in ("green", "grey") or not items:
        st.success(ui.t("lp.no_findings") if page["status"] == "green" else items[0] if items else "",
                   icon=":material/check_circle:" if page["status"] == "green" else ":material/info:")
    else:
        st.markdown("\n".join(f"- {x}" for x in items))
    changes = report.changes.get(page["page"], [])
    if changes:
        st.caption(ui.t("lp.changes"))
        st.markdown("\n".join(f"- {c[lang]}" for c in changes))
    checked = report.lines.loc[report.lines["page"] == page["page"]] if len(report.lines) else report.lines
    if len(checked):
        st.caption(ui.t("lp.lines_checked"))
        st.markdown("\n".join(
            "- " + ui.t("lp.line_mentioned" if x.mentioned else "lp.line_missing", line=ui.line(x.business_line), n=x.keywords,
                        share=i18n.percent(x.share, 0), words="、".join(x.words_found[:4]))
            for x in checked.itertuples(index=False)))
kws = report.keywords_of(page["page"])
if len(kws):
    moved = int(page["n_keywords"]) - len(kws)  # the list's count also has keywords since pointed elsewhere
    st.caption(ui.t("lp.keywords_all", n=f"{len(kws):,}") + (ui.t("lp.keywords_moved", n=f"{moved:,}") if moved > 0 else ""),
               help=ui.t("lp.keywords_all_help"))
    ui.dataframe(ui.with_lines(kws, "business_line").assign(fits=kws["match"].map({True: "✓", False: "✗"}).fillna("–"))[
        ["keyword", "campaign", "ad_group", "business_line", "fits", "cost", "clicks", "conversions", "cvr"]],
        hide_index=True, width="stretch", key="lp_keywords", column_config={
            "keyword": ui.t("col.keyword"), "campaign": ui.t("col.campaign"), "ad_group": ui.t("col.ad_group"),
            "business_line": ui.t("col.keyword_line"), "fits": ui.t("col.fits"),
            "cost": st.column_config.NumberColumn(ui.t("col.cost"), format=f"{sym}%,.2f"),
            "clicks": st.column_config.NumberColumn(ui.t("col.clicks"), format="%,.0f"),
            "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f"),
            "cvr": ui.percent_column(ui.t("col.cvr"))})
here = report.mismatched_of(page["page"])  # the keywords this row's mismatch count counts
if len(here):
    st.caption(ui.t("lp.keywords_here"))
    ui.dataframe(ui.with_lines(here, "business_line", "page_line")[
        ["keyword", "campaign", "business_line", "match_page", "page_line"]],
        hide_index=True, width="stretch",
        key="lp_here", column_config={"keyword": ui.t("col.keyword"), "campaign": ui.t("col.campaign"),
                                      "business_line": ui.t("col.keyword_line"),
                                      "match_page": ui.t("col.page"), "page_line": ui.t("col.page_line")})

st.subheader(ui.t("lp.audit"))
st.caption(ui.t("lp.audit_help"))
if not store.writable:
    st.caption(":material/visibility: " + ui.t("role.read_only"))
else:
    offline = st.session_state.pop("lp_offline", 0)
    if offline:
        st.warning(ui.t("lp.audit_offline", n=offline), icon=":material/wifi_off:")
    c = st.columns([1, 2])
    if c[0].button(ui.t("lp.audit_run"), key="lp_audit", icon=":material/travel_explore:", type="primary"):
        bar = st.progress(0.0, text=ui.t("lp.audit_progress", done=0, total=len(pages)))
        urls = pages["url"].tolist()
        done = audit_urls(urls, settings, progress=lambda d, n: bar.progress(
            d / max(n, 1), text=ui.t("lp.audit_progress", done=d, total=n)))
        checked = [a for a in done if a.checked]   # an audit without internet says nothing of the page
        store.add(akey, checked, key=lambda a: page_of(a.url))
        st.session_state["lp_offline"] = len(done) - len(checked)
        bar.empty()
        st.session_state["_memo"] = {}
        if checked:   # none checked: the "could not check" warning says it all
            st.toast(ui.t("lp.audit_done", n=len(checked)))
        st.rerun()
    with c[1]:
        html = st.file_uploader(ui.t("lp.upload_html"), type=["html", "htm"], key="lp_html")
        target = st.selectbox(ui.t("lp.upload_for"), pages["page"].tolist(), key="lp_html_page")
        if html is not None and st.button(ui.t("lp.audit_run") + " · HTML", key="lp_html_go"):
            store.add(akey, [audit_html(html.getvalue(), target, settings)], key=lambda a: page_of(a.url))
            st.session_state["_memo"] = {}
            st.rerun()

st.subheader(ui.t("lp.drift"))
if report.drift.empty:
    st.success(ui.t("lp.drift_none"), icon=":material/check_circle:")
else:
    dr = report.drift
    ui.dataframe(dr.assign(kind=dr["kind"].map(lambda k: ui.name_of(i18n.URL_DRIFT_KIND, k)))[
        ["kind", "campaign", "ad_group", "keyword", "old", "new", "date", "detail_zh" if lang == "zh" else "detail_en"]],
        hide_index=True, width="stretch", key="lp_drift", column_config={
            "kind": ui.t("col.kind"), "campaign": ui.t("col.campaign"), "ad_group": ui.t("col.ad_group"),
            "keyword": ui.t("col.keyword"), "old": ui.t("col.old"), "new": ui.t("col.new"),
            "date": st.column_config.DateColumn(ui.t("col.date")), "detail_zh": ui.t("col.note"),
            "detail_en": ui.t("col.note")})

st.subheader(ui.t("lp.mismatch"))
if report.mismatches.empty:
    st.success(ui.t("lp.mismatch_none"), icon=":material/check_circle:")
else:
    mm = report.mismatches
    ui.dataframe(mm[["label_zh" if lang == "zh" else "label_en", "keywords", "clicks", "cost", "examples"]],
                 hide_index=True, width="stretch", key="lp_mismatch", column_config={
                     "label_zh": ui.t("col.page"), "label_en": ui.t("col.page"),
                     "keywords": st.column_config.NumberColumn(ui.t("col.n_keywords"), format="%,d"),
                     "clicks": st.column_config.NumberColumn(ui.t("col.clicks"), format="%,.0f"),
                     "cost": st.column_config.NumberColumn(ui.t("col.cost"), format=f"{sym}%,.2f"),
                     "examples": ui.t("col.example")})
