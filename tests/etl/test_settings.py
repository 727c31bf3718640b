"""One configuration: ``settings`` names the raw folder and the warehouse for ETL, dashboard and tests."""
from __future__ import annotations

import subprocess
import sys

import duckdb

import settings
from tests.conftest import ROOT


def test_paths_default_to_the_repository_not_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.delenv(settings.RAW_ENV, raising=False)
    monkeypatch.delenv(settings.WAREHOUSE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert settings.raw_dir() == ROOT / "data" / "raw"
    assert settings.warehouse_path() == ROOT / "data" / "warehouse.duckdb"


def test_environment_moves_both_paths_at_call_time(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.RAW_ENV, str(tmp_path / "raw"))
    monkeypatch.setenv(settings.WAREHOUSE_ENV, str(tmp_path / "w.duckdb"))
    assert settings.raw_dir() == tmp_path / "raw"
    assert settings.warehouse_path() == tmp_path / "w.duckdb"


def test_cli_reads_the_environment_from_any_working_directory(raw_copy, tmp_path):
    (raw_copy / "stray_notes.txt").write_text("メモ", encoding="utf-8")  # marks this copy as the one read
    target = tmp_path / "moved.duckdb"
    env = {"PATH": "/usr/bin:/bin", settings.RAW_ENV: str(raw_copy), settings.WAREHOUSE_ENV: str(target),
           "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "etl", "--quiet"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert str(target) in result.stdout
    con = duckdb.connect(str(target), read_only=True)
    messages = [m for (m,) in con.sql("SELECT message FROM data_quality WHERE kind = 'unknown_file'").fetchall()]
    con.close()
    assert any("stray_notes.txt" in m for m in messages)
