"""The import history (取り込みの履歴): who changed the data, when, and the way back.

Every change of the warehouse — an import from the dashboard, a ``python -m etl`` rebuild, a
deleted workbook, an undo — is one line of ``<warehouse folder>/history/log.jsonl``
(``data/history/`` for ``data/warehouse.duckdb``; git-ignored) with who, when (UTC), the file
and its SHA-256, the rows per public view afterwards, and the data/raw files it changed
(``changes``: name -> [SHA-256 before, SHA-256 after], None = absent).

Beside it, ``versions/<id>/`` keeps what that change replaced: the previous warehouse and the
previous content of each data/raw file it changed (the replaced workbook; nothing for a new
one). ``undo`` puts those back. Only the newest ``KEEP_VERSIONS`` versions are kept, and older
ones go first once all kept versions together exceed ``MAX_BYTES`` (the newest is always kept);
the log lines themselves stay, so the history still says what happened.

Everything here runs under ``etl.lock.exclusive`` (see ``writing``). An undo changes several
files; it first writes every new file under a temporary name and then a journal listing the
renames (the commit point), so a crash leaves either the old state (the temporaries are swept
up) or a journal that the next writer finishes (``recover``) — never half of each.
"""
from __future__ import annotations

import getpass
import hashlib
import json
import os
import shutil
import unicodedata
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import duckdb

from etl.errors import HistoryError
from etl.lock import exclusive

KEEP_VERSIONS = 20
# 20 versions of today's warehouse (8 MB) plus a 10 MB workbook each stay well under this;
# a much larger warehouse keeps fewer versions rather than filling the disk.
MAX_BYTES = int(os.environ.get("GYOKAKU_HISTORY_MAX_MB", "500")) * 2**20

ACTIONS = {"import": "取り込み", "rebuild": "倉庫の作成", "delete": "削除", "undo": "取り消し"}
VIEW_LABELS = {"municipalities": "自治体", "documents": "文書", "initiatives": "取組", "evaluations": "評価",
               "narratives": "記述", "fiscal_effects": "財政効果", "indicators": "指標", "awards": "表彰",
               "data_quality": "データ品質"}
JST = timezone(timedelta(hours=9), "JST")
LOG = "log.jsonl"
JOURNAL = "undo.journal.json"
WAREHOUSE_COPY = "warehouse.duckdb"


@dataclass
class Entry:
    """One line of the log."""

    id: int
    action: str  # a key of ACTIONS
    at: str  # ISO 8601, UTC
    user: str
    file: str | None = None
    sha256: str | None = None  # of ``file`` as imported (import) or as removed (delete)
    counts: dict[str, int] = field(default_factory=dict)
    warehouse_sha256: str | None = None  # of the warehouse after the change
    changes: dict[str, list[str | None]] = field(default_factory=dict)
    undoes: int | None = None  # for an undo: the entry it reverted

    @property
    def local_time(self) -> str:
        return datetime.fromisoformat(self.at).astimezone(JST).strftime("%Y-%m-%d %H:%M:%S")


