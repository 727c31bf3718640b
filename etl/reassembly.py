"""An import (or a deletion) without a rebuild: the new warehouse reassembled from the previous one.

A full build reads every source file's cached rows again (at national scale 1,741 workbooks and
about 2.5 million evaluation rows) although an import changes one document. When the previous
warehouse is exactly what a full build of today's raw folder would write, the import copies it,
takes out the rows of the workbook it replaces (if any), puts in the new workbook's rows and
recomputes what spans documents — 自治体コード of the new rows, ``municipalities``, 「類似の取組」
(``etl.similarity``, with its kept state as a full build uses it), the 比較 tables
(``etl.comparison``) — then validates the whole warehouse (``etl.load.check_invariants``) and
swaps it in atomically (``etl.load.swap_in_new``). The result has the rows of a full build of
the same raw folder (tests/etl/test_reassembly.py compares every public view).

When is the previous warehouse such a base? It records (``_source_files``, ``_build_inputs``)
the raw folder it was built from — every file's size and modification time in nanoseconds —
and the ETL code version (``etl.extract_cache.code_version``). The import reassembles only when
both are unchanged apart from the imported file. Size and mtime, not SHA-256: hashing 1,741
workbooks took longer than the rest of an import. A file rewritten with the same size within
the same nanosecond timestamp, or edited and then given back its old mtime on purpose, would
go unnoticed; the ETL already trusts mtimes the same way (``python -m etl --if-stale``), and
``python -m etl`` always rebuilds from the bytes. An undo copies files back (new mtimes), so the
import after it rebuilds.

Everything else falls back to the full build (``reassemble`` returns None): no previous
warehouse or one built before these records existed, a workbook named by manifest.csv, a
document id the new workbook shares with another document, a workbook with 関係自治体 rows
(source tables: their column types are inferred over all documents together), 人口 that another
plan of the same municipality states too (the data_quality row about it would change), or a
replaced document whose rows cannot all be told apart, a previous warehouse built without the
extract cache. The extract cache is not pruned here (the replaced workbook's entries stay until
the next full build).

The copy keeps the previous file's free space: the tables rewritten on every import (「類似の取組」,
the 比較 tables) leave their old blocks, which DuckDB reuses for the next import's. Measured: a
warehouse of 20 MB (200 municipalities) settles at about 30 MB after a few imports and stays
there; the next ``python -m etl`` writes a compact file again.
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from etl.categories import read_dictionary
from etl.comparison import CATEGORY_COUNTS, INITIATIVE_FIGURES, MUNICIPALITY_FIGURES, build_figures
from etl.documents import read_manifest, unknown_files
from etl.extract_cache import ExtractCache, code_version
from etl.load import (ARROW_SCHEMAS, LEAD, LoadedDocument, WarehouseContent, check_invariants,
                      fill_municipalities, fill_municipality_codes, fill_similar_initiatives, insert_arrow,
                      populations, source_files, swap_in_new, write_build_record, write_document_facts)
from etl.pipeline import SIMILARITY_STATE, BuildReport, TablePreparer, read_municipality_codes, unknown_file_issue
from etl.workbook import WORKBOOK_FORMAT, discover_workbooks, load_workbooks

# Tables whose rows name their initiative, not their document.
BY_INITIATIVE = ("_evaluations", "_narratives", "_initiative_categories")


@dataclass
class DocumentFacts:
    """A document of the previous warehouse, as much of it as the global steps read."""

    document_id: str
    file: str
    municipality: str | None
    prefecture: str | None
    format: str
    code: str | None  # its own municipality's 自治体コード
    population: int | None
    rows_key: str | None
    issue_kinds: dict[str, int]
    row_counts: dict[str, int]


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def _previous(target: Path) -> tuple[dict[str, tuple[int, int]], list[DocumentFacts], dict[str, int]] | None:
    """The previous warehouse's raw listing, its documents and the source-table rows per document
    — or None when it cannot serve as a base (absent, older layout, other ETL code)."""
    if not target.exists():
        return None
    con = duckdb.connect()
    try:
        con.sql(f"ATTACH '{_sql_text(target)}' AS w (READ_ONLY)")
        tables = {r[0] for r in con.sql("SELECT table_name FROM duckdb_tables() WHERE database_name = 'w'").fetchall()}
        if not {"_document_facts", "_source_files", "_build_inputs"} <= tables:
            return None
        if con.sql("SELECT code_version FROM w._build_inputs").fetchall() != [(code_version(),)]:
            return None
        listing = {f: (size, mtime) for f, size, mtime in con.sql("SELECT * FROM w._source_files").fetchall()}
        documents = [DocumentFacts(*row[:8], json.loads(row[8]), json.loads(row[9])) if row[8] is not None else None
                     for row in con.sql(
            "SELECT d.document_id, d.file, d.municipality, d.prefecture, d.format, d.municipality_code, "
            "f.population, f.rows_key, f.issue_kinds, f.row_counts "
            "FROM w._documents d LEFT JOIN w._document_facts f USING (document_id)").fetchall()]
        if any(d is None for d in documents):
            return None
        sources: dict[str, int] = {}
        for table in sorted(t for t in tables if t.startswith("src_")):
            columns = {r[0] for r in con.sql(f'DESCRIBE w."{table}"').fetchall()}
            if "document_id" in columns:
                for document_id, count in con.sql(f'SELECT document_id, count(*) FROM w."{table}" GROUP BY 1').fetchall():
                    sources[document_id] = sources.get(document_id, 0) + count
        return listing, documents, sources
    finally:
        con.close()


def _gone_rows_attributable(target: Path, gone: DocumentFacts) -> bool:
    """Whether the replaced document's rows in the tables keyed by initiative are exactly the
    ones its initiatives name (a row without an initiative could not be told apart)."""
    con = duckdb.connect()
    try:
        con.sql(f"ATTACH '{_sql_text(target)}' AS w (READ_ONLY)")
        for table in BY_INITIATIVE:
            found = con.sql(f"SELECT count(*) FROM w.{table} WHERE initiative_id IN "
                            "(SELECT initiative_id FROM w._initiatives WHERE document_id = ?)",
                            params=[gone.document_id]).fetchall()[0][0]
            if found != gone.row_counts.get(table, 0):
                return False
        return True
    finally:
        con.close()


def _build_order(raw: Path, manifest, name: str, present: bool) -> list[str]:
    """The files in the order a full build of ``raw`` with (``present``) or without ``name``
    would load them."""
    texts = [e.file for e in manifest if e.format != WORKBOOK_FORMAT]
    named = sorted(e.file for e in manifest if e.format == WORKBOOK_FORMAT)
    discovered = set(discover_workbooks(raw, manifest)) - {name}
    return texts + named + sorted(discovered | ({name} if present else set()))


def reassemble(raw: Path, target: Path, name: str, upload: Path | None, cache: Path,
               started: float | None = None) -> BuildReport | None:
    """The warehouse with the workbook ``upload`` (waiting in ``raw`` under a hidden name) as
    ``name`` — or, ``upload`` None, without the workbook ``name`` (``etl.removal``) —,
    reassembled from ``target``; None when only a full build can say (see above).
    Raises what a full build raises for the workbook (``WorkbookError``, ``ValidationError``)."""
    started = time.perf_counter() if started is None else started
    previous = _previous(target)
    if previous is None:
        return None
    recorded, before, sources = previous
    listing = source_files(raw)
    listing.pop(name, None)
    if {f: v for f, v in recorded.items() if f != name} != listing:
        return None  # the raw folder changed since the previous build
    manifest = read_manifest(raw)
    if any(e.file == name for e in manifest):
        return None
    gone = [d for d in before if d.file == name and d.format == WORKBOOK_FORMAT]
    if any(sources.get(d.document_id) for d in gone):
        return None
    if gone and not _gone_rows_attributable(target, gone[0]):
        return None
    if upload is None and not gone:
        return None

    codes = read_municipality_codes(raw)
    dictionary = read_dictionary(raw)
    extracts = ExtractCache(cache)
    document_codes: dict[str, str | None] = {}
    added: list[LoadedDocument] = []
    if upload is not None:
        with tempfile.TemporaryDirectory(prefix="gyokaku-reassemble-") as work:
            staged = Path(work) / name
            try:
                os.link(upload, staged)
            except OSError:
                staged.write_bytes(upload.read_bytes())
            # The workbook's own check: an error raises WorkbookError with a full build's message.
            added = load_workbooks(Path(work), [name], {}, set(), cache=extracts,
                                   prepare=TablePreparer(dictionary, extracts),
                                   codes=codes if len(codes) else None, document_codes=document_codes)
    kept = [d for d in before if d not in gone]
    for new in added:
        if new.document_id in {d.document_id for d in kept} or new.tables.source_tables:
            return None  # the full build names the conflict / infers the source tables' types
    if any(d.rows_key is None for d in [*kept, *added]):
        return None  # built without the extract cache: 「類似の取組」 would not follow the same path

    order = {file: n for n, file in enumerate(_build_order(raw, manifest, name, bool(added)))}
    after: list[Any] = sorted([*kept, *added], key=lambda d: order.get(d.file, len(order)))
    if any(d.file not in order for d in after):
        return None
    codes_before = {d.document_id: d.code for d in before}
    codes_after = {**{d.document_id: d.code for d in kept}, **document_codes}
    if populations(before, codes_before)[1] != populations(after, codes_after)[1]:
        return None  # a 人口 disagreement would appear or go

    if upload is not None:
        listing[name] = (upload.stat().st_size, upload.stat().st_mtime_ns)  # as it will be in raw
    content = WarehouseContent(documents=added, municipality_codes=codes, document_codes=codes_after,
                               categories=dictionary, source_files=listing)

    def fill(con: duckdb.DuckDBPyConnection) -> None:
        for d in gone:
            _delete_document(con, d.document_id)
        for table in ("_municipalities", "_similar_initiatives"):
            con.sql(f"DELETE FROM {table}")
        for table in (INITIATIVE_FIGURES, MUNICIPALITY_FIGURES, CATEGORY_COUNTS):
            con.sql(f"DROP TABLE {table}")
        for new in added:
            for table in ARROW_SCHEMAS:
                if table in new.tables.tables:
                    insert_arrow(con, table, new.tables.tables[table])
        if added:
            fill_municipality_codes(con, content, added)
        fill_municipalities(con, content, after)
        write_document_facts(con, added)
        fill_similar_initiatives(con, {d.document_id: d.rows_key for d in after},
                                 cache / SIMILARITY_STATE)
        for new in added:
            con.sql(f"INSERT INTO _initiative_municipalities SELECT initiative_id, municipality, '{LEAD}', "
                    "municipality_code FROM _initiatives WHERE municipality IS NOT NULL AND document_id = ?",
                    params=[new.document_id])
        build_figures(con)
        check_invariants(con)
        write_build_record(con, content, time.perf_counter() - started)

    counts = swap_in_new(target, fill, start_from=target)
    not_imported = [unknown_file_issue(n) for n in unknown_files(raw, manifest, order)]
    kinds: dict[str, int] = {}
    for d in after:
        for kind, count in (d.tables.issue_kinds if isinstance(d, LoadedDocument) else d.issue_kinds).items():
            kinds[kind] = kinds.get(kind, 0) + count
    for issue in not_imported:
        kinds[issue.kind] = kinds.get(issue.kind, 0) + 1
    return BuildReport(counts, dict(sorted(kinds.items())), time.perf_counter() - started,
                       [d.file for d in after], not_imported)


def _delete_document(con: duckdb.DuckDBPyConnection, document_id: str) -> None:
    """Every row the document brought, in the tables its rows go to."""
    initiatives = "(SELECT initiative_id FROM _initiatives WHERE document_id = $d)"
    for table in (*BY_INITIATIVE, "_initiative_municipalities"):
        con.sql(f"DELETE FROM {table} WHERE initiative_id IN {initiatives}", params={"d": document_id})
    for table in ("_documents", "_initiatives", "_fiscal_effects", "_indicators", "_awards", "_data_quality",
                  "_document_municipalities", "_document_facts"):
        con.sql(f"DELETE FROM {table} WHERE document_id = $d", params={"d": document_id})
