"""The running app follows rebuilds, and explains a missing warehouse instead of failing."""
from __future__ import annotations

import csv
import shutil

from streamlit.testing.v1 import AppTest

from etl.pipeline import build
from tests.conftest import RAW_DIR, ROOT
from warehouse import Filters, queries


def test_rebuilt_warehouse_is_seen_without_restart(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    target = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(target))

    with (raw / "manifest.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    only_komae = [r for r in rows if r["document_id"] == "komae-gyokaku-r3"]
    with (raw / "manifest.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(only_komae)
    for other in rows:
        if other not in only_komae:
            (raw / other["file"]).unlink()
    build(raw, target)
    assert set(queries.initiatives(Filters())["municipality"]) == {"狛江市"}

    build(RAW_DIR, target)  # the ETL swaps in a new file while the "app" keeps running
    towns = set(queries.initiatives(Filters())["municipality"])
    assert {"狛江市", "苫小牧市", "小金井市", "前橋市"} <= towns


def test_missing_warehouse_explains_how_to_build_it(tmp_path, monkeypatch):
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(tmp_path / "absent.duckdb"))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("python -m etl" in w.value for w in at.warning)
    assert at.button[0].label == "倉庫を作成する"


def test_the_build_button_builds_the_warehouse_and_opens_the_app(tmp_path, monkeypatch):
    target = tmp_path / "built_on_click.duckdb"
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(target))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert target.exists()
    assert not any("python -m etl" in w.value for w in at.warning)
    assert at.title[0].value == "概要"


def test_a_failed_build_says_why_and_offers_the_button_again(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    (raw / "komae_gyozaisei_kaikaku_shinchoku_r3.txt").write_text("壊れた文書\n", encoding="utf-8")
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(tmp_path / "never.duckdb"))
    monkeypatch.setenv("GYOKAKU_RAW", str(raw))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.button[0].click().run()
    assert not at.exception
    assert at.error and "komae_gyozaisei_kaikaku_shinchoku_r3.txt" in at.error[0].value
    assert at.button[0].label == "倉庫を作成する"
