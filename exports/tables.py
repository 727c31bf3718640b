"""Excel (xlsx) and CSV builders for the dashboard's tables.

Pure functions: a Polars frame plus metadata in, file bytes out; no Streamlit.
Municipal staff download these and council members open them in Japanese
Excel, so:

* the data sheet has the Japanese headers in bold, a frozen header row, an
  auto-filter and column widths estimated from the content (full-width
  characters count 2), numbers as real numbers with formats such as
  ``#,##0`` for yen, and prints with the header repeated on each page;
* a second sheet 条件 (filter conditions) records the filters, the source
  documents (出典資料) and the export time with its time zone, so a printed
  table can be traced back;
* CSV is UTF-8 with BOM and CRLF, which Japanese Excel opens without mojibake.

Cell rules (number kinds, 「○」 for booleans, 「、」 for lists, replacement of
XML-illegal characters, formula-injection guards) live in
:mod:`exports.cells`; the data rows are serialised by
:mod:`exports.sheetdata` because openpyxl's per-cell writer is too slow for
10,000-row tables.

Injection guard, in short: xlsx stores risky text as a string cell (data
type ``s``, never ``f``) with the quote-prefix style, so the visible text is
unchanged and Excel never evaluates it, not even after the cell is edited;
CSV has no cell types, so risky text gets a leading ``'``.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter

from exports.cells import (
    Column,
    clean_text,
    column_width,
    csv_text,
    csv_values,
    display_width,
    needs_guard,
    prepare_columns,
    truncate_utf16,
)
from exports.limits import check_fits
from exports.sheetdata import insert_rows, rows_xml

__all__ = [
    "CONDITIONS_SHEET",
    "export_filename",
    "format_timestamp",
    "safe_sheet_name",
    "to_csv",
    "to_xlsx",
]

CONDITIONS_SHEET = "条件"
# Rows prepared and serialised at a time: a 100,000-row table is written in ten pieces, so
# its memory stays that of 10,000 rows (column widths are estimated from the first piece).
CHUNK_ROWS = 10_000
SHEET_NAME_LIMIT = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\ufffe\uffff\ud800-\udfff]")
_FILENAME_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_CREATOR = "行革ダッシュボード"

Pairs = Sequence[tuple[str, str]]


# --- names ------------------------------------------------------------------


def safe_sheet_name(name: str, existing: Iterable[str] = ()) -> str:
    """A sheet name Excel accepts, unique among ``existing``.

    Removes ``[]:*?/\\`` and control characters, trims spaces and the
    apostrophes Excel refuses at either end, cuts to 31 characters (counted
    as Excel does, in UTF-16 units), avoids the reserved name ``History`` and
    empty names, and appends `` (2)``, `` (3)``… when the name is taken
    (Excel compares sheet names case-insensitively).
    """
    base = _SHEET_FORBIDDEN.sub("", name).strip().strip("'").strip()
    if not base or base.casefold() == "history":
        base = f"{base}_" if base else "Sheet"
    taken = {other.casefold() for other in existing}
    candidate = _fit_sheet_name(base, "")
    number = 2
    while candidate.casefold() in taken:
        candidate = _fit_sheet_name(base, f" ({number})")
        number += 1
    return candidate


def _fit_sheet_name(base: str, suffix: str) -> str:
    head = truncate_utf16(base, SHEET_NAME_LIMIT - len(suffix)).rstrip().rstrip("'")
    return (head or "Sheet") + suffix


def export_filename(stem: str, extension: str, when: dt.datetime) -> str:
    """File name such as ``取組一覧_20261123-1405.xlsx``, safe on Windows.

    Characters Windows forbids (``\\/:*?"<>|``, controls) become ``_``;
    trailing dots and spaces are dropped; the stem is kept to 100 characters
    and becomes ``export`` when nothing readable is left.
    ``when`` is shown as its own wall-clock time.
    """
    cleaned = _FILENAME_FORBIDDEN.sub("_", stem).strip().rstrip(". ")[:100].rstrip(". ")
    suffix = re.sub(r"[^0-9A-Za-z]", "", extension)
    if not suffix:
        raise ValueError(f"extension {extension!r} has no letters or digits")
    if not cleaned.strip("_ "):
        cleaned = "export"
    return f"{cleaned}_{when:%Y%m%d-%H%M}.{suffix.lower()}"


def format_timestamp(when: dt.datetime) -> str:
    """``2026-11-23 14:05 JST``: minutes and the zone name of ``when``.

    A naive datetime raises ``ValueError``: the server's clock zone is not
    the reader's, and a guessed zone would print a wrong time as fact.
    """
    zone = when.tzname()
    if when.tzinfo is None or zone is None:
        raise ValueError("exported_at must be timezone-aware, e.g. datetime.now(ZoneInfo('Asia/Tokyo'))")
    return f"{when:%Y-%m-%d %H:%M} {zone}"


# --- xlsx -----------------------------------------------------------------


def to_xlsx(
    frame: pl.DataFrame,
    *,
    sheet_name: str,
    conditions: Pairs,
    sources: Pairs,
    exported_at: dt.datetime,
    column_formats: dict[str, str] | None = None,
) -> bytes:
    """The frame as an xlsx workbook: a data sheet and the 条件 sheet.

    ``conditions`` are (label, value) pairs of the active filters,
    ``sources`` (title, file) pairs of the documents behind the table,
    ``exported_at`` a timezone-aware time.  ``column_formats`` maps a header
    to ``yen|score|int|text|year``; other columns are inferred from dtype
    (see :mod:`exports.cells`).
    """
    stamp = format_timestamp(exported_at)  # validate before doing any work
    check_fits(frame.height, frame.width)  # TooManyRows: use CSV (see exports.limits)
    # Kinds and column widths from the first rows; the body is rendered a chunk at a time.
    columns = prepare_columns(frame.head(CHUNK_ROWS), column_formats)
    workbook = Workbook(write_only=True)
    workbook.properties.creator = _CREATOR
    workbook.properties.created = exported_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    data_name = safe_sheet_name(sheet_name, existing=[CONDITIONS_SHEET])
    style_ids, guarded = _write_data_sheet(workbook.create_sheet(data_name), columns, frame.height)
    body = (rows_xml(prepare_columns(frame.slice(start, CHUNK_ROWS), column_formats), style_ids, guarded,
                     first_row=start + 2) for start in range(0, frame.height, CHUNK_ROWS))
    _write_conditions_sheet(
        workbook.create_sheet(CONDITIONS_SHEET), conditions, sources, stamp, frame.height
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    # openpyxl names parts by sheet order; the data sheet is created first.
    return insert_rows(buffer.getvalue(), "xl/worksheets/sheet1.xml", body)


def _write_data_sheet(ws, columns: list[Column], height: int) -> tuple[dict[str, int], int]:
    """Layout and header row via openpyxl; returns the style ids the body rows use (per column
    kind, and the quote-prefix style of guarded text).

    Write-only sheets take layout settings before the first row.  The body
    is serialised by :mod:`exports.sheetdata` (openpyxl is too slow per cell)
    using style ids registered here, so styles.xml holds every format used.
    """
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column_width(column)
    if columns:
        last = get_column_letter(len(columns))
        ws.freeze_panes = "A2"
        ws.auto_filter = AutoFilter(ref=f"A1:{last}{height + 1}")
        ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.append([_header_cell(ws, column.name) for column in columns])
    style_ids = {
        column.kind: _style_id(ws, number_format=column.number_format)
        for column in columns
        if column.number_format
    }
    return style_ids, _style_id(ws, quote_prefix=True)


def _style_id(ws, *, number_format: str | None = None, quote_prefix: bool = False) -> int:
    """Register a cell style in the workbook and return its cellXfs index."""
    cell = WriteOnlyCell(ws)
    if number_format:
        cell.number_format = number_format
    cell.quotePrefix = quote_prefix
    return cell.style_id


def _header_cell(ws, text: str) -> WriteOnlyCell:
    cell = _text_cell(ws, clean_text(str(text)))
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    return cell


def _text_cell(ws, text: str) -> WriteOnlyCell:
    """A string cell that stays a string, whatever the text looks like."""
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # openpyxl turns "=..." into a formula, "#N/A" into an error
    if needs_guard(text):
        cell.quotePrefix = True
    return cell


def _write_conditions_sheet(ws, conditions: Pairs, sources: Pairs, stamp: str, height: int) -> None:
    rows = _conditions_rows(conditions, sources, stamp, height)
    for index in (0, 1):
        texts = [str(row[index][0]) for row in rows if len(row) > index]
        widest = max((display_width(text) for text in texts), default=0)
        # Wider cap than the data sheet: file paths should stay readable.
        width = float(min(80, max(12, widest + 2)))
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    for row in rows:
        ws.append([_meta_cell(ws, value, bold) for value, bold in row])


def _conditions_rows(conditions: Pairs, sources: Pairs, stamp: str, height: int):
    """Rows of (value, bold) pairs: export time, row count, filters, sources."""
    rows: list[list[tuple[Any, bool]]] = [
        [("出力日時", True), (stamp, False)],
        [("件数", True), (height, False)],
        [],
        [("絞り込み条件", True)],
        [("条件", True), ("値", True)],
    ]
    rows += _plain_pairs(conditions) or [[("（指定なし）", False)]]
    rows += [[], [("出典資料", True)], [("資料名", True), ("ファイル", True)]]
    rows += _plain_pairs(sources) or [[("（なし）", False)]]
    return rows


def _plain_pairs(pairs: Pairs) -> list[list[tuple[Any, bool]]]:
    # Stringified: a year passed as 2021 must not be shown as the count's "2,021".
    return [[("" if a is None else str(a), False), ("" if b is None else str(b), False)] for a, b in pairs]


def _meta_cell(ws, value: Any, bold: bool) -> Any:
    if isinstance(value, int):  # only the row count is a number here
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "#,##0"
        return cell
    text = clean_text("" if value is None else str(value))
    if not text:
        return None
    cell = _text_cell(ws, text)
    if bold:
        cell.font = _HEADER_FONT
    return cell


# --- csv ------------------------------------------------------------------


def to_csv(frame: pl.DataFrame, *, column_formats: dict[str, str] | None = None) -> bytes:
    """The frame as CSV for Japanese Excel: UTF-8 with BOM, CRLF, guarded text.

    Same headers and cell rules as :func:`to_xlsx`; numbers are written
    plainly (no thousands separators) so Excel reads them as numbers.
    """
    buffer = io.BytesIO()
    buffer.write("\ufeff".encode("utf-8"))
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([csv_text(clean_text(name)) for name in frame.columns])
    for start in range(0, frame.height, CHUNK_ROWS):  # bounded memory, as for xlsx
        columns = prepare_columns(frame.slice(start, CHUNK_ROWS), column_formats)
        writer.writerows(zip(*(csv_values(column) for column in columns)))
        buffer.write(text.getvalue().encode("utf-8"))
        text.seek(0)
        text.truncate()
    buffer.write(text.getvalue().encode("utf-8"))
    return buffer.getvalue()
