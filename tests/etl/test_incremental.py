"""The incremental ETL (etl.extract_cache, etl.checked_workbooks): a build from cached extracts
gives exactly the rows of a build that parses everything, parses only what changed, never
trusts a damaged entry, and checks many workbooks in parallel with the serial build's result."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import duckdb
import pytest

import etl.checked_workbooks as checked_workbooks
import etl.extract_cache as extract_cache
from bench.national import towns, workbook
from etl.errors import WorkbookError
from etl.load import PUBLIC_VIEWS
from etl.pipeline import build

WORKBOOKS = Path(__file__).parent / "workbooks"


def _entries(workbooks: int, texts: int) -> int:
    """Cache entries of a build: per workbook its check, its extract and its warehouse rows
    (etl.document_tables); per text document its extract and its rows."""
    return 3 * workbooks + 2 * texts


def _views(path: Path) -> dict[str, list[tuple]]:
    """Every public view, all rows ordered by all columns."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {view: con.sql(f"SELECT * FROM {view} ORDER BY ALL").fetchall() for view in PUBLIC_VIEWS}
    finally:
        con.close()


@pytest.fixture(scope="module")
def national_books() -> dict[str, bytes]:
    """Six generated template workbooks (bench.national), more than PARALLEL_ABOVE."""
    rng = random.Random(7)
    return {f"{n:02d}-{t.name}.xlsx": workbook(rng, t) for n, t in enumerate(towns(6))}


@pytest.fixture
def raw(raw_copy, national_books) -> Path:
    for name, data in national_books.items():
        (raw_copy / name).write_bytes(data)
    shutil.copy(WORKBOOKS / "kakuu-city-plan.xlsx", raw_copy / "kakuu-city-plan.xlsx")
    return raw_copy


@pytest.fixture
def checks(monkeypatch) -> list[str]:
    """Names of the workbooks checked in this process (the serial path) from now on."""
    calls: list[str] = []
    original = checked_workbooks._check_file

    def counting(path, name, document_id):
        calls.append(name)
        return original(path, name, document_id)

    monkeypatch.setattr(checked_workbooks, "_check_file", counting)
    monkeypatch.setattr(checked_workbooks, "PARALLEL_ABOVE", 10_000)  # keep checks here, countable
    return calls


def test_warm_cache_build_has_the_same_rows_as_a_full_parse(raw, tmp_path, checks):
    build(raw, tmp_path / "plain.duckdb", cache=False)
    assert len(checks) == 7
    cache = tmp_path / "cache"
    build(raw, tmp_path / "cold.duckdb", cache=cache)
    assert len(checks) == 14
    assert len(list(cache.glob("*.pickle"))) == _entries(7, 5)  # every workbook and text document
    build(raw, tmp_path / "warm.duckdb", cache=cache)
    assert len(checks) == 14  # nothing checked again
    plain = _views(tmp_path / "plain.duckdb")
    assert sum(map(len, plain.values())) > 10_000
    assert _views(tmp_path / "cold.duckdb") == plain
    assert _views(tmp_path / "warm.duckdb") == plain


def test_one_changed_workbook_is_the_only_one_checked_again(raw, tmp_path, checks, national_books):
    cache = tmp_path / "cache"
    build(raw, tmp_path / "w.duckdb", cache=cache)
    checks.clear()
    name = sorted(national_books)[0]
    (raw / name).write_bytes(workbook(random.Random(99), towns(1)[0]))
    (raw / sorted(national_books)[1]).unlink()
    build(raw, tmp_path / "w.duckdb", cache=cache)
    assert checks == [name]
    build(raw, tmp_path / "plain.duckdb", cache=False)
    assert _views(tmp_path / "w.duckdb") == _views(tmp_path / "plain.duckdb")
    assert len(list(cache.glob("*.pickle"))) == _entries(6, 5)  # the removed workbook's entries are pruned


@pytest.mark.parametrize("damage", [b"", b"not a pickle", None])
def test_a_damaged_entry_is_ignored_and_rebuilt(raw, tmp_path, checks, damage):
    import pickle

    cache = tmp_path / "cache"
    build(raw, tmp_path / "w.duckdb", cache=cache)
    expected = _views(tmp_path / "w.duckdb")
    checks.clear()
    for entry in cache.glob("*.pickle"):
        # None: a well-formed pickle that names another key (e.g. a file copied over another).
        entry.write_bytes(damage if damage is not None else
                          pickle.dumps(("gyokaku-extract-cache-1", "0" * 64, "other")))
    build(raw, tmp_path / "w.duckdb", cache=cache)
    assert len(checks) == 7
    assert _views(tmp_path / "w.duckdb") == expected
    checks.clear()
    build(raw, tmp_path / "w.duckdb", cache=cache)  # the rebuilt entries are good again
    assert checks == []


def test_a_change_of_etl_code_or_corrections_invalidates_entries(raw, tmp_path, checks, monkeypatch):
    cache = tmp_path / "cache"
    build(raw, tmp_path / "w.duckdb", cache=cache)
    checks.clear()
    monkeypatch.setattr(extract_cache, "code_version", lambda: "another parser")
    build(raw, tmp_path / "w.duckdb", cache=cache)
    assert len(checks) == 7
    corrections = raw / "corrections.csv"
    lines = corrections.read_text(encoding="utf-8-sig").splitlines()
    corrections.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # drop the last fix
    build(raw, tmp_path / "w.duckdb", cache=cache)
    build(raw, tmp_path / "plain.duckdb", cache=False)
    assert _views(tmp_path / "w.duckdb") == _views(tmp_path / "plain.duckdb")
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        fixes = con.sql("SELECT count(*) FROM data_quality "
                        "WHERE kind IN ('correction', 'correction_unused')").fetchall()[0][0]
    assert fixes == len(lines) - 2  # header and the dropped row


