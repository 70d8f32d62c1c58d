"""Cost drift: what moved, since when, how sure, why — and bundles against their targets."""
import pandas as pd
import streamlit as st

import ui
from optimizer import i18n
from optimizer.drift.alerts import (AlertSettings, bundles_in_learning, evidence, contributors_table, flag_target, flags,
                              entity_label, false_alarms_a_week, folded, folded_counts, format_value, headline,
                              plan_money_at_stake, waterfall_steps)
from optimizer.drift.online import ACCOUNTS, DEFAULT_FALSE_ALARMS
from optimizer.drift.scan import LEVELS, METRICS, MIN_CLICKS, MIN_CONVERSIONS
from optimizer.outputs.workbook import drift_csv
from optimizer.bundles.targets import TargetSettings, default_tolerance

lang = ui.lang()
accounts, is_sample = ui.current_accounts()
ui.page_header("dr.title", "dr.caption", is_sample)
acct, model = ui.pick_account(accounts, "dr_account")
ctx = ui.account_context(acct, model)
currency, sym, akey = ctx.currency, ctx.symbol, ctx.key
rules = ui.overcost_rules()
tol_default, tol_source = default_tolerance(rules)

campaigns = model.campaigns()
with st.expander(ui.t("dr.settings"), icon=":material/tune:"):
    c = st.columns(4)
    baseline = c[0].number_input(ui.t("dr.baseline_days"), 7, 120, 28, key="dr_baseline", help=ui.t("dr.baseline_help"))
    min_days = c[1].number_input(ui.t("dr.min_days"), 3, 60, 7, key="dr_min_days")
    alpha = c[2].select_slider(ui.t("dr.alpha"), [0.01, 0.05, 0.10, 0.20], 0.05, key="dr_alpha",
                               help=ui.t("dr.alpha_help"))
    target_days = c[3].number_input(ui.t("dr.target_days"), 3, 60, 7, key="dr_target_days")
    c = st.columns(4)
    tolerance = c[0].number_input(ui.t("dr.tolerance"), 0.0, 2.0, float(tol_default), step=0.05, format="%.2f",
                                  key="dr_tolerance", help=ui.t("dr.tolerance_help", source=tol_source))
    high_days = c[1].number_input(ui.t("dr.high_days"), 0.05, 30.0, 1.0, step=0.25, key="dr_high")
    medium_days = c[2].number_input(ui.t("dr.medium_days"), 0.01, 30.0, 0.25, step=0.05, key="dr_medium")
    rule_ids = ["", *rules]
    rule_id = c[3].selectbox(ui.t("dr.rule_set"), rule_ids, key=ui.wkey("dr_rules"),
                             format_func=lambda r: ui.t("dr.rule_auto") if not r else rules[r].name(lang))
    c = st.columns(4)
    min_clicks = c[0].number_input(ui.t("dr.min_clicks"), 0, 100000, int(MIN_CLICKS), step=10, key="dr_min_clicks",
                                   help=ui.t("dr.min_clicks_help"))
    min_conversions = c[1].number_input(ui.t("dr.min_conversions"), 0, 10000, int(MIN_CONVERSIONS), step=1,
                                        key="dr_min_conversions", help=ui.t("dr.min_conversions_help"))
    methods = ["online", "scan"] if AlertSettings().method == "online" else ["scan", "online"]
    method = c[2].selectbox(ui.t("dr.method"), methods, key="dr_method", help=ui.t("dr.method_help"),
                            format_func=lambda v: ui.t(f"dr.method_{v}"))
    false_alarms = c[3].number_input(ui.t("dr.false_alarms"), 0.01, 10.0, float(DEFAULT_FALSE_ALARMS), step=0.05,
                                     format="%.2f", key="dr_false_alarms", help=ui.t("dr.false_alarms_help"),
                                     disabled=method != "online")
    c = st.columns(2)
    levels = c[0].multiselect(ui.t("dr.levels"), list(LEVELS), key=ui.wkey("dr_levels", default=list(LEVELS)), select_all=ui.select_all(),
                              format_func=lambda v: ui.name_of(i18n.LEVEL, v))
    metrics = c[1].multiselect(ui.t("dr.metrics"), list(METRICS), key=ui.wkey("dr_metrics", default=list(METRICS)), select_all=ui.select_all(),
                               format_func=lambda v: ui.name_of(i18n.METRIC, v))
    sheet, source = ui.bundle_sheet_input(akey, campaigns, is_sample, "dr_map")

sheet, kind = model.drift_sheet(ctx.classifier(), sheet)
source = source if kind == "map" else ui.t(f"dr.map_{kind}")
st.caption(ui.t("dr.map_source", source=source))

