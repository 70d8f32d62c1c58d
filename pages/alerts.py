"""Alerts: the signed-in user's channels (add, edit, test, remove — secrets shown masked),
when to alert (digest time, time zone, severities alerted at once, language) and the
recent sent/failed log. Sending is optimizer.notify's."""
from datetime import time as dtime

import pandas as pd
import streamlit as st

import ui
from optimizer import i18n
from optimizer.errors import UserError
from optimizer.notify import channels as ch_rules
from optimizer.notify import dispatch, messages
from optimizer.notify.sealing import Sealer, SecretUnreadable
from optimizer.store.engine import NotFound

c = ui.ctx()
lang = ui.lang()
st.title(ui.t("alerts.title"))
st.caption(ui.t("alerts.caption"))
st.caption(ui.t("alerts.how_sent"))
owner = c.user.id if c.user is not None else None
db = c.store
sealer = Sealer.for_store(db)


def kind_name(kind: str) -> str:
    return ui.t(f"alerts.kind.{kind}")


def fields_form(kind: str, key: str, current: dict | None = None, hint: dict | None = None) -> tuple[str, dict]:
    """The channel's fields (inside a form); secrets start empty, their saved form shown masked."""
    current, hint = current or {}, hint or {}
    name = st.text_input(ui.t("alerts.name"), value=current.get("name", ""), key=f"{key}_name",
                         placeholder=ui.t("alerts.name_hint"))
    fields: dict = {}
    if kind == "email":
        cfg = current.get("config", {})
        cols = st.columns([3, 1, 2])
        fields["host"] = cols[0].text_input(ui.t("alerts.smtp_host"), value=cfg.get("host", ""), key=f"{key}_host",
                                            placeholder="smtp.qq.com")
        fields["port"] = cols[1].number_input(ui.t("alerts.smtp_port"), 1, 65535, int(cfg.get("port", 465)),
                                              key=f"{key}_port")
        fields["security"] = cols[2].selectbox(ui.t("alerts.smtp_security"), ch_rules.SECURITY,
                                               index=ch_rules.SECURITY.index(cfg.get("security", "ssl")),
                                               key=f"{key}_security",
                                               format_func=lambda s: ui.t(f"alerts.security.{s}"))
        cols = st.columns(2)
        fields["username"] = cols[0].text_input(ui.t("alerts.smtp_user"), value=cfg.get("username", ""),
                                                key=f"{key}_user")
        fields["password"] = cols[1].text_input(
            ui.t("alerts.smtp_password"), type="password", key=f"{key}_password",
            placeholder=ui.t("alerts.keep_secret", hint=hint["password"]) if hint.get("password") else "")
        fields["sender"] = st.text_input(ui.t("alerts.smtp_from"), value=cfg.get("sender", ""), key=f"{key}_from",
                                         placeholder="alerts@example.com")
        fields["recipients"] = st.text_input(ui.t("alerts.smtp_to"), value=", ".join(cfg.get("recipients", [])),
                                             key=f"{key}_to", help=ui.t("alerts.smtp_to_help"))
    else:
        fields["url"] = st.text_input(
            ui.t("alerts.url"), type="password", key=f"{key}_url", help=ui.t("alerts.url_help"),
            placeholder=ui.t("alerts.keep_secret", hint=hint["url"]) if hint.get("url") else "https://…")
        if kind in ch_rules.SIGNED_KINDS:
            fields["secret"] = st.text_input(
                ui.t("alerts.secret"), type="password", key=f"{key}_secret", help=ui.t("alerts.secret_help"),
                placeholder=ui.t("alerts.keep_secret", hint=hint["secret"]) if hint.get("secret") else "")
            if hint.get("secret"):
                fields["clear_secret"] = st.checkbox(ui.t("alerts.clear_secret"), key=f"{key}_clear")
    return name, fields


