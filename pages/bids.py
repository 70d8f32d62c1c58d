"""Bids: the recommended bid of each keyword on manual CPC, why, and the money it is
expected to save or gain; a what-if on the target CPA and the step; the targets kept
per account."""
import pandas as pd
import streamlit as st

import ui
from optimizer import i18n
from optimizer.actions.bids import BidTargets, line_targets, tally
from optimizer.bundles.propose import BundleSettings
from optimizer.keywords.lexicon import line_label

lang = ui.lang()
accounts, is_sample = ui.current_accounts()
ui.page_header("bid.title", "bid.caption", is_sample)
acct, model = ui.pick_account(accounts, "bid_account")
ctx = ui.account_context(acct, model)
clf = ctx.classifier()
currency, sym = ctx.currency, ctx.symbol
window = BundleSettings()  # the oCPC bundles page's window: its CPC keywords and bundles
if model.evidence(clf, window).empty:
    st.info(ui.t("bid.no_daily"))
    st.stop()
sheet = ui.decided_bundle_sheet(ctx.key)
saved = ui.bid_targets(ctx.key)
kept = model.bids(clf, window, saved.bid_settings(), sheet, saved, currency)  # what the workbook shows
if kept.empty:
    st.info(ui.t("bid.none"))
    st.stop()
if (kept["bundles_from"] == "none").all():
    st.info(ui.t("bid.no_map"), icon=":material/info:")

# ---------------------------------------------------------------- what if
with st.expander(ui.t("bid.whatif"), expanded=False, icon=":material/tune:"):
    c = st.columns([1, 1, 2])
    step = c[0].number_input(ui.t("bid.step"), 5, 50, int(round(saved.bid_settings().max_step * 100)), step=5,
                             key=f"bid_step:{ctx.key}")
    account_target = c[1].number_input(ui.t("bid.account_target"), 0.0, 100000.0, float(saved.account or 0.0),
                                       step=10.0, key=f"bid_account_target:{ctx.key}",
                                       help=ui.t("bid.account_target_help"))
    lines = line_targets(kept, saved)
    line_cols = {"line": ui.t("col.business_line"),
                 "keywords": st.column_config.NumberColumn(ui.t("col.keywords_n"), format="%d"),
                 "line_cpa": st.column_config.NumberColumn(ui.t("col.line_cpa"), format=f"{sym}%,.2f"),
                 "target": st.column_config.NumberColumn(ui.t("col.bid_target"), format=f"{sym}%,.2f", min_value=0.0)}
    c[2].caption(ui.t("bid.line_targets"))
    with c[2]:
        edited = ui.data_editor(ui.with_lines(lines, "line"), line_cols, hide_index=True, width="stretch",
                                key=f"bid_lines:{ctx.key}", disabled=["line", "keywords", "line_cpa"])
    targets = BidTargets.of(account_target, dict(zip(lines["line"], edited["target"], strict=True)), step / 100)
    if ui.may_save_bid_targets() and st.button(ui.t("bid.save"), key="bid_save", icon=":material/check:",
                                               help=ui.t("bid.save_help")):
        ui.save_bid_targets(ctx.key, targets)
        saved = ui.bid_targets(ctx.key)  # read back: the message says what is kept, not what was typed
        kept = model.bids(clf, window, saved.bid_settings(), sheet, saved, currency)
        none = ui.t("bid.saved_none")
        st.success(ui.t("bid.saved", step=f"{saved.bid_settings().max_step:.0%}",
                        account=i18n.money(saved.account, currency, 0) if saved.account else none,
                        lines=("、" if lang == "zh" else ", ").join(f"{line_label(k, lang)} {i18n.money(v, currency, 0)}" for k, v in saved.lines)
                        if saved.lines else none), icon=":material/check_circle:")

if targets.bid_settings() == saved.bid_settings() and (targets.account, targets.lines) == (saved.account, saved.lines):
    targets = saved  # nothing changed in the what-if (the default step typed back in): the kept recommendations
settings = targets.bid_settings()
bids = model.bids(clf, window, settings, sheet, targets, currency)
now, before = tally(bids), tally(kept)
what_if = bids is not kept and (settings != saved.bid_settings() or targets != saved)

