"""Read sheets into rows of raw cell values, keyed by the template's columns.

The values come from the streaming pass over the sheets' XML that also checks the limits
(``limits.check_package`` → ``xml_scan.scan_sheet``), read as openpyxl's read-only reader gave
them, so no sheet is parsed twice. Formulas are never evaluated: a cell's value is the result
Excel saved with it; which cells hold a formula comes from the same pass. A formula with a
cached value is used and reported as a warning; one without (e.g. written by a program that
does not calculate) is an error.

Here, too, cell types no column accepts are reported once: error values (#N/A …),
TRUE/FALSE and dates (Excel turns 「1-2」 into 2 January, a classic for numbers).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterator

from openpyxl.utils import get_column_letter

from etl.normalize import match_key
from etl.workbook.layout import DATA_SHEETS, EXPLANATION_SHEET, Column, SheetSpec
from etl.workbook.limits import Package, SheetScan
from etl.workbook.problems import Problems
from etl.workbook.xml_scan import ErrorValue

_INVALID = object()  # a cell already reported as unusable


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


def _grid(scan: SheetScan) -> Iterator[list | tuple]:
    """The sheet's rows from row 1 as sequences of values, as openpyxl's read-only worksheet
    gave them: () for a row absent from the XML, a row as wide as its last cell's column (cells
    beyond it dropped, a later cell in the same column wins), and a row numbered at or before
    one already given skipped."""
    counter = 1
    for number, cells, columns in scan.rows:
        while counter < number:
            counter += 1
            yield ()
        if counter <= number:
            counter += 1
            if columns is None:  # A, B, C … in order: the values as they are
                yield cells
                continue
            width = columns[-1]
            values = [None] * width
            for column, value in zip(columns, cells):
                if 1 <= column <= width:
                    values[column - 1] = value
            yield values


def _plain(value: Any) -> Any:
    """A cell's value with an ``ErrorValue`` unwrapped (headers and stray cells show the text)."""
    return value.value if type(value) is ErrorValue else value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_map(spec: SheetSpec, header: tuple, problems: Problems) -> dict[int, Column]:
    """Column index -> Column for each recognised header; unknown/duplicate/missing reported."""
    known = spec.by_header()
    found: dict[int, Column] = {}
    for index, value in enumerate(header):
        text = _plain(value)
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


def _cell_value(spec: SheetSpec, row: int, column: Column, value: Any, formula: bool,
                problems: Problems) -> Any:
    error = type(value) is ErrorValue
    if error:
        value = value.value
    if formula:
        if value is None:
            problems.error(spec.name, row, column.header,
                           "数式に計算結果が保存されていません。数式ではなく値を入力してください"
                           "（コピーして「値として貼り付け」）。")
            return _INVALID
        problems.warning(spec.name, row, column.header,
                         f"数式は計算せず、Excel が保存した結果「{value}」を値として使いました。", "formula")
    if error:
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


def _read_table(spec: SheetSpec, scan: SheetScan, problems: Problems) -> Table:
    table = Table(spec)
    formulas = scan.formulas
    grid = _grid(scan)
    header = next(grid, ())
    headers = _header_map(spec, header, problems)
    table.columns = {c.field: c for c in headers.values()}
    flagged_columns: set[int] = set()
    by_index = [headers.get(index) for index in range(max(headers, default=-1) + 1)]
    known = len(by_index)
    # Rows come from row 1, () for rows absent from the XML, so the position is the Excel row
    # number (cells in an empty column carry no row).
    for number, row_values in enumerate(grid, start=2):
        if not row_values:
            continue
        values: dict[str, Any] = {}
        invalid: set[str] = set()
        filled = False
        for index, value in enumerate(row_values):
            column = by_index[index] if index < known else None
            if column is None:
                if _plain(value) is not None and index not in flagged_columns and (
                        index >= len(header) or _blank(_plain(header[index]))):
                    flagged_columns.add(index)
                    problems.error(spec.name, number, None,
                                   f"{get_column_letter(index + 1)}列に見出しがないのにデータがあります。"
                                   "見出しを付けるか、データを消してください。")
                continue
            if type(value) is str and not formulas:  # the usual cell: text, no formula in the sheet
                if value.strip():
                    filled = True
                else:
                    value = None
            elif value is not None or formulas:
                value = _cell_value(spec, number, column, value, (number, index + 1) in formulas, problems)
                if value is _INVALID:
                    invalid.add(column.field)
                    value = None
                elif value is not None:
                    filled = True
            values[column.field] = value
        if invalid or filled:
            table.rows.append(Row(number, values, invalid))
    return table


def is_template_sheet(name: str) -> bool:
    """Whether a sheet of this name is read (one of the template's data sheets)."""
    return match_key(name) in _TEMPLATE_KEYS


_TEMPLATE_KEYS = frozenset(match_key(spec.name) for spec in DATA_SHEETS)


def read_tables(package: Package, problems: Problems) -> dict[str, Table] | None:
    """Every known sheet present, as a Table; None when a sheet cannot be read (a damaged
    cell: the rows before it are read and checked, as openpyxl's streaming reader did)."""
    names: dict[str, str] = {}
    scans: dict[str, SheetScan] = {}
    for name, scan in package.sheets:
        if match_key(name) in names:
            problems.error(name, None, None, f"シート「{names[match_key(name)]}」と同じ名前のシートが2つあります"
                                             "（全角・半角や空白の違いだけ）。どちらか一方にまとめてください。")
        names.setdefault(match_key(name), name)
        scans.setdefault(name, scan)  # two entries of one name: the first is the sheet
    tables: dict[str, Table] = {}
    for spec in DATA_SHEETS:
        actual = names.pop(match_key(spec.name), None)
        if actual is not None:
            scan = scans[actual]
            tables[spec.name] = _read_table(spec, scan, problems)
            if scan.read_error is not None:
                problems.error(None, None, None, f"ブックの内容を読めません（{type(scan.read_error).__name__}）。"
                                                 "Excel で開けるか確かめ、.xlsx で保存し直してください。")
                return None
    names.pop(match_key(EXPLANATION_SHEET), None)
    for other in names.values():
        problems.warning(other, None, None, "このシートはテンプレートのシートではないため取り込みません。",
                         "ignored")
    return tables