def os_user() -> str:
    """Who runs ``python -m etl``: the login name (the uid where the system has no name for it)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def history_dir(target: Path) -> Path:
    return target.parent / "history"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def entries(target: Path) -> list[Entry]:
    """The log, oldest first. A last line cut short by a crash is ignored."""
    path = history_dir(target) / LOG
    if not path.exists():
        return []
    known = {f.name for f in fields(Entry)}
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
            found.append(Entry(**{k: v for k, v in record.items() if k in known}))  # a newer field: ignored
        except (json.JSONDecodeError, TypeError):
            continue
    return found


def version_dir(target: Path, entry_id: int) -> Path:
    return history_dir(target) / "versions" / f"{entry_id:06d}"


def undoable(target: Path, entry: Entry) -> bool:
    return (version_dir(target, entry.id) / WAREHOUSE_COPY).exists()


def undone_ids(log: list[Entry]) -> set[int]:
    return {e.undoes for e in log if e.action == "undo" and e.undoes is not None}


def next_to_undo(log: list[Entry]) -> Entry | None:
    """The newest change not yet undone. Undo entries themselves are skipped, so repeated undos
    walk back one change at a time (an undo is not undone by another undo)."""
    undone = undone_ids(log)
    return next((e for e in reversed(log) if e.action != "undo" and e.id not in undone), None)


def counts_of(warehouse: Path) -> dict[str, int]:
    """Rows per public view. ATTACH in a private in-memory database: ``duckdb.connect(path)``
    would reuse a connection the dashboard still holds on the file this path named before."""
    from etl.load import PUBLIC_VIEWS

    con = duckdb.connect()
    try:
        con.sql(f"ATTACH '{_sql_text(warehouse)}' AS w (READ_ONLY)")
        return {v: con.sql(f"SELECT count(*) FROM w.{v}").fetchall()[0][0] for v in PUBLIC_VIEWS}
    finally:
        con.close()


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _append(target: Path, entry: Entry) -> None:
    path = history_dir(target) / LOG
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


@dataclass
class Change:
    """What the code inside ``writing`` fills in about its change."""

    counts: dict[str, int] = field(default_factory=dict)
    file: str | None = None
    sha256: str | None = None
    undoes: int | None = None


@dataclass
class _Snapshot:
    entry_id: int
    staging: Path  # versions/.<id>.partial until the change is done
    before: dict[str, str | None]  # touched data/raw file -> SHA-256 (None: absent)


def _snapshot(target: Path, raw: Path, touches: list[str]) -> _Snapshot:
    """Copy the current warehouse and the data/raw files about to change into a staging folder.
    Without that copy there would be no way back, so a failure (a full disk) stops the change."""
    try:
        return _copy_before(target, raw, touches)
    except OSError as error:
        for partial in (history_dir(target) / "versions").glob(".*.partial"):  # under the lock: ours
            shutil.rmtree(partial, ignore_errors=True)
        raise HistoryError(f"変更の前の倉庫を {history_dir(target)} に保存できないため、何も変えませんでした: "
                           f"{error.strerror or error}") from error


def _copy_before(target: Path, raw: Path, touches: list[str]) -> _Snapshot:
    root = history_dir(target)
    log = entries(target)
    entry_id = max((e.id for e in log), default=0) + 1
    staging = root / "versions" / f".{entry_id:06d}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "raw").mkdir(parents=True)
    if target.exists():
        shutil.copyfile(target, staging / WAREHOUSE_COPY)
    before: dict[str, str | None] = {}
    for name in touches:
        source = raw / name
        if source.exists():
            shutil.copyfile(source, staging / "raw" / name)
            before[name] = sha256_file(source)
        else:
            before[name] = None
    return _Snapshot(entry_id, staging, before)


def _keep(target: Path, snapshot: _Snapshot) -> None:
    """Make the staged version permanent (only when there was a warehouse to go back to)."""
    if (snapshot.staging / WAREHOUSE_COPY).exists():
        os.replace(snapshot.staging, version_dir(target, snapshot.entry_id))
    else:
        shutil.rmtree(snapshot.staging, ignore_errors=True)


def _finish(target: Path, raw: Path, snapshot: _Snapshot, action: str, user: str, change: Change) -> Entry:
    after = {name: sha256_file(raw / name) if (raw / name).exists() else None for name in snapshot.before}
    entry = Entry(snapshot.entry_id, action, _now(), user, change.file, change.sha256, change.counts,
                  sha256_file(target) if target.exists() else None,
                  {n: [snapshot.before[n], after[n]] for n in snapshot.before if snapshot.before[n] != after[n]},
                  change.undoes)
    _keep(target, snapshot)
    _append(target, entry)
    prune(target)
    return entry


@contextmanager
def locked(target: Path, raw: Path, waiting=lambda: None) -> Iterator[None]:
    """The writer lock, after finishing an undo a crash interrupted."""
    with exclusive(target, waiting):
        history_dir(target).mkdir(parents=True, exist_ok=True)
        recover(target, raw)
        yield


@contextmanager
def recording(target: Path, raw: Path, action: str, user: str, touches: list[str] = ()) -> Iterator[Change]:
    """Inside ``locked``: keep what the change replaces, let it run, then log it. A change that
    raises leaves no trace in the history (it changed nothing either)."""
    snapshot = _snapshot(target, raw, list(touches))
    change = Change()
    try:
        yield change
    except BaseException:
        shutil.rmtree(snapshot.staging, ignore_errors=True)
        raise
    _finish(target, raw, snapshot, action, user, change)


@contextmanager
def writing(target: Path, raw: Path, action: str, user: str, touches: list[str] = (),
            waiting=lambda: None) -> Iterator[Change]:
    """``locked`` + ``recording``: what an import, a rebuild or a delete runs inside."""
    with locked(target, raw, waiting), recording(target, raw, action, user, touches) as change:
        yield change


# ---- undo ----------------------------------------------------------------------------------

def undo(target: Path, raw: Path, user: str, waiting=lambda: None) -> Entry:
    """Put back the warehouse and the data/raw files as they were before the newest change not
    yet undone; record the undo (with what it replaced, so nothing is lost). Returns the undo's
    entry (``undoes`` names the change it reverted)."""
    with locked(target, raw, waiting):
        log = entries(target)
        entry = next_to_undo(log)
        if entry is None:
            raise HistoryError("取り消せる操作がありません（履歴が空か、すべて取り消し済みです）。")
        version = version_dir(target, entry.id)
        if not undoable(target, entry):
            raise HistoryError(f"履歴 {entry.id} 番 ({ACTIONS[entry.action]} {entry.local_time}) は、"
                               "以前の倉庫が残っていないため取り消せません"
                               "（最初の作成か、保存期間を過ぎた版です）。")
        snapshot = _snapshot(target, raw, list(entry.changes))
        try:
            steps = _prepare_restore(target, raw, version, entry)
            counts = counts_of(Path(steps[-1][1]))
            restored_sha = sha256_file(Path(steps[-1][1]))
            undo_entry = Entry(snapshot.entry_id, "undo", _now(), user, entry.file, entry.sha256, counts,
                               restored_sha,
                               {n: [snapshot.before[n], before] for n, (before, _after) in entry.changes.items()
                                if snapshot.before[n] != before},
                               entry.id)
            _keep(target, snapshot)
            # The commit point: from here on the undo happens, now or at the next writer's recover().
            _write_atomically(history_dir(target) / JOURNAL,
                              json.dumps({"entry": asdict(undo_entry), "steps": steps}, ensure_ascii=False))
        except Exception as error:  # nothing changed yet: leave no temporaries (a crash's are swept by recover)
            shutil.rmtree(snapshot.staging, ignore_errors=True)
            recover(target, raw)
            if isinstance(error, OSError):
                raise HistoryError(f"取り消しの準備中にファイルを書けなかったため、何も変えませんでした: "
                                   f"{error.strerror or error}") from error
            raise
        _complete(target)
        prune(target)
        return undo_entry


def _prepare_restore(target: Path, raw: Path, version: Path, entry: Entry) -> list[list[str]]:
    """Write every file the undo puts back under a temporary name beside its destination;
    return the steps (["replace", temporary, destination] / ["delete", path]) that finish it.
    The warehouse's step comes last, so readers see the new data only when data/raw has it."""
    steps: list[list[str]] = []
    for name, (before, _after) in entry.changes.items():
        destination = raw / name
        if before is None:
            steps.append(["delete", str(destination)])
            continue
        temporary = raw / f".undo-{entry.id}-{hashlib.sha256(name.encode()).hexdigest()[:12]}"
        shutil.copyfile(version / "raw" / name, temporary)
        if sha256_file(temporary) != before:
            temporary.unlink()
            raise HistoryError(f"履歴 {entry.id} 番に保存した {name} が壊れています（SHA-256 が記録と異なります）。")
        steps.append(["replace", str(temporary), str(destination)])
    temporary = target.with_name(f"{target.name}.undo-{entry.id}")
    shutil.copyfile(version / WAREHOUSE_COPY, temporary)
    steps.append(["replace", str(temporary), str(target)])
    return steps


