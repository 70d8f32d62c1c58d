"""Today: the morning triage — one line per account of every workspace the user may see,
most money at stake first, each a link to the account's overview. Reads only the kept
Today rows (optimizer.analysis.portfolio), never an account's data."""
import pandas as pd
import streamlit as st

import ui
from optimizer import i18n
from optimizer.analysis.portfolio import STALE_DAYS, filter_table, portfolio_table

st.title(ui.t("today.title"))
st.caption(ui.t("today.caption"))


@st.fragment
def triage() -> None:
    entries = ui.portfolio_entries()
    if not entries:
        st.info(ui.t("today.none"), icon=":material/inbox:")
        return
    table = portfolio_table(entries, pd.Timestamp.now().normalize())
    preparing = int((table["status"] == "preparing").sum())
    failed = int((table["status"] == "failed").sum())
    names = dict(zip(table["workspace_id"], table["workspace"], strict=False))
    platforms = sorted(p for p in table["platform"].unique() if p)
    f = st.columns([3, 2, 3], vertical_alignment="bottom")
    chosen_ws = f[0].multiselect(ui.t("today.filter_ws"), list(names), key="today_ws",
                                 format_func=lambda i: names.get(i, str(i)), placeholder=ui.t("today.filter_all"))
    chosen_pf = f[1].multiselect(ui.t("today.filter_platform"), platforms, key=ui.wkey("today_platform"),
                                 format_func=lambda p: ui.name_of(i18n.PLATFORM, p),
                                 placeholder=ui.t("today.filter_all"), accept_new_options=False)
    stale_only = f[2].toggle(ui.t("today.stale_only"), key="today_stale", help=ui.t("today.stale_help", days=STALE_DAYS))
    shown = filter_table(table, chosen_ws, chosen_pf, stale_only)
    st.caption(ui.t("today.summary", n=int((table["key"] != "*").sum()), ws=len(names),
                    stale=int(table["stale"].sum()), preparing=preparing))
    if preparing:
        st.info(":material/hourglass_top: " + ui.t("today.preparing", n=preparing))
        if st.button(ui.t("today.refresh"), key="today_refresh", icon=":material/refresh:"):
            st.rerun(scope="fragment")
    if failed:
        st.warning(ui.t("today.failed", n=failed), icon=":material/error:")
    if shown.empty:
        st.info(ui.t("today.no_match"))
        return
    lang = ui.lang()
    view = pd.DataFrame({
        "link": [ui.account_link(w, k) + "#" + (ui.t("today.all_accounts") if k == "*" else
                                                i18n.account_label(p, a, c, lang))
                 for w, k, p, a, c in zip(shown["workspace_id"], shown["key"], shown["platform"],
                                          shown["account"], shown["currency"], strict=True)],
        "money": shown["money_at_stake"],
        "status": [ui.t(f"today.status_{s}") for s in shown["status"]],
        "action": shown[f"top_action_{lang}"],
        "workspace": shown["workspace"],
        "last_day": shown["last_day"].dt.date,
        "days_old": shown["days_old"],
        "spend": shown["spend"],
        "spend_change": shown["spend_change"],
        "cpa": shown["cpa"],
        "cpa_change": shown["cpa_change"],
        "vs_target": shown["cpa_vs_target"],
        "drift": shown["drift_flags"],
        "severity": [ui.name_of(i18n.SEVERITY, s) if isinstance(s, str) else None for s in shown["drift_severity"]],
        "over_target": shown["over_target"],
        "landing_red": shown["landing_red"],
        "compensation": shown["compensation_at_risk"],
        "currency": shown["currency"],
    })
    ui.dataframe(view, hide_index=True, width="stretch", key="today_table", height=min(38 + 35 * len(view), 720),
                 column_config={
                     "link": st.column_config.LinkColumn(ui.t("col.today_account"), display_text=r"#(.+)$",
                                                         width="medium", pinned=True),
                     "workspace": st.column_config.TextColumn(ui.t("col.today_workspace")),
                     "money": st.column_config.NumberColumn(ui.t("col.today_money"), format="%,.0f"),
                     "action": st.column_config.TextColumn(ui.t("col.today_action"), width="medium"),
                     "status": st.column_config.TextColumn(ui.t("col.today_status")),
                     "last_day": st.column_config.DateColumn(ui.t("col.today_last_day"), format="YYYY-MM-DD"),
                     "days_old": st.column_config.NumberColumn(ui.t("col.today_days_old"), format="%d"),
                     "spend": st.column_config.NumberColumn(ui.t("col.today_spend"), format="%,.0f"),
                     "spend_change": ui.percent_column(ui.t("col.today_spend_change")),
                     "cpa": st.column_config.NumberColumn(ui.t("col.today_cpa"), format="%,.2f"),
                     "cpa_change": ui.percent_column(ui.t("col.today_cpa_change")),
                     "vs_target": ui.percent_column(ui.t("col.today_vs_target"), help=ui.t("col.today_vs_target_help")),
                     "drift": st.column_config.NumberColumn(ui.t("col.today_drift"), format="%d"),
                     "severity": st.column_config.TextColumn(ui.t("col.today_severity")),
                     "over_target": st.column_config.NumberColumn(ui.t("col.today_over_target"), format="%d"),
                     "landing_red": st.column_config.NumberColumn(ui.t("col.today_landing_red"), format="%d"),
                     "compensation": st.column_config.NumberColumn(ui.t("col.today_compensation"), format="%,.0f"),
                     "currency": st.column_config.TextColumn(ui.t("col.currency")),
                 })


triage()