settings = AlertSettings(baseline_days=int(baseline), min_days=int(min_days), alpha=float(alpha),
                         min_clicks=int(min_clicks), min_conversions=int(min_conversions),
                         levels=tuple(levels) or LEVELS, metrics=tuple(metrics) or METRICS,
                         high_days=float(high_days), medium_days=float(medium_days),
                         targets=TargetSettings(tolerance=float(tolerance), window_days=int(target_days)),
                         method=method, false_alarms=float(false_alarms))
with st.spinner(ui.t("dr.title")):  # the bundled rule file (None) unless another set is picked
    report = model.drift(ctx.classifier(), settings, sheet, None, rule_id or None)

if report.series.empty:  # nothing by day: nothing could be tested (not "no change found")
    st.info(ui.t("dr.no_daily"), icon=":material/calendar_month:")
    st.stop()
if report.dropped_partial_day is not None:
    st.caption(":material/schedule: " + ui.t("dr.partial", day=f"{report.dropped_partial_day:%Y-%m-%d}"))
every = flags(report, include_learning=True)
# one event, one flag: keyword flags explained by their plan's flag are listed under it
flagged = every.loc[every["folded_under"] == ""].reset_index(drop=True)
real = flagged.loc[flagged["status"] == "flag"]
high = real.loc[real["severity"] == "high"]
m = st.columns(4)
m[0].metric(ui.t("dr.n_flags"), f"{len(real):,}", help=ui.t("dr.tested", n=int(report.results["p_value"].notna().sum())))
m[1].metric(ui.t("dr.n_high"), f"{len(high):,}")
m[2].metric(ui.t("dr.money_plans"), i18n.money(plan_money_at_stake(report), currency, 0), help=ui.t("dr.money_plans_help"))
m[3].metric(ui.t("dr.n_learning"), f"{bundles_in_learning(report):,}",
            help=ui.t("dr.n_learning_help", n=int((flagged["status"] == "learning").sum())))

st.subheader(ui.t("dr.flags"))
st.caption(ui.t("dr.promise" if method == "scan" else "dr.promise_online_evidence", days=int(min_days),
                clicks=f"{int(min_clicks):,}", conversions=f"{int(min_conversions):,}"))
if method == "online":
    n_series = int(report.results["p_value"].notna().sum())
    st.caption(ui.t("dr.promise_online", budget=f"{false_alarms:.2f}", series=f"{n_series:,}",
                    week=false_alarms_a_week(false_alarms, n_series),
                    week30=false_alarms_a_week(false_alarms, n_series, ACCOUNTS)))
tested, untested = evidence(report)
if flagged.empty and not tested:  # nothing could be judged: not an all-clear
    st.warning(ui.t("dr.nothing_tested", n=untested), icon=":material/hourglass_empty:")
elif flagged.empty:
    st.success(ui.t("dr.no_flags") + (ui.t("dr.no_flags_untested", n=untested) if untested else ""),
               icon=":material/check_circle:")
