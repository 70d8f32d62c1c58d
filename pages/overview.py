"""Account overview: headline figures, the daily trend and the plans that spend most."""
import pandas as pd
import streamlit as st

import ui
from optimizer import i18n

accounts, is_sample = ui.current_accounts()
st.title(ui.t("overview.title"))
if is_sample:
    with st.container(border=True):
        st.markdown(":material/science: " + ui.t("sample.banner"))
        st.page_link("pages/upload.py", label=ui.t("sample.go_upload"), icon=":material/upload_file:")

top = st.columns([3, 2])
acct, model = ui.pick_account(accounts, "overview_account", top[0])
ctx = ui.account_context(acct, model)  # the vertical and lexicon the other pages use, from all the account's days
currency = (acct["currency"] or None)
partial_day = model.partial_day()  # of the account's data, not of the range chosen below
days = (None, None)  # all
if pd.notna(acct["date_start"]):
    lo, hi = acct["date_start"].date(), acct["date_end"].date()
    chosen = top[1].date_input(ui.t("overview.range"), value=(lo, hi), min_value=lo, max_value=hi,
                               key=f"overview_range_{acct['label']}")
    if isinstance(chosen, (tuple, list)) and len(chosen) == 2:
        days = (chosen[0], chosen[1])

s = model.headline(*days)  # the client view's figures too
m = st.columns(5)
m[0].metric(ui.t("overview.cost"), i18n.money(s.cost, currency, 0))
m[1].metric(ui.t("overview.clicks"), f"{s.clicks:,.0f}")
m[2].metric(ui.t("overview.conversions"), f"{s.conversions:,.0f}")
m[3].metric(ui.t("overview.cpa"), i18n.money(s.cpa, currency))
m[4].metric(ui.t("overview.cvr"), i18n.percent(s.cvr))
if s.left_out is not None:
    st.caption(":material/schedule: " + ui.t("overview.left_out", day=s.left_out.date().isoformat()))

st.subheader(ui.t("overview.trend"))
daily = model.daily(*days)
if daily.empty:
    st.info(ui.t("overview.no_daily"))
else:
    line = st.segmented_control(ui.t("overview.trend_metric"), ["cpa", "conversions", "clicks"],
                                key=ui.wkey("overview_line", default="cpa"),
                                format_func=lambda k: ui.t(f"overview.{k}")) or "cpa"
    st.plotly_chart(ui.daily_chart(daily, currency, line), width="stretch", key="overview_chart")
    last = partial_day if partial_day is not None and daily["partial"].any() else None
    if last is not None:
        st.caption(":material/schedule: " + ui.t("overview.partial_day", day=last.date().isoformat()))

st.subheader(ui.t("overview.top_plans"))
plans = model.plans(*days)
sym = i18n.CURRENCY_SYMBOL.get(currency or "", "")
ui.dataframe(
    plans[["campaign", "cost", "share", "clicks", "conversions", "cpa", "cvr"]],
    hide_index=True, width="stretch", key="overview_plans",
    column_config={
        "campaign": st.column_config.TextColumn(ui.t("col.campaign"), width="medium"),
        "cost": st.column_config.NumberColumn(ui.t("col.cost"), format=f"{sym}%,.2f"),
        "share": ui.percent_column(ui.t("col.share"), progress=True),
        "clicks": st.column_config.NumberColumn(ui.t("col.clicks"), format="%,d"),
        "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f"),
        "cpa": st.column_config.NumberColumn(ui.t("col.cpa"), format=f"{sym}%,.2f"),
        "cvr": ui.percent_column(ui.t("col.cvr")),
    })

st.divider()
if st.button(ui.t("report.build"), key="overview_report", icon=":material/table_view:", help=ui.t("report.help")):
    from optimizer.analysis.summary import AnalysisSettings, analyze_account
    from optimizer.outputs.workbook import workbook_bytes
    with st.spinner(ui.t("report.build")):
        # what the Keywords, oCPC bundles, Bids, Cost drift and Landing pages pages use: the account's
        # lexicon and vertical, its bundle map, its bid targets, the earlier upload and the page audits kept
        previous, previous_key, audits, previous_audits = ui.landing_inputs(acct)
        analysis = analyze_account(model.rows(), settings=AnalysisSettings(bid_targets=ui.bid_targets(ctx.key)),
                                   sheet=ui.decided_bundle_sheet(ctx.key), clf=ctx.classifier(),
                                   previous=previous, audits=audits, previous_audits=previous_audits,
                                   model=model, previous_key=previous_key, account=acct.to_dict(),
                                   changes=ui.change_effects(acct, model)[1])
        data = workbook_bytes(analysis, ui.lang(), currency)
    st.download_button(ui.t("report.download"), data, file_name=ui.download_name("report", acct, "xlsx"),
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="overview_report_download", icon=":material/download:")
