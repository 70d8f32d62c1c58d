"""Entry point: page setup, language, and the navigation listing every page."""
from __future__ import annotations

import streamlit as st

import ui

st.set_page_config(page_title="搜索推广优化台 · Search Ads Optimizer", page_icon=":material/insights:",
                   layout="wide", initial_sidebar_state="auto")

with st.sidebar:
    st.radio(ui.t("app.language"), options=["zh", "en"], key=ui.K_LANG, horizontal=True,
             format_func=lambda c: "中文" if c == "zh" else "English")

pages = [
    st.Page("pages/overview.py", title=ui.t("nav.overview"), icon=":material/monitoring:", default=True,
            url_path="overview"),
    st.Page("pages/keywords.py", title=ui.t("nav.keywords"), icon=":material/category:", url_path="keywords"),
    st.Page("pages/bundles.py", title=ui.t("nav.bundles"), icon=":material/workspaces:", url_path="bundles"),
    st.Page("pages/drift.py", title=ui.t("nav.drift"), icon=":material/trending_up:", url_path="drift"),
    st.Page("pages/landing.py", title=ui.t("nav.landing"), icon=":material/web:", url_path="landing"),
    st.Page("pages/upload.py", title=ui.t("nav.upload"), icon=":material/upload_file:", url_path="upload"),
]
st.navigation(pages).run()
