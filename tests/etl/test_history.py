"""Imports that never lose data: one writer at a time, and a history that can undo every change.

Each test works on its own copy of data/raw and its own warehouse (history beside it)."""
from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl import history
from etl.errors import HistoryError
from etl.lock import exclusive
from etl.pipeline import build
from etl.removal import delete_document, imported_documents
from etl.upload import import_workbook
from tests.conftest import ROOT

WORKBOOKS = Path(__file__).parent / "workbooks"
KAKUU = "kakuu-city-plan.xlsx"


def workbook_of(municipality: str, document_id: str, title: str | None = None) -> bytes:
    """The valid golden workbook, re-labelled as another municipality's plan."""
    book = openpyxl.load_workbook(WORKBOOKS / KAKUU)
    sheet = book["計画"]
    headers = {c.value: c.column for c in sheet[1]}
    for header, value in (("自治体", municipality), ("文書ID", document_id), ("計画名", title)):
        if value is not None:
            sheet.cell(row=2, column=headers[header]).value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def municipalities(target: Path) -> set[str]:
    with duckdb.connect(str(target), read_only=True) as con:
        return {r[0] for r in con.sql("SELECT municipality FROM documents").fetchall()}


def raw_state(raw: Path) -> dict[str, str]:
    return {p.name: history.sha256_file(p) for p in sorted(raw.iterdir())}


def state(raw: Path, target: Path) -> tuple[dict[str, str], str, dict[str, int]]:
    """Every file of data/raw by SHA-256, the warehouse's SHA-256 and its rows per view."""
    return raw_state(raw), history.sha256_file(target), history.counts_of(target)


@pytest.fixture
def raw_and_warehouse(raw_copy, tmp_path) -> tuple[Path, Path]:
    target = tmp_path / "warehouse.duckdb"
    build(raw_copy, target)  # not through the CLI: the history starts empty
    return raw_copy, target


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180)


def test_two_imports_started_together_both_land(raw_and_warehouse):
    raw, target = raw_and_warehouse
    uploads = {"kakuu-city-plan.xlsx": workbook_of("架空市", "kakuu-city"),
               "kakuu-town-plan.xlsx": workbook_of("架空町", "kakuu-town", "架空町行財政改革プラン")}
    start = threading.Barrier(len(uploads))
    failures: list[BaseException] = []

    def run(name: str, data: bytes) -> None:
        start.wait()
        try:
            import_workbook(data, name, raw, target, user=f"{name}@example.jp")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=run, args=item) for item in uploads.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert failures == []
    assert {"架空市", "架空町"} <= municipalities(target)
    assert all((raw / name).read_bytes() == data for name, data in uploads.items())
    log = history.entries(target)
    assert [e.action for e in log] == ["import", "import"]
    assert {e.file for e in log} == set(uploads)
    assert log[-1].counts["documents"] == 7  # the later import was built with the earlier one's workbook


