"""The whole ETL run: extract -> normalize -> reconcile -> validate -> load.

``build(raw_dir, target)`` is what ``python -m etl`` calls. Any failure raises an
``EtlError`` subclass before the old warehouse is touched. Text documents come from
manifest.csv; every Excel workbook (*.xlsx) in the raw folder is checked and loaded by
``etl.workbook`` (a workbook with errors stops the run with ``WorkbookError``).
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

from etl.documents import (MUNICIPALITY_CODES, load_document, read_corrections, read_manifest,
                           sha256_of, unknown_files)
from etl.attribution import ALIASES, attribute, read_lexicon
from etl.categories import read_dictionary
from etl.errors import EtlError, ManifestError, SourceFormatError
from etl.extract_cache import ExtractCache, entry_key
from etl.document_tables import DocumentTables
from etl.load import LoadedDocument, WarehouseContent, source_files, tables_of, write_warehouse
from etl.model import Extract, Issue
from etl.municipality_codes import CodeList, read_code_list
from etl.reconcile import reconcile
from etl.sources import FORMATS, SOURCES
from etl.workbook import WORKBOOK_FORMAT, discover_workbooks, load_workbooks
from settings import cache_dir
from settings import raw_dir as configured_raw_dir
from settings import warehouse_path
from vocab import QualityKind

Progress = Callable[[str], None]
SIMILARITY_STATE = "similarity.state"  # in the extract cache folder (etl.similarity)


@dataclass
class BuildReport:
    counts: dict[str, int]
    issues_by_kind: dict[str, int]
    seconds: float
    documents: list[str] = field(default_factory=list)
    # Files of the raw folder that were not imported, each with why and what to do (the same
    # text as their unknown_file rows in data_quality).
    not_imported: list[Issue] = field(default_factory=list)


def read_municipality_codes(raw_dir: Path) -> CodeList:
    """The national code list of ``raw_dir`` keyed by code (``etl.municipality_codes``)."""
    return read_code_list(raw_dir)


def _manifest_line(manifest: list, entry) -> int:
    """manifest.csv's line of ``entry`` (header = line 1, one line per row)."""
    return manifest.index(entry) + 2


def unknown_file_issue(name: str) -> Issue:
    if name.lower().endswith((".xlsm", ".xls", ".xlsb", ".xltm")):
        return Issue(QualityKind.UNKNOWN_FILE, f"data/raw/{name} はマクロ付き・旧形式のブックのため取り込めません",
                     (), "Excel で「Excel ブック (*.xlsx)」として保存し直してください")
    return Issue(QualityKind.UNKNOWN_FILE, f"data/raw/{name} はマニフェストにありません",
                 (), "取り込んでいません。manifest.csv に行を追加するか、ファイルを移動してください")


def _parsed(raw_dir: Path, entry, corrections, lexicon, cache: ExtractCache | None) -> LoadedDocument:
    """One text document read, corrected, parsed, reconciled, cross-checked and attributed — or
    its cached result, keyed by its bytes, its manifest row, the corrections for it and the
    files the attribution lexicon is read from."""
    mine = [c for c in corrections if c.document_id == entry.document_id]
    key = None
    if cache is not None:
        lexicon_files = [sha256_of(raw_dir / name) if (raw_dir / name).exists() else None
                         for name in (MUNICIPALITY_CODES, ALIASES)]
        key = entry_key("text", sha256_of(raw_dir / entry.file),
                        [asdict(entry), [asdict(c) for c in mine], lexicon_files])
        hit = cache.get(key, LoadedDocument)
        if hit is not None:
            return hit
    doc, issues = load_document(raw_dir, entry, corrections)
    source = SOURCES[entry.format]
    extract = source.parse(doc)
    extract.issues[:0] = issues
    reconciled = reconcile(extract)
    reconciled.issues.extend(source.cross_check(reconciled))  # the validate stage
    # Names of the document's own prefecture only: 1,741 names nationally (森町, 朝日町 …)
    # would otherwise match inside ordinary words of a case's text.
    reconciled.issues.extend(attribute(reconciled, lexicon.within(entry.prefecture), doc.lines))
    loaded = LoadedDocument(
        entry.document_id, entry.file, entry.municipality, entry.prefecture, entry.title,
        sha256_of(raw_dir / entry.file), entry.format, entry.published, entry.original_file,
        len(doc.lines), reconciled, source_key=key)
    if cache is not None:
        cache.put(key, loaded)
    return loaded


