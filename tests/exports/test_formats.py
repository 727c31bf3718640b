"""The download-format registry: every entry builds its file from one Download."""
from __future__ import annotations

import io
import zipfile

import altair as alt
import polars as pl

from exports.formats import CHART_FORMATS, CSV, PNG, TABLE_FORMATS, XLSX, Download

TABLE = pl.DataFrame({"年度": ["令和3年度 (2021)", "令和4年度 (2022)"], "件数": [3, 5]})
CHART = alt.Chart(TABLE).mark_bar().encode(x="年度", y="件数")
DOWNLOAD = Download("年度別の件数", TABLE, CHART, [("自治体", "すべて")], [("計画", "data/raw/x.txt")])


def test_each_format_builds_its_own_kind_of_file():
    assert PNG.render(DOWNLOAD).startswith(b"\x89PNG\r\n\x1a\n")
    xlsx = zipfile.ZipFile(io.BytesIO(XLSX.render(DOWNLOAD)))
    assert "xl/worksheets/sheet2.xml" in xlsx.namelist()  # the data sheet and the 条件 sheet
    assert CSV.render(DOWNLOAD).decode("utf-8-sig").splitlines()[0] == "年度,件数"


def test_chart_menu_offers_the_picture_then_the_table_formats():
    assert CHART_FORMATS == (PNG, *TABLE_FORMATS)
    assert [f.extension for f in CHART_FORMATS] == ["png", "xlsx", "csv"]  # unique: they name widget keys
    assert all(f.mime and f.label for f in CHART_FORMATS)
