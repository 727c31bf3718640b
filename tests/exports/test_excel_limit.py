"""Excel's sheet size: a table that does not fit one sheet is refused with the limit and the
row count in Japanese; one that fits exactly is written whole; CSV has no limit. A small
patched limit stands in for Excel's 1,048,576 rows."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import polars as pl
import pytest

from exports import limits
from exports.formats import CSV, XLSX, Download
from exports.limits import TooManyRows, excel_refusal
from exports.tables import to_xlsx

JST = dt.timezone(dt.timedelta(hours=9), "JST")


def _frame(rows: int) -> pl.DataFrame:
    return pl.DataFrame({"番号": list(range(1, rows + 1)), "取組名": [f"取組{n}" for n in range(1, rows + 1)]})


def test_the_real_limit_is_excels():
    assert limits.EXCEL_MAX_ROWS == 1_048_576
    assert excel_refusal(1_048_575) is None  # plus the header: exactly a full sheet
    message = excel_refusal(1_048_576)
    assert message.startswith("Excel の1シートは 1,048,576 行 (見出しを含む) までのため、1,048,576 行のこの表は")
    assert "CSV" in message


def test_a_table_that_fits_exactly_is_written_whole(monkeypatch):
    monkeypatch.setattr(limits, "EXCEL_MAX_ROWS", 11)
    data = to_xlsx(_frame(10), sheet_name="取組一覧", conditions=[], sources=[], exported_at=dt.datetime.now(JST))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.max_row == 11 and sheet.cell(11, 1).value == 10


def test_one_row_more_is_refused_in_words(monkeypatch):
    monkeypatch.setattr(limits, "EXCEL_MAX_ROWS", 11)
    with pytest.raises(TooManyRows, match="Excel の1シートは 11 行 \\(見出しを含む\\) までのため、11 行のこの表は"):
        to_xlsx(_frame(11), sheet_name="取組一覧", conditions=[], sources=[], exported_at=dt.datetime.now(JST))
    download = Download("取組一覧", _frame(11))
    with pytest.raises(TooManyRows):
        XLSX.render(download)
    csv = CSV.render(download).decode("utf-8-sig").splitlines()
    assert len(csv) == 12 and csv[-1] == "11,取組11"  # CSV has no limit


def test_too_many_columns_are_refused_too(monkeypatch):
    monkeypatch.setattr(limits, "EXCEL_MAX_COLUMNS", 1)
    assert "2 列のこの表" in excel_refusal(5, 2)
    with pytest.raises(TooManyRows):
        to_xlsx(_frame(1), sheet_name="x", conditions=[], sources=[], exported_at=dt.datetime.now(JST))


def test_large_tables_are_written_in_chunks_with_the_same_content(monkeypatch):
    """A 100,000-row table is serialised 10,000 rows at a time; chunks of 3 rows here must give
    the same cells, row numbers and CSV lines as one piece."""
    from exports import tables

    frame = _frame(10).with_columns(pl.Series("金額(円)", [n * 1000 if n % 3 else None for n in range(10)]))
    kwargs = dict(sheet_name="取組一覧", conditions=[], sources=[], exported_at=dt.datetime(2026, 12, 5, tzinfo=JST))
    whole_xlsx, whole_csv = to_xlsx(frame, **kwargs), tables.to_csv(frame)
    monkeypatch.setattr(tables, "CHUNK_ROWS", 3)
    chunked_xlsx, chunked_csv = to_xlsx(frame, **kwargs), tables.to_csv(frame)
    assert chunked_csv == whole_csv
    assert chunked_csv.startswith("\ufeff番号,取組名,金額(円)\r\n1,取組1,\r\n".encode("utf-8"))

    def cells(data):
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        return [[(c.value, c.number_format) for c in row] for row in sheet.iter_rows()]

    assert cells(chunked_xlsx) == cells(whole_xlsx)
    assert cells(chunked_xlsx)[-1][:2] == [(10, "0"), ("取組10", "General")]