else:
    shown = pd.DataFrame({
        "severity": [ui.name_of(i18n.SEVERITY, s) if st_ == "flag" else ui.name_of(i18n.DRIFT_STATUS, st_)
                     for s, st_ in zip(flagged["severity"], flagged["status"])],
        "level": [ui.name_of(i18n.LEVEL, v) for v in flagged["level"]],
        "entity": [entity_label(lv, e, lang) for lv, e in zip(flagged["level"], flagged["entity"])],
        "metric": [ui.name_of(i18n.METRIC, v) for v in flagged["metric"]],
        "start": flagged["start"].dt.date,
        # the days the change may have been on: one day when the data pins it down, – when not known
        "start_range": [("–" if pd.isna(a) or pd.isna(b) else f"{a:%m-%d}" if a == b else f"{a:%m-%d} ~ {b:%m-%d}")
                        for a, b in zip(flagged["start_low"], flagged["start_high"])],
        **({"alarm": flagged["alarm"].dt.date} if method == "online" else {}),
        "folded": folded_counts(every, flagged),
        "before": [format_value(mt, v, currency) for mt, v in zip(flagged["metric"], flagged["before"])],
        "after": [format_value(mt, v, currency) for mt, v in zip(flagged["metric"], flagged["after"])],
        "change": flagged["change"] * 100,
        "interval": [f"{lo:+.0%} ~ {hi:+.0%}" for lo, hi in zip(flagged["ci_low"], flagged["ci_high"])],
        "money_at_stake": flagged["money_at_stake"], "days_of_spend": flagged["days_of_spend"],
        "q_value": flagged["q_value"]})
    event = ui.dataframe(shown, hide_index=True, width="stretch", key="dr_flags", on_select="rerun",
                         selection_mode="single-row", column_config={
                             "severity": ui.t("col.severity"), "level": ui.t("col.level"),
                             "entity": ui.t("col.entity"), "metric": ui.t("col.metric"), "start": ui.t("col.start"),
                             "start_range": st.column_config.TextColumn(ui.t("col.start_range"),
                                                                        help=ui.t("col.start_range_help")),
                             "alarm": st.column_config.DateColumn(ui.t("col.alarm"), help=ui.t("col.alarm_help")),
                             "folded": st.column_config.NumberColumn(ui.t("col.folded"), help=ui.t("col.folded_help")),
                             "before": ui.t("col.before"), "after": ui.t("col.after"),
                             "change": st.column_config.NumberColumn(ui.t("col.change"), format="%+.0f%%"),
                             "interval": ui.t("col.interval"),
                             "money_at_stake": st.column_config.NumberColumn(ui.t("col.money_at_stake"),
                                                                             format=f"{sym}%,.0f"),
                             "days_of_spend": st.column_config.NumberColumn(ui.t("col.days_of_spend"), format="%.1f"),
                             "q_value": st.column_config.NumberColumn(ui.t("col.q_value"), format="%.4f")})
    table = model.drift_table(ctx.classifier(), settings, sheet, None, rule_id or None, currency)
    st.download_button(ui.t("dr.download"), drift_csv(table, currency, lang),
                       file_name=ui.download_name("drift", acct, "csv"),
                       mime="text/csv", key="dr_download", icon=":material/download:")
    picked = event.selection.rows[0] if event and event.selection.rows else 0
    if picked >= len(flagged):
        picked = 0
    row = flagged.iloc[picked]

    st.subheader(ui.t("dr.detail"))
    st.markdown(f"**{headline(row, lang, currency)}**")
    if row["status"] == "learning":
        st.info(ui.name_of(i18n.DRIFT_STATUS, "learning") + " · " + str(row["group"]), icon=":material/school:")
    if row["named_by"]:
        st.caption(ui.t("dr.named_by", keyword=entity_label("keyword", row["named_by"], lang)))
    under = folded(every, row)
    if len(under):
        with st.expander(ui.t("dr.folded", n=len(under))):
            ui.dataframe(pd.DataFrame({
                "entity": [entity_label(lv, e, lang) for lv, e in zip(under["level"], under["entity"])],
                "start": under["start"].dt.date,
                "change": under["change"] * 100,
                "money_at_stake": under["money_at_stake"]}), hide_index=True, width="stretch", key="dr_folded",
                column_config={"entity": ui.t("col.entity"), "start": ui.t("col.start"),
                               "change": st.column_config.NumberColumn(ui.t("col.change"), format="%+.0f%%"),
                               "money_at_stake": st.column_config.NumberColumn(ui.t("col.money_at_stake"),
                                                                               format=f"{sym}%,.0f")})
    days, ex = model.drift_detail(ctx.classifier(), settings, sheet, None, rule_id or None, row["level"], row["entity"],
                                  row["metric"], row["start"])  # kept per flag
    target = flag_target(row, sheet.targets if sheet is not None else {})
    left, right = st.columns([3, 2])
    with left:
        st.caption(ui.t("dr.chart_title", metric=ui.name_of(i18n.METRIC, row["metric"])))
        st.plotly_chart(ui.drift_chart(days, row["metric"], row["start"], row["before"], row["after"], currency,
                                       target, (row["start_low"], row["start_high"])), width="stretch",
                        key="dr_chart")
    with right:
        steps, kind = waterfall_steps(ex, row["metric"], lang)
        if steps:
            st.caption(ui.t("dr.waterfall") if kind == "cpa" else ui.t("dr.waterfall_spend"))
            st.plotly_chart(ui.waterfall_chart(steps, currency), width="stretch", key="dr_waterfall")
        if ex.summary is not None and row["metric"] != "spend":
            s = ex.summary
            st.caption(ui.t("dr.mix", mix=i18n.percent(s["mix_share"], 0), rate=i18n.percent(s["rate_share"], 0)))
    contrib = contributors_table(ex, lang)
    if len(contrib):
        st.caption(ui.t("dr.contributors"))
        def value_column(label: str):
            return (ui.percent_column(label) if row["metric"] == "cvr" else
                    st.column_config.NumberColumn(label, format=f"{sym}%,.2f"))
        ui.dataframe(contrib.drop(columns=["weight_before", "weight_after"]), hide_index=True, width="stretch",
                     key="dr_contrib", column_config={
                         "name": ui.t("col.entity"),
                         "money": ui.money_column(ui.t("col.contribution"), currency, 0),
                         "money_mix": ui.money_column(ui.t("col.money_mix"), currency, 0),
                         "money_rate": ui.money_column(ui.t("col.money_rate"), currency, 0),
                         "value_before": value_column(ui.t("col.before")),
                         "value_after": value_column(ui.t("col.after"))})

