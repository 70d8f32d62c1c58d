"""Entry point: page setup, who is using the app, language, workspace, and the navigation.

Every run starts here (serve.py makes sure of it): :func:`ui.begin` resolves the
principal from the share token in the URL, the single sign-on identity or the
session token, and the workspace it may see; the navigation then lists only the
pages that principal may use — a client with a share link gets the client view
alone, a signed-out visitor (once an account exists) the sign-in page alone.
"""
from __future__ import annotations

import streamlit as st

import ui

c = ui.begin()
client = c.client
st.set_page_config(page_title="搜索推广优化台 · Search Ads Optimizer", page_icon=":material/insights:",
                   layout="centered" if client or not c.signed_in else "wide",
                   initial_sidebar_state="collapsed" if client else "auto")

if client:
    # a client with a share link: their one workspace, read-only, nothing else
    page = st.Page("pages/client.py", title=ui.t("nav.client"), icon=":material/insights:", default=True,
                   url_path="client")
    st.navigation([page], position="hidden").run()
    st.stop()

with st.sidebar:
    st.radio(ui.t("app.language"), options=["zh", "en"], key=ui.K_LANG, horizontal=True,
             format_func=lambda code: "中文" if code == "zh" else "English")

if not c.signed_in:
    page = st.Page("pages/signin.py", title=ui.t("nav.signin"), icon=":material/login:", default=True,
                   url_path="signin")
    st.navigation([page], position="hidden").run()
    st.stop()

ui.sidebar(c)
pages = [
    st.Page("pages/overview.py", title=ui.t("nav.overview"), icon=":material/monitoring:", default=True,
            url_path="overview"),
    st.Page("pages/keywords.py", title=ui.t("nav.keywords"), icon=":material/category:", url_path="keywords"),
    st.Page("pages/bundles.py", title=ui.t("nav.bundles"), icon=":material/workspaces:", url_path="bundles"),
    st.Page("pages/drift.py", title=ui.t("nav.drift"), icon=":material/trending_up:", url_path="drift"),
    st.Page("pages/landing.py", title=ui.t("nav.landing"), icon=":material/web:", url_path="landing"),
    st.Page("pages/upload.py", title=ui.t("nav.upload"), icon=":material/upload_file:", url_path="upload"),
]
manage = [
    st.Page("pages/workspaces.py", title=ui.t("nav.workspaces"), icon=":material/folder_open:",
            url_path="workspaces"),
    st.Page("pages/share.py", title=ui.t("nav.share"), icon=":material/share:", url_path="share"),
    st.Page("pages/client.py", title=ui.t("nav.client_preview"), icon=":material/smartphone:", url_path="client"),
]
st.navigation({ui.t("nav.group_analysis"): pages, ui.t("nav.group_manage"): manage}).run()
