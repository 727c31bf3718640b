"""Importing an uploaded workbook (the dashboard's データの取り込み page).

The order keeps both the raw folder and the warehouse consistent whatever fails:
1. ``check`` validates the bytes; a workbook with errors raises ``WorkbookError`` and nothing
   is written anywhere. A passing check goes into the extract cache, where the build below
   finds it instead of checking the workbook again.
2. The workbook is written into data/raw under a hidden name, which the pipeline ignores.
3. A new warehouse is written beside the old one and validated completely before it replaces
   the warehouse file (os.replace), so a failure leaves the previous warehouse as it was. When
   the previous warehouse was built from today's raw folder, it is reassembled from that one
   (``etl.reassembly``: its rows, minus a replaced workbook's, plus the new workbook's);
   otherwise ``build`` runs on a staged copy of data/raw that holds the workbook under its
   real name. Both give the same rows.
4. Only after that is the hidden file renamed to its real name (replacing an earlier upload of
   the same name). Renaming keeps its modification time older than the warehouse, so
   ``python -m etl --if-stale`` does not rebuild for nothing.

Steps 2–4 run under the warehouse's write lock (``etl.lock``), so two imports started together
both land: the second builds from a data/raw that already holds the first's workbook. Step 1
reads only the uploaded bytes and runs before the lock, so a slow check never holds others up.
Inside the lock ``etl.history`` keeps the previous warehouse and the replaced workbook and
logs the import (who, when, file, SHA-256, rows per view) for ``python -m etl undo``.
"""
from __future__ import annotations

import copy
import hashlib
import os
import shutil
import tempfile
import unicodedata
from pathlib import Path

from etl import history
from etl.build_status import clear_failure
from etl.checked_workbooks import Checked, store
from etl.errors import LoadError, WorkbookError
from etl.extract_cache import ExtractCache, entry_key
from etl.leftovers import import_dir_prefix, remove_stale, upload_pending
from etl.pipeline import BuildReport, build
from etl.reassembly import reassemble
from etl.reconcile import reconcile
from etl.workbook import WorkbookCheck, check
from settings import cache_dir

# UTF-8 bytes of a kept file name: file systems allow 255; the rest is room for the names other
# copies get (history, staging). About 66 Japanese characters.
MAX_NAME_BYTES = 200


def safe_file_name(name: str) -> str:
    """The upload's own base name (never a path); refuses names the pipeline would skip."""
    if any(unicodedata.category(ch) == "Cc" for ch in name):  # NUL, newline, tab …
        shown = "".join("?" if unicodedata.category(ch) == "Cc" else ch for ch in name)
        raise WorkbookError(f"ファイル名「{shown}」に使えない文字（制御文字）が含まれています。"
                            "名前を変えてからもう一度選んでください。")
    base = Path(name.replace("\\", "/")).name.strip()
    if not base or base.startswith((".", "~$")):
        raise WorkbookError(f"ファイル名「{name}」は使えません。名前を変えてからもう一度選んでください。")
    size = len(base.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        raise WorkbookError(f"ファイル名が長すぎます（{len(base)} 文字、{size} バイト）。上限は {MAX_NAME_BYTES} バイト"
                            f"（日本語なら約 {MAX_NAME_BYTES // 3} 文字）です。短い名前にしてからもう一度選んでください。")
    return base


def import_workbook(data: bytes, file_name: str, raw: Path, target: Path, *, user: str | None = None,
                    waiting=lambda: None) -> tuple[WorkbookCheck, BuildReport]:
    """Validate, rebuild the warehouse with the workbook, then keep it in ``raw``.

    ``user``: who imports, for the history (the signed-in e-mail; default the OS user).
    ``waiting``: called once if another import or rebuild holds the lock (we then wait for it).
    """
    name = safe_file_name(file_name)
    result = check(data, name)
    if not result.ok:
        raise WorkbookError(result.report(), tuple(result.problems))
    _remember(data, name, result, target)
    with history.writing(target, raw, "import", user or history.os_user(), [name], waiting) as change:
        report = _swap_in(data, name, raw, target)
        change.file, change.sha256, change.counts = name, hashlib.sha256(data).hexdigest(), report.counts
    return result, report


def _remember(data: bytes, name: str, result: WorkbookCheck, target: Path) -> None:
    """Store this check in the extract cache under the key the build computes for the file (its
    bytes, its name, no manifest row, the ETL code), so the build inside the import reads it
    instead of checking the workbook a second time. A manifest row naming the file gives
    another key: then the build checks it itself."""
    cache = ExtractCache(cache_dir(target))
    sha256 = hashlib.sha256(data).hexdigest()
    key = entry_key("workbook", sha256, [name, None])
    reconciled = reconcile(copy.deepcopy(result.extract))  # reconcile may touch its input; the page shows ``result``
    store(cache, key, Checked(sha256, result, reconciled))


def _swap_in(data: bytes, name: str, raw: Path, target: Path) -> BuildReport:
    """Steps 2–4 (under the lock): build with the workbook, swap, then keep it in ``raw``."""
    remove_stale(raw=raw, target=target, import_dirs=True)  # what killed imports left
    pending = upload_pending(raw)
    try:
        pending.write_bytes(data)
        report = reassemble(raw, target, name, pending, cache_dir(target))
        if report is None:  # the previous warehouse is no base for this import: build from scratch
            with tempfile.TemporaryDirectory(prefix=import_dir_prefix()) as work:
                staged = Path(work) / "raw"
                shutil.copytree(raw, staged, ignore=shutil.ignore_patterns(".*", "~$*"))
                shutil.copy2(pending, staged / name)
                report = build(staged, target)
        os.replace(pending, raw / name)
        clear_failure(target)  # the raw folder builds again
    except OSError as error:  # disk full, permissions: the previous state stays
        raise LoadError(f"ブック {name} を保存できませんでした: {error.strerror or error}") from error
    finally:
        pending.unlink(missing_ok=True)
    return report
