"""The download formats, one ``Exporter`` each: a new format is one entry here.

The dashboard's download buttons (``ui.downloads``) iterate ``TABLE_FORMATS`` under every table
and ``CHART_FORMATS`` in a chart card's 「ダウンロード」 menu, so label, file extension, MIME
type and builder are written once. Builders are imported when a file is built (on click), so
drawing a page loads none of their libraries.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable
from zoneinfo import ZoneInfo

import polars as pl

JST = ZoneInfo("Asia/Tokyo")
Pairs = list[tuple[str, str]]


@dataclass(frozen=True)
class Download:
    """What one set of files is built from: the table (and the chart, for chart formats) with the
    filter conditions and source documents a table file records."""

    title: str
    table: pl.DataFrame
    chart: Any = None
    conditions: Pairs = field(default_factory=list)
    sources: Pairs = field(default_factory=list)
    column_formats: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Exporter:
    label: str  # the button's text
    extension: str  # file extension without the dot; also names the button's widget key
    mime: str
    icon: str
    render: Callable[[Download], bytes]


def _png(download: Download) -> bytes:
    from charts.png import chart_to_png

    return chart_to_png(download.chart, title=download.title)


def _xlsx(download: Download) -> bytes:
    from exports.tables import to_xlsx

    return to_xlsx(download.table, sheet_name=download.title, conditions=download.conditions,
                   sources=download.sources, exported_at=dt.datetime.now(JST),
                   column_formats=download.column_formats)


def _csv(download: Download) -> bytes:
    from exports.tables import to_csv

    return to_csv(download.table)


PNG = Exporter("PNG (スライド用の画像)", "png", "image/png", ":material/image:", _png)
XLSX = Exporter("Excel (.xlsx)", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ":material/download:", _xlsx)
CSV = Exporter("CSV", "csv", "text/csv", ":material/download:", _csv)

TABLE_FORMATS: tuple[Exporter, ...] = (XLSX, CSV)
CHART_FORMATS: tuple[Exporter, ...] = (PNG, *TABLE_FORMATS)  # the picture first, then its table
