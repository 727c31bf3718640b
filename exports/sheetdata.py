"""Fast serialisation of a worksheet's data rows as SpreadsheetML.

openpyxl spends ~25-50 µs per cell in its writer (a 10,000 × 15 table took
4-10 s on the project machines), too slow for an export button.  So openpyxl
still writes the whole package - styles, sheet settings, header row, the
条件 (filter conditions) sheet - and this module produces only the ``<row>``
elements of the data rows as one string, which :func:`insert_rows` splices
into the saved worksheet part just before ``</sheetData>``.

Cells written here: numbers (``<v>``, with the column's style id), text as
inline strings (``t="inlineStr"``, never a formula, optionally with the
quote-prefix style), dates as Excel serial numbers with a date style.
"""
from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Iterable, Sequence

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from exports.cells import Column, needs_guard

_SHEET_DATA_END = b"</sheetData>"


def escape_xml_text(text: str) -> str:
    """Escape for element content; CR as a reference so parsers keep it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def rows_xml(
    columns: Sequence[Column], style_ids: dict[str, int], guarded_text_style: int, first_row: int = 2
) -> str:
    """``<row>`` elements for the columns' values, starting at ``first_row``.

    ``style_ids`` maps a column kind to the cellXfs index holding its number
    format; ``guarded_text_style`` is the quote-prefix style for risky text.
    Cells are rendered column by column in comprehensions: a function call
    per cell would cost more than the rendering itself.
    """
    if not columns:
        return ""
    numbers = [str(n) for n in range(first_row, first_row + len(columns[0].values))]
    rendered = [
        _column_cells(
            get_column_letter(index), column, numbers, style_ids.get(column.kind), guarded_text_style
        )
        for index, column in enumerate(columns, start=1)
    ]
    return "".join(
        f'<row r="{number}">{"".join(cells)}</row>' for number, *cells in zip(numbers, *rendered)
    )


def _column_cells(
    letter: str, column: Column, numbers: list[str], style: int | None, guarded: int
) -> list[str]:
    """Each value's ``<c>`` element ('' for None) for one column."""
    values = column.values
    styled = f' s="{style}"' if style is not None else ""
    if column.kind == "text":
        quote = f' s="{guarded}"'
        return [
            ""
            if v is None
            else f'<c r="{letter}{n}"{quote if needs_guard(v) else ""} t="inlineStr">'
            f'<is><t xml:space="preserve">{escape_xml_text(v)}</t></is></c>'
            for n, v in zip(numbers, values)
        ]
    if column.kind in ("date", "datetime"):
        values = [None if v is None else to_excel(v) for v in values]
    return [
        "" if v is None else f'<c r="{letter}{n}"{styled}><v>{v!r}</v></c>'
        for n, v in zip(numbers, values)
    ]


def insert_rows(xlsx: bytes, part: str, rows: str | Iterable[str]) -> bytes:
    """Copy the xlsx package, splicing ``rows`` into worksheet ``part``.

    ``rows`` may come in pieces (an iterable of ``<row>`` strings, e.g. 10,000 rows each): they
    are compressed as they arrive, so a 100,000-row table never exists as one XML string."""
    pieces = iter([rows] if isinstance(rows, str) else rows)
    first = next((piece for piece in pieces if piece), None)
    if first is None:
        return xlsx
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == part:
                head, tail = _split(data)
                entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                entry.compress_type = zipfile.ZIP_DEFLATED
                # Level 1: the row XML is large and repetitive; much faster, similar size.
                entry._compresslevel = 1  # ZipFile.open(ZipInfo, "w") reads the level from here
                with target.open(entry, "w", force_zip64=True) as sheet:
                    sheet.write(head)
                    for piece in itertools.chain([first], pieces):
                        sheet.write(piece.encode("utf-8"))
                    sheet.write(tail)
            else:
                target.writestr(info, data, zipfile.ZIP_DEFLATED)
    return output.getvalue()


def _split(sheet_xml: bytes) -> tuple[bytes, bytes]:
    """The worksheet part before and after the place the data rows go (just before ``</sheetData>``)."""
    # Our rows are UTF-8; the part must be too (openpyxl omits the declaration).
    declaration = sheet_xml[: sheet_xml.find(b"?>") + 2] if sheet_xml.startswith(b"<?xml") else b""
    if declaration and b"encoding" in declaration and b"utf-8" not in declaration.lower():
        raise RuntimeError("worksheet XML is not UTF-8; openpyxl output changed")
    end = sheet_xml.find(_SHEET_DATA_END)
    if end < 0 or sheet_xml.count(_SHEET_DATA_END) != 1:
        raise RuntimeError("worksheet XML has no single </sheetData>; openpyxl output changed")
    return sheet_xml[:end], sheet_xml[end:]
