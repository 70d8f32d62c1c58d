"""Entry point: page setup, who is using the app, language, workspace, and the navigation.

Every run starts here (serve.py makes sure of it): :func:`ui.begin` resolves the
principal from the share token in the URL, the single sign-on identity or the
session token, and the workspace it may see; the navigation then lists only the
pages that principal may use — a client with a share link gets the client view
alone, a signed-out visitor (once an account exists) the sign-in form alone, at every
page's address.
"""
from __future__ import annotations

import streamlit as st

import ui

c = ui.begin()
client = c.client
st.set_page_config(page_title="搜索推广优化台 · Search Ads Optimizer", page_icon=":material/insights:",
                   layout="centered" if client or not c.signed_in else "wide",
                   initial_sidebar_state="collapsed" if client else "auto")
ui.streamlit_text()

if client:
    # a client with a share link: their one workspace, read-only, nothing else
    page = st.Page("pages/client.py", title=ui.t("nav.client"), icon=":material/insights:", default=True,
                   url_path="client")
    ui.run_page(st.navigation([page], position="hidden"))
    st.stop()

with st.sidebar:
    st.radio(ui.t("app.language"), options=["zh", "en"], key=ui.K_LANG, horizontal=True,
             format_func=lambda code: "中文" if code == "zh" else "English")

#: (script, url path, title key, icon) of every page an optimizer or analyst may open
ANALYSIS = [
    ("pages/today.py", "today", "nav.today", ":material/checklist:"),
    ("pages/overview.py", "overview", "nav.overview", ":material/monitoring:"),
    ("pages/keywords.py", "keywords", "nav.keywords", ":material/category:"),
    ("pages/bundles.py", "bundles", "nav.bundles", ":material/workspaces:"),
    ("pages/bids.py", "bids", "nav.bids", ":material/price_change:"),
    ("pages/drift.py", "drift", "nav.drift", ":material/trending_up:"),
    ("pages/landing.py", "landing", "nav.landing", ":material/web:"),
    ("pages/adcopy.py", "adcopy", "nav.adcopy", ":material/campaign:"),
    ("pages/changes.py", "changes", "nav.changes", ":material/file_export:"),
    ("pages/changelog.py", "changelog", "nav.changelog", ":material/history:"),
    ("pages/upload.py", "upload", "nav.upload", ":material/upload_file:"),
]
MANAGE = [
    ("pages/workspaces.py", "workspaces", "nav.workspaces", ":material/folder_open:"),
    ("pages/share.py", "share", "nav.share", ":material/share:"),
    ("pages/alerts.py", "alerts", "nav.alerts", ":material/notifications:"),
    ("pages/client.py", "client", "nav.client_preview", ":material/smartphone:"),
]

if not c.signed_in:
    # the sign-in form answers every page's address, so that a bookmark or a refresh of
    # /keywords asks to sign in (not Streamlit's English "page not found") and, once
    # signed in, the same address opens the page asked for
    signin = st.Page("pages/signin.py", title=ui.t("nav.signin"), icon=":material/login:", default=True,
                     url_path="signin")
    ui.session_cookie_script()  # signed out: the browser drops the session cookie
    ui.run_page(st.navigation([signin] + [st.Page("pages/signin.py", title=ui.t("nav.signin"),
                                                  icon=":material/login:", url_path=path)
                                          for _, path, _, _ in ANALYSIS + MANAGE], position="hidden"))
    st.stop()

ui.sidebar(c)


def _pages(specs: list[tuple[str, str, str, str]]) -> list:
    return [st.Page(script, title=ui.t(title), icon=icon, url_path=path, default=path == "overview")
            for script, path, title, icon in specs]


ui.run_page(st.navigation({ui.t("nav.group_analysis"): _pages(ANALYSIS), ui.t("nav.group_manage"): _pages(MANAGE)},
                          expanded=True))  # every page listed: Upload and the managing pages are not hidden behind "View more"
