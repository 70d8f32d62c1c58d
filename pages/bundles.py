"""oCPC bundles: which plans to bind together, at what target CPA, which keywords to
keep on CPC, and which plans of existing bundles to split off."""
import pandas as pd
import plotly.express as px
import streamlit as st

import ui
from optimizer import i18n
from optimizer.bundles.propose import BundleSettings, assignment_map, existing_bundles, summarize
from optimizer.bundles.targets import current_bundles

lang = ui.lang()
accounts, is_sample = ui.current_accounts()
ui.page_header("bd.title", "bd.caption", is_sample)
acct, model = ui.pick_account(accounts, "bd_account")
ctx = ui.account_context(acct, model)
rows = model.rows()
currency, sym, akey, vertical, edits_json = ctx.currency, ctx.symbol, ctx.key, ctx.vertical, ctx.edits_json
clf = ctx.classifier()

c = st.columns(5)
days = c[0].number_input(ui.t("bd.window"), 7, 90, 30, step=1, key="bd_window")
min_conv = c[1].number_input(ui.t("bd.min_conv"), 1, 1000, 30, step=1, key="bd_min_conv", help=ui.t("bd.min_conv_help"))
cpa_ratio = c[2].number_input(ui.t("bd.cpa_ratio"), 1.05, 3.0, 1.3, step=0.05, key="bd_cpa_ratio")
cvr_ratio = c[3].number_input(ui.t("bd.cvr_ratio"), 1.05, 3.0, 1.5, step=0.05, key="bd_cvr_ratio")
max_target = c[4].number_input(ui.t("bd.max_target"), 0.0, 100000.0, 0.0, step=10.0, key="bd_max_target")
settings = BundleSettings(window_days=int(days), min_conversions=float(min_conv), max_cpa_ratio=float(cpa_ratio),
                          max_cvr_ratio=float(cvr_ratio), max_target_cpa=float(max_target) or None)

evidence = model.evidence(clf, settings)
if evidence.empty:
    st.info(ui.t("bd.no_daily"))
    st.stop()
proposal, summary = model.proposal(clf, settings)
kind_name = {k: ui.name_of(i18n.BUNDLE_KIND, k) for k in i18n.BUNDLE_KIND}
reason_col = "reason_zh" if lang == "zh" else "reason_en"
#: ten short columns (the table fits a 1440 px screen); each bundle's kind and reason are listed below it
bundle_cols = {
    "bundle": ui.t("col.bundle"), "business_lines": ui.t("col.business_line"),
    "plans": st.column_config.TextColumn(ui.t("col.plans"), width="medium"),
    "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f"),
    "cpa": st.column_config.NumberColumn(ui.t("col.cpa"), format=f"{sym}%,.2f"),
    "target_cpa": st.column_config.NumberColumn(ui.t("col.target_cpa"), format=f"{sym}%,.2f"),
    "cvr": ui.percent_column(ui.t("col.cvr")),
    "cpa_ratio": st.column_config.NumberColumn(ui.t("col.cpa_ratio"), format="%.2f×"),
    "cvr_ratio": st.column_config.NumberColumn(ui.t("col.cvr_ratio"), format="%.2f×"),
    "meets_threshold": st.column_config.CheckboxColumn(ui.t("col.ready"))}


def show_bundles(frame: pd.DataFrame, key: str) -> None:
    ui.dataframe(ui.with_lines(frame, "business_lines").assign(plans=frame["plans"].map(ui.list_text))[list(bundle_cols)],
                 hide_index=True,
                 width="stretch", key=key, column_config=bundle_cols)
    colon = "：" if lang == "zh" else ": "
    st.markdown("\n".join(f"- **{r['bundle']}** · {kind_name.get(r['kind'], r['kind'])}{colon}{ui.plain_text(r[reason_col])}"
                          for _, r in frame.iterrows()))


st.subheader(ui.t("bd.proposal"))
show_bundles(summary, "bd_summary")

