"""Workbooks as documents of the ETL run.

Every ``*.xlsx`` in data/raw is imported, listed in manifest.csv or not (Excel's ``~$…``
lock files and hidden files are skipped). A manifest row with format ``workbook`` may name
one to fix its document_id, published date and checksum; the workbook's own 計画 sheet
still gives municipality, prefecture and title (a disagreement is recorded).

Every workbook is checked before any is used; if one has errors, ``WorkbookError`` lists the
problems of all failing workbooks and the run stops before the warehouse is touched.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from etl.documents import ManifestEntry
from etl.errors import WorkbookError
from etl.extract_cache import ExtractCache
from etl.load import LoadedDocument
from etl.model import Extract, Issue
from etl.municipality_codes import CodeList, MunicipalityCodeError
from etl.workbook.layout import PLAN
from etl.workbook.problems import ERROR, Problem, WorkbookCheck

WORKBOOK_FORMAT = "workbook"
WORKBOOK_SUFFIX = ".xlsx"
LOCK_FILE_PREFIX = "~$"  # Excel's marker that someone has the workbook open


def discover_workbooks(raw_dir: Path, entries: list[ManifestEntry]) -> list[str]:
    """Names of the workbooks in ``raw_dir`` that no manifest row names, sorted."""
    named = {e.file for e in entries}
    return sorted(p.name for p in raw_dir.iterdir()
                  if p.is_file() and p.suffix.lower() == WORKBOOK_SUFFIX and p.name not in named
                  and not p.name.startswith((LOCK_FILE_PREFIX, ".")))


def _manifest_notes(entry: ManifestEntry, result: WorkbookCheck, sha256: str) -> list[Issue]:
    notes = []
    plan = result.plan
    for label, stated, actual in (("自治体", entry.municipality, plan.municipality),
                                  ("計画名", entry.title, plan.title)):
        if stated and stated != actual:
            notes.append(Issue("mismatch", f"manifest.csv の{label}「{stated}」とブックの「{actual}」が異なります",
                               (2,), "ブックの値を採用しました", None, PLAN.name))
    if entry.sha256 and entry.sha256 != sha256:
        notes.append(Issue("checksum_changed", f"{entry.file} の SHA-256 がマニフェストと異なります (文書が更新されました)",
                           (), f"再読み込みしました。マニフェストの sha256 を {sha256} に更新してください"))
    return notes


def loaded_document(name: str, checked, entry: ManifestEntry | None) -> LoadedDocument:
    """The document of a workbook that passed its check (``etl.checked_workbooks.Checked``): what
    the build loads, and what a checking worker builds the same way to prepare its rows."""
    result, sha256 = checked.result, checked.sha256
    plan = result.plan
    return LoadedDocument(
        plan.document_id, name, plan.municipality, plan.prefecture, plan.title, sha256,
        WORKBOOK_FORMAT, entry.published if entry else "", entry.original_file if entry else name,
        sum(result.counts.values()), checked.reconciled, plan.population,
        notes=_manifest_notes(entry, result, sha256) if entry is not None else [],
        source_key=checked.key)


def _failure_message(failures: list[WorkbookCheck]) -> str:
    count = sum(len(f.errors) for f in failures)
    lines = [f"ブック {len(failures)} 件にエラーが {count} 件あるため、倉庫を作り直しませんでした"
             "（ブックのシート・行・列を直してから再実行してください）:"]
    lines += [f.report() for f in failures]
    return "\n".join(lines)


def _resolved_code(result: WorkbookCheck, file_name: str, codes: CodeList) -> str | None:
    """The plan's code by ``CodeList.resolve_stated``; a refusal becomes an error of the 計画 row."""
    plan = result.plan
    try:
        return codes.resolve_stated(plan.municipality, plan.prefecture, plan.code, file=file_name,
                                    sheet=PLAN.name, row=plan.row)
    except MunicipalityCodeError as error:
        header = {"自治体": "自治体", "都道府県": "都道府県", "自治体コード": "自治体コード"}.get(error.field or "")
        result.problems.append(Problem(ERROR, PLAN.name, plan.row or 2, header, error.reason))
        result.extract = None
        return None


def load_workbooks(raw_dir: Path, files: list[str], entries: dict[str, ManifestEntry],
                   taken_ids: set[str],
                   progress: Callable[[str], None] = lambda message: None,
                   cache: ExtractCache | None = None,
                   prepare: Callable[[LoadedDocument, Callable[[], Extract]], None] | None = None, *,
                   codes: CodeList | None = None, document_codes: dict[str, str | None] | None = None
                   ) -> list[LoadedDocument]:
    """Check and load ``files`` (names in ``raw_dir``); ``entries`` maps a file to its manifest
    row when it has one; ``taken_ids`` are the document ids already used by other documents.
    ``cache``: unchanged workbooks come from it instead of being checked again
    (``etl.checked_workbooks``); their extract is read only when needed.
    ``prepare(document, read_extract)``: called on each loaded document as soon as it is
    checked (the pipeline turns it into its warehouse rows there, so the records of all
    workbooks are never held at once); without it each document's extract is read here.
    ``codes``: the national list the 計画 row's 自治体 / 都道府県 / 自治体コード resolve against (a
    wrong or ambiguous one fails the workbook like any error); each document's code goes into
    ``document_codes``."""
    from etl.checked_workbooks import check_workbooks, extract as read_extract

    loaded, failures = [], []
    taken = dict.fromkeys(taken_ids, "manifest.csv")
    document_ids = {name: entry.document_id for name, entry in entries.items()}
    # Workers prepare the rows too when they are this build's rows (the pipeline's ``prepare``).
    for name, checked in check_workbooks(raw_dir, files, document_ids, cache, progress,
                                         entries if prepare is not None else None):
        entry = entries.get(name)
        result = checked.result
        document_id = result.plan.document_id
        if document_id in taken:
            result.problems.append(Problem(ERROR, PLAN.name, 2, "文書ID",
                                           f"文書ID「{document_id}」は {taken[document_id]} の文書と同じです。"
                                           "元の文書を data/raw から外すか、文書ID を変えてください。"))
            result.extract = None
        taken.setdefault(document_id, name)
        code = _resolved_code(result, name, codes) if result.ok and codes is not None else None
        if not result.ok:
            failures.append(result)
            continue
        if document_codes is not None:
            document_codes[document_id] = code
        document = loaded_document(name, checked, entry)
        reader = (lambda checked=checked, name=name:  # noqa: E731 - bound per workbook
                  read_extract(checked, raw_dir, name, document_ids.get(name), cache))
        if prepare is not None:
            prepare(document, reader)
        elif document.extract is None:
            document.extract = reader()
        loaded.append(document)
    if failures:
        raise WorkbookError(_failure_message(failures), tuple(p for f in failures for p in f.problems))
    return loaded
