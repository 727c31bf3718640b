"""Write workbooks in template form: the blank template and the round-trip export share it.

Each data sheet gets the Japanese headers in row 1 (required columns dark, optional ones
light), a frozen header, column widths, text format on number-like text columns (so Excel
keeps 「05」 and does not turn 「1-2」 into a date) and drop-down lists for the closed
vocabularies. Text from data is always written as a string cell: openpyxl would store
「=…」 as a formula, and text starting with = + - @ gets Excel's quote prefix so that
editing the cell never turns it into one either.
"""
from __future__ import annotations

import io
import json
import re
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from etl.workbook.layout import LIST_SEPARATOR, Column, SheetSpec
from etl.workbook.limits import MAX_CELL_CHARS, MAX_DATA_ROWS

_REQUIRED_FILL = PatternFill("solid", fgColor="1F4E78")
_OPTIONAL_FILL = PatternFill("solid", fgColor="D9E1F2")
_REQUIRED_FONT = Font(bold=True, color="FFFFFF")
_OPTIONAL_FONT = Font(bold=True, color="1F3864")
_BORDER = Border(bottom=Side(style="thin", color="808080"))
_HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
_NUMBER_FORMATS = {"code": "@", "text": "@", "list": "@", "json": "@", "choice": "@", "yen": "#,##0", "count": "#,##0"}
# Leading characters a spreadsheet reads as a formula (incl. the full-width forms Japanese
# Excel accepts); the same rule as exports/cells.py, kept here so the write side of the
# warehouse does not depend on the presentation package.
_FORMULA_LEADS = frozenset("=+-@\t\r＝＋－＠")
_ERROR_LITERALS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def needs_guard(text: str) -> bool:
    return bool(text) and (text[0] in _FORMULA_LEADS or text.strip() in _ERROR_LITERALS)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored in a cell exactly, or None."""
    if _XML_ILLEGAL.search(text):
        return "Excel に保存できない制御文字を含みます"
    if utf16_length(text) > MAX_CELL_CHARS:
        return f"{utf16_length(text):,} 文字あり、Excel の1セルの上限 {MAX_CELL_CHARS:,} 文字を超えます"
    return None


def join_items(items: list[str]) -> str:
    """A list as one cell: 「、」-separated, or one per line when an item itself has 「、」."""
    separator = "\n" if any(LIST_SEPARATOR in item for item in items) else LIST_SEPARATOR
    return separator.join(items)


def cell_value(value: Any) -> Any:
    """The value to store: lists and dicts as text, floats exactly."""
    if isinstance(value, list):
        return join_items(value) if value else None
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False) if value else None
    if isinstance(value, float) and float("%.16g" % value) != value:
        # openpyxl writes 16 significant digits; keep all 17 as text (read back exactly).
        return repr(value)
    return value


def _put(ws: Worksheet, row: int, column: int, value: Any) -> None:
    value = cell_value(value)
    if value is None:
        return
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula or an error value, whatever the text
        if needs_guard(value):
            cell.quotePrefix = True
        if "\n" in value:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _validation(column: Column, letter: str) -> DataValidation:
    listed = ",".join(column.choices)
    validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True,
                                showDropDown=False)  # False = show the arrow (OOXML's odd name)
    if column.strict:
        validation.error = f"{column.header} は一覧から選んでください: {'、'.join(column.choices)}"
        validation.errorTitle = "入力できない値です"
        validation.showErrorMessage = True
    else:
        # Suggestions only: Excel shows the list but accepts any other text.
        validation.showErrorMessage = False
        validation.errorStyle = "information"
    validation.add(f"{letter}2:{letter}{MAX_DATA_ROWS + 1}")
    return validation


def write_sheet(ws: Worksheet, spec: SheetSpec, rows: Iterable[dict[str, Any]] = ()) -> None:
    ws.title = spec.name
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        header = ws.cell(row=1, column=index, value=column.header)
        header.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
        header.font = _REQUIRED_FONT if column.required else _OPTIONAL_FONT
        header.alignment = _HEADER_ALIGNMENT
        header.border = _BORDER
        ws.column_dimensions[letter].width = column.width
        if column.kind in _NUMBER_FORMATS:
            ws.column_dimensions[letter].number_format = _NUMBER_FORMATS[column.kind]
        if column.choices:
            ws.add_data_validation(_validation(column, letter))
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"
    for row_number, record in enumerate(rows, start=2):
        for index, column in enumerate(spec.columns, start=1):
            _put(ws, row_number, index, record.get(column.field))
    if spec.columns and ws.max_row > 1:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(spec.columns))}{ws.max_row}"


def workbook_bytes(sheets: list[tuple[SheetSpec, list[dict[str, Any]]]]) -> bytes:
    """The 説明 (explanation) sheet first, then one sheet per spec with its rows."""
    from etl.workbook.explanation import write_explanation

    book = Workbook()
    write_explanation(book.active)
    for spec, rows in sheets:
        write_sheet(book.create_sheet(), spec, rows)
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