class TablePreparer:
    """Turns each loaded document into its warehouse rows (``etl.document_tables``) as soon as
    it is loaded, from the cache when its extract key, metadata, notes and the categories
    dictionary are unchanged, and drops its Python records: a build holds Arrow tables only."""

    def __init__(self, dictionary, cache: ExtractCache | None):
        self.dictionary, self.cache = dictionary, cache
        self.fingerprint = hashlib.sha256(repr(dictionary).encode()).hexdigest()

    def __call__(self, document: LoadedDocument, read_extract: Callable[[], Extract] | None = None) -> None:
        key = None
        if self.cache is not None and document.source_key is not None:
            metadata = {k: v for k, v in asdict(replace(document, extract=None, tables=None)).items()}
            key = entry_key("tables", document.sha256, [metadata, self.fingerprint])
            document.rows_key = key
            hit = self.cache.get(key, DocumentTables)
            if hit is not None:
                document.tables, document.extract = hit, None
                return
        if document.extract is None and read_extract is not None:
            document.extract = read_extract()
        tables_of(document, self.dictionary)
        document.extract = None
        if key is not None:
            self.cache.put(key, document.tables)


def build(raw_dir: Path | None = None, target: Path | None = None,
          progress: Progress = lambda message: None, *, cache: Path | None | bool = True) -> BuildReport:
    """Build ``target`` from ``raw_dir`` (default: the configured folders, see ``settings``).

    ``cache``: the extract cache folder (``etl.extract_cache``); True (default) = the configured
    one (``settings.cache_dir``), False/None = parse every file and keep nothing.
    """
    started = time.perf_counter()
    raw_dir = configured_raw_dir() if raw_dir is None else raw_dir
    target = warehouse_path() if target is None else target
    if cache is True:
        cache = cache_dir(target)
    extracts = ExtractCache(cache) if cache else None
    listing = source_files(raw_dir)  # before anything is read: a file changed meanwhile differs from it
    manifest = read_manifest(raw_dir)
    # Workbooks (.xlsx) need no manifest row; a row with format "workbook" may still name one.
    entries = [e for e in manifest if e.format != WORKBOOK_FORMAT]
    workbook_entries = {e.file: e for e in manifest if e.format == WORKBOOK_FORMAT}
    workbooks = sorted(workbook_entries) + discover_workbooks(raw_dir, manifest)
    corrections = read_corrections(raw_dir)
    content = WarehouseContent(municipality_codes=read_municipality_codes(raw_dir), source_files=listing)
    content.categories = read_dictionary(raw_dir)
    lexicon = read_lexicon(raw_dir, content.municipality_codes)
    not_imported = [unknown_file_issue(name) for name in unknown_files(raw_dir, manifest, workbooks)]
    content.global_issues.extend(not_imported)
    codes = content.municipality_codes
    for number, entry in enumerate(entries, start=1):
        progress(f"[{number}/{len(entries)}] {entry.file} を解析中")
        if len(codes):  # the manifest's municipality + prefecture; unlisted -> data_quality (etl.load)
            content.document_codes[entry.document_id] = codes.resolve_stated(
                entry.municipality, entry.prefecture or None, None, file="manifest.csv",
                row=_manifest_line(manifest, entry), fields=("municipality", "prefecture", "code"))
        if entry.format not in FORMATS:
            raise ManifestError(f"manifest.csv: {entry.document_id} の format「{entry.format}」は未対応です "
                                f"(対応: {', '.join(FORMATS)})")
        content.documents.append(_parsed(raw_dir, entry, corrections, lexicon, extracts))
    content.similarity_state = extracts.folder / SIMILARITY_STATE if extracts is not None else None
    prepare = TablePreparer(content.categories, extracts)
    for document in content.documents:
        prepare(document)
    content.documents.extend(load_workbooks(raw_dir, workbooks, workbook_entries,
                                            {e.document_id for e in entries}, progress, extracts, prepare,
                                            codes=codes if len(codes) else None, document_codes=content.document_codes))
    progress("倉庫を書き込み中")
    counts = write_warehouse(content, target, time.perf_counter() - started)
    if extracts is not None:
        extracts.prune()
    kinds: dict[str, int] = {}
    for document in content.documents:
        for kind, count in document.tables.issue_kinds.items():
            kinds[kind] = kinds.get(kind, 0) + count
    for issue in content.global_issues:
        kinds[issue.kind] = kinds.get(issue.kind, 0) + 1
    return BuildReport(counts, dict(sorted(kinds.items())), time.perf_counter() - started,
                       [d.file for d in content.documents], not_imported)


__all__ = ["build", "BuildReport", "EtlError", "SourceFormatError"]
