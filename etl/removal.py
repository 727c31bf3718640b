"""Deleting an imported municipality: an import in reverse, logged and undoable like one.

Only a workbook that came in through the template (a ``*.xlsx`` in data/raw that no
manifest.csv row names) can be deleted; the bundled text documents are part of the product.
Under the write lock the warehouse without the workbook is written and swapped in — reassembled
from the previous one (``etl.reassembly``) when that was built from today's raw folder, else
rebuilt from a staged copy of data/raw without the workbook — and only then is the workbook
taken out of data/raw; ``etl.history``
keeps the workbook and the previous warehouse, so ``python -m etl undo`` brings both back.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl import history
from etl.documents import read_manifest
from etl.errors import HistoryError
from etl.pipeline import BuildReport, build
from etl.reassembly import reassemble
from etl.workbook import WORKBOOK_FORMAT, discover_workbooks
from settings import cache_dir


@dataclass(frozen=True)
class ImportedDocument:
    document_id: str
    file: str  # name in data/raw
    municipality: str
    title: str


def imported_documents(raw: Path, target: Path) -> list[ImportedDocument]:
    """The warehouse's documents that came from a workbook without a manifest row (deletable)."""
    if not target.exists():
        return []
    files = set(discover_workbooks(raw, read_manifest(raw)))
    con = duckdb.connect()  # ATTACH, not connect(target): see history.counts_of
    try:
        con.sql(f"ATTACH '{str(target).replace(chr(39), chr(39) * 2)}' AS w (READ_ONLY)")
        found = con.sql("SELECT document_id, file, municipality, title FROM w._documents "
                        "WHERE format = ? ORDER BY municipality, document_id", params=[WORKBOOK_FORMAT]).fetchall()
    finally:
        con.close()
    return [ImportedDocument(*row) for row in found if row[1] in files]


def _resolve(which: str, raw: Path, target: Path) -> ImportedDocument:
    documents = imported_documents(raw, target)
    for document in documents:
        if which in (document.document_id, document.file):
            return document
    if any(which in (e.document_id, e.file) for e in read_manifest(raw)):
        raise HistoryError(f"「{which}」は manifest.csv に載っている文書のため削除できません。"
                           "削除できるのは、テンプレートから取り込んだブックだけです。")
    choices = "、".join(f"{d.document_id} ({d.file})" for d in documents) or "なし"
    raise HistoryError(f"取り込んだ文書に「{which}」はありません。document_id かファイル名で指定してください。"
                       f"削除できる文書: {choices}")


def delete_document(which: str, raw: Path, target: Path, *, user: str | None = None,
                    waiting=lambda: None) -> tuple[ImportedDocument, BuildReport]:
    """Remove the imported document ``which`` (its document_id or its workbook's file name)."""
    with history.locked(target, raw, waiting):
        document = _resolve(which, raw, target)
        workbook = raw / document.file
        with history.recording(target, raw, "delete", user or history.os_user(), [document.file]) as change:
            digest = history.sha256_file(workbook)
            report = reassemble(raw, target, document.file, None, cache_dir(target))
            if report is None:  # the previous warehouse is no base: build from scratch
                with tempfile.TemporaryDirectory(prefix="gyokaku-delete-") as work:
                    staged = Path(work) / "raw"
                    shutil.copytree(raw, staged, ignore=lambda _folder, names: [  # not fnmatch: a name may hold [ ]
                        n for n in names if n.startswith((".", "~$")) or n == document.file])
                    report = build(staged, target)
            workbook.unlink()
            change.file, change.sha256, change.counts = document.file, digest, report.counts
    return document, report