def _complete(target: Path) -> None:
    """Carry out a journal's steps (each is idempotent) and log its entry once."""
    journal = history_dir(target) / JOURNAL
    plan = json.loads(journal.read_text(encoding="utf-8"))
    for step in plan["steps"]:
        if step[0] == "delete":
            Path(step[1]).unlink(missing_ok=True)
        elif Path(step[1]).exists():  # absent: this rename already happened before a crash
            os.replace(step[1], step[2])
    entry = Entry(**plan["entry"])
    if entry.id not in {e.id for e in entries(target)}:
        _append(target, entry)
    journal.unlink()


def recover(target: Path, raw: Path) -> None:
    """Finish an undo that a crash interrupted after its commit point; sweep up what a crash
    before it left (temporaries, a staged version nobody logged). Under the lock only."""
    if (history_dir(target) / JOURNAL).exists():
        _complete(target)
    for leftover in [*target.parent.glob(f"{target.name}.undo-*"), *raw.glob(".undo-*")]:
        leftover.unlink(missing_ok=True)
    prune(target)


# ---- size bound ----------------------------------------------------------------------------

def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def prune(target: Path) -> None:
    """Keep the newest KEEP_VERSIONS versions within MAX_BYTES (the newest always); drop staged
    versions and versions no log line names (left by a crash)."""
    versions = history_dir(target) / "versions"
    if not versions.exists():
        return
    logged = {e.id for e in entries(target)}
    kept = 0
    total = 0
    for path in sorted(versions.iterdir(), reverse=True):
        if path.name.startswith(".") or not path.name.isdigit() or int(path.name) not in logged:
            shutil.rmtree(path, ignore_errors=True)
            continue
        size = _size(path)
        if kept == 0 or (kept < KEEP_VERSIONS and total + size <= MAX_BYTES):
            kept += 1
            total += size
        else:
            shutil.rmtree(path, ignore_errors=True)