# ------------------------------------------------------------------ channels
st.subheader(ui.t("alerts.channels"))
mine = db.alert_channels(owner)
if mine:
    def target(ch) -> str:
        cfg = ch.config
        if ch.kind == "email":
            return f"{cfg['host']}:{cfg['port']} → {', '.join(cfg['recipients'])}"
        return cfg.get("host", "")

    ui.dataframe(pd.DataFrame([{
        "name": ch.name, "kind": kind_name(ch.kind), "target": target(ch),
        "secret": " · ".join(dispatch.hint_of(ch).values()) or ui.BLANK, "enabled": ch.enabled,
    } for ch in mine]), hide_index=True, width="stretch", key="alerts_channels", column_config={
        "name": ui.t("alerts.col_name"), "kind": ui.t("alerts.col_kind"), "target": ui.t("alerts.col_target"),
        "secret": ui.t("alerts.col_secret"),
        "enabled": st.column_config.CheckboxColumn(ui.t("alerts.col_enabled"))})
else:
    st.info(ui.t("alerts.none"), icon=":material/notifications_off:")

with st.expander(ui.t("alerts.add"), icon=":material/add_alert:", expanded=not mine):
    kind = st.selectbox(ui.t("alerts.kind"), ch_rules.KINDS, key="alerts_new_kind", format_func=kind_name)
    with st.form(f"alerts_add_{kind}", clear_on_submit=True):
        name, fields = fields_form(kind, f"alerts_new_{kind}")
        go = st.form_submit_button(ui.t("alerts.save"), type="primary", icon=":material/add:", key="alerts_add_go")
    if go:
        try:
            made = dispatch.add_channel(db, owner, kind, name, fields, sealer)
        except UserError as err:
            st.error(err.message(lang), icon=":material/error:")
        else:
            for k in [k for k in st.session_state if str(k).startswith(f"alerts_new_{kind}_")]:
                del st.session_state[k]  # the typed URL / password are not kept in the session either
            st.toast(ui.t("alerts.added", name=made.name))
            st.rerun()

if mine:
    with st.expander(ui.t("alerts.edit"), icon=":material/edit_notifications:"):
        by_id = {ch.id: ch for ch in mine}
        pick = st.selectbox(ui.t("alerts.pick"), list(by_id), key="alerts_pick",
                            format_func=lambda i: f"{by_id[i].name} · {kind_name(by_id[i].kind)}")
        chosen = by_id[pick]
        try:
            sealer.open(chosen.sealed)
        except SecretUnreadable:
            st.warning(ui.t("alerts.secret_unreadable"), icon=":material/key_off:")
        with st.form(f"alerts_edit_{chosen.id}"):
            name, fields = fields_form(chosen.kind, f"alerts_edit_{chosen.id}",
                                       {"name": chosen.name, "config": chosen.config}, dispatch.hint_of(chosen))
            enabled = st.checkbox(ui.t("alerts.enabled"), value=chosen.enabled, key=f"alerts_on_{chosen.id}")
            save = st.form_submit_button(ui.t("alerts.save"), type="primary", icon=":material/save:",
                                         key="alerts_edit_go")
        if save:
            try:
                dispatch.update_channel(db, owner, chosen.id, name, fields, enabled, sealer)
            except UserError as err:
                st.error(err.message(lang), icon=":material/error:")
            else:
                for k in [k for k in st.session_state if str(k).startswith(f"alerts_edit_{chosen.id}_")]:
                    del st.session_state[k]  # nor the secrets typed to change them
                st.toast(ui.t("alerts.saved"))
                st.rerun()
        cols = st.columns(2)
        if cols[0].button(ui.t("alerts.test"), key="alerts_test", icon=":material/send:"):
            with st.spinner():
                ok, error = dispatch.send_test(db, owner, chosen.id, lang, sealer=sealer)
            if ok:
                st.success(ui.t("alerts.test_ok", name=chosen.name), icon=":material/check_circle:")
            else:
                st.error(ui.t("alerts.test_failed", error=ch_rules.error_text(error, lang)), icon=":material/error:")
        if cols[1].button(ui.t("alerts.delete"), key="alerts_delete", icon=":material/delete:"):
            try:
                dispatch.delete_channel(db, owner, chosen.id)
            except NotFound:
                pass  # removed meanwhile (another tab)
            st.toast(ui.t("alerts.deleted", name=chosen.name))
            st.rerun()

