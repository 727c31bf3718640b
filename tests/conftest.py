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
def two_fuchu_warehouse(tmp_path_factory) -> Path:
    """The bundled documents plus two generated plans (bench.national): 府中市 of 東京都 (its
    自治体コード 132063 given) and 府中市 of 広島県 (342084; only 都道府県 + 名称 given)."""
    import random
    import shutil

    from bench.national import towns, workbook
    from etl.pipeline import build

    raw = tmp_path_factory.mktemp("two-fuchu") / "raw"
    shutil.copytree(RAW_DIR, raw)
    rng = random.Random(7)
    tokyo, hiroshima = towns(2)
    assert (tokyo.stated_code, hiroshima.stated_code) == (True, False)
    (raw / "fuchu-tokyo.xlsx").write_bytes(workbook(rng, tokyo))
    (raw / "fuchu-hiroshima.xlsx").write_bytes(workbook(rng, hiroshima))
    target = raw.parent / "warehouse.duckdb"
    build(raw, target, cache=False)
    return target


@pytest.fixture(scope="session")
def warehouse(built_warehouse) -> duckdb.DuckDBPyConnection:
    """Read-only connection to that warehouse: query the public views with ``.sql(q, params=[...])``."""
    con = duckdb.connect(str(built_warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright, one for the whole run (tests/browser,
    tests/deploy): a second sync Playwright in the same thread refuses to start."""
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (run scripts/install.sh --browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


LOAD_SESSIONS, LOAD_ROUNDS = 8, 2  # issue 13: ten sessions on 取組一覧 hung the server


@pytest.fixture(scope="session")
def load_report(built_warehouse, tmp_path_factory):
    """``bench.load`` once per run: 8 browser sessions × 2 rounds against one server while the
    warehouse is rebuilt under it twice (a copy of the session's warehouse). Read by
    tests/browser/test_concurrent_sessions.py (what must hold under that load) and
    tests/bench/test_load_bench.py (the benchmark's report and table); running it for each
    would repeat the same ~60 s of two cores."""
    import shutil

    from bench.load import run_load
    from tests.browser.conftest import CHROMIUM

    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is not installed (run scripts/install.sh --browser)")
    warehouse = tmp_path_factory.mktemp("load") / "warehouse.duckdb"  # its server reads and rebuilds a copy
    shutil.copyfile(built_warehouse, warehouse)
    return run_load(warehouse, LOAD_SESSIONS, LOAD_ROUNDS, view_timeout=60)


def new_page(browser, **options):
    """A page in a fresh context (no cookies, no cache) at the desktop size, in Japanese, with a
    60 s default timeout; ``options`` go to ``new_context`` (e.g. ignore_https_errors)."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ja-JP", **options)
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


@pytest.fixture
def page(browser, tmp_path):
    page = new_page(browser, accept_downloads=True)
    yield page
    page.context.close()


# scripts/test.sh runs the suite in two pytest-xdist workers (``-n 2 --dist loadscope``). Every
# test that starts a dashboard server, Caddy or Chromium, or loads the machine on purpose
# (concurrent sessions, rebuilds under readers) runs in one worker, one after another as in a
# plain run: they share that worker's server and browser, never start two at once, and their
# timeouts meet the load they were written for. Every other module is one unit of work for
# whichever worker is free (its module fixtures are built once). A plain ``pytest`` runs serially.
SERVER_PATHS = ("tests/browser/", "tests/deploy/", "tests/bench/test_load_bench.py", "tests/test_concurrency.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` with the server tests as one scope (xdist's own ``loadgroup`` marks
    do not reach the scheduler under pytest 9, which no longer reads a node's ``_nodeid``)."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ServersInOneWorker(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "servers" if module.startswith(SERVER_PATHS) else module

    return ServersInOneWorker(config, log)


def _hypothesis_profiles() -> None:
    import os

    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, print_blob=True)
    if os.environ.get("HYPOTHESIS_PROFILE"):
        settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


_hypothesis_profiles()
