"""The bare Streamlit page bench/pages.py measures the app against: what Streamlit itself costs.

It reads the same Baidu keyword report the app is given (the path in the environment
variable ``BENCH_FILE``), with plain pandas and no cleaning beyond skipping the
preamble and the totals row, once per server (``st.cache_resource``: no copy on each
run), and shows the spend per day in a plotly chart and the plans' totals in a
``st.dataframe`` — the Overview page's chart and table without the app's logic. A days
slider (key ``bare_days``) filters the rows the chart and table are summed from: what
bench/pages.py changes to time a rerun.

Run: ``BENCH_FILE=report.csv streamlit run bench/bare_page.py``
"""
from __future__ import annotations

import os

import pandas as pd
import plotly.graph_objects as go
import streamlit as st


@st.cache_resource(show_spinner=False)
def read(path: str) -> pd.DataFrame:
    with open(path, encoding="gb18030") as f:  # Baidu's preamble: the header is the line that starts with 日期
        skip = next(i for i, line in enumerate(f) if line.startswith("日期,"))
    frame = pd.read_csv(path, encoding="gb18030", skiprows=skip)
    frame = frame.loc[frame["日期"] != "合计"]
    frame["日期"] = pd.to_datetime(frame["日期"])
    return frame


st.set_page_config(page_title="bare", layout="wide")
rows = read(os.environ["BENCH_FILE"])
st.title("Bare page")
span = int((rows["日期"].max() - rows["日期"].min()).days) + 1
days = st.slider("days", 1, span, span, key="bare_days")
rows = rows.loc[rows["日期"] > rows["日期"].max() - pd.Timedelta(days=days)]
daily = rows.groupby("日期", as_index=False)[["消费", "点击", "转化"]].sum()
fig = go.Figure()
fig.add_scatter(x=daily["日期"], y=daily["消费"], mode="lines", name="消费")
fig.update_layout(height=360, margin=dict(l=8, r=8, t=8, b=8))
st.plotly_chart(fig, width="stretch", key="bare_chart")
plans = rows.groupby("推广计划", as_index=False)[["消费", "点击", "转化"]].sum().sort_values("消费", ascending=False)
st.dataframe(plans, hide_index=True, width="stretch", key="bare_plans")
