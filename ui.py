"""What the pages share: language, the loaded data, cached reading, chart builders.

No business rule lives here: every decision about keywords, costs or files is made
in ``optimizer``; this module only keeps session state and draws.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from optimizer import dataset, i18n
from optimizer.dataset import MergeReport, merge
from optimizer.errors import IngestError
from optimizer.ingest import ColumnMapping, Export, read_export
from optimizer.lexicon import AccountLexiconStore, LexiconEdits
from optimizer.stages import Classifier, detect_vertical
from optimizer.targets import BundleSheet, read_bundle_sheet
from optimizer.mappings import MappingStore, saved_mapping_for

ROOT = Path(__file__).resolve().parent
SAMPLE_DIR = ROOT / "sample_data"
DATA_DIR = Path(os.environ.get("OPTIMIZER_DATA_DIR", ROOT / "data"))

# session_state keys (shared by several pages)
K_LANG = "lang"
K_TABLE = "data_table"
K_FILES = "data_files"
K_BUNDLE_MAPS = "bundle_maps"  # account key -> (BundleSheet, source label)

ACCENT = "#1f6feb"
WARN = "#d4380d"


def lang() -> str:
    return st.session_state.get(K_LANG, "zh")


def t(key: str, **params: object) -> str:
    return i18n.t(key, lang(), **params)


def wkey(base: str) -> str:
    """A widget key per language for widgets whose options are translated: Streamlit
    keeps a keyed widget's formatted options across reruns, so a language switch
    needs a fresh widget. Chinese (the default) keeps the plain key."""
    return base if lang() == "zh" else f"{base}_{lang()}"


def name_of(table: dict, code: str | None) -> str:
    return i18n.code_name(table, code, lang())


def mapping_store() -> MappingStore:
    return MappingStore(DATA_DIR / "mappings.json")


# ------------------------------------------------------------------ data

@st.cache_data(show_spinner=False, max_entries=64)
def _read_cached(data: bytes, name: str, mapping_json: str | None) -> tuple[Export | None, IngestError | None]:
    try:
        mapping = ColumnMapping.from_json(mapping_json) if mapping_json else None
        return read_export(data, name, mapping=mapping), None
    except IngestError as exc:
        return None, exc


def read_upload(data: bytes, name: str, mapping: ColumnMapping | None = None
                ) -> tuple[Export | None, IngestError | None, bool]:
    """Read uploaded bytes (cached by content): (export, error, read with a saved mapping).

    A file of unknown layout is read with the mapping saved for its header, if any.
    """
    exp, err = _read_cached(data, name, mapping.to_json() if mapping else None)
    if err is not None and err.mappable and mapping is None:
        saved = saved_mapping_for(data, name, mapping_store())
        if saved is not None:
            exp, err = _read_cached(data, name, saved.to_json())
            return exp, err, err is None
    return exp, err, False


@st.cache_data(show_spinner=False)
def sample_table() -> pd.DataFrame:
    """The bundled sample account: every export in sample_data/, merged."""
    from sample_data.generate import FILES
    paths = [SAMPLE_DIR / name for name in FILES if (SAMPLE_DIR / name).exists()]
    if not paths:
        raise FileNotFoundError(f"no sample exports in {SAMPLE_DIR}")
    return dataset.load_exports(paths)


def current_table() -> tuple[pd.DataFrame, bool]:
    """(the loaded data, True when it is the sample account because nothing was uploaded)."""
    table = st.session_state.get(K_TABLE)
    if table is not None and len(table):
        return table, False
    return sample_table(), True


def add_export(exp: Export) -> MergeReport:
    """Merge one read export into the session's data (the stored table is replaced whole)."""
    merged, report = merge(st.session_state.get(K_TABLE), exp)
    st.session_state[K_TABLE] = merged
    st.session_state.setdefault(K_FILES, []).append(exp.info)
    return report


def clear_uploads() -> None:
    st.session_state.pop(K_TABLE, None)
    st.session_state.pop(K_FILES, None)


def page_header(title_key: str, caption_key: str, is_sample: bool) -> None:
    """Title, one-line explanation and, on the sample account, a note saying so."""
    st.title(t(title_key))
    st.caption(t(caption_key))
    if is_sample:
        st.caption(":material/science: " + t("sample.banner"))