def test_parallel_checks_give_the_serial_rows_and_errors(raw, tmp_path, monkeypatch):
    monkeypatch.setattr(checked_workbooks, "PARALLEL_ABOVE", 10_000)
    build(raw, tmp_path / "serial.duckdb", cache=False)
    monkeypatch.setattr(checked_workbooks, "PARALLEL_ABOVE", 4)
    monkeypatch.setattr(checked_workbooks, "_workers", lambda count: 2)  # even on one core
    build(raw, tmp_path / "parallel.duckdb", cache=False)
    assert _views(tmp_path / "parallel.duckdb") == _views(tmp_path / "serial.duckdb")

    # With a cache the workers also prepare each workbook's rows: the main process builds none
    # (the workers are other processes, so this counter sees only the main process's own).
    from etl import pipeline

    built: list[str] = []
    original = pipeline.tables_of
    monkeypatch.setattr(pipeline, "tables_of", lambda d, dictionary: (built.append(d.format), original(d, dictionary))[1])
    build(raw, tmp_path / "cached.duckdb", cache=tmp_path / "cache")
    assert built.count("workbook") == 0 and len(built) == 5  # the five text documents only
    assert _views(tmp_path / "cached.duckdb") == _views(tmp_path / "serial.duckdb")
    # … and every entry the serial path keeps is kept: the extracts too, which a new categories
    # dictionary rebuilds the rows from (they were written by the workers, then pruned).
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == _entries(7, 5)

    shutil.copy(WORKBOOKS / "many_errors.xlsx", raw / "03-many_errors.xlsx")
    with pytest.raises(WorkbookError) as parallel:
        build(raw, tmp_path / "parallel.duckdb", cache=False)
    monkeypatch.setattr(checked_workbooks, "PARALLEL_ABOVE", 10_000)
    with pytest.raises(WorkbookError) as serial:
        build(raw, tmp_path / "serial.duckdb", cache=False)
    assert str(parallel.value) == str(serial.value)
    assert parallel.value.problems == serial.value.problems
    assert "03-many_errors.xlsx:" in str(parallel.value)


def test_an_import_after_a_build_checks_only_the_imported_workbook(raw, tmp_path, checks, monkeypatch):
    from etl.upload import import_workbook

    monkeypatch.delenv("GYOKAKU_CACHE", raising=False)
    target = tmp_path / "warehouse.duckdb"
    build(raw, target)  # the default cache: cache/ beside the warehouse
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == _entries(7, 5)
    checks.clear()
    data = workbook(random.Random(5), towns(8)[7])
    import_workbook(data, "new.xlsx", raw, target)
    assert checks == []  # the build inside the import reuses the upload's own check (etl.upload._remember)
    assert (raw / "new.xlsx").exists()
    build(raw, tmp_path / "plain.duckdb", cache=False)
    assert _views(target) == _views(tmp_path / "plain.duckdb")


def test_a_change_of_categories_rebuilds_the_rows_without_checking_again(raw, tmp_path, checks):
    """The rows (etl.document_tables) hold each initiative's categories: a new dictionary
    rebuilds them from the cached extracts; no workbook is checked again."""
    cache = tmp_path / "cache"
    build(raw, tmp_path / "w.duckdb", cache=cache)
    before = _views(tmp_path / "w.duckdb")["initiatives"]
    checks.clear()
    categories = raw / "categories.csv"
    lines = categories.read_text(encoding="utf-8-sig").splitlines()
    keywords = [n for n, line in enumerate(lines) if line and not line.startswith("#")][1:]
    categories.write_text("\n".join(line for n, line in enumerate(lines) if n not in keywords[::2]) + "\n",
                          encoding="utf-8")  # every other keyword gone
    build(raw, tmp_path / "w.duckdb", cache=cache)
    assert checks == []
    build(raw, tmp_path / "plain.duckdb", cache=False)
    assert _views(tmp_path / "w.duckdb") == _views(tmp_path / "plain.duckdb")
    assert _views(tmp_path / "w.duckdb")["initiatives"] != before  # the categories did change


def test_lost_rows_are_rebuilt_from_the_extract_and_a_lost_extract_by_checking(raw, tmp_path, checks):
    import pickle

    cache = tmp_path / "cache"
    build(raw, tmp_path / "w.duckdb", cache=cache)
    expected = _views(tmp_path / "w.duckdb")
    kinds = {}
    for entry in cache.glob("*.pickle"):
        kinds.setdefault(type(pickle.loads(entry.read_bytes())[2]).__name__, []).append(entry)
    assert {k: len(v) for k, v in kinds.items()} == {"Checked": 7, "Extract": 7, "DocumentTables": 12,
                                                     "LoadedDocument": 5}
    checks.clear()
    for entry in kinds["DocumentTables"]:
        entry.unlink()
    build(raw, tmp_path / "w.duckdb", cache=cache)
    assert checks == []  # the rows came from the cached extracts
    assert _views(tmp_path / "w.duckdb") == expected
    for entry in [*cache.glob("*.pickle")]:
        if type(pickle.loads(entry.read_bytes())[2]).__name__ in ("DocumentTables", "Extract"):
            entry.unlink()
    build(raw, tmp_path / "w.duckdb", cache=cache)
    assert len(checks) == 7  # without the extracts the workbooks are read again
    assert _views(tmp_path / "w.duckdb") == expected
