"""Python functions over Polars values, run on the calling thread — never inside Polars.

The rule (issue 13): code that a page runs (warehouse/, cards/, charts/, exports/, ui/, pages/)
never passes a Python function to Polars (``map_elements``, ``map_batches``, ``map_groups``,
``pl.Expr.apply`` …). Polars runs such a function on its own worker pool, and a worker needs
the GIL to call it. Streamlit runs every session's script on its own thread; when one thread
holds the GIL while it waits for the pool (``to_pandas``, ``collect``, a sort) and a pool worker
waits for the GIL to run another thread's Python callback, both wait for ever — the whole
server hangs, health checks included. Vectorised expressions never take the GIL; where Python
is really needed, :func:`rowwise` calls it in a plain loop on the calling thread and hands
Polars a finished Series. ``tests/test_rowwise_rule.py`` enforces the rule.
"""
from __future__ import annotations

from typing import Any, Callable

import polars as pl


def rowwise(values: pl.Series, function: Callable[[Any], Any], dtype: pl.DataType = pl.String,
            name: str | None = None, *, skip_nulls: bool = False) -> pl.Series:
    """``function`` applied to every value on this thread; ``skip_nulls`` keeps NULL as NULL
    without calling ``function`` (as ``map_elements`` did)."""
    out = [None if skip_nulls and v is None else function(v) for v in values.to_list()]
    return pl.Series(name or values.name, out, dtype=dtype)


def rowwise_rows(frame: pl.DataFrame, function: Callable[[dict[str, Any]], Any],
                 dtype: pl.DataType = pl.String, name: str = "value") -> pl.Series:
    """``function(row_as_dict)`` for every row of ``frame``, on this thread."""
    return pl.Series(name, [function(r) for r in frame.iter_rows(named=True)], dtype=dtype)