# ------------------------------------------------------------------ preferences
st.subheader(ui.t("alerts.prefs"))
prefs = dispatch.prefs_of(db, owner)
ZONES = ["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Europe/London",
         "America/New_York", "America/Los_Angeles", "UTC"]
zones = ZONES if prefs["timezone"] in ZONES else [prefs["timezone"], *ZONES]
with st.form("alerts_prefs"):
    cols = st.columns([2, 1, 2])
    digest_on = cols[0].toggle(ui.t("alerts.digest_on"), value=prefs["digest"], key="alerts_digest_on")
    hh, mm = (int(x) for x in prefs["digest_time"].split(":"))
    at = cols[1].time_input(ui.t("alerts.digest_time"), value=dtime(hh, mm), key="alerts_digest_time", step=900)
    zone = cols[2].selectbox(ui.t("alerts.timezone"), zones, index=zones.index(prefs["timezone"]),
                             key="alerts_timezone")
    immediate = st.multiselect(
        ui.t("alerts.immediate"), list(messages.IMMEDIATE), default=prefs["immediate"], key="alerts_immediate",
        help=ui.t("alerts.immediate_help"),
        format_func=lambda s: ui.t("alerts.sev.red") if s == "red" else ui.name_of(i18n.SEVERITY, s))
    msg_lang = st.radio(ui.t("alerts.lang"), ["zh", "en"], index=["zh", "en"].index(prefs["lang"]), horizontal=True,
                        key="alerts_lang", format_func=lambda code: "中文" if code == "zh" else "English")
    if st.form_submit_button(ui.t("alerts.save"), icon=":material/save:", key="alerts_prefs_go"):
        try:
            dispatch.save_prefs(db, owner, {"digest": digest_on, "digest_time": f"{at:%H:%M}", "timezone": zone,
                                            "immediate": immediate, "lang": msg_lang})
        except UserError as err:
            st.error(err.message(lang), icon=":material/error:")
        else:
            st.toast(ui.t("alerts.prefs_saved"))

# ------------------------------------------------------------------ log
st.subheader(ui.t("alerts.log"))
log = db.alert_log(owner)
if not log:
    st.caption(ui.t("alerts.log_none"))
else:
    failed = sum(r.status == "failed" for r in log)
    if failed:
        st.warning(ui.t("alerts.failed_note", n=failed), icon=":material/sms_failed:")

    def subject(r) -> str:
        item = r.item
        if r.kind == "alert":
            return f"{item.get('workspace', '')} · {item.get('text', '')}"[:200]
        if r.kind == "digest":
            return item.get("day", "")
        return ui.t("alerts.type.test")

    ui.dataframe(pd.DataFrame([{
        "time": ui.when(r.sent_at or r.last_try_at), "channel": r.channel_name,
        "type": ui.t(f"alerts.type.{r.kind}"), "subject": subject(r),
        "status": ui.t(f"alerts.status.{r.status}"), "attempts": r.attempts,
        "error": ch_rules.error_text(r.error, lang) or ui.BLANK,
    } for r in log]), hide_index=True, width="stretch", key="alerts_log", column_config={
        "time": ui.t("alerts.col_time"), "channel": ui.t("alerts.col_channel"), "type": ui.t("alerts.col_type"),
        "subject": ui.t("alerts.col_subject"), "status": ui.t("alerts.col_status"),
        "attempts": ui.t("alerts.col_attempts"), "error": ui.t("alerts.col_error")})
