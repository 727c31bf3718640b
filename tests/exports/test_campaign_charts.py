"""charts.campaigns builders: marks, encodings, order, colours, Japanese titles, empty input."""
from __future__ import annotations

import polars as pl
import pytest

import charts  # noqa: F401  (registers the theme)
from charts.campaigns import grouped_columns, stacked_bars
from charts.theme import FONT, NO_DATA_TEXT, PALETTE

YEARS = ["R2 (2020)", "R3 (2021)"]
UNITS = pl.DataFrame({
    "年度": ["R2 (2020)", "R2 (2020)", "R3 (2021)", "R3 (2021)", "R3 (2021)"],
    "課": ["総務課", "環境政策課", "総務課", "庶務課", "環境政策課"],
    "件数": [4, 3, 5, 3, 1],
})


def _layers(spec: dict) -> list[dict]:
    return spec["layer"]


def test_stacked_bars_spec():
    spec = stacked_bars(UNITS, "課", "年度", "件数", category_title="課", stack_title="年度",
                        value_title="件数", stack_order=YEARS).to_dict()
    bars, labels = _layers(spec)
    assert bars["mark"]["type"] == "bar" and labels["mark"]["type"] == "text"
    enc = bars["encoding"]
    assert enc["y"]["title"] == "課" and enc["x"]["title"] == "件数" and enc["color"]["title"] == "年度"
    assert enc["x"]["aggregate"] == "sum" and enc["x"]["stack"] == "zero"
    # Largest total first: 総務課 9, 環境政策課 4, 庶務課 3.
    assert enc["y"]["sort"] == ["総務課", "環境政策課", "庶務課"]
    assert enc["color"]["scale"] == {"domain": YEARS, "range": PALETTE[:2]}
    assert enc["order"]["field"] == "stack_index"
    assert [t["title"] for t in enc["tooltip"]] == ["課", "年度", "件数"]
    totals = spec["datasets"][labels["data"]["name"]]
    assert {r["category"]: r["total"] for r in totals} == {"総務課": 9, "環境政策課": 4, "庶務課": 3}
    assert FONT in spec["config"]["font"]


def test_stacked_bars_orders_and_colours():
    spec = stacked_bars(UNITS, "課", "年度", "件数", category_order=["庶務課", "総務課"],
                        colors={"R3 (2021)": "#123456"}, legend="right").to_dict()
    bars = _layers(spec)[0]
    assert bars["encoding"]["y"]["sort"] == ["庶務課", "総務課", "環境政策課"]
    assert bars["encoding"]["color"]["scale"]["range"] == [PALETTE[0], "#123456"]
    assert bars["encoding"]["color"]["legend"]["orient"] == "right"


def test_grouped_columns_spec():
    mix = pl.DataFrame({"年度": YEARS * 2, "分類": ["サービス", "サービス", "業務効率", "業務効率"],
                        "件数": [9, 8, 14, 16]})
    spec = grouped_columns(mix, "分類", "年度", "件数", category_order=["サービス", "業務効率", "コスト"],
                           group_order=YEARS).to_dict()
    columns, labels = _layers(spec)
    assert columns["mark"]["type"] == "bar" and labels["mark"]["type"] == "text"
    enc = {**spec["encoding"], **columns["encoding"]} if "encoding" in spec else columns["encoding"]
    assert enc["x"]["title"] == "分類" and enc["x"]["scale"]["domain"] == ["サービス", "業務効率"]
    assert enc["xOffset"]["field"] == "group" and enc["xOffset"]["scale"]["domain"] == YEARS
    assert enc["y"]["title"] == "件数"
    assert enc["y"]["scale"]["domain"][0] == 0 and enc["y"]["scale"]["domain"][1] > 16  # headroom for labels
    assert enc["color"]["scale"]["domain"] == YEARS


@pytest.mark.parametrize("builder", [stacked_bars, grouped_columns])
def test_empty_frames_give_the_placeholder(builder):
    empty = pl.DataFrame(schema={"a": pl.String, "b": pl.String, "n": pl.Int64})
    spec = builder(empty, "a", "b", "n", title="空").to_dict()
    assert spec["mark"]["type"] == "text"
    assert NO_DATA_TEXT in str(spec["datasets"])


@pytest.mark.parametrize("builder", [stacked_bars, grouped_columns])
def test_missing_columns_are_named(builder):
    with pytest.raises(ValueError, match="件数"):
        builder(UNITS.drop("件数"), "課", "年度", "件数")
