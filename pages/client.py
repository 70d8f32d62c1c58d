"""The client view: what a client sees through a share link (and an optimizer's preview of it).

Phone first, Chinese first, plain words: spend, leads, cost per lead over time, and
what the optimizer changed and why. Read-only: no upload, no editing, no other
workspace; a CSV of the daily totals only when the link allows downloads."""
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import ui
from optimizer import i18n
from optimizer.store import auth
from optimizer.analysis.prepare import CLIENT_DAYS
from optimizer.model import dataset
from optimizer.outputs import report


def span(a: pd.Timestamp, b: pd.Timestamp) -> str:
    return f"{a:%m-%d}" if a == b else f"{a:%m-%d}–{b:%m-%d}"


def change(now: float | None, before: float | None) -> str:
    c = dataset.WeekComparison.change(now, before)
    return "–" if c is None else f"{c:+.0%}"


c = ui.ctx()
if c.client:
    st.radio(ui.t("app.language"), options=["zh", "en"], key=ui.K_LANG, horizontal=True,
             format_func=lambda code: "中文" if code == "zh" else "English", label_visibility="collapsed")
if c.refused or (c.client and c.ws is None):
    st.title(ui.t("client.closed_title"))
    st.error(c.refused or ui.t("share.refused_unknown"), icon=":material/link_off:")
    st.caption(ui.t("client.closed_help"))
    st.stop()

ws = ui.require_workspace()
preview = None  # the accounts of the link an optimizer previews (None: the whole workspace)
# "what we changed and what it did": a client sees it only when the link says so; a preview as
# a link follows the link, the whole-workspace preview shows it
show_changes = c.share.show_changes if c.share is not None else not c.client
if not c.client:
    st.info(ui.t("client.preview_note"), icon=":material/smartphone:")
    if c.can("share", ws):
        now = c.store.now()
        links = {link.id: link for link in c.access.shares(ws.id) if link.state(now) == "active"}
        if links:
            sep = "、" if ui.lang() == "zh" else ", "

            def link_name(i) -> str:
                if i == 0:  # not None: a selectbox shows None as nothing chosen ("Choose an option")
                    return ui.t("client.preview_whole")
                link = links[i]
                shows = (ui.t("share.accounts_all") if link.accounts is None else
                         sep.join(i18n.account_label(*a, ui.lang()) for a in link.accounts))
                return f"{link.label or '–'} · {shows}"

            key = ui.wkey("client_preview_link", default=0)
            if st.session_state.get(key) not in links:  # 0, or a link of another workspace or revoked since
                st.session_state[key] = 0
            pick = st.selectbox(ui.t("client.preview_as"), [0, *links], key=key, format_func=link_name,
                                help=ui.t("client.preview_help"))
            if pick in links:
                preview = links[pick].accounts
                show_changes = links[pick].show_changes
scope = c.access.view_accounts(preview)  # a client: its link's accounts, whatever was asked

# a link limited to some accounts is titled by them: the workspace's name may name other clients
st.title(auth.link_title(ws.name, scope, ui.lang()))
st.caption(ui.t("client.subtitle"))
accounts, _ = ui.current_accounts(scope)  # kept per data version: no client waits for the others
if accounts.empty:
    st.info(ui.t("client.no_data"), icon=":material/hourglass_empty:")
    st.stop()
if len(accounts) > 1:
    pick = st.selectbox(ui.t("client.account"), range(len(accounts)), key=ui.wkey("client_account"),
                        format_func=lambda i: ui.account_label(accounts.iloc[i]))
else:
    pick = 0
acct = accounts.iloc[pick]
model = ui.account_model(acct)  # kept per data version: the Overview page's figures too
currency = acct["currency"] or None
daily = model.daily()
cmp = dataset.week_comparison(daily)  # the latest weeks whatever the period shown

periods = {"7": 7, "30": 30, "all": None}
period = st.segmented_control(ui.t("client.period"), list(periods), key=ui.wkey("client_period", default=str(CLIENT_DAYS)),
                              format_func=lambda p: ui.t(f"client.period_{p}")) or str(CLIENT_DAYS)
shown = model.period(periods[period])
if shown is not None:
    daily = daily.loc[daily["date"] >= shown[0]]
s = model.headline(*shown) if shown is not None else model.headline()
if not daily.empty:
    st.caption(ui.t("client.range", start=f"{daily['date'].min():%Y-%m-%d}", end=f"{daily['date'].max():%Y-%m-%d}"))
    age = dataset.days_old(daily, date.today())
    if age is not None:  # the figures are not this week's: say so before anyone reads them as current
        st.warning(ui.t("client.stale", end=f"{daily['date'].max():%Y-%m-%d}", days=age), icon=":material/history:")
m = st.columns(3)
m[0].metric(ui.t("client.spend"), i18n.money(s.cost, currency, 0))
m[1].metric(ui.t("client.leads"), f"{s.conversions:,.0f}")
m[2].metric(ui.t("client.cpl"), i18n.money(s.cpa, currency, 0))
if s.left_out is not None:
    st.caption(":material/schedule: " + ui.t("client.cpl_left_out", day=f"{s.left_out:%m-%d}"))

st.subheader(ui.t("client.trend"))
if daily.empty:
    st.info(ui.t("overview.no_daily"))