st.subheader(ui.t("bd.chart"))
chart = ui.with_lines(proposal.loc[proposal["bundle"] != "-"], "business_line")
bundle_ids = sorted(set(proposal["bundle"]) - {"-"}, key=lambda b: int(b[1:]))   # B1, B2, …, B10: in their order
fig = px.scatter(chart, x="cvr_shrunk", y="cpa_shrunk", color="bundle", size=chart["conversions"].clip(lower=1),
                 color_discrete_sequence=px.colors.qualitative.Alphabet,  # 26 colours: bundles rarely repeat one
                 category_orders={"bundle": bundle_ids},
                 hover_name="campaign", hover_data={"business_line": True, "conversions": ":.0f",
                                                    "cpa_shrunk": ":.2f", "cvr_shrunk": ":.2%"},
                 labels={"cvr_shrunk": ui.t("col.cvr_shrunk"), "cpa_shrunk": ui.t("col.cpa_shrunk"),
                         "bundle": ui.t("col.bundle"),
                         "business_line": ui.t("col.business_line"), "conversions": ui.t("col.conversions")})
fig.update_layout(height=420, margin=dict(l=8, r=8, t=8, b=8), plot_bgcolor="white")
fig.update_xaxes(tickformat=".0%", gridcolor="#eef1f5")
fig.update_yaxes(tickprefix=sym, gridcolor="#eef1f5")
st.plotly_chart(fig, width="stretch", key="bd_chart")

st.subheader(ui.t("bd.whatif"))
bundle_ids = bundle_ids + [f"B{len(summary) + 1}"]
editor_cols = {"campaign": ui.t("col.campaign"), "business_line": ui.t("col.business_line"),
               "bundle": st.column_config.SelectboxColumn(ui.t("col.bundle"), options=bundle_ids, required=True),
               "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f"),
               "cpa_shrunk": st.column_config.NumberColumn(ui.t("col.cpa_shrunk"), format=f"{sym}%,.2f",
                                                           help=ui.t("col.cpa_shrunk_help")),
               "cvr_shrunk": ui.percent_column(ui.t("col.cvr_shrunk"), help=ui.t("col.cvr_shrunk_help"))}
edited = ui.data_editor(
    ui.with_lines(proposal, "business_line")[list(editor_cols)], editor_cols,
    hide_index=True, width="stretch", key="bd_editor", disabled=["campaign", "business_line", "conversions",
                                                                 "cpa_shrunk", "cvr_shrunk"])
moved = proposal.assign(bundle=edited["bundle"].to_numpy()).drop(columns="bundle_kind")
changed = not moved["bundle"].equals(proposal["bundle"])
if changed:
    st.markdown(f"**{ui.t('bd.whatif_result')}**")
    show_bundles(summarize(moved, settings), "bd_whatif_summary")
chosen = moved if changed else proposal
st.caption(ui.t("bd.adopt_caption_edited" if changed else "bd.adopt_caption"))
ui.bundle_map_actions(akey, assignment_map(chosen, settings, lang),
                      {"settings": settings.__dict__, "edited": changed,
                       "bundles": summarize(chosen, settings)[["bundle", "plans", "target_cpa"]].to_dict("records")},
                      "bd_map")

st.subheader(ui.t("bd.plans"))
ui.dataframe(
    ui.with_lines(proposal, "business_line").assign(cpa_interval=[f"{sym}{lo:,.0f} – {sym}{hi:,.0f}" for lo, hi in
                                  zip(proposal["cpa_low"], proposal["cpa_high"])])[
        ["campaign", "business_line", "bundle", "cost", "clicks", "conversions", "cvr", "cvr_shrunk", "cpa",
         "cpa_shrunk", "cpa_interval", "thin"]],
    hide_index=True, width="stretch", key="bd_plans", column_config={
        "campaign": ui.t("col.campaign"), "business_line": ui.t("col.business_line"), "bundle": ui.t("col.bundle"),
        "cost": st.column_config.NumberColumn(ui.t("col.cost"), format=f"{sym}%,.2f"),
        "clicks": st.column_config.NumberColumn(ui.t("col.clicks"), format="%,d"),
        "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f"),
        "cvr": ui.percent_column(ui.t("col.cvr")),
        "cvr_shrunk": ui.percent_column(ui.t("col.cvr_shrunk"), help=ui.t("col.cvr_shrunk_help")),
        "cpa": st.column_config.NumberColumn(ui.t("col.cpa"), format=f"{sym}%,.2f"),
        "cpa_shrunk": st.column_config.NumberColumn(ui.t("col.cpa_shrunk"), format=f"{sym}%,.2f",
                                                    help=ui.t("col.cpa_shrunk_help")),
        "cpa_interval": ui.t("col.cpa_interval"), "thin": st.column_config.CheckboxColumn(ui.t("col.thin"))})

