"""Sign in with a local account (or the company's single sign-on when it is set up)."""
import streamlit as st

import ui
from optimizer.store import auth

c = ui.ctx()
st.title(ui.t("signin.title"))
st.caption(ui.t("signin.caption"))
if c.refused:
    st.warning(c.refused, icon=":material/schedule:")

if ui.oidc_configured():
    if st.button(ui.t("signin.sso"), key="signin_sso", type="primary", icon=":material/badge:"):
        st.login()
    st.divider()

with st.form("signin_form", clear_on_submit=True):
    name = st.text_input(ui.t("signin.username"), key="signin_name", autocomplete="username")
    password = st.text_input(ui.t("signin.password"), type="password", key="signin_password",
                             autocomplete="current-password")
    go = st.form_submit_button(ui.t("signin.go"), type="primary", icon=":material/login:")
if go:
    try:
        user = auth.authenticate(c.store, name, password, source=ui.client_address())
    except auth.RateLimited as exc:
        st.error(ui.t("signin.locked", time=f"{exc.until.astimezone():%H:%M}"), icon=":material/lock_clock:")
    else:
        if user is None:
            st.error(ui.t("signin.wrong"), icon=":material/error:")
        else:
            token = auth.start_session(c.store, user, source=ui.client_address())
            st.session_state[ui.K_SESSION] = token
            st.session_state[ui.K_COOKIE_CODE] = auth.issue_cookie_code(c.store, token)  # kept on refresh
            st.rerun()
st.caption(":material/info: " + ui.t("signin.refresh_note"))
