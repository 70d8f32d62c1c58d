"""Ad copy: each unit's ads against its decision stage and line, look-alike copy, and
which of a unit's ads wins (CTR / CVR with intervals)."""
import plotly.graph_objects as go
import streamlit as st

import ui
from optimizer import i18n
from optimizer.adcopy.analysis import SIMILAR
from optimizer.outputs.report import csv_bytes

lang = ui.lang()
accounts, is_sample = ui.current_accounts()
ui.page_header("ac.title", "ac.caption", is_sample)
acct, model = ui.pick_account(accounts, "ac_account")
ctx = ui.account_context(acct, model)
with st.spinner(ui.t("ac.title")):
    report = model.adcopy(ctx.classifier())
if report.empty:
    st.info(ui.t("ac.no_ads"), icon=":material/info:")
    st.stop()

ads, units, findings = report.ads, report.units, report.findings
m = st.columns(4)
m[0].metric(ui.t("ac.ads"), f"{len(ads):,}")
m[1].metric(ui.t("ac.units"), f"{len(units):,}")
m[2].metric(ui.t("ac.findings"), f"{int((findings['code'] != 'lookalike').sum()):,}")
m[3].metric(ui.t("ac.lookalike"), f"{int((findings['code'] == 'lookalike').sum()):,}")

st.subheader(ui.t("ac.findings_table"))
if findings.empty:
    st.success(ui.t("ac.no_findings"), icon=":material/check_circle:")
else:
    shown = findings.assign(
        finding=findings["code"].map(lambda c: ui.name_of(i18n.AD_FINDING, c)),
        stage=findings["stage"].map(lambda s: ui.name_of(i18n.STAGE, s)),
        business_line=findings["business_line"].map(ui.line),
        detail=[i18n.adcopy_finding(r, lang) for _, r in findings.iterrows()])
    ui.dataframe(shown[["finding", "campaign", "ad_group", "stage", "business_line", "detail"]], hide_index=True,
                 width="stretch", key="ac_findings", column_config={
                     "finding": ui.t("col.finding"), "campaign": ui.t("col.campaign"), "ad_group": ui.t("col.ad_group"),
                     "stage": ui.t("col.stage"), "business_line": ui.t("col.business_line"),
                     "detail": st.column_config.TextColumn(ui.t("col.reasons_short"), width="large")})
    st.download_button(ui.t("ac.download"), csv_bytes(shown[["finding", "campaign", "ad_group", "stage",
                                                             "business_line", "detail"]]),
                       ui.download_name("adcopy_findings", acct, "csv"), "text/csv", icon=":material/download:")
st.caption(ui.t("ac.threshold_note", threshold=f"{SIMILAR:.0f}"))

st.subheader(ui.t("ac.units_table"))
u_shown = units.assign(
    stage=units["stage"].map(lambda s: ui.name_of(i18n.STAGE, s) if s else ""),
    business_line=units["business_line"].map(lambda x: ui.line(x) if x else ""),
    cues=units["cues"].map(lambda c: "、".join(ui.name_of(i18n.AD_CUE, x) for x in c.split(", ") if x)
                           if lang == "zh" else ", ".join(ui.name_of(i18n.AD_CUE, x) for x in c.split(", ") if x)),
    ctr_verdict=units["ctr_verdict"].map(lambda v: ui.name_of(i18n.AD_VERDICT, v)),
    cvr_verdict=units["cvr_verdict"].map(lambda v: ui.name_of(i18n.AD_VERDICT, v)))
event = ui.dataframe(
    u_shown[["campaign", "ad_group", "stage", "business_line", "urgent", "ads", "cues", "ctr_verdict", "cvr_verdict"]],
    hide_index=True, width="stretch", key="ac_units", on_select="rerun", selection_mode="single-row",
    column_config={"campaign": ui.t("col.campaign"), "ad_group": ui.t("col.ad_group"), "stage": ui.t("col.stage"),
                   "business_line": ui.t("col.business_line"),
                   "urgent": st.column_config.CheckboxColumn(ui.t("col.urgent")),
                   "ads": st.column_config.NumberColumn(ui.t("col.ads"), format="%d"),
                   "cues": st.column_config.TextColumn(ui.t("col.ad_cues"), width="medium"),
                   "ctr_verdict": ui.t("col.ctr_test"), "cvr_verdict": ui.t("col.cvr_test")})
picked = event.selection.rows[0] if event and event.selection.rows else 0
unit = units.iloc[min(picked, len(units) - 1)]

st.subheader(ui.t("ac.unit_ads"))
st.markdown(f"**{unit['campaign']} / {unit['ad_group']}**")
mine = ads.loc[(ads["campaign"] == unit["campaign"]) & (ads["ad_group"] == unit["ad_group"])]
sep = "、" if lang == "zh" else ", "
a_shown = mine.assign(
    headline=mine["headline"].str.replace("\n", " | "), description=mine["description"].str.replace("\n", " | "),
    cues=mine["cues"].map(lambda c: sep.join(ui.name_of(i18n.AD_CUE, x.split(":")[0]) for x in c.split("; ") if x)))
ui.dataframe(a_shown[["ad", "headline", "description", "cues", "impressions", "clicks", "ctr", "conversions", "cvr"]],
             hide_index=True, width="stretch", key="ac_ads", column_config={
                 "ad": st.column_config.NumberColumn("#", format="%d"),
                 "headline": st.column_config.TextColumn(ui.t("col.headline"), width="medium"),
                 "description": st.column_config.TextColumn(ui.t("col.description"), width="large"),
                 "cues": ui.t("col.ad_cues"),
                 "impressions": st.column_config.NumberColumn(ui.t("col.impressions"), format="%,.0f"),
                 "clicks": st.column_config.NumberColumn(ui.t("col.clicks"), format="%,.0f"),
                 "ctr": ui.percent_column(ui.t("col.ctr")),
                 "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f"),
                 "cvr": ui.percent_column(ui.t("col.cvr"))})
if mine["impressions"].fillna(0).sum() > 0:
    fig = go.Figure(go.Scatter(
        x=mine["ctr"] * 100, y=[f"#{a}" for a in mine["ad"]], mode="markers",
        error_x=dict(type="data", symmetric=False, array=(mine["ctr_high"] - mine["ctr"]) * 100,
                     arrayminus=(mine["ctr"] - mine["ctr_low"]) * 100)))
    fig.update_layout(height=80 + 40 * len(mine), margin=dict(l=10, r=10, t=30, b=10),
                      title=ui.t("ac.ctr_chart"), xaxis_title="%", yaxis=dict(autorange="reversed"))
    st.plotly_chart(fig, width="stretch", key="ac_ctr_chart")
st.caption(ui.t("ac.test_note"))