# ---- the table people read -----------------------------------------------------------------

def rows(target: Path, log: list[Entry] | None = None) -> list[dict[str, Any]]:
    """The history as the CLI and the import page show it, newest first (Japanese headers)."""
    log = entries(target) if log is None else log
    undone = undone_ids(log)
    upcoming = next_to_undo(log)
    out = []
    for e in reversed(log):
        if e.action == "undo":
            state = f"{e.undoes} 番を取り消し"
        elif e.id in undone:
            state = "取り消し済み"
        elif upcoming is not None and e.id == upcoming.id:
            state = "次に取り消せます" if undoable(target, e) else "取り消せません（以前の版なし）"
        else:
            state = ""
        out.append({"番号": e.id, "日時": e.local_time, "操作": ACTIONS.get(e.action, e.action), "状態": state,
                    "利用者": e.user, "ファイル": e.file or "—",
                    "SHA-256": (e.sha256 or "")[:12] or "—",
                    "行数": " ".join(f"{VIEW_LABELS.get(v, v)} {n:,}" for v, n in e.counts.items()
                                   if v in ("documents", "initiatives", "evaluations", "fiscal_effects",
                                            "indicators"))})
    return out


def text_table(table: list[dict[str, Any]]) -> str:
    """Columns aligned by display width (a kanji takes two columns in a terminal)."""
    if not table:
        return "履歴はまだありません。"
    headers = list(table[0])

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    cells = [[str(row[h]) for h in headers] for row in table]
    widths = [max(width(h), *(width(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = []
    for values in [headers, *cells]:
        lines.append("  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths)).rstrip())
    return "\n".join(lines)
