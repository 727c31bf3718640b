"""Download buttons for a table too large to build on every script run (national scale: the
財政効果 page shows one page of 35,000 amounts; its files hold them all). The table is built when
a button is clicked, not when the page draws."""
from __future__ import annotations

from typing import Any, Callable

import polars as pl

from exports.formats import TABLE_FORMATS
from ui.downloads import FORMAT_HINTS, _sources, describe_filters, download_buttons
from warehouse import Filters


class LazyDownload:
    """A ``exports.formats.Download`` whose table is built on first use (the exporters only read
    its attributes)."""

    chart: Any = None

    def __init__(self, title: str, build: Callable[[], pl.DataFrame], filters: Filters, columns: list[str]):
        self.title, self._build, self._table = title, build, None
        self.conditions = describe_filters(filters)
        self.sources = _sources(filters)
        self.column_formats = {c: h for c, h in FORMAT_HINTS.items() if c in columns}

    @property
    def table(self) -> pl.DataFrame:
        if self._table is None:
            self._table = self._build()
        return self._table


def lazy_table_downloads(build: Callable[[], pl.DataFrame], columns: list[str], name: str, filters: Filters,
                         key: str) -> None:
    """The table's buttons (.xlsx, CSV); ``build`` runs only when one is clicked. ``columns``: the
    table's column names (for the number formats of its files)."""
    download_buttons(LazyDownload(name, build, filters, columns), TABLE_FORMATS, key=key)