def pick_account(table: pd.DataFrame, key: str, container=None) -> tuple[pd.Series, pd.DataFrame]:
    """A select box of the loaded accounts; returns (the account's summary row, its rows).
    With no account loaded, says so and stops the page."""
    accounts = dataset.accounts(table)
    if accounts.empty:
        st.info(t("overview.no_data"))
        st.stop()
    where = container or st
    pick = where.selectbox(t("overview.account"), range(len(accounts)), key=wkey(key),
                           format_func=lambda i: account_label(accounts.iloc[i]))
    acct = accounts.iloc[pick]
    return acct, dataset.for_account(table, acct["platform"], acct["account"], acct["currency"])


@dataclass(frozen=True)
class AccountContext:
    """What every analysis page needs about the chosen account: its key, currency,
    the vertical (detected, or the one the user saved) and the lexicon edits."""

    key: str
    currency: str | None
    symbol: str
    detected: str
    saved_vertical: str | None
    edits_json: str

    @property
    def vertical(self) -> str:
        return self.saved_vertical or self.detected

    def classifier(self) -> "Classifier":
        return classifier(self.vertical, self.edits_json)


def account_context(acct: pd.Series, rows: pd.DataFrame) -> AccountContext:
    key = account_key(acct)
    store = lexicon_store()
    detected = memo(("vertical", key, len(rows)), lambda: detect_vertical(
        pd.concat([rows["keyword"], rows["search_term"]]).dropna().unique()))
    edits = store.edits(key)
    currency = acct["currency"] or None
    return AccountContext(key, currency, i18n.CURRENCY_SYMBOL.get(currency or "", ""), detected,
                          store.vertical(key),
                          json.dumps({k: v.to_json() for k, v in sorted(edits.items())}, sort_keys=True))


def bundle_sheet_input(acct_key: str, campaigns, is_sample: bool, key: str) -> tuple[BundleSheet | None, str]:
    """The account's bundle map: an uploader (shared by the pages through session
    state) and what is in use — the uploaded map, the sample's map on the sample
    account, or None. Returns (sheet, a label of where it came from). A bad file
    gives a specific error and leaves the map in use unchanged."""
    store = st.session_state.setdefault(K_BUNDLE_MAPS, {})
    upload = st.file_uploader(t("bd.map_upload"), type=["csv", "txt"], key=key, help=t("bd.map_help"))
    if upload is not None:
        try:
            store[acct_key] = (read_bundle_sheet(upload.getvalue(), upload.name), upload.name)
        except ValueError as exc:
            st.error(str(exc), icon=":material/error:")
    if acct_key in store:
        return store[acct_key]
    if is_sample:
        from sample_data.generate import BUNDLE_MAP_FILE
        path = SAMPLE_DIR / BUNDLE_MAP_FILE
        if path.exists():
            sheet = sample_bundle_sheet(path.read_bytes())
            if set(sheet.membership.index) <= set(campaigns):
                return sheet, t("dr.map_sample")
    return None, ""


@st.cache_data(show_spinner=False)
def sample_bundle_sheet(data: bytes) -> BundleSheet:
    return read_bundle_sheet(data, "bundle_map.csv")


def lexicon_store() -> AccountLexiconStore:
    return AccountLexiconStore(DATA_DIR / "lexicons.json")


def account_key(acct: pd.Series) -> str:
    return f"{acct['platform']}:{acct['account']}:{acct['currency']}"


def account_label(row) -> str:
    """``百度营销 · 北京安心开锁 · CNY`` for a row of :func:`optimizer.dataset.accounts`."""
    return " · ".join(x for x in (name_of(i18n.PLATFORM, row["platform"]), row["account"] or "—",
                                  row["currency"]) if x)


# ------------------------------------------------------------------ charts

