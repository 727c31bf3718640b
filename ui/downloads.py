"""Download buttons for any table: .xlsx (with a 条件 sheet) and a BOM-marked CSV."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st

from exports.tables import export_filename, to_csv, to_xlsx
from warehouse import Filters, queries
from warehouse.filters import describe_filters

__all__ = ["FORMAT_HINTS", "JST", "describe_filters", "table_downloads"]

JST = ZoneInfo("Asia/Tokyo")
FORMAT_HINTS = {"財政効果額(円)": "yen", "金額(円)": "yen", "進捗度": "score", "連携度": "score",
                "効率性": "score", "創造性": "score", "合計": "score", "委員評価": "score"}


def _sources(filters: Filters) -> list[tuple[str, str]]:
    docs = queries.documents()
    if filters.municipality:
        docs = docs.filter(pl.col("municipality") == filters.municipality)
    return [(r["title"], r["file"]) for r in docs.iter_rows(named=True)]


def table_downloads(frame: pl.DataFrame, name: str, filters: Filters, key: str | None = None,
                    slots: tuple | None = None, width: str = "content") -> None:
    """Two buttons (in ``slots``, or a new row); files are built only when clicked."""
    now = datetime.now(JST)
    formats = {c: h for c, h in FORMAT_HINTS.items() if c in frame.columns}
    conditions, sources = describe_filters(filters), _sources(filters)

    def workbook() -> bytes:
        return to_xlsx(frame, sheet_name=name, conditions=conditions, sources=sources,
                       exported_at=datetime.now(JST), column_formats=formats)

    if slots is None:
        row = st.container(horizontal=True)
        slots = (row, row)
    left, right = slots
    left.download_button("Excel (.xlsx)", data=workbook, icon=":material/download:",
                         key=f"xlsx_{key or name}", file_name=export_filename(name, "xlsx", now), width=width,
                         on_click="ignore",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    right.download_button("CSV", data=lambda: to_csv(frame), icon=":material/download:",
                          key=f"csv_{key or name}", file_name=export_filename(name, "csv", now), width=width,
                          on_click="ignore",
                          mime="text/csv")
