"""Whole-process wall time and peak memory of a full ETL rebuild (``python -m etl``).

Each run is a fresh interpreter (imports included, as a user experiences it) writing to a
temporary warehouse; peak memory is the child's maximum resident set size.
Targets (issue 2, 2-core machine): under 3 s and under 400 MB.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS, TARGET_MB = 3.0, 400.0


def one_run(out: Path) -> tuple[float, float]:
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "etl", "--out", str(out), "--quiet"], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, _, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if child.stderr.read().strip() and not out.exists():
        raise SystemExit("ETL failed; run `python -m etl` to see the error")
    return seconds, usage.ru_maxrss / 1024  # KiB -> MiB on Linux


def main(runs: int = 5) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        results = [one_run(Path(tmp) / f"w{i}.duckdb") for i in range(runs)]
    seconds = [r[0] for r in results]
    peak = max(r[1] for r in results)
    median = statistics.median(seconds)
    print(f"ETL full rebuild, {runs} runs, {os.cpu_count()} cores")
    print(f"  wall time: median {median:.2f} s, min {min(seconds):.2f} s, max {max(seconds):.2f} s "
          f"(target < {TARGET_SECONDS:.0f} s) {'OK' if max(seconds) < TARGET_SECONDS else 'OVER'}")
    print(f"  peak RSS:  {peak:.0f} MB (target < {TARGET_MB:.0f} MB) {'OK' if peak < TARGET_MB else 'OVER'}")
    return 0 if max(seconds) < TARGET_SECONDS and peak < TARGET_MB else 1
