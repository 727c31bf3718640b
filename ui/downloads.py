"""Download buttons: every table offers ``exports.formats.TABLE_FORMATS`` (.xlsx with a 条件
sheet, a BOM-marked CSV), a chart card ``CHART_FORMATS`` (the PNG first)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Sequence

import polars as pl
import streamlit as st

from exports.formats import JST, TABLE_FORMATS, XLSX, Download, Exporter
from exports.limits import excel_refusal
from exports.tables import export_filename
from warehouse import Filters, queries
from warehouse.filters import describe_filters

__all__ = ["FORMAT_HINTS", "JST", "describe_filters", "download_buttons", "file_set", "lazy_table_downloads",
           "table_downloads"]

FORMAT_HINTS = {"財政効果額(円)": "yen", "金額(円)": "yen", "進捗度": "score", "連携度": "score",
                "効率性": "score", "創造性": "score", "合計": "score", "委員評価": "score"}


def _sources(filters: Filters) -> list[tuple[str, str]]:
    docs = queries.documents()
    if filters.municipality:
        docs = docs.filter(pl.col("municipality") == filters.municipality)
    return [(r["title"], r["file"]) for r in docs.iter_rows(named=True)]


def file_set(frame: pl.DataFrame, name: str, filters: Filters, chart: Any = None) -> Download:
    """The table (and chart) with the conditions and sources its files state."""
    return Download(name, frame, chart, describe_filters(filters), _sources(filters),
                    {c: h for c, h in FORMAT_HINTS.items() if c in frame.columns})


def download_buttons(download: Download, formats: Sequence[Exporter], *, key: str,
                     slots: Sequence | None = None, width: str = "content") -> None:
    """One button per format (in ``slots``, or a new row); files are built only when clicked."""
    _buttons(lambda: download, download.title, download.table.shape, formats, key=key, slots=slots, width=width)


def _buttons(build: Callable[[], Download], title: str, shape: tuple[int, int], formats: Sequence[Exporter], *,
             key: str, slots: Sequence | None, width: str) -> None:
    """The buttons of ``formats``; an Excel file the table does not fit (``exports.limits``) is
    refused in words, under a disabled button, before anyone waits for it."""
    now = datetime.now(JST)
    if slots is None:
        slots = [st.container(horizontal=True)] * len(formats)
    refusal = excel_refusal(*shape)
    for slot, exporter in zip(slots, formats):
        blocked = exporter is XLSX and refusal is not None
        slot.download_button(exporter.label, data=b"" if blocked else lambda exporter=exporter: exporter.render(build()),
                             icon=exporter.icon, key=f"{exporter.extension}_{key}", mime=exporter.mime,
                             file_name=export_filename(title, exporter.extension, now), width=width,
                             on_click="ignore", disabled=blocked, help=refusal if blocked else None)
    if refusal is not None and XLSX in formats:
        st.caption(refusal)


def table_downloads(frame: pl.DataFrame, name: str, filters: Filters, key: str | None = None,
                    slots: tuple | None = None, width: str = "content") -> None:
    """The table's buttons (.xlsx, CSV) in ``slots``, or a new row."""
    download_buttons(file_set(frame, name, filters), TABLE_FORMATS, key=key or name, slots=slots, width=width)


def lazy_table_downloads(fetch: Callable[[], pl.DataFrame], shape: tuple[int, int], name: str, filters: Filters,
                         key: str) -> None:
    """Buttons for a table the page does not hold (a paged list): ``fetch`` reads the whole table
    only when a button is clicked; ``shape`` (rows, columns) decides whether Excel can take it."""
    _buttons(lambda: file_set(fetch(), name, filters), name, shape, TABLE_FORMATS, key=key, slots=None,
             width="content")