def daily_chart(daily: pd.DataFrame, currency: str | None, line: str = "cpa") -> go.Figure:
    """Bars of daily spend with a line (CPA, conversions or clicks) on a second axis."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    sym = i18n.CURRENCY_SYMBOL.get(currency or "", "")
    fig.add_bar(x=daily["date"], y=daily["cost"], name=t("overview.cost"), marker_color="#9ec5fe",
                hovertemplate=f"%{{x|%Y-%m-%d}}<br>{t('overview.cost')} {sym}%{{y:,.2f}}<extra></extra>")
    label = {"cpa": t("overview.cpa"), "conversions": t("overview.conversions"),
             "clicks": t("overview.clicks")}[line]
    fmt = f"{sym}%{{y:,.2f}}" if line == "cpa" else "%{y:,.0f}"
    whole, partial = daily.loc[~daily["partial"]], daily.loc[daily["partial"]]
    fig.add_scatter(x=whole["date"], y=whole[line], name=label, mode="lines+markers",
                    line=dict(color=WARN if line == "cpa" else ACCENT, width=2), marker=dict(size=4),
                    connectgaps=False, secondary_y=True,
                    hovertemplate=f"%{{x|%Y-%m-%d}}<br>{label} {fmt}<extra></extra>")
    if len(partial):  # conversions still arriving: shown apart, not joined to the line
        fig.add_scatter(x=partial["date"], y=partial[line], name=t("overview.partial_short"), mode="markers",
                        marker=dict(size=9, color="white", line=dict(color="#8c8c8c", width=2)),
                        secondary_y=True,
                        hovertemplate=f"%{{x|%Y-%m-%d}}<br>{label} {fmt}<br>{t('overview.partial_short')}<extra></extra>")
    fig.update_layout(height=360, margin=dict(l=8, r=8, t=8, b=8), hovermode="x unified",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
                      plot_bgcolor="white", bargap=0.15)
    fig.update_yaxes(title_text=f"{t('overview.cost')} ({sym or currency or ''})", secondary_y=False,
                     gridcolor="#eef1f5", rangemode="tozero")
    fig.update_yaxes(title_text=label, secondary_y=True, showgrid=False, rangemode="tozero")
    fig.update_xaxes(gridcolor="#eef1f5", tickformat="%m-%d" if lang() == "zh" else "%b %d")
    return fig


def memo(key: tuple, compute):
    """Keep one computed result per key in this session (e.g. labels of an account's
    keywords for one lexicon), so that moving a filter does not recompute it."""
    cache = st.session_state.setdefault("_memo", {})
    if key not in cache:
        if len(cache) > 16:
            cache.clear()
        cache[key] = compute()
    return cache[key]


@st.cache_resource(show_spinner=False, max_entries=16)
def classifier(vertical: str, edits_json: str) -> "Classifier":
    """A classifier for a vertical with an account's lexicon edits (shared across sessions)."""
    edits = {lang: LexiconEdits.from_json(text) for lang, text in json.loads(edits_json).items()}
    return Classifier(vertical, edits)


