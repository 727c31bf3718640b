"""Shared fixtures: one warehouse built from data/raw per test session."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from settings import DEFAULT_RAW_DIR as RAW_DIR  # the bundled documents, whatever GYOKAKU_RAW says
from settings import ROOT


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory) -> Path:
    """Path of a warehouse freshly built by the real ETL from the bundled documents."""
    from etl.pipeline import build

    target = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    build(RAW_DIR, target)
    return target


@pytest.fixture(scope="session")
def warehouse(built_warehouse) -> duckdb.DuckDBPyConnection:
    """Read-only connection to that warehouse: query the public views with ``.sql(q, params=[...])``."""
    con = duckdb.connect(str(built_warehouse), read_only=True)
    yield con
    con.close()


def _hypothesis_profiles() -> None:
    import os

    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, print_blob=True)
    if os.environ.get("HYPOTHESIS_PROFILE"):
        settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


_hypothesis_profiles()