# ---------------------------------------------------------------- tiles
tiles = st.columns(6)


def delta(key: str, money: bool = False):
    if not what_if:
        return None
    d = now[key] - before[key]
    return i18n.money(d, currency) if money else f"{d:+d}"


tiles[0].metric(ui.t("bid.raise"), f"{now['raise']:,}", delta("raise"), delta_color="off")
tiles[1].metric(ui.t("bid.lower"), f"{now['lower']:,}", delta("lower"), delta_color="off")
tiles[2].metric(ui.t("bid.keep"), f"{now['keep'] + now['position_goal']:,}", None)
tiles[3].metric(ui.t("bid.saving"), i18n.money(now["saving"], currency, 0), delta("saving", True),
                help=ui.t("bid.saving_help"))
lowered = bids.loc[bids["decision"] == "lower"]
worst = lowered.loc[lowered["above_target"].fillna(0) > 0].nlargest(1, "above_target")
tiles[4].metric(ui.t("bid.above_target"), i18n.money(now["above_target"], currency, 0), delta("above_target", True),
                help=ui.t("bid.above_target_help", worst=(
                    f"{worst['keyword'].iloc[0]} {i18n.money(worst['above_target'].iloc[0], currency, 0)}"
                    if len(worst) else "—")))
tiles[5].metric(ui.t("bid.gain"), i18n.money(now["gain"], currency, 0), delta("gain", True),
                help=ui.t("bid.gain_help", elasticity=f"{settings.click_elasticity:g}",
                          clicks=f"{1.2 ** settings.click_elasticity - 1:.1%}"))
st.caption(ui.t("bid.gain_note"))
if what_if:
    st.caption(ui.t("bid.changed"))

# ---------------------------------------------------------------- the table
st.subheader(ui.t("bid.table"))
reason_col = "reason_zh" if lang == "zh" else "reason_en"
show = ui.with_lines(bids, "line").assign(
    decision=bids["decision"].map(lambda d: ui.name_of(i18n.BID_DECISION, d)),
    target_source=bids["target_source"].map(lambda s: ui.name_of(i18n.BID_TARGET_SOURCE, s) if s else ""))
cols = {"keyword": st.column_config.TextColumn(ui.t("col.keyword"), width="medium"),
        "campaign": st.column_config.TextColumn(ui.t("col.campaign"), width="medium"),
        "decision": ui.t("col.decision"),
        "bid": st.column_config.NumberColumn(ui.t("col.bid"), format=f"{sym}%,.2f"),
        "recommended_bid": st.column_config.NumberColumn(ui.t("col.recommended_bid"), format=f"{sym}%,.2f"),
        "change_pct": ui.percent_column(ui.t("col.change_pct")),
        "money": st.column_config.NumberColumn(ui.t("col.bid_money"), format=f"{sym}%,.2f"),
        "above_target": st.column_config.NumberColumn(ui.t("col.above_target"), format=f"{sym}%,.2f"),
        "clicks": st.column_config.NumberColumn(ui.t("col.clicks"), format="%,d"),
        "cvr_shrunk": ui.percent_column(ui.t("col.cvr_shrunk"), help=ui.t("col.cvr_shrunk_help")),
        "target_cpa": st.column_config.NumberColumn(ui.t("col.bid_target"), format=f"{sym}%,.2f"),
        "target_source": ui.t("col.target_source"),
        reason_col: st.column_config.TextColumn(ui.t("col.reason"), width="large")}
ui.dataframe(pd.DataFrame(show[list(cols)]), cols, hide_index=True, width="stretch", key="bid_table")
# the table cuts long text: each change's reason is listed in full under it
moved = bids.loc[bids["decision"].isin(["raise", "lower", "position_goal"])]
if len(moved):
    st.markdown(f"**{ui.t('bid.reasons')}**")
    colon = "：" if lang == "zh" else ": "
    st.markdown("\n".join(f"- **{ui.plain_text(r['keyword'])}** · {ui.plain_text(r['campaign'])}{colon}"
                          f"{ui.plain_text(r[reason_col])}" for _, r in moved.iterrows()))