st.subheader(ui.t("bd.cpc"))
cpc = model.cpc(clf, settings)
if cpc.empty:
    st.success(ui.t("bd.cpc_none"))
else:
    ui.dataframe(ui.with_lines(cpc, "business_line")[["keyword", "campaign", "business_line", "stage", "conversions",
                                                       "conv_share", reason_col]]
                 .assign(stage=lambda d: d["stage"].map(lambda s: ui.name_of(i18n.STAGE, s))),
                 hide_index=True, width="stretch", key="bd_cpc", column_config={
                     "keyword": ui.t("col.keyword"), "campaign": ui.t("col.campaign"),
                     "business_line": ui.t("col.business_line"), "stage": ui.t("col.stage"),
                     "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f"),
                     "conv_share": ui.percent_column(ui.t("col.conv_share")),
                     reason_col: ui.t("col.reason")})

st.subheader(ui.t("bd.existing"))
sheet, source = ui.bundle_sheet_input(akey, evidence["campaign"], is_sample, "bd_map")
membership, targets = current_bundles(evidence["campaign"], sheet)
if sheet is not None:
    st.caption(ui.t("dr.map_source", source=source))
unknown_plans = sorted(set(membership.dropna().index) - set(evidence["campaign"]))
if unknown_plans:
    st.warning(ui.t("bd.map_unknown", plans="、".join(unknown_plans)), icon=":material/warning:")
if membership.dropna().empty or membership[membership.index.isin(evidence["campaign"])].dropna().empty:
    st.info(ui.t("bd.existing_none"))
else:
    current = existing_bundles(evidence, membership, targets)
    st.caption(ui.t("bd.existing_window", days=int(days)))
    ui.dataframe(current.assign(plans=current["plans"].map(ui.list_text)), hide_index=True, width="stretch",
                 key="bd_current", column_config={
        "bundle": ui.t("col.bundle"), "plans": ui.t("col.plans"), "n_plans": None,
        "cost": st.column_config.NumberColumn(ui.t("col.cost"), format=f"{sym}%,.2f"),
        "clicks": None, "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f"),
        "cpa": st.column_config.NumberColumn(ui.t("col.cpa"), format=f"{sym}%,.2f"),
        "cvr": ui.percent_column(ui.t("col.cvr")),
        "target_cpa": st.column_config.NumberColumn(ui.t("col.target_cpa_current"), format=f"{sym}%,.2f"),
        "cpa_vs_target": ui.percent_column(ui.t("col.cpa_vs_target")),
        "over_target": st.column_config.CheckboxColumn(ui.t("col.over_target"))})
    splits = model.splits(clf, settings, membership, targets)
    ui.dataframe(splits[["bundle", "campaign", "conversions", "cpa", "rest_cpa", "cvr", "q_value", "split", reason_col]],
                 hide_index=True, width="stretch", key="bd_splits", column_config={
                     "bundle": ui.t("col.bundle"), "campaign": ui.t("col.campaign"),
                     "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f"),
                     "cpa": st.column_config.NumberColumn(ui.t("col.cpa"), format=f"{sym}%,.2f"),
                     "rest_cpa": st.column_config.NumberColumn(ui.t("col.rest_cpa"), format=f"{sym}%,.2f"),
                     "cvr": ui.percent_column(ui.t("col.cvr")),
                     "q_value": st.column_config.NumberColumn(ui.t("col.q_value"), format="%.3f"),
                     "split": st.column_config.CheckboxColumn(ui.t("col.split")), reason_col: ui.t("col.reason")})
