"""A failed rebuild leaves the previous warehouse byte-for-byte intact and exits non-zero."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from etl import load
from etl.errors import LoadError
from etl.pipeline import build
from tests.etl.conftest import run_etl


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()




def test_failed_run_keeps_previous_warehouse(raw_copy, built_warehouse, tmp_path):
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, target)
    before = _digest(target)

    tomakomai = raw_copy / "tomakomai_gyosei_sokaku_plan_hyoka_r6.txt"
    lines = tomakomai.read_text(encoding="utf-8").splitlines()
    tomakomai.write_text("\n".join(lines[: len(lines) // 5]), encoding="utf-8")  # truncated document

    result = run_etl(raw_copy, target)
    assert result.returncode == 1
    assert "tomakomai_gyosei_sokaku_plan_hyoka_r6.txt:" in result.stderr  # names the file and line
    assert "Traceback" not in result.stderr
    assert _digest(target) == before
    con = duckdb.connect(str(target), read_only=True)
    assert con.sql("SELECT count(*) FROM initiatives").fetchall()[0][0] > 0
    con.close()
    assert not list(tmp_path.glob("warehouse.duckdb.tmp-*"))


def test_broken_manifest_is_a_japanese_error_not_a_traceback(raw_copy, tmp_path):
    (raw_copy / "manifest.csv").write_text("id,file\nx,y\n", encoding="utf-8")
    result = run_etl(raw_copy, tmp_path / "w.duckdb")
    assert result.returncode == 1
    assert "manifest.csv:1" in result.stderr and "見出し行" in result.stderr
    assert not (tmp_path / "w.duckdb").exists()


def test_unknown_file_in_raw_is_reported(raw_copy, tmp_path):
    (raw_copy / "stray_notes.txt").write_text("メモ", encoding="utf-8")
    target = tmp_path / "w.duckdb"
    assert run_etl(raw_copy, target).returncode == 0
    con = duckdb.connect(str(target), read_only=True)
    rows = con.sql("SELECT message FROM data_quality WHERE kind = 'unknown_file'").fetchall()
    con.close()
    assert rows and "stray_notes.txt" in rows[0][0]


def test_stale_correction_is_reported_not_applied(raw_copy, tmp_path):
    with (raw_copy / "corrections.csv").open("a", encoding="utf-8") as f:
        f.write("komae-gyokaku-r3,3,存在しない文字列,X,テスト用\n")
    target = tmp_path / "w.duckdb"
    assert run_etl(raw_copy, target).returncode == 0
    con = duckdb.connect(str(target), read_only=True)
    unused = con.sql("SELECT location FROM data_quality WHERE kind = 'correction_unused'").fetchall()
    con.close()
    assert unused == [("komae_gyozaisei_kaikaku_shinchoku_r3.txt:3",)]


def test_a_failure_while_similarity_is_computed_meanwhile_keeps_previous_warehouse(
        raw_copy, built_warehouse, tmp_path, monkeypatch):
    """「類似の取組」 is computed in a thread while the other tables are written: an error in
    either still aborts the build before the swap, and the thread's error is the one raised."""
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, target)
    before = _digest(target)

    def broken(*_args):
        raise duckdb.IOException("similarity failed on purpose")

    monkeypatch.setattr(load, "_similar_table", broken)
    with pytest.raises(LoadError, match="similarity failed on purpose"):
        build(raw_copy, target, cache=False)
    assert _digest(target) == before
    assert not list(tmp_path.glob("warehouse.duckdb.tmp-*"))
