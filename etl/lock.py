"""One writer at a time: the lock every change of the warehouse and data/raw holds.

An import, a ``python -m etl`` rebuild, an undo and a delete each read data/raw, build a new
warehouse and swap it in. Two of them interleaved would each build from a data/raw that lacks
the other's workbook, and the later swap would silently drop the earlier import. Holding this
lock from "read data/raw" to "swap done" serialises them.

It is an ``fcntl.flock`` on ``<warehouse>.lock`` (``data/warehouse.duckdb.lock``, git-ignored
with the warehouse's other companions), so it works between processes — the dashboard and a
``python -m etl`` in a terminal — and between threads of one process (each ``exclusive`` opens
its own file description). The kernel drops the lock when its holder dies, so a killed import
never leaves the next one waiting forever. Readers of the warehouse never take it.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator


def lock_path(target: Path) -> Path:
    return target.with_name(f"{target.name}.lock")


@contextmanager
def exclusive(target: Path, waiting: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Hold the write lock of the warehouse ``target``; ``waiting`` is called once if another
    writer holds it (e.g. to tell the person why nothing happens yet), then we block."""
    path = lock_path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing the last descriptor releases the lock
