"""Start the app: ``python serve.py [streamlit options]`` (what ``make run`` does).

Why not plain ``streamlit run app.py``: when a ``pages/`` folder exists, Streamlit
starts in its legacy multipage mode and switches to ``st.navigation`` only after the
first run of ``app.py`` in the process. Until then a visitor who opens a page's URL
directly (a bookmark of /keywords) runs that page without ``app.py`` — no wide layout,
no language switch, the wrong menu. Setting the legacy flag off before the server
starts makes every request go through ``app.py`` from the first one.

What runs is ``asgi.py``: Streamlit's app (app.py) plus the server route that sets the
session cookie, so that a local sign-in survives a browser refresh. ``streamlit run``
finds the ``st.App`` there and serves it with the same options as before (port,
address, TLS certificate). A plain ``streamlit run app.py`` still works, without that
route: a refresh then asks to sign in again.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from optimizer import memory

#: what the pages import, imported before the server listens: the first page after a start
#: does not wait for them (scipy's statistics alone take a second); no Streamlit module of
#: the app (ui.py) is imported here, its caches need the running server
PRELOAD = ("optimizer.analysis.summary", "optimizer.analysis.prepare", "optimizer.landing.report",
           "optimizer.landing.audit", "optimizer.outputs.workbook", "optimizer.store.auth", "optimizer.keywords.verticals",
           "plotly.graph_objects", "plotly.subplots", "pyarrow.parquet")


if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    memory.tune()   # large uploads: freed memory goes back to the system (optimizer/memory.py)
    for name in PRELOAD:
        importlib.import_module(name)
    app = str(Path(__file__).resolve().parent / "asgi.py")
    sys.argv = ["streamlit", "run", app, *sys.argv[1:]]
    sys.exit(cli.main())
