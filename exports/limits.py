"""Excel's sheet size, and what a download does above it.

An Excel sheet holds at most 1,048,576 rows (the header included) and 16,384 columns. A table
over that is refused for Excel, with a message naming the limit and the row count, and offered
as CSV, which has no limit: splitting it over several sheets would break the auto-filter, the
sort and every formula a reader puts over the whole table, and a file of a million rows is
itself past what a person opens in Excel. No dashboard table comes near the limit at national
scale (100,000 initiatives); the rule is there so that a larger one fails in words, not in a
traceback or a corrupt file.
"""
from __future__ import annotations

EXCEL_MAX_ROWS, EXCEL_MAX_COLUMNS = 1_048_576, 16_384


class TooManyRows(ValueError):
    """The table does not fit one Excel sheet; ``str()`` is the Japanese message."""


def excel_refusal(rows: int, columns: int = 1) -> str | None:
    """Why a table of ``rows`` data rows (plus a header) cannot be an Excel file, or None if it can."""
    if rows + 1 > EXCEL_MAX_ROWS:
        return (f"Excel の1シートは {EXCEL_MAX_ROWS:,} 行 (見出しを含む) までのため、{rows:,} 行のこの表は "
                "Excel では書き出せません。CSV で書き出すか、絞り込んで行を減らしてください。")
    if columns > EXCEL_MAX_COLUMNS:
        return (f"Excel の1シートは {EXCEL_MAX_COLUMNS:,} 列までのため、{columns:,} 列のこの表は "
                "Excel では書き出せません。CSV で書き出してください。")
    return None


def check_fits(rows: int, columns: int = 1) -> None:
    """Raise ``TooManyRows`` (with the Japanese message) when the table does not fit a sheet."""
    if message := excel_refusal(rows, columns):
        raise TooManyRows(message)
