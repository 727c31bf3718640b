"""Read sheets into rows of raw cell values, keyed by the template's columns.

Formulas are never evaluated: the workbook is read in openpyxl's read-only (streaming) mode
for the cached values Excel saved (``data_only=True``); which cells hold a formula comes from
the XML scan in ``limits``. A formula with a cached value is used and reported as a warning; one
without (e.g. written by a program that does not calculate) is an error.

Here, too, cell types no column accepts are reported once: error values (#N/A …),
TRUE/FALSE and dates (Excel turns 「1-2」 into 2 January, a classic for numbers).
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any, Iterator
from xml.etree import ElementTree

import openpyxl
from lxml.etree import XMLSyntaxError
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from etl.normalize import match_key
from etl.workbook.layout import DATA_SHEETS, EXPLANATION_SHEET, Column, SheetSpec
from etl.workbook.limits import SheetScan
from etl.workbook.problems import Problems
from etl.workbook.shared_strings import load_workbook

_INVALID = object()  # a cell already reported as unusable

# What openpyxl raises on a damaged or non-Excel file (a bad style index is an IndexError,
# a missing part a KeyError, lxml's XMLSyntaxError a part limits.py let through …): all mean
# "cannot read this workbook".
_UNREADABLE = (InvalidFileException, zipfile.BadZipFile, zlib.error, ElementTree.ParseError, XMLSyntaxError,
               KeyError, ValueError, TypeError, IndexError, AttributeError, OSError, EOFError)


def _raised_by_library(error: BaseException) -> bool:
    """True when the innermost frame is not this package's code: a damaged file, not our bug."""
    trace = error.__traceback__
    while trace is not None and trace.tb_next is not None:
        trace = trace.tb_next
    return trace is None or "etl/workbook/" not in trace.tb_frame.f_code.co_filename.replace("\\", "/")


@dataclass
class Row:
    number: int  # Excel row number
    values: dict[str, Any]  # column field -> value (str / int / float / None)
    invalid: set[str] = field(default_factory=set)  # fields whose cell was already reported


@dataclass
class Table:
    spec: SheetSpec
    columns: dict[str, Column] = field(default_factory=dict)  # field -> column present
    rows: list[Row] = field(default_factory=list)

    def has(self, field_name: str) -> bool:
        return field_name in self.columns


def _grid(sheet) -> Iterator[tuple]:
    sheet.reset_dimensions()  # a wrong <dimension> must not hide rows
    return sheet.iter_rows()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_map(spec: SheetSpec, header: tuple, problems: Problems) -> dict[int, Column]:
    """Column index -> Column for each recognised header; unknown/duplicate/missing reported."""
    known = spec.by_header()
    found: dict[int, Column] = {}
    for index, cell in enumerate(header):
        text = cell.value
        if _blank(text):
            continue
        letter = get_column_letter(index + 1)
        column = known.get(match_key(str(text)).replace("(任意)", ""))
        if column is None:
            problems.error(spec.name, 1, str(text),
                           f"見出し「{text}」（{letter}列）はこのシートの列ではありません。"
                           f"使える見出し: {'、'.join(c.header for c in spec.columns)}")
        elif column in found.values():
            problems.error(spec.name, 1, column.header, f"見出し「{column.header}」が2回あります（{letter}列）。")
        else:
            found[index] = column
    for column in spec.columns:
        if column.required and column not in found.values():
            problems.error(spec.name, 1, column.header, f"必須の列「{column.header}」の見出しがありません。")
    return found


def _cell_value(spec: SheetSpec, row: int, column: Column, cell, formula: bool,
                problems: Problems) -> Any:
    value = cell.value
    if formula:
        if value is None:
            problems.error(spec.name, row, column.header,
                           "数式に計算結果が保存されていません。数式ではなく値を入力してください"
                           "（コピーして「値として貼り付け」）。")
            return _INVALID
        problems.warning(spec.name, row, column.header,
                         f"数式は計算せず、Excel が保存した結果「{value}」を値として使いました。", "formula")
    if cell.data_type == "e":
        problems.error(spec.name, row, column.header, f"エラー値「{value}」が入っています。")
        return _INVALID
    if isinstance(value, bool):
        problems.error(spec.name, row, column.header, f"TRUE/FALSE は入力できません（{value}）。")
        return _INVALID
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        problems.error(spec.name, row, column.header,
                       f"日付・時刻として入力されています（{value}）。文字列として入力してください"
                       "（先頭に ' を付けると文字列になります）。")
        return _INVALID
    return None if _blank(value) else value


def _read_table(spec: SheetSpec, sheet, formulas: set[tuple[int, int]], problems: Problems) -> Table:
    table = Table(spec)
    grid = _grid(sheet)
    header = next(grid, ())
    headers = _header_map(spec, header, problems)
    table.columns = {c.field: c for c in headers.values()}
    flagged_columns: set[int] = set()
    # Read-only sheets yield one tuple per row from row 1, () for rows absent from the XML,
    # so the position is the Excel row number (cells in an empty column carry no row).
    for number, row_cells in enumerate(grid, start=2):
        if not row_cells:
            continue
        values: dict[str, Any] = {}
        invalid: set[str] = set()
        for index, cell in enumerate(row_cells):
            column = headers.get(index)
            if column is None:
                if cell.value is not None and index not in flagged_columns and (
                        index >= len(header) or _blank(header[index].value)):
                    flagged_columns.add(index)
                    problems.error(spec.name, number, None,
                                   f"{get_column_letter(index + 1)}列に見出しがないのにデータがあります。"
                                   "見出しを付けるか、データを消してください。")
                continue
            value = _cell_value(spec, number, column, cell, (number, index + 1) in formulas, problems)
            if value is _INVALID:
                invalid.add(column.field)
                value = None
            values[column.field] = value
        if invalid or any(v is not None for v in values.values()):
            table.rows.append(Row(number, values, invalid))
    return table


def read_tables(data: bytes, scans: dict[str, SheetScan], problems: Problems) -> dict[str, Table] | None:
    """Every known sheet present, as a Table; None when openpyxl cannot open the file.
    ``scans`` (from ``limits.check_package``) says which cells hold formulas."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _UNREADABLE as error:
        problems.error(None, None, None, f"ブックを読めません（{type(error).__name__}）。"
                                         "Excel で開けるか確かめ、.xlsx で保存し直してください。")
        return None
    try:
        names: dict[str, str] = {}
        for name in book.sheetnames:
            if match_key(name) in names:
                problems.error(name, None, None, f"シート「{names[match_key(name)]}」と同じ名前のシートが2つあります"
                                                 "（全角・半角や空白の違いだけ）。どちらか一方にまとめてください。")
            names.setdefault(match_key(name), name)
        tables: dict[str, Table] = {}
        for spec in DATA_SHEETS:
            actual = names.pop(match_key(spec.name), None)
            if actual is not None:
                formulas = scans[actual].formulas if actual in scans else set()
                tables[spec.name] = _read_table(spec, book[actual], formulas, problems)
        names.pop(match_key(EXPLANATION_SHEET), None)
        for other in names.values():
            problems.warning(other, None, None, "このシートはテンプレートのシートではないため取り込みません。",
                             "ignored")
        return tables
    except _UNREADABLE as error:
        if not _raised_by_library(error):
            raise
        problems.error(None, None, None, f"ブックの内容を読めません（{type(error).__name__}）。"
                                         "Excel で開けるか確かめ、.xlsx で保存し直してください。")
        return None
    finally:
        book.close()
