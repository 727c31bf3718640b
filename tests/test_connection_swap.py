"""A rebuild (os.replace of the warehouse file) never breaks a query in flight on another
thread, and new queries see the new file at once (issue 13)."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb
import pytest

from warehouse import connection


def _write(path: Path, value: int) -> None:
    staged = path.with_name(path.name + ".new")
    con = duckdb.connect(str(staged))
    con.sql(f"CREATE TABLE _answer AS SELECT {value} AS value")
    con.sql("CREATE VIEW answer AS SELECT value FROM _answer")
    con.close()
    os.replace(staged, path)


@pytest.fixture
def target(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "warehouse.duckdb"
    _write(path, 1)
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(path))
    monkeypatch.setattr(connection._Shared, "current", None)
    return path


def _value() -> int:
    return connection.query("SELECT value FROM answer")["value"][0]


def test_a_rebuild_is_seen_by_the_next_query(target):
    assert _value() == 1
    _write(target, 2)
    assert _value() == 2


def test_a_query_in_flight_keeps_its_file_until_it_ends(target):
    inside, rebuilt, results = threading.Event(), threading.Event(), {}

    def long_reader():
        with connection.reading() as cursor:
            results["before"] = cursor.sql("SELECT value FROM answer").fetchall()[0][0]
            inside.set()
            rebuilt.wait(10)
            # Another thread has opened the new file meanwhile; this cursor still works.
            results["after"] = cursor.sql("SELECT value FROM answer").fetchall()[0][0]

    reader = threading.Thread(target=long_reader)
    reader.start()
    assert inside.wait(10)
    old = connection._Shared.current
    _write(target, 2)
    assert _value() == 2  # a new generation, opened while the old one is in use
    assert old.stale and old.connection is not None  # not closed under the reader
    rebuilt.set()
    reader.join(10)
    assert results == {"before": 1, "after": 1}
    assert old.connection is None  # closed once its last query ended
    assert _value() == 2
