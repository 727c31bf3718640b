"""人口 (population) in the template's 計画 sheet: a positive whole number or blank, carried into
``municipalities.population`` and back out by the template export."""
from __future__ import annotations

import io
import random

import duckdb
import openpyxl
import pytest

from bench.national import _rows
from etl.workbook import check, export_workbook
from tests.pages.comparison_set import _town, _workbook, comparison_set  # noqa: F401 (a fixture)


def _plan_with(value) -> bytes:
    data = _rows(random.Random(0), _town("函館市", "北海道"))
    data["計画"][0]["population"] = value
    return _workbook(data)


@pytest.mark.parametrize(("value", "message"), [
    (0, "「0」は使えません。正の整数を入力してください。"),
    (-3, "「-3」は使えません。正の整数を入力してください。"),
    (12.5, "「12.5」は使えません。正の整数を入力してください。"),
    ("多い", "数値の列に文字列「多い」が入っています。"),
    (2 * 10**9, "が大きすぎます"),
])
def test_population_must_be_a_positive_whole_number(value, message):
    result = check(_plan_with(value), "函館市.xlsx")
    assert not result.ok
    [error] = result.errors
    assert (error.sheet, error.row, error.column) == ("計画", 2, "人口")
    assert message in error.message_ja
    assert "函館市.xlsx:計画!2 列「人口」: " in result.report()


def test_population_is_read_blank_or_filled():
    assert check(_plan_with(245_000), "函館市.xlsx").plan.population == 245_000
    data = _rows(random.Random(0), _town("函館市", "北海道"))
    del data["計画"][0]["population"]
    assert check(_workbook(data), "函館市.xlsx").plan.population is None


def test_population_reaches_the_view_and_survives_the_export(comparison_set):
    path, _ = comparison_set
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.sql("SELECT municipality, population FROM municipalities ORDER BY municipality").fetchall() == [
            ("函館市", 245_000), ("小樽市", 108_000), ("旭川市", None), ("青森市", 270_000)]
        assert dict(r[:2] for r in con.sql("DESCRIBE municipalities").fetchall())["population"] == "BIGINT"
    finally:
        con.close()
    data = export_workbook(path, "小樽市")
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["計画"]
    header, row = list(sheet.iter_rows(values_only=True))[:2]
    assert row[header.index("人口")] == 108_000
    assert check(data, "小樽市.xlsx").plan.population == 108_000


def test_two_plans_disagreeing_on_population_keep_the_later_id_and_say_so(tmp_path):
    from etl.pipeline import build
    from tests.pages.comparison_set import SUPPORT
    from tests.conftest import RAW_DIR

    raw = tmp_path / "raw"
    raw.mkdir()
    for name in SUPPORT:
        (raw / name).write_bytes((RAW_DIR / name).read_bytes())
    header = (RAW_DIR / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    (raw / "manifest.csv").write_text(header + "\n", encoding="utf-8")
    for document_id, population in (("hakodate-a", 250_000), ("hakodate-b", 245_000)):
        data = _rows(random.Random(0), _town("函館市", "北海道"))
        data["計画"][0].update(document_id=document_id, population=population)
        (raw / f"{document_id}.xlsx").write_bytes(_workbook(data))
    target = tmp_path / "w.duckdb"
    build(raw, target)
    con = duckdb.connect(str(target), read_only=True)
    try:
        assert con.sql("SELECT population FROM municipalities WHERE municipality = '函館市'").fetchall() == [(245_000,)]
        assert con.sql("SELECT document_id, location, kind, message, resolution FROM data_quality "
                       "WHERE message LIKE '%人口%'").fetchall() == [
            ("hakodate-b", "hakodate-b.xlsx:計画!2", "mismatch",
             "函館市の人口が文書によって異なります（hakodate-a: 250,000人、hakodate-b: 245,000人）",
             "hakodate-b の 245,000人を採用しました")]
    finally:
        con.close()