def test_a_cli_rebuild_waits_for_the_lock_an_import_holds(raw_and_warehouse):
    raw, target = raw_and_warehouse
    with exclusive(target):
        process = subprocess.Popen([sys.executable, "-m", "etl", "--raw", str(raw), "--out", str(target)],
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert "別の取り込み・倉庫の作成が終わるのを待っています" in process.stderr.readline()
        assert process.poll() is None  # still waiting: it did not build beside us
        before = history.sha256_file(target)
    out, _ = process.communicate(timeout=180)
    assert process.returncode == 0, out
    assert history.sha256_file(target) != before
    assert [e.action for e in history.entries(target)] == ["rebuild"]


def test_import_records_who_when_what_and_rows(raw_and_warehouse):
    raw, target = raw_and_warehouse
    data = (WORKBOOKS / KAKUU).read_bytes()
    import_workbook(data, KAKUU, raw, target, user="tanaka@city.example.jp")
    [entry] = history.entries(target)
    assert (entry.action, entry.user, entry.file) == ("import", "tanaka@city.example.jp", KAKUU)
    assert entry.sha256 == history.sha256_file(raw / KAKUU)
    assert entry.counts == history.counts_of(target)
    assert entry.counts["documents"] == 6 and entry.counts["initiatives"] == 333 + 5
    assert entry.changes == {KAKUU: [None, entry.sha256]}
    assert entry.warehouse_sha256 == history.sha256_file(target)
    assert entry.at.endswith("+00:00")
    assert history.undoable(target, entry)


def test_undo_walks_back_imports_exactly(raw_and_warehouse):
    raw, target = raw_and_warehouse
    original = state(raw, target)
    first = workbook_of("架空市", "kakuu-city")
    import_workbook(first, KAKUU, raw, target, user="a")
    after_first = state(raw, target)
    import_workbook(workbook_of("架空市", "kakuu-city", "改訂版プラン"), KAKUU, raw, target, user="b")

    undo = history.undo(target, raw, "c")
    assert state(raw, target) == after_first  # the replaced workbook and warehouse, byte for byte
    assert (raw / KAKUU).read_bytes() == first
    assert (undo.action, undo.user, undo.undoes) == ("undo", "c", 2)

    history.undo(target, raw, "c")
    assert state(raw, target) == original
    assert not (raw / KAKUU).exists()
    assert [(e.action, e.undoes) for e in history.entries(target)] == [
        ("import", None), ("import", None), ("undo", 2), ("undo", 1)]
    assert not [p for p in raw.iterdir() if p.name.startswith(".")]
    assert not list(target.parent.glob("warehouse.duckdb.undo-*"))

    with pytest.raises(HistoryError, match="取り消せる操作がありません"):
        history.undo(target, raw, "c")


def test_an_undo_keeps_what_it_takes_away(raw_and_warehouse):
    raw, target = raw_and_warehouse
    data = (WORKBOOKS / KAKUU).read_bytes()
    import_workbook(data, KAKUU, raw, target)
    imported_warehouse = history.sha256_file(target)
    undo = history.undo(target, raw, "c")
    kept = history.version_dir(target, undo.id)
    assert (kept / "raw" / KAKUU).read_bytes() == data
    assert history.sha256_file(kept / "warehouse.duckdb") == imported_warehouse


def test_delete_is_an_import_in_reverse_and_undoable(raw_and_warehouse):
    raw, target = raw_and_warehouse
    data = workbook_of("架空町", "kakuu-town")
    import_workbook(data, "town.xlsx", raw, target)
    imported = state(raw, target)
    assert [(d.document_id, d.file, d.municipality) for d in imported_documents(raw, target)] == [
        ("kakuu-town", "town.xlsx", "架空町")]

    document, report = delete_document("kakuu-town", raw, target, user="d")
    assert document.municipality == "架空町" and "架空町" not in municipalities(target)
    assert not (raw / "town.xlsx").exists() and report.counts["documents"] == 5
    entry = history.entries(target)[-1]
    assert (entry.action, entry.user, entry.file) == ("delete", "d", "town.xlsx")
    assert entry.sha256 == hashlib.sha256(data).hexdigest() and entry.changes == {"town.xlsx": [entry.sha256, None]}

    history.undo(target, raw, "d")
    assert state(raw, target) == imported


def test_bundled_documents_cannot_be_deleted(raw_and_warehouse):
    raw, target = raw_and_warehouse
    before = state(raw, target)
    with pytest.raises(HistoryError, match="manifest.csv に載っている文書のため削除できません"):
        delete_document("komae-gyokaku-r3", raw, target)
    with pytest.raises(HistoryError, match="取り込んだ文書に「nothing.xlsx」はありません"):
        delete_document("nothing.xlsx", raw, target)
    assert state(raw, target) == before and history.entries(target) == []


def test_the_first_build_cannot_be_undone(raw_copy, tmp_path):
    target = tmp_path / "warehouse.duckdb"
    assert run_cli("--raw", str(raw_copy), "--out", str(target), "--quiet").returncode == 0
    result = run_cli("undo", "--raw", str(raw_copy), "--out", str(target))
    assert result.returncode == 1
    assert "以前の倉庫が残っていないため取り消せません" in result.stderr
    assert target.exists()


def test_cli_history_undo_and_delete(raw_and_warehouse):
    raw, target = raw_and_warehouse
    original = state(raw, target)
    paths = ("--raw", str(raw), "--out", str(target))
    assert run_cli(*paths, "--quiet").returncode == 0  # a rebuild is recorded too
    rebuilt = state(raw, target)
    import_workbook(workbook_of("架空町", "kakuu-town"), "town.xlsx", raw, target, user="editor@example.jp")
    imported = state(raw, target)

    deleted = run_cli("delete", "town.xlsx", *paths)
    assert deleted.returncode == 0, deleted.stderr
    assert "架空町" in deleted.stdout and "python -m etl undo" in deleted.stdout
    assert not (raw / "town.xlsx").exists()

    listing = run_cli("history", "--out", str(target))
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["番号", "日時", "操作", "状態", "利用者", "ファイル", "SHA-256", "行数"]
    assert lines[1].split()[:1] + lines[1].split()[3:4] == ["3", "削除"]
    assert "次に取り消せます" in lines[1] and "editor@example.jp" in lines[2] and "倉庫の作成" in lines[3]

    undone = run_cli("undo", *paths)
    assert undone.returncode == 0, undone.stderr
    assert "履歴 3 番（削除 town.xlsx" in undone.stdout
    assert state(raw, target) == imported
    assert run_cli("undo", *paths).returncode == 0
    assert state(raw, target) == rebuilt
    assert run_cli("undo", *paths).returncode == 0
    assert state(raw, target) == original
    log = history.entries(target)
    assert [e.action for e in log] == ["rebuild", "import", "delete", "undo", "undo", "undo"]
    assert all(e.user for e in log)


def test_a_crash_after_the_undo_journal_is_finished_by_the_next_writer(raw_and_warehouse, monkeypatch):
    raw, target = raw_and_warehouse
    original = state(raw, target)
    import_workbook((WORKBOOKS / KAKUU).read_bytes(), KAKUU, raw, target)

    def crash_after_first_step(target_: Path) -> None:
        plan = json.loads((history.history_dir(target_) / history.JOURNAL).read_text(encoding="utf-8"))
        kind, *paths = plan["steps"][0]
        assert kind == "delete"  # the imported workbook goes first, the warehouse last
        Path(paths[0]).unlink()
        raise KeyboardInterrupt  # the process dies here

    monkeypatch.setattr(history, "_complete", crash_after_first_step)
    with pytest.raises(KeyboardInterrupt):
        history.undo(target, raw, "c")
    monkeypatch.undo()
    assert not (raw / KAKUU).exists() and "架空市" in municipalities(target)  # half done…

    with history.locked(target, raw):  # …until the next import, rebuild, undo or delete
        pass
    assert state(raw, target) == original
    assert [e.action for e in history.entries(target)] == ["import", "undo"]
    assert not (history.history_dir(target) / history.JOURNAL).exists()


def test_a_crash_before_the_journal_leaves_the_old_state(raw_and_warehouse, monkeypatch):
    raw, target = raw_and_warehouse
    import_workbook((WORKBOOKS / KAKUU).read_bytes(), KAKUU, raw, target)
    imported = state(raw, target)

    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(history, "_write_atomically", crash)
    with pytest.raises(KeyboardInterrupt):
        history.undo(target, raw, "c")
    monkeypatch.undo()
    with history.locked(target, raw):
        pass
    assert state(raw, target) == imported
    assert [e.action for e in history.entries(target)] == ["import"]
    assert [p.name for p in (history.history_dir(target) / "versions").iterdir()] == ["000001"]


def test_history_keeps_the_newest_versions_within_the_bound(raw_and_warehouse, monkeypatch):
    raw, target = raw_and_warehouse
    monkeypatch.setattr(history, "KEEP_VERSIONS", 2)
    for number in range(3):
        import_workbook(workbook_of("架空市", "kakuu-city", f"版 {number}"), KAKUU, raw, target)
    versions = history.history_dir(target) / "versions"
    assert sorted(p.name for p in versions.iterdir()) == ["000002", "000003"]
    assert len(history.entries(target)) == 3

    monkeypatch.setattr(history, "MAX_BYTES", 1)
    history.prune(target)
    assert sorted(p.name for p in versions.iterdir()) == ["000003"]  # the newest stays whatever its size
    history.undo(target, raw, "c")
    with pytest.raises(HistoryError, match="履歴 2 番 .*は、以前の倉庫が残っていないため取り消せません"):
        history.undo(target, raw, "c")
    assert history.rows(target)[1]["状態"] == "取り消し済み"
    assert history.rows(target)[2]["状態"] == "取り消せません（以前の版なし）"


def test_the_history_folder_is_never_committed():
    for path in ("data/history/log.jsonl", "data/history/versions/000001/warehouse.duckdb",
                 "data/warehouse.duckdb.lock"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0, path


def test_a_log_line_cut_short_or_from_a_newer_version_hides_nothing_else(raw_and_warehouse):
    raw, target = raw_and_warehouse
    import_workbook((WORKBOOKS / KAKUU).read_bytes(), KAKUU, raw, target)
    log = history.history_dir(target) / history.LOG
    line = json.loads(log.read_text(encoding="utf-8"))
    with log.open("a", encoding="utf-8") as f:
        f.write(json.dumps({**line, "id": 2, "reviewer": "a field this version does not know"}) + "\n")
        f.write('{"id": 3, "action": "imp')  # the process died while writing
    assert [e.id for e in history.entries(target)] == [1, 2]


def test_a_damaged_saved_workbook_stops_the_undo_before_anything_changes(raw_and_warehouse):
    raw, target = raw_and_warehouse
    import_workbook(workbook_of("架空市", "kakuu-city"), KAKUU, raw, target)
    import_workbook(workbook_of("架空市", "kakuu-city", "改訂版"), KAKUU, raw, target)
    current = state(raw, target)
    (history.version_dir(target, 2) / "raw" / KAKUU).write_bytes(b"damaged")
    with pytest.raises(HistoryError, match=f"履歴 2 番に保存した {KAKUU} が壊れています"):
        history.undo(target, raw, "c")
    assert state(raw, target) == current
    assert [e.action for e in history.entries(target)] == ["import", "import"]
    assert not [p for p in raw.iterdir() if p.name.startswith(".")]
    assert sorted(p.name for p in (history.history_dir(target) / "versions").iterdir()) == ["000001", "000002"]


def test_no_room_for_the_previous_warehouse_means_no_import(raw_and_warehouse, monkeypatch):
    raw, target = raw_and_warehouse
    before = state(raw, target)

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(history.shutil, "copyfile", disk_full)
    with pytest.raises(HistoryError, match="変更の前の倉庫を .* に保存できないため、何も変えませんでした: No space left"):
        import_workbook((WORKBOOKS / KAKUU).read_bytes(), KAKUU, raw, target)
    monkeypatch.undo()
    assert state(raw, target) == before and history.entries(target) == []
    assert not list((history.history_dir(target) / "versions").iterdir())