st.subheader(ui.t("dr.targets"))
if report.targets.empty:
    st.info(ui.t("dr.targets_none"), icon=":material/info:")
else:
    tg = report.targets
    ui.dataframe(tg.assign(status=tg["status"].map(lambda v: ui.name_of(i18n.TARGET_STATUS, v)),
                           window=[f"{a:%m-%d} ~ {b:%m-%d}" if pd.notna(a) else "" for a, b in
                                   zip(tg["window_start"], tg["window_end"])])[
        ["bundle", "status", "window", "cost", "conversions", "cpa", "target_cpa", "threshold", "cpa_vs_target",
         "excess_cost", "sure"]], hide_index=True, width="stretch", key="dr_targets", column_config={
        "bundle": ui.t("col.bundle"), "status": ui.t("col.status"), "window": ui.t("col.window"),
        "cost": st.column_config.NumberColumn(ui.t("col.cost"), format=f"{sym}%,.0f"),
        "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f"),
        "cpa": st.column_config.NumberColumn(ui.t("col.cpa"), format=f"{sym}%,.2f"),
        "target_cpa": st.column_config.NumberColumn(ui.t("col.target_cpa_current"), format=f"{sym}%,.2f"),
        "threshold": st.column_config.NumberColumn(ui.t("col.threshold"), format=f"{sym}%,.2f"),
        "cpa_vs_target": ui.percent_column(ui.t("col.cpa_vs_target")),
        "excess_cost": ui.money_column(ui.t("col.excess_cost"), currency, 0),
        "sure": st.column_config.CheckboxColumn(ui.t("col.sure"))})

st.subheader(ui.t("dr.compensation"))
if report.compensation.empty:
    st.info(ui.t("dr.compensation_none"), icon=":material/info:")
else:
    cp = report.compensation
    st.caption(ui.t("dr.compensation_help"))
    ui.dataframe(cp.assign(status=cp["status"].map(lambda v: ui.name_of(i18n.COMPENSATION_STATUS, v)),
                           rules=cp["rules"].map(lambda r: rules[r].name(lang) if r in rules else r),
                           window=[f"{a:%m-%d} ~ {b:%m-%d}" for a, b in zip(cp["window_start"], cp["window_end"])])[
        ["bundle", "status", "amount", "window", "conversions", "cpa", "target_cpa",
         "reasons_zh" if lang == "zh" else "reasons_en", "rules"]], hide_index=True, width="stretch",
        key="dr_compensation", column_config={
            "bundle": ui.t("col.bundle"), "status": ui.t("col.status"),
            "amount": st.column_config.NumberColumn(ui.t("col.amount"), format=f"{sym}%,.2f"),
            "window": ui.t("col.window"),
            "conversions": st.column_config.NumberColumn(ui.t("col.conversions"), format="%,.0f"),
            "cpa": st.column_config.NumberColumn(ui.t("col.cpa"), format=f"{sym}%,.2f"),
            "target_cpa": st.column_config.NumberColumn(ui.t("col.target_cpa_current"), format=f"{sym}%,.2f"),
            "reasons_zh": ui.t("col.reasons"), "reasons_en": ui.t("col.reasons"), "rules": ui.t("col.rules")})

thin = report.results.loc[report.results["status"] == "too_little_data"]
if len(thin):
    with st.expander(ui.t("dr.too_little", n=len(thin))):
        ui.dataframe(thin.assign(entity=[entity_label(lv, e, lang) for lv, e in zip(thin["level"], thin["entity"])],
                                 level=thin["level"].map(lambda v: ui.name_of(i18n.LEVEL, v)),
                                 metric=thin["metric"].map(lambda v: ui.name_of(i18n.METRIC, v)),
                                 note=thin["note"].map(lambda v: i18n.drift_note(v, lang)))[
            ["level", "entity", "metric", "note"]], hide_index=True, width="stretch", key="dr_thin",
            column_config={"level": ui.t("col.level"), "entity": ui.t("col.entity"), "metric": ui.t("col.metric"),
                           "note": ui.t("col.note")})
