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
