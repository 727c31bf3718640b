"""The read side under concurrency (issue 13): four threads doing what the pages do while the
warehouse is rebuilt onto the file they read.

Two failures this catches, both seen on a running dashboard:
- a deadlock: a Python callback (``map_elements``) running in Polars' thread pool waits for the
  GIL while the calling thread holds the GIL waiting for that pool (``to_pandas``); the whole
  process then hangs for good, so the workload runs in a subprocess with a timeout;
- a rebuild swapping the DuckDB connection under queries still in flight
  (``Connection already closed``, ``ResourceInUseException``).

The workload is this module run as a script (``python -m tests.test_concurrency WAREHOUSE``);
the test only starts it and reads its one-line summary.
"""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READERS = 4
REBUILDS = 2
TIMEOUT = 180  # seconds in all; a passing run takes 10-30 s on two cores (90 on a crowded machine)
STALL = 30  # seconds without a progress line: the child has hung
# Filter sets the pages are opened with: everything, one municipality each, a year, a grade.
FILTER_SETS = ({}, {"municipality": "苫小牧市"}, {"municipality": "狛江市"}, {"municipality": "小金井市"},
               {"fiscal_year": 2021}, {"grade": "A"}, {"municipality": "東京都"})
# The card recipes the 概要, 評価の推移, 財政効果, データ品質 and 事例 screens draw.
RECIPES = ("overview.grades", "overview.finished", "trends.grades", "trends.criteria", "trends.committee",
           "fiscal.by_year", "fiscal.cumulative", "fiscal.by_initiative", "quality.counts", "cases.counts")


def test_readers_survive_concurrent_use_and_rebuilds(built_warehouse, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(built_warehouse.read_bytes())  # the readers' own file: rebuilt under them
    env = dict(os.environ, GYOKAKU_WAREHOUSE=str(warehouse))
    child = subprocess.Popen([sys.executable, "-m", "tests.test_concurrency", str(warehouse)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=lambda: [*map(lines.put, child.stderr), lines.put(None)], daemon=True).start()
    progress: list[str] = []
    deadline = time.monotonic() + TIMEOUT
    try:
        # The child prints its progress every 2 s. A deadlock holds the GIL, so even that stops:
        # no line for STALL seconds is a hang; a machine that is merely slow keeps printing.
        while (line := lines.get(timeout=max(0.1, min(STALL, deadline - time.monotonic())))) is not None:
            progress.append(line.rstrip())
            if time.monotonic() > deadline:
                raise queue.Empty
    except queue.Empty:
        child.kill()  # SIGKILL: a deadlocked process ignores SIGTERM
        child.wait()
        raise AssertionError(f"the read side hung: {READERS} reader threads and {REBUILDS} rebuilds did not "
                             f"finish; last progress:\n" + "\n".join(progress[-5:])) from None
    out, _ = child.communicate(timeout=30)
    done = subprocess.CompletedProcess(child.args, child.returncode, out, "\n".join(progress))
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["errors"] == [], summary["errors"]
    assert summary["rebuilds"] == REBUILDS
    # Every reader did real work on every side of the rebuilds, not one round before a crash.
    assert min(summary["rounds"]) >= REBUILDS + 1, summary


# -- the workload (runs in the child process) ------------------------------------------------

def _clear_caches() -> None:
    """Drop every memoised query result, so each round runs the Polars code, not a cache hit."""
    from cards import _build
    from warehouse import cases, fiscal, overview, quality, queries, trends

    _build.cache_clear()
    for module in (cases, fiscal, overview, quality, queries, trends):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def page_reads(filters) -> None:
    """One visit to each screen's read side: the frames and styled tables the pages build."""
    import polars as pl

    from cards import recipe_card
    from cards.quality import scoped
    from ui.tables import explorer_frame, grade_style, ordered, styled
    from warehouse import cases, fiscal, quality, queries, trends as scores
    from warehouse.overview import cards

    rows = ordered(queries.initiatives(filters))  # 取組一覧
    styled(explorer_frame(rows)).to_html()  # the Styler is rendered lazily: render it as Streamlit does
    cards(filters)  # 概要
    for level, _ in scores.graded_levels(filters):  # 評価の推移
        ranked = scores.movers(scores.grade_history_for(filters, level), scores.MOVER_ORDERS[0])
        years = scores.grade_columns(ranked)
        ranked.select("title", *[pl.col(c).fill_null("—") for c in years]).to_pandas().style.map(
            grade_style, subset=years).to_html()
    scores.disagreements(scores.committee_pairs(filters))
    amounts = fiscal.fiscal_slice(filters)  # 財政効果
    fiscal.totals(amounts), fiscal.trace_table(amounts), fiscal.by_initiative(amounts)
    quality.quality_table(scoped(filters))  # データ品質
    cases.case_entries(filters)  # 事例
    for recipe in RECIPES:
        recipe_card(recipe, filters)


def _reader(number: int, stop: threading.Event, rounds: list[int], errors: list[str]) -> None:
    from warehouse import Filters

    sets = [Filters(**values) for values in FILTER_SETS]
    n = 0
    while not stop.is_set():
        if number == 0:
            _clear_caches()
        try:
            page_reads(sets[(n + number) % len(sets)])
        except Exception:  # every failure is a finding: report it, keep reading
            errors.append(f"reader {number}: {traceback.format_exc(limit=4)}")
        n += 1
        rounds[number] = n


def run(warehouse: Path) -> dict:
    from etl.pipeline import build
    from settings import DEFAULT_RAW_DIR

    stop = threading.Event()
    rounds, errors = [0] * READERS, []
    threads = [threading.Thread(target=_reader, args=(n, stop, rounds, errors), daemon=True) for n in range(READERS)]
    for thread in threads:
        thread.start()
    rebuilds = 0
    started = time.perf_counter()

    def progress() -> None:  # on stderr every 2 s: rounds that stop moving are a deadlock
        while not stop.wait(2):
            print(f"{time.perf_counter() - started:5.1f} s: rounds {rounds}, rebuilds {rebuilds}",
                  file=sys.stderr, flush=True)

    threading.Thread(target=progress, daemon=True).start()
    for _ in range(REBUILDS):
        before = list(rounds)
        # Rebuild only after every reader has finished a round against the current file.
        while any(now <= then for now, then in zip(rounds, before)) and not errors:
            time.sleep(0.05)
        build(DEFAULT_RAW_DIR, warehouse)
        rebuilds += 1
    before = list(rounds)
    while any(now <= then for now, then in zip(rounds, before)) and not errors:
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join()
    return {"rounds": rounds, "rebuilds": rebuilds, "errors": errors}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    summary = run(Path(sys.argv[1]))
    summary["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(summary, ensure_ascii=False))
