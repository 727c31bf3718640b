"""Pages of a long list (the 事例 cards): which rows page N shows, and how many pages there are."""
from __future__ import annotations

import polars as pl


def page_slice(frame: pl.DataFrame, page: int, size: int) -> pl.DataFrame:
    """Rows of page ``page`` (1-based, clamped to the pages there are) of ``size`` rows each."""
    page = min(max(1, page), page_count(frame.height, size))
    return frame.slice((page - 1) * size, size)


def page_count(rows: int, size: int) -> int:
    return max(1, -(-rows // size))
