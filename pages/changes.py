"""Export changes: the changes the analysis proposes as bulk-edit files for the account's
platform (or another importer), with a preview the user can untick row by row."""
from datetime import date, datetime

import pandas as pd
import streamlit as st

import ui
from optimizer import i18n
from optimizer.actions.changes import ACTIONS, already_applied, totals
from optimizer.actions.command import bid_recommendations, file_settings
from optimizer.actions.formats import (downloaded, readme, target_for_platform, targets_for_platform, write_bulk,
                                       zip_bytes)

lang = ui.lang()
accounts, is_sample = ui.current_accounts()
ui.page_header("ch.title", "ch.caption", is_sample)
acct, model = ui.pick_account(accounts, "ch_account")
ctx = ui.account_context(acct, model)
clf = ctx.classifier()
sheet = ui.decided_bundle_sheet(ctx.key)

targets = targets_for_platform(acct["platform"])   # only the account's own platform's importers
if not targets:
    st.info(ui.t("ch.no_target"), icon=":material/info:")
    st.stop()
c = st.columns([2, 3])
own = target_for_platform(acct["platform"])
target = c[0].selectbox(ui.t("ch.target"), targets,
                        key=ui.wkey(f"ch_target_{ctx.key}", default=own if own in targets else targets[0]),
                        format_func=lambda x: ui.name_of(i18n.BULK_TARGET, x), help=ui.t("ch.target_help"))
actions = c[1].multiselect(ui.t("ch.actions"), ACTIONS, default=list(ACTIONS), key=ui.wkey("ch_actions"),
                           format_func=lambda x: ui.name_of(i18n.CHANGE_ACTIONS, x))
actions = tuple(a for a in ACTIONS if a in actions)

with st.spinner(ui.t("ch.title")):
    bids = bid_recommendations(model, clf, sheet, ui.bid_targets(ctx.key), ctx.currency) if "bids" in actions else None
    proposed, aside = model.changes_and_held(clf, actions, sheet, bids)
# changes the change log says were already applied are not proposed again (their money neither)
log = ui.change_log(ui.ctx().ws, ctx.key) if ui.ctx().ws is not None else None
changes, made = already_applied(proposed, log, before=date.today())
if len(made):
    last = max(made["applied_on"])
    st.info(ui.t("ch.already", n=len(made), day=i18n.day_text(last, lang)), icon=":material/history:")
    with st.expander(ui.t("ch.already_list", n=len(made))):
        ui.dataframe(pd.DataFrame({
            "applied_on": [i18n.day_text(d, lang) for d in made["applied_on"]],
            "action": [ui.name_of(i18n.CHANGE_ACTION, a) for a in made["action"]],
            "where": [" / ".join(x for x in (cp, ag) if x) for cp, ag in zip(made["campaign"], made["ad_group"])],
            "keyword": made["keyword"].to_numpy(),
            "change": [f"{i18n.change_value_text(f, b, lang)} → {i18n.change_value_text(f, a, lang)}"
                       for f, b, a in zip(made["field"], made["before"], made["after"])]}),
            hide_index=True, width="stretch",
            column_config={"applied_on": ui.t("ch.applied_on"), "action": ui.t("col.kind"),
                           "where": ui.t("ch.where"), "keyword": ui.t("col.keyword"), "change": ui.t("ch.what")})
        st.page_link("pages/changelog.py", label=ui.t("nav.changelog"), icon=":material/history:")
if len(aside):
    with st.expander(ui.t("ch.aside", n=len(aside)), icon=":material/pan_tool:"):
        ui.dataframe(pd.DataFrame({
            "why": [ui.name_of(i18n.CHANGE_ASIDE, w) for w in aside["why"]],
            "where": [" / ".join(x for x in (cp, ag) if x) for cp, ag in zip(aside["campaign"], aside["ad_group"])],
            "keyword": aside["keyword"].to_numpy(),
            "change": [f"{i18n.change_value_text(f, b, lang)} → {i18n.change_value_text(f, a, lang) or '?'}"
                       for f, b, a in zip(aside["field"], aside["before"], aside["after"])],
            "reason": aside["reason_zh" if lang == "zh" else "reason_en"].to_numpy()}),
            hide_index=True, width="stretch",
            column_config={"why": ui.t("col.kind"), "where": ui.t("ch.where"), "keyword": ui.t("col.keyword"),
                           "change": ui.t("ch.what"),
                           "reason": st.column_config.TextColumn(ui.t("ch.reason"), width="large")})
if changes.empty:
    st.info(ui.t("ch.none"), icon=":material/info:")
    st.stop()


