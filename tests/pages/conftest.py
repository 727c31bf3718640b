"""AppTest fixtures: every page runs against the session's freshly built warehouse."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

PAGE_FILES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "app_pages").glob("*.py"))


@pytest.fixture(autouse=True)
def _warehouse_env(built_warehouse, monkeypatch):
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(built_warehouse))
    monkeypatch.chdir(ROOT)


@pytest.fixture(autouse=True)
def _local_session(monkeypatch):
    """AppTest has no browser connection: pages run as a session on this machine without login
    (編集), whatever the developer's own .streamlit/secrets.toml or environment says.
    tests/pages/test_access.py sets up the other roles."""
    from ui import access

    monkeypatch.delenv(access.READ_ONLY_ENV, raising=False)
    monkeypatch.setattr(access, "auth_configured", lambda: False)
    monkeypatch.setattr(access, "direct_local_connection", lambda: True)


@pytest.fixture
def app():
    """A fresh dashboard session (call ``open_page``) with cold query caches."""
    import sys

    for name, module in list(sys.modules.items()):
        if name in ("warehouse", "cards") or name.startswith(("warehouse.", "cards.")):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()

    def open_page(page: str, **params: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        at.switch_page(page)
        for key, value in params.items():  # as if the page's own URL had been opened
            at.query_params[key] = value
        at.run()
        return at

    return open_page


def registered_pages() -> list[str]:
    source = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    return sorted(re.findall(r'st\.Page\("([^"]+)"', source))
