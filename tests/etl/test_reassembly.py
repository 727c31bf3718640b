"""An import reassembles the warehouse from the previous one (etl.reassembly) and ends with
exactly the tables a from-scratch build of the same raw folder writes; whatever it cannot
reassemble goes through the full build, with the same result."""
from __future__ import annotations

import io
import os
import random
from pathlib import Path

import duckdb
import openpyxl
import pytest

import etl.removal as removal
import etl.upload as upload
from bench.national import towns, workbook
from etl import history
from etl.errors import WorkbookError
from etl.load import PUBLIC_VIEWS
from etl.pipeline import build
from etl.upload import import_workbook

# Tables whose content is the build's own record (when, how long), not data.
OWN_RECORD = {"_build"}


def _tables(path: Path) -> dict[str, list[tuple]]:
    """Every public view and every internal table (but _build), all rows ordered by all columns."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.sql("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {name: con.sql(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall()
                for name in [*PUBLIC_VIEWS, *names] if name not in OWN_RECORD}
    finally:
        con.close()


@pytest.fixture
def built(raw_copy, tmp_path, monkeypatch) -> tuple[Path, Path]:
    monkeypatch.delenv("GYOKAKU_CACHE", raising=False)
    rng = random.Random(3)
    for n, town in enumerate(towns(4)):
        (raw_copy / f"{n:02d}-{town.name}.xlsx").write_bytes(workbook(rng, town))
    target = tmp_path / "wh" / "warehouse.duckdb"
    build(raw_copy, target)  # the extract cache beside it, as the dashboard's
    return raw_copy, target


@pytest.fixture
def full_builds(monkeypatch) -> list[Path]:
    """The raw folders the import had to build from scratch (the fall-back)."""
    calls: list[Path] = []
    original = upload.build

    def counting(raw, target, *args, **kwargs):
        calls.append(raw)
        return original(raw, target, *args, **kwargs)

    monkeypatch.setattr(upload, "build", counting)
    monkeypatch.setattr(removal, "build", counting)
    return calls


def _from_scratch(raw: Path, tmp_path: Path, label: str) -> dict[str, list[tuple]]:
    target = tmp_path / label / "warehouse.duckdb"
    build(raw, target, cache=tmp_path / label / "fresh-cache")  # every file parsed again
    return _tables(target)


def _assert_same(target: Path, expected: dict[str, list[tuple]]) -> None:
    actual = _tables(target)
    assert list(actual) == list(expected)
    for name in expected:
        assert actual[name] == expected[name], name


def test_an_import_is_reassembled_with_the_rows_of_a_full_build(built, tmp_path, full_builds):
    raw, target = built
    town = towns(7)[6]
    _, report = import_workbook(workbook(random.Random(11), town), "new-town.xlsx", raw, target)
    assert full_builds == []  # reassembled
    expected = _from_scratch(raw, tmp_path, "scratch")
    assert len(expected["evaluations"]) > 5_000
    assert any(r[0] == town.name for r in expected["municipalities"])
    _assert_same(target, expected)
    full = build(raw, tmp_path / "report" / "warehouse.duckdb", cache=False)
    assert (report.counts, report.issues_by_kind, report.documents, report.not_imported) == (
        full.counts, full.issues_by_kind, full.documents, full.not_imported)
    assert "new-town.xlsx" in report.documents


def test_a_replaced_workbook_loses_its_old_rows(built, tmp_path, full_builds):
    raw, target = built
    name = sorted(p.name for p in raw.glob("*.xlsx"))[1]
    town = towns(2)[1]
    with duckdb.connect(str(target), read_only=True) as con:
        before = con.sql("SELECT count(*) FROM narratives").fetchall()[0][0]
    import_workbook(workbook(random.Random(99), town), name, raw, target)  # the same plan, other figures
    assert full_builds == []
    _assert_same(target, _from_scratch(raw, tmp_path, "scratch"))
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM narratives").fetchall()[0][0] == before  # 60 replaced by 60
    # and a second import reassembles from the reassembled one
    import_workbook(workbook(random.Random(5), towns(9)[8]), "ninth.xlsx", raw, target)
    assert full_builds == []
    _assert_same(target, _from_scratch(raw, tmp_path, "scratch2"))


def test_a_deleted_workbook_is_reassembled_too(built, tmp_path, full_builds):
    raw, target = built
    name = sorted(p.name for p in raw.glob("*.xlsx"))[2]
    removal.delete_document(name, raw, target)
    assert full_builds == []
    assert not (raw / name).exists()
    expected = _from_scratch(raw, tmp_path, "scratch")
    assert len(expected["documents"]) == 5 + 3
    _assert_same(target, expected)


def test_a_raw_folder_changed_by_hand_is_built_from_scratch(built, tmp_path, full_builds):
    raw, target = built
    stray = raw / "00-府中市.xlsx"
    stray.write_bytes(workbook(random.Random(42), towns(1)[0]))  # replaced without an import
    import_workbook(workbook(random.Random(11), towns(7)[6]), "new-town.xlsx", raw, target)
    assert len(full_builds) == 1
    _assert_same(target, _from_scratch(raw, tmp_path, "scratch"))
    os.utime(stray, ns=(stray.stat().st_atime_ns, stray.stat().st_mtime_ns + 1))  # touched: same bytes
    import_workbook(workbook(random.Random(12), towns(8)[7]), "eighth.xlsx", raw, target)
    assert len(full_builds) == 2


def _relabelled(data: bytes, document_id: str) -> bytes:
    """The workbook with another 文書ID on its 計画 sheet."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["計画"]
    column = next(c.column for c in sheet[1] if c.value == "文書ID")
    sheet.cell(row=2, column=column).value = document_id
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_document_id_taken_by_another_file_is_refused_by_the_full_build(built, full_builds):
    raw, target = built
    before = history.sha256_file(target)
    with pytest.raises(WorkbookError, match="文書ID"):  # the first plan's id, in another file
        import_workbook(workbook(random.Random(77), towns(1)[0]), "zz-second-plan.xlsx", raw, target)
    assert len(full_builds) == 1
    assert history.sha256_file(target) == before
    assert not (raw / "zz-second-plan.xlsx").exists()


def test_a_second_plan_stating_another_population_is_built_from_scratch(built, tmp_path, full_builds):
    """The data_quality row about two plans' 人口 is the full build's to write."""
    raw, target = built
    data = _relabelled(workbook(random.Random(77), towns(1)[0]), "second-plan")
    import_workbook(data, "zz-second-plan.xlsx", raw, target)
    assert len(full_builds) == 1
    expected = _from_scratch(raw, tmp_path, "scratch")
    assert any("人口が文書によって異なります" in r[3] for r in expected["data_quality"])
    _assert_same(target, expected)


def test_after_an_undo_the_restored_warehouse_is_the_base_again(built, tmp_path, full_builds):
    """Undoing a new workbook deletes it from data/raw and puts back the warehouse that was built
    without it: the listing it records holds again, so the next import reassembles from it."""
    raw, target = built
    import_workbook(workbook(random.Random(11), towns(7)[6]), "new-town.xlsx", raw, target)
    history.undo(target, raw, "tester")
    assert not (raw / "new-town.xlsx").exists()
    import_workbook(workbook(random.Random(12), towns(8)[7]), "eighth.xlsx", raw, target)
    assert full_builds == []
    _assert_same(target, _from_scratch(raw, tmp_path, "scratch"))