reason = "reason_zh" if lang == "zh" else "reason_en"
preview = pd.DataFrame({
    "use": True,
    "action": [ui.name_of(i18n.CHANGE_ACTION, a) for a in changes["action"]],
    "keyword": changes["keyword"].to_numpy(),
    "money": changes["money"].to_numpy(),
    "field": [i18n.change_field_text(f, a, lang) for f, a in zip(changes["field"], changes["after"])],
    "before": [i18n.change_value_text(f, v, lang) for f, v in zip(changes["field"], changes["before"])],
    "after": [i18n.change_value_text(f, v, lang) for f, v in zip(changes["field"], changes["after"])],
    "where": [" / ".join(x for x in (cp, ag) if x) for cp, ag in zip(changes["campaign"], changes["ad_group"])],
    "reason": changes[reason].to_numpy(),
}, index=changes["change_id"])
st.subheader(ui.t("ch.preview"))
edited = ui.data_editor(
    preview, key=f"ch_rows_{ctx.key}_{'_'.join(actions)}", hide_index=True, width="stretch",
    disabled=[col for col in preview.columns if col != "use"],
    column_config={
        "use": st.column_config.CheckboxColumn(ui.t("ch.use"), width="small"),
        "action": ui.t("col.kind"), "where": ui.t("ch.where"), "keyword": ui.t("col.keyword"),
        "field": ui.t("ch.what"), "before": ui.t("ch.before"), "after": ui.t("ch.after"),
        "money": ui.money_column(ui.t("ch.money"), ctx.currency, 0, help=ui.t("ch.money_help")),
        "reason": st.column_config.TextColumn(ui.t("ch.reason"), width="large"),
    })
ticked = changes.loc[edited["use"].astype(bool).to_numpy()].reset_index(drop=True)

tot = totals(ticked)
m = st.columns(4)
m[0].metric(ui.t("ch.n_ticked"), f"{len(ticked):,} / {len(changes):,}")
m[1].metric(ui.t("ch.money_total"), i18n.money(float(tot["saving"].sum()) if len(tot) else 0.0, ctx.currency, 0))
m[2].metric(ui.t("ch.gain_total"), i18n.money(float(tot["gain"].sum()) if len(tot) else 0.0, ctx.currency, 0),
            help=ui.t("ch.gain_help"))
m[3].metric(ui.t("ch.unestimated"), f"{int(tot['unestimated'].sum()) if len(tot) else 0:,}")

st.subheader(ui.t("ch.files"))
if ticked.empty:
    st.info(ui.t("ch.nothing_ticked"), icon=":material/info:")
    st.stop()
result = write_bulk(ticked, target, **file_settings(target, model.rows()))
text = readme(result, lang, i18n.account_label(acct["platform"], acct["account"], acct["currency"], lang),
              datetime.now().strftime("%Y-%m-%d %H:%M"), aside)
done = st.session_state.get(ui.K_CHANGES_DOWNLOADED)
if done is not None:
    st.success(ui.t("ch.downloaded", n=done[0], time=done[2].strftime("%H:%M"))
               + (" " + ui.t("ch.logged", n=done[0]) if done[3] else "")
               + (" " + ui.t("ch.not_logged", n=done[4]) if len(done) > 4 and done[4] else ""),
               icon=":material/check_circle:")
    if done[3]:
        st.page_link("pages/changelog.py", label=ui.t("nav.changelog"), icon=":material/history:")
# every download goes through ui.on_download: the change log records the changes the download holds
st.caption(ui.t("ch.written", n=len(result.written), total=len(ticked), unwritable=len(result.unwritable)))
cols = st.columns(2)
if result.files:   # a zip of a README alone downloads nothing to import
    cols[0].download_button(ui.t("ch.zip"), zip_bytes(result, text),
                            file_name=ui.download_name(f"bulk_{target}", acct, "zip"), mime="application/zip",
                            key="ch_zip", icon=":material/folder_zip:", width="stretch", on_click=ui.on_download,
                            args=(downloaded(ticked, result), target, len(ticked) - len(result.written)))
else:
    cols[0].warning(ui.t("ch.no_file"), icon=":material/warning:")
cols[1].download_button(ui.t("ch.readme"), text.encode("utf-8-sig"), file_name="README.txt", mime="text/plain",
                        key="ch_readme", icon=":material/description:", width="stretch")
for i, f in enumerate(result.files):
    st.download_button(f"{f.name} · {f.rows}", f.data, file_name=f.name, key=f"ch_file_{i}",
                       icon=":material/download:", on_click=ui.on_download,
                       args=(downloaded(ticked, result, f), target, len(ticked) - len(f.ids)))
if len(result.unwritable):
    st.warning(ui.t("ch.unwritable", n=len(result.unwritable)), icon=":material/warning:")
    u = result.unwritable
    ui.dataframe(pd.DataFrame({
        "where": [" / ".join(x for x in (cp, ag) if x) for cp, ag in zip(u["campaign"], u["ad_group"])],
        "keyword": u["keyword"].to_numpy(), "field": [i18n.change_field_text(f, a, lang) for f, a in zip(u["field"], u["after"])],
        "reason": u[reason].to_numpy()}), hide_index=True, width="stretch",
        column_config={"where": ui.t("ch.where"), "keyword": ui.t("col.keyword"), "field": ui.t("ch.what"),
                       "reason": ui.t("ch.reason")})