def stage_chart(by_stage: pd.DataFrame, currency: str | None) -> go.Figure:
    """Bars of spend by stage with the cost per conversion as a line."""
    sym = i18n.CURRENCY_SYMBOL.get(currency or "", "")
    names = [name_of(i18n.STAGE, s) for s in by_stage["stage"]]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(x=names, y=by_stage["cost"], name=t("overview.cost"), marker_color="#9ec5fe",
                hovertemplate=f"%{{x}}<br>{t('overview.cost')} {sym}%{{y:,.2f}}<extra></extra>")
    fig.add_scatter(x=names, y=by_stage["cpa"], name=t("overview.cpa"), mode="lines+markers",
                    line=dict(color=WARN, width=2), secondary_y=True,
                    hovertemplate=f"%{{x}}<br>{t('overview.cpa')} {sym}%{{y:,.2f}}<extra></extra>")
    fig.update_layout(height=320, margin=dict(l=8, r=8, t=8, b=8), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    fig.update_yaxes(title_text=f"{t('overview.cost')} ({sym or currency or ''})", secondary_y=False,
                     gridcolor="#eef1f5", rangemode="tozero")
    fig.update_yaxes(title_text=t("overview.cpa"), secondary_y=True, showgrid=False, rangemode="tozero")
    return fig


def drift_chart(days: pd.DataFrame, metric: str, start, before: float, after: float, currency: str | None,
                target: float | None = None, start_range=(None, None)) -> go.Figure:
    """One entity's daily metric with the change day (and the range of days it may be),
    the before / after levels and the target marked. ``days``: the entity's daily
    series (optimizer.drift.daily_series)."""
    sym = i18n.CURRENCY_SYMBOL.get(currency or "", "")
    col = "cost" if metric == "spend" else metric
    label = name_of(i18n.METRIC, metric)
    fmt = "%{y:.2%}" if metric == "cvr" else f"{sym}%{{y:,.2f}}"
    fig = go.Figure()
    fig.add_scatter(x=days["date"], y=days[col], mode="lines+markers", name=t("dr.daily"),
                    line=dict(color="#8fb3e8", width=1.5), marker=dict(size=4, color=ACCENT),
                    hovertemplate=f"%{{x|%Y-%m-%d}}<br>{label} {fmt}<extra></extra>")
    start = pd.Timestamp(start)
    first, last = days["date"].min(), days["date"].max()
    fig.add_scatter(x=[first, start - pd.Timedelta(hours=12)], y=[before, before], mode="lines",
                    name=t("dr.baseline"), line=dict(color="#595959", width=3),
                    hovertemplate=f"{t('dr.baseline')} {fmt}<extra></extra>")
    fig.add_scatter(x=[start - pd.Timedelta(hours=12), last], y=[after, after], mode="lines", name=t("dr.after"),
                    line=dict(color=WARN, width=3), hovertemplate=f"{t('dr.after')} {fmt}<extra></extra>")
    low, high = start_range
    if low is not None and high is not None and not pd.isna(low) and not pd.isna(high) and low != high:
        fig.add_vrect(x0=pd.Timestamp(low) - pd.Timedelta(hours=12), x1=pd.Timestamp(high) + pd.Timedelta(hours=12),
                      fillcolor=WARN, opacity=0.08, line_width=0)
    fig.add_vline(x=start - pd.Timedelta(hours=12), line=dict(color=WARN, dash="dot", width=1.5))
    fig.add_annotation(x=start, y=1, yref="paper", text=f"{t('dr.change_day')} {start:%m-%d}", showarrow=False,
                       xanchor="left", yanchor="top", font=dict(color=WARN, size=12))
    if target is not None and np.isfinite(target):
        fig.add_hline(y=target, line=dict(color="#389e0d", dash="dash", width=1.5),
                      annotation_text=f"{t('dr.target')} {sym}{target:,.0f}", annotation_position="top left")
    fig.update_layout(height=340, margin=dict(l=8, r=8, t=24, b=8), plot_bgcolor="white", hovermode="x unified",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    fig.update_yaxes(gridcolor="#eef1f5", rangemode="tozero", tickformat=".0%" if metric == "cvr" else ",.0f",
                     tickprefix="" if metric == "cvr" else sym)
    fig.update_xaxes(gridcolor="#eef1f5", tickformat="%m-%d" if lang() == "zh" else "%b %d")
    return fig


def waterfall_chart(steps: list[tuple[str, float, str]], currency: str | None, percent: bool = False) -> go.Figure:
    """A waterfall: ``steps`` of (label, value, kind) with kind ``absolute`` (a level,
    e.g. CPA before / after: drawn as a total) or ``relative`` (a part of the change)."""
    sym = "" if percent else i18n.CURRENCY_SYMBOL.get(currency or "", "")
    # plotly: "absolute" sets the level to the value; "total" draws the running sum (= the after level)
    measure = [("absolute" if i == 0 else "total") if k == "absolute" else "relative"
               for i, (_, _, k) in enumerate(steps)]
    values = [v for _, v, _ in steps]
    texts = [(f"{v:+.1%}" if percent else f"{'+' if v >= 0 and k == 'relative' else ''}{sym}{v:,.2f}")
             for _, v, k in steps]
    fig = go.Figure(go.Waterfall(x=[s[0] for s in steps], y=values, measure=measure, text=texts,
                                 textposition="outside", connector=dict(line=dict(color="#bfbfbf")),
                                 increasing=dict(marker=dict(color=WARN)), decreasing=dict(marker=dict(color="#389e0d")),
                                 totals=dict(marker=dict(color="#8fb3e8"))))
    fig.update_layout(height=320, margin=dict(l=8, r=8, t=16, b=8), plot_bgcolor="white", showlegend=False)
    fig.update_yaxes(gridcolor="#eef1f5", tickprefix=sym, tickformat=".0%" if percent else ",.0f")
    return fig
