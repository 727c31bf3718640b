"""What killed runs leave behind is removed at the next run, and only that; temporary names are
unique per build; a failed ``python -m etl`` is recorded for the dashboard and cleared by success."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from etl import leftovers
from etl.build_status import read_failure, status_path
from etl.errors import WorkbookError
from etl.upload import MAX_NAME_BYTES, import_workbook
from tests.conftest import ROOT
from tests.etl.conftest import run_etl
from tests.etl.hostile import VALID


def dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_temporary_names_are_unique_per_build(tmp_path):
    target = tmp_path / "warehouse.duckdb"
    names = {leftovers.warehouse_temporary(target).name for _ in range(50)}
    assert len(names) == 50
    assert all(n.startswith(f"warehouse.duckdb.tmp-{os.getpid()}-") for n in names)
    assert leftovers.upload_pending(tmp_path) != leftovers.upload_pending(tmp_path)


def test_only_leftovers_of_gone_processes_or_old_ones_are_removed(tmp_path):
    raw, target = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    raw.mkdir()
    dead, alive = dead_pid(), os.getpid()
    files = {
        f"warehouse.duckdb.tmp-{dead}-0a1b2c3d": True,
        f"warehouse.duckdb.tmp-{dead}-0a1b2c3d.wal": True,
        f"warehouse.duckdb.tmp-{dead}": True,  # the old naming
        f"warehouse.duckdb.tmp-{dead}.wal": True,
        f"warehouse.duckdb.tmp-{alive}-99999999": False,  # a build in progress
        "warehouse.duckdb": False,
        "other.duckdb.tmp-1": False,  # not this warehouse's
    }
    uploads = {f".upload-{dead}-計画.xlsx": True, f".upload-{dead}-1234abcd.xlsx": True,
               f".upload-{alive}-1234abcd.xlsx": False, "kept.xlsx": False, ".hidden": False}
    for name in files:
        (tmp_path / name).write_bytes(b"x")
    for name in uploads:
        (raw / name).write_bytes(b"x")
    old = raw / f".upload-{alive}-old.xlsx"  # a reused process id: removed by age
    old.write_bytes(b"x")
    os.utime(old, (time.time() - leftovers.SAFE_AGE - 60,) * 2)
    work = Path(tempfile.mkdtemp(prefix=f"{leftovers.IMPORT_DIR_PREFIX}{dead}-"))
    (work / "raw").mkdir()
    mine = Path(tempfile.mkdtemp(prefix=leftovers.import_dir_prefix()))
    try:
        removed = [p for p in leftovers.remove_stale(raw=raw, target=target, import_dirs=True)
                   if p.parent in (tmp_path, raw) or p == work]  # /tmp is shared with other runs
        assert sorted(p.name for p in removed) == sorted(
            [n for n, gone in files.items() if gone] + [n for n, gone in uploads.items() if gone]
            + [old.name, work.name])
        assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == sorted(
            n for n, gone in files.items() if not gone)
        assert sorted(p.name for p in raw.iterdir()) == sorted(n for n, gone in uploads.items() if not gone)
        assert not work.exists() and mine.exists()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(mine, ignore_errors=True)


def test_a_killed_etl_leaves_files_the_next_run_removes(raw_copy, tmp_path):
    target = tmp_path / "warehouse.duckdb"
    process = subprocess.Popen([sys.executable, "-m", "etl", "--raw", str(raw_copy), "--out", str(target),
                                "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob("warehouse.duckdb.tmp-*")):  # DuckDB has opened its file
            assert process.poll() is None and time.monotonic() < deadline, "no temporary file seen"
            time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    left = sorted(p.name for p in tmp_path.glob("warehouse.duckdb.tmp-*"))
    assert left and left[0].startswith(f"warehouse.duckdb.tmp-{process.pid}-")
    result = run_etl(raw_copy, target)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []
    assert (tmp_path / "warehouse.duckdb").exists()


# ---- upload names ----

def _unchanged_after_refusal(name: str, tmp_path: Path) -> str:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "manifest.csv").write_text("keep", encoding="utf-8")
    target = tmp_path / "warehouse.duckdb"
    target.write_bytes(b"previous")
    with pytest.raises(WorkbookError) as error:
        import_workbook(VALID.read_bytes(), name, raw, target)
    assert [p.name for p in raw.iterdir()] == ["manifest.csv"]
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw", "warehouse.duckdb"]
    return str(error.value)


def test_a_file_name_with_nul_is_refused(tmp_path):
    assert _unchanged_after_refusal("計画\x00.xlsx", tmp_path) == (
        "ファイル名「計画?.xlsx」に使えない文字（制御文字）が含まれています。名前を変えてからもう一度選んでください。")


def test_an_80_character_japanese_name_is_refused_in_japanese(tmp_path):
    name = "架" * 75 + ".xlsx"  # 80 characters, 230 bytes
    assert _unchanged_after_refusal(name, tmp_path) == (
        f"ファイル名が長すぎます（80 文字、230 バイト）。上限は {MAX_NAME_BYTES} バイト（日本語なら約 66 文字）です。"
        "短い名前にしてからもう一度選んでください。")


def test_a_long_name_within_the_limit_imports(raw_copy, built_warehouse, tmp_path):
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, target)
    name = "架空市の行財政改革プラン" * 5 + ".xlsx"  # 65 characters, 185 bytes
    assert len(name.encode()) <= MAX_NAME_BYTES
    import_workbook(VALID.read_bytes(), name, raw_copy, target)
    assert (raw_copy / name).exists()
    assert not [p for p in raw_copy.iterdir() if p.name.startswith(".upload-")]


# ---- the failure record ----

def test_a_failed_build_is_recorded_beside_the_warehouse_and_success_clears_it(raw_copy, built_warehouse,
                                                                              tmp_path):
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, target)
    (raw_copy / "manifest.csv").write_text("id,file\nx,y\n", encoding="utf-8")
    assert run_etl(raw_copy, target).returncode == 1
    record = json.loads(status_path(target).read_text(encoding="utf-8"))
    assert record["stage"] == "マニフェスト" and record["message"].startswith("manifest.csv:1: 見出し行が違います")
    failed = read_failure(target)
    assert failed.stage == "マニフェスト" and failed.raw == str(raw_copy)
    shutil.copy(ROOT / "data" / "raw" / "manifest.csv", raw_copy / "manifest.csv")
    assert run_etl(raw_copy, target).returncode == 0
    assert not status_path(target).exists() and read_failure(target) is None


def test_two_builds_in_one_process_at_once_both_succeed(tmp_path):
    """They shared ``.tmp-<pid>`` before: one deleted or replaced the other's half-built file."""
    from concurrent.futures import ThreadPoolExecutor

    from etl.pipeline import build
    from tests.conftest import RAW_DIR

    target = tmp_path / "warehouse.duckdb"
    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(lambda _: build(RAW_DIR, target), range(2)))
    assert [r.counts["initiatives"] for r in reports] == [reports[0].counts["initiatives"]] * 2
    # cache/: the per-file extract cache (etl/extract_cache.py), kept on purpose
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "warehouse.duckdb"]
