"""Read-only DuckDB access, one cursor per thread, reopened when the ETL replaces the file.

The old file stays open until the last query that uses it has finished (reference counted),
so a rebuild never breaks a query in flight."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import duckdb
import polars as pl

from settings import warehouse_path

CATALOG = "warehouse"


class WarehouseMissing(Exception):
    """The warehouse file does not exist yet (run ``python -m etl``)."""


def warehouse_version() -> tuple[int, int]:
    """Identity of the current file: (inode, mtime). Changes on every rebuild (os.replace)."""
    try:
        stat = warehouse_path().stat()
    except FileNotFoundError:
        raise WarehouseMissing(str(warehouse_path())) from None
    return stat.st_ino, stat.st_mtime_ns


class _Generation:
    """One opened warehouse file, shared by the threads that read it.

    ``users`` counts the queries running on it. A rebuild (``os.replace`` of the file) makes the
    generation stale; it is closed only when it is stale *and* no query uses it any more, so a
    query in flight on another thread never sees its connection closed under it.
    """

    def __init__(self, path: Path, version: tuple[int, int]):
        self.path, self.version = path, version
        # Not duckdb.connect(path): DuckDB caches one database instance per path, so while the
        # old generation is still open a new connect would get the *old* file again. An
        # in-memory instance per generation that attaches the file opens exactly this inode.
        self.connection = duckdb.connect(":memory:")
        quoted = str(path).replace("'", "''")
        self.connection.sql(f"ATTACH '{quoted}' AS {CATALOG} (READ_ONLY)")
        self.users = 0
        self.stale = False

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cursor = self.connection.cursor()
        cursor.sql(f"USE {CATALOG}")  # each cursor is its own session: name the catalog again
        return cursor

    def close_if_unused(self) -> None:
        if self.stale and self.users == 0 and self.connection is not None:
            self.connection.close()
            self.connection = None


class _Shared:
    lock = threading.Lock()
    current: _Generation | None = None


_local = threading.local()


@contextmanager
def _lease() -> Iterator[duckdb.DuckDBPyConnection]:
    """This thread's cursor on the current warehouse file, held for one query.

    DuckDB connections are not thread-safe, so each thread keeps its own cursor per generation.
    """
    version = warehouse_version()
    path = warehouse_path()
    with _Shared.lock:
        generation = _Shared.current
        if generation is None or generation.version != version or generation.path != path:
            if generation is not None:
                generation.stale = True
                generation.close_if_unused()
            generation = _Shared.current = _Generation(path, version)
        generation.users += 1
        if getattr(_local, "generation", None) is not generation:
            _local.cursor = generation.cursor()
            _local.generation = generation
        cursor = _local.cursor
    try:
        yield cursor
    finally:
        with _Shared.lock:
            generation.users -= 1
            generation.close_if_unused()


def query(sql: str, params: Sequence[Any] | None = None) -> pl.DataFrame:
    """Run a parameterised query (never format user text into ``sql``) and return a Polars frame."""
    with _lease() as cursor:
        return cursor.sql(sql, params=list(params) if params else None).pl()


@contextmanager
def reading() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor for several statements in a row (e.g. a workbook export), safe against a rebuild
    that happens meanwhile: the file it opened stays open until the block ends."""
    with _lease() as cursor:
        yield cursor
