"""What a slide deck shows, as plain data: the charts of a page, the key table, the title facts.

Cards and pages describe their charts with these types (``PageChart``) while a page runs;
``exports.slides.build_deck`` turns a ``Deck`` into .pptx bytes only when someone asks for the
file. Keeping them here means drawing a page never loads python-pptx.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

ROWS_PER_SLIDE = 12
# Charts without an explicit size are drawn at the slide's 16:9: 800×450 at scale 2 is 1600×900 px.
CHART_SIZE = (800, 450)


@dataclass(frozen=True)
class ChartSlide:
    """One chart: ``png`` from :func:`charts.png.chart_to_png`; ``note`` is an optional footnote."""

    title: str
    takeaway: str
    png: bytes
    note: str = ""


@dataclass(frozen=True, eq=False)
class TableSlide:
    """The key table, paged over as many slides as needed.

    Column headers are the frame's (Japanese) column names. ``column_formats`` takes the same
    hints as the xlsx export (``yen|score|int|text|year``); integer columns named …年度 are
    shown as 「R5 (2023)」, other numbers right-aligned with thousands separators.
    """

    title: str
    frame: pl.DataFrame
    column_formats: dict[str, str] | None = None
    rows_per_slide: int = ROWS_PER_SLIDE


@dataclass(frozen=True, eq=False)
class Deck:
    """Everything a deck shows. ``conditions`` are (label, value) rows as from
    ``ui.downloads.describe_filters``; ``created`` is shown as its own wall-clock date."""

    title: str
    municipality: str
    plan: str
    fiscal_years: str
    conditions: Sequence[tuple[str, str]]
    created: dt.datetime
    charts: Sequence[ChartSlide] = ()
    table: TableSlide | None = None
    sources: Sequence[str] = ()
    quality_notes: Sequence[str] = ()


def chart_slide(title: str, takeaway: str, chart: Any, *, note: str = "", scale: float = 2.0) -> ChartSlide:
    """Render an Altair chart for a slide. A chart with no width/height of its own (most
    builders) is drawn at :data:`CHART_SIZE`; fixed-size charts (radar, 「データがありません」)
    keep theirs, and the slide scales every picture to fit anyway."""
    import altair as alt

    from charts.png import chart_to_png  # vl-convert is only needed when rendering here

    if isinstance(chart, (alt.Chart, alt.LayerChart)):
        if chart.width is alt.Undefined and chart.height is alt.Undefined:
            chart = chart.properties(width=CHART_SIZE[0], height=CHART_SIZE[1])
    return ChartSlide(title=title, takeaway=takeaway, png=chart_to_png(chart, scale=scale), note=note)


@dataclass(frozen=True, eq=False)
class PageChart:
    """A chart as a dashboard card shows it: the deck's raw material for one chart slide."""

    title: str
    chart: Any
    table: pl.DataFrame
    takeaway: str = ""
    note: str = ""
