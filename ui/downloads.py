"""Download buttons: every table offers ``exports.formats.TABLE_FORMATS`` (.xlsx with a 条件
sheet, a BOM-marked CSV), a chart card ``CHART_FORMATS`` (the PNG first)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

import polars as pl
import streamlit as st

from exports.formats import JST, TABLE_FORMATS, Download, Exporter
from exports.tables import export_filename
from warehouse import Filters, queries
from warehouse.filters import describe_filters, same_municipality

__all__ = ["FORMAT_HINTS", "JST", "describe_filters", "download_buttons", "file_set", "table_downloads"]

FORMAT_HINTS = {"財政効果額(円)": "yen", "金額(円)": "yen", "進捗度": "score", "連携度": "score",
                "効率性": "score", "創造性": "score", "合計": "score", "委員評価": "score"}


def _sources(filters: Filters) -> list[tuple[str, str]]:
    docs = queries.documents()
    if filters.municipality:
        docs = docs.filter(same_municipality(filters.municipality))
    return [(r["title"], r["file"]) for r in docs.iter_rows(named=True)]


def file_set(frame: pl.DataFrame, name: str, filters: Filters, chart: Any = None) -> Download:
    """The table (and chart) with the conditions and sources its files state."""
    return Download(name, frame, chart, describe_filters(filters), _sources(filters),
                    {c: h for c, h in FORMAT_HINTS.items() if c in frame.columns})


def download_buttons(download: Download, formats: Sequence[Exporter], *, key: str,
                     slots: Sequence | None = None, width: str = "content") -> None:
    """One button per format (in ``slots``, or a new row); files are built only when clicked."""
    now = datetime.now(JST)
    if slots is None:
        slots = [st.container(horizontal=True)] * len(formats)
    for slot, exporter in zip(slots, formats):
        slot.download_button(exporter.label, data=lambda exporter=exporter: exporter.render(download),
                             icon=exporter.icon, key=f"{exporter.extension}_{key}", mime=exporter.mime,
                             file_name=export_filename(download.title, exporter.extension, now), width=width,
                             on_click="ignore")


def table_downloads(frame: pl.DataFrame, name: str, filters: Filters, key: str | None = None,
                    slots: tuple | None = None, width: str = "content") -> None:
    """The table's buttons (.xlsx, CSV) in ``slots``, or a new row."""
    download_buttons(file_set(frame, name, filters), TABLE_FORMATS, key=key or name, slots=slots, width=width)
