"""What one more person costs the server in memory: sessions opened one group after another on a
given warehouse (default: the bundled documents; at national scale, a 1,741-municipality one).

The server is started, every measured page is visited once (untimed warm-up: the shared query
caches fill), and its resident memory (VmRSS) is read. Then the sessions of each group open
概要, 取組一覧, 評価の推移, 財政効果 and 指標 in turn and stay open; after each group the
server's VmRSS is read again. Reported: the memory after warm-up, after each group, and the
growth per open session — what docs/scaling.md sizes a server by.

Run: ``python -m bench memory`` or
``python -m bench memory --warehouse /tmp/wh1741.duckdb --sessions 1 4 5`` (groups, opened in turn:
1, then 4 more, then 5 more = 10 open sessions). The warehouse is only read.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# (url path, h1 title, what shows the page has drawn its content)
PAGES = (("", "概要", '[data-testid="stMetric"]'),
         ("explorer", "取組一覧", '[data-testid="stDataFrame"]'),
         ("trends", "評価の推移", '[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"], '
                             '[data-testid="stDataFrame"]'),
         ("fiscal", "財政効果", '[data-testid="stMetric"]'),
         ("indicators", "指標", '[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"], '
                              '[data-testid="stDataFrame"]'))
GROUPS = (1, 4, 5)
DRAW_TIMEOUT_MS = 300_000  # one page on a loaded 2-core machine at national scale


def rss_mb(pid: int) -> float:
    """The process's resident memory now (VmRSS, /proc on Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def _open_sessions(browser, url: str, count: int, contexts: list) -> None:
    from bench.load import _DRAWN

    async def one() -> None:
        context = await browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ja-JP")
        contexts.append(context)  # kept open: an open session is what is being measured
        page = await context.new_page()
        for path, title, selector in PAGES:
            await page.goto(f"{url}/{path}", wait_until="commit")
            await page.wait_for_function(_DRAWN, arg=[title, selector], timeout=DRAW_TIMEOUT_MS)

    await asyncio.gather(*(one() for _ in range(count)))


async def _measure(url: str, pid: int, groups: tuple[int, ...]) -> list[tuple[int, float]]:
    """(open sessions, server VmRSS MB) after warm-up (0 sessions) and after each group."""
    from playwright.async_api import async_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        warm: list = []
        await _open_sessions(browser, url, 1, warm)
        for context in warm:
            await context.close()
        await asyncio.sleep(2)
        points = [(0, rss_mb(pid))]
        contexts: list = []
        for size in groups:
            await _open_sessions(browser, url, size, contexts)
            await asyncio.sleep(2)  # let the script runs finish releasing their temporaries
            points.append((len(contexts), rss_mb(pid)))
        await browser.close()
    return points


def run(warehouse: Path, groups: tuple[int, ...] = GROUPS) -> list[tuple[int, float]]:
    sys.path.insert(0, str(ROOT))
    from bench.load import _run_async
    from tests.browser.conftest import _free_port, start_server, wait_until_healthy

    port = _free_port()
    server = start_server(warehouse, port)
    points: list[tuple[int, float]] = []
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(url, timeout=120)

        async def measure() -> None:
            points.extend(await _measure(url, server.pid, groups))

        _run_async(measure())
    finally:
        server.terminate()
        server.wait(timeout=30)
    return points


def print_report(warehouse: Path, points: list[tuple[int, float]], seconds: float) -> None:
    print(f"Memory per open session: {warehouse.name} ({warehouse.stat().st_size / 1e6:,.0f} MB on disk); "
          f"each session opens {' → '.join(title for _, title, _ in PAGES)} and stays open")
    print(f"  {'open sessions':>13} {'server RSS':>11} {'growth per session':>19}")
    base = points[0][1]
    for sessions, mb in points:
        per = f"{(mb - base) / sessions:>16.0f} MB" if sessions else f"{'(after warm-up)':>19}"
        print(f"  {sessions:>13} {mb:>8.0f} MB {per}")
    print(f"  ({seconds:.0f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench memory", description="1 セッションあたりのサーバーのメモリ")
    parser.add_argument("--warehouse", type=Path, default=None,
                        help="読むだけの倉庫 (省略時: 同梱の文書から一時フォルダに作成)")
    parser.add_argument("--sessions", type=int, nargs="+", default=list(GROUPS), metavar="N",
                        help="順に開くセッションの組 (既定: 1 4 5 = 計 10)")
    args = parser.parse_args(argv)
    if min(args.sessions) < 1:
        parser.error("--sessions must be 1 or more")
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = args.warehouse
        if warehouse is None:
            from etl.pipeline import build
            from settings import DEFAULT_RAW_DIR

            warehouse = Path(tmp) / "warehouse.duckdb"
            build(DEFAULT_RAW_DIR, warehouse)
        points = run(warehouse.resolve(), tuple(args.sessions))
        print_report(warehouse, points, time.perf_counter() - started)
    return 0