else:
    sym = i18n.CURRENCY_SYMBOL.get(currency or "", "")
    whole = daily.loc[~daily["partial"]]
    fig = go.Figure()
    fig.add_bar(x=daily["date"], y=daily["cost"], name=ui.t("client.spend"), marker_color="#9ec5fe", yaxis="y",
                hovertemplate=f"%{{x|%m-%d}}<br>{ui.t('client.spend')} {sym}%{{y:,.0f}}<extra></extra>")
    fig.add_scatter(x=whole["date"], y=whole["cpa"], name=ui.t("client.cpl"), mode="lines+markers", yaxis="y2",
                    line=dict(color=ui.WARN, width=2), marker=dict(size=5), connectgaps=True,
                    hovertemplate=f"%{{x|%m-%d}}<br>{ui.t('client.cpl')} {sym}%{{y:,.0f}}<extra></extra>")
    fig.update_layout(height=300, margin=dict(l=4, r=4, t=4, b=4), hovermode="x unified", plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0), bargap=0.2,
                      yaxis=dict(gridcolor="#eef1f5", rangemode="tozero", tickprefix=sym, tickformat="~s"),
                      yaxis2=dict(overlaying="y", side="right", showgrid=False, rangemode="tozero",
                                  tickprefix=sym, tickformat=",.0f", tickmode="auto", nticks=6),
                      xaxis=dict(tickformat="%m-%d", gridcolor="#eef1f5"))
    st.plotly_chart(fig, width="stretch", key="client_chart", config={"displayModeBar": False})
    st.caption(ui.t("client.trend_help"))
    if daily["partial"].any():
        st.caption(":material/schedule: " + ui.t("client.partial", day=f"{daily['date'].max():%m-%d}"))

    st.subheader(ui.t("client.weeks"))
    if cmp is not None:
        st.markdown("**" + (ui.t("client.compare_week") if cmp.days == 7 else
                            ui.t("client.compare_days", days=cmp.days)) + "**")
        st.table(pd.DataFrame({
            " ": [ui.t("client.spend"), ui.t("client.leads"), ui.t("client.cpl")],
            span(cmp.start, cmp.end): [i18n.money(cmp.cost, currency, 0), f"{cmp.conversions:,.0f}",
                                       i18n.money(cmp.cpl, currency, 0)],
            span(cmp.prev_start, cmp.prev_end): [i18n.money(cmp.prev_cost, currency, 0),
                                                 f"{cmp.prev_conversions:,.0f}",
                                                 i18n.money(cmp.prev_cpl, currency, 0)],
            ui.t("client.compare_change"): [change(cmp.cost, cmp.prev_cost),
                                          change(cmp.conversions, cmp.prev_conversions),
                                          change(cmp.cpl, cmp.prev_cpl)],
        }), hide_index=True)
        if cmp.left_out is not None:
            st.caption(":material/schedule: " + ui.t("client.compare_left_out", day=f"{cmp.left_out:%m-%d}"))

    weekly = model.weekly(shown[0] if shown is not None else None).sort_values("week", ascending=False)

    def week_label(w) -> str:
        start = f"{w.start:%m-%d}"
        label = (ui.t("client.week_to_date", start=start, days=w.days) if w.to_date else
                 ui.t("client.week_short", start=start, days=w.days) if w.short else start)
        return label + (" *" if pd.notna(w.incomplete_day) else "")

    st.table(pd.DataFrame({
        ui.t("client.week"): [week_label(w) for w in weekly.itertuples()],
        ui.t("client.spend"): [i18n.money(v, currency, 0) for v in weekly["cost"]],
        ui.t("client.leads"): [f"{v:,.0f}" for v in weekly["conversions"]],
        ui.t("client.cpl"): [i18n.money(v, currency, 0) for v in weekly["cpl"]],
    }), hide_index=True)
    incomplete = weekly["incomplete_day"].dropna()
    if len(incomplete):
        st.caption("\\* " + ui.t("client.week_incomplete", day=f"{incomplete.max():%m-%d}"))

if show_changes:
    log, eff = ui.change_effects(acct, model, ws)
    if eff is not None:
        st.subheader(ui.t("client.changes"))
        groups = eff.groups
        if shown is not None:  # only the changes applied in the period shown
            groups = groups.loc[(groups["applied_on"] >= shown[0]) & (groups["applied_on"] <= shown[1])]
            st.caption(ui.t("client.changes_period", start=f"{shown[0]:%Y-%m-%d}", end=f"{shown[1]:%Y-%m-%d}"))
        if groups.empty:
            st.caption(ui.t("client.no_changes"))
        for _, g in groups.sort_values("applied_on", ascending=False).iterrows():
            with st.container(border=True):
                st.markdown(ui.plain_text(i18n.change_group_text(g, ui.lang())))

st.subheader(ui.t("client.notes"))
notes = (c.access.notes(ws.id, accounts=scope, every=ui.workspace_account_keys(ws))  # only those about its accounts
         if c.can("view", ws) else [])
if not notes:
    st.caption(ui.t("client.no_notes"))
for n in notes:
    with st.container(border=True):
        head = f"**{n.note_date:%Y-%m-%d}**"
        if n.account is not None and len(accounts) > 1:  # which of the accounts shown it is about
            head += " · " + ui.plain_text(i18n.account_label(*n.account, ui.lang()))
        st.markdown(head)
        st.markdown(ui.plain_text(n.text))  # as typed: no markdown, no HTML

if c.can("download", ws) and not daily.empty:
    out = report.daily_sheet(daily, {
        "date": ui.t("client.csv_date"), "cost": ui.t("client.spend"), "clicks": ui.t("overview.clicks"),
        "conversions": ui.t("client.leads"), "cpa": ui.t("client.cpl")})
    st.download_button(ui.t("client.download"), report.to_csv_bytes(out, report.DAILY_FLOAT_FORMAT),
                       file_name="daily.csv", mime="text/csv", key="client_download", icon=":material/download:")
if c.share is not None:
    st.caption(":material/lock: " + ui.t("client.footer", date=f"{c.share.expires_at.astimezone():%Y-%m-%d}"))
