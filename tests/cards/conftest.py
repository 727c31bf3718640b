"""Recipe tests read the session's freshly built warehouse (no Streamlit)."""
from __future__ import annotations

import pytest

from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def _warehouse_env(built_warehouse, monkeypatch):
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(built_warehouse))
    monkeypatch.chdir(ROOT)
