"""Change log: the changes downloaded from the product for an account, and whether each helped
(the same weekdays before and after its applied day, the cost-drift statistics)."""
import pandas as pd
import streamlit as st

import ui
from optimizer import i18n
from optimizer.actions.changelog import ACTIONS_SHOWN, MIN_DAYS_AFTER


def value(v: float, metric: str, currency: str | None) -> str:
    if v != v:
        return "–"
    if metric == "cvr":
        return i18n.percent(v)
    if metric == "conversions":
        return f"{v:,.1f}"
    return i18n.money(v, currency)


def effect(r) -> str:
    if r["change"] != r["change"]:
        return "–"
    ci = "" if r["ci_low"] != r["ci_low"] else \
        f" ({i18n.signed_percent(r['ci_low'])} ~ {i18n.signed_percent(r['ci_high'])})"
    return i18n.signed_percent(r["change"]) + ci


VERDICT_ICON = {"helped": ":material/check_circle:", "hurt": ":material/error:",
                "no_clear_effect": ":material/help:", "confounded": ":material/call_split:",
                "too_early": ":material/schedule:",
                "no_data": ":material/block:"}

c = ui.ctx()
accounts, is_sample = ui.current_accounts()
ui.page_header("changes.title", "changes.caption", is_sample)
ws = ui.require_workspace()
acct, model = ui.pick_account(accounts, "changes_account")
currency = acct["currency"] or None
log, eff = ui.change_effects(acct, model, ws)
if eff is None:
    st.info(ui.t("changes.none"), icon=":material/history:")
    st.stop()
can_edit = c.can("log_changes", ws)
if eff.end is not None:
    st.caption(ui.t("changes.data_to", end=f"{eff.end:%Y-%m-%d}", days=MIN_DAYS_AFTER) + " "
               + ui.t("changes.stats_help"))

present = [a for a in ACTIONS_SHOWN if a in set(eff.table["action"])]
chosen = st.pills(ui.t("changes.filter"), present, selection_mode="multi", default=present,
                  key=ui.wkey("changes_filter", default=present), format_func=lambda a: ui.t(f"changes.action.{a}"))
chosen = chosen or present
table = eff.table.loc[eff.table["action"].isin(chosen)]
groups = eff.groups.loc[eff.groups["action"].isin(chosen)]

st.subheader(ui.t("changes.summary"))
for _, g in groups.sort_values("applied_on", ascending=False).iterrows():
    icon = VERDICT_ICON[g["verdict"]]
    st.markdown(f"{icon} **{ui.t('changes.verdict.' + g['verdict'])}** · "
                + ui.plain_text(i18n.change_group_text(g, ui.lang())))

st.subheader(ui.t("changes.detail"))
by = dict(zip(log["id"], log["downloaded_by_name"]))
shown = pd.DataFrame({
    "entry": table["entry"],
    "applied": table["applied_on"].dt.date,
    "action": [ui.t(f"changes.action.{a}") for a in table["action"]],
    "object": table["object"],
    "change": [f"{i18n.change_value_text(f, b, ui.lang())} → {i18n.change_value_text(f, a, ui.lang())}"
               for f, b, a in zip(table["field"], table["before"], table["after"])],
    "metric": [ui.t(f"changes.metric.{m}") for m in table["metric"]],
    "before": [value(v, m, currency) for v, m in zip(table["value_before"], table["metric"])],
    "after": [value(v, m, currency) for v, m in zip(table["value_after"], table["metric"])],
    "effect": [effect(r) for _, r in table.iterrows()],
    "verdict": [ui.t(f"changes.verdict.{v}") for v in table["verdict"]],
    "money": table["money_30d"],
    "days": [f"{b} / {a}" for b, a in zip(table["days_before"], table["days_after"])],
    "by": [ui.who(by.get(e)) for e in table["entry"]],
    "reason": table[f"reason_{ui.lang()}"],
})
ui.dataframe(shown.drop(columns=["entry"]), hide_index=True, width="stretch", key="changes_table", column_config={
    "applied": st.column_config.DateColumn(ui.t("changes.col_applied"), format="YYYY-MM-DD"),
    "action": ui.t("changes.col_action"), "object": st.column_config.TextColumn(ui.t("changes.col_object")),
    "change": ui.t("changes.col_change"), "metric": ui.t("changes.col_metric"),
    "before": ui.t("changes.col_before"), "after": ui.t("changes.col_after"),
    "effect": ui.t("changes.col_effect"), "verdict": ui.t("changes.col_verdict"),
    "money": ui.money_column(ui.t("changes.col_money"), currency),
    "days": ui.t("changes.col_days"), "by": ui.t("changes.col_by"), "reason": ui.t("changes.col_reason")})

if table.empty:
    st.stop()
rows = {int(r["entry"]): r for _, r in table.iterrows()}
pick = st.selectbox(ui.t("changes.pick"), list(rows), key=ui.wkey("changes_pick"),
                    format_func=lambda e: (f"{rows[e]['applied_on']:%Y-%m-%d} · {ui.t('changes.action.' + rows[e]['action'])}"
                                           f" · {rows[e]['object']}"))
r = rows[pick]
with st.container(border=True):
    st.markdown(f"{VERDICT_ICON[r['verdict']]} **{ui.t('changes.verdict.' + r['verdict'])}** · "
                + ui.plain_text(i18n.change_effect_text(r, ui.lang())))
    days = eff.days.loc[eff.days["entry"] == pick]
    if len(days):
        st.plotly_chart(ui.change_chart(days, r["metric"], r["applied_on"], r["value_before"], r["value_after"],
                                        currency), width="stretch", key="changes_chart",
                        config={"displayModeBar": False})
        st.caption(ui.t("changes.chart_help"))
    if can_edit:
        cols = st.columns([2, 1, 1], vertical_alignment="bottom")
        day = cols[0].date_input(ui.t("changes.applied_edit"), value=r["applied_on"].date(),
                                 key=f"changes_day_{pick}")
        if cols[1].button(ui.t("changes.applied_save"), key=f"changes_save_{pick}", icon=":material/event:"):
            ui.set_change_date(ws, pick, day)
            st.toast(ui.t("changes.applied_saved"))
            st.rerun()
        if cols[2].button(ui.t("changes.delete"), key=f"changes_delete_{pick}", icon=":material/delete:",
                          help=ui.t("changes.delete_help")):
            ui.delete_change(ws, pick)
            st.toast(ui.t("changes.deleted"))
            st.rerun()
    else:
        st.caption(ui.t("changes.read_only"))
