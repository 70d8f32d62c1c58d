"""AppTest as the server runs the app: every run goes through app.py.

Streamlit's AppTest decides on every run whether the app uses the legacy ``pages/``
folder mode (it does when a ``pages/`` folder exists) and then runs the page on its
own, without ``app.py`` — unlike the server, where serve.py turns that mode off.
Pages would then run without the sign-in, share-link and workspace checks that
``app.py`` does first. :func:`app_test` turns the legacy mode off for AppTest too."""
from __future__ import annotations

import contextlib

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

_original_init = PagesManager.__init__


def _init_without_pages_folder(self, *args, **kwargs):
    PagesManager.uses_pages_directory = False
    _original_init(self, *args, **kwargs)


PagesManager.__init__ = _init_without_pages_folder  # as serve.py does for the server


def app_test(timeout: int = 90) -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
