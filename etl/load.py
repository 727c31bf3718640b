"""Load stage: write reconciled records into a new DuckDB file and swap it into place.

Internal tables (prefixed ``_``) keep what the UI needs for tracing (source line, copy);
the public views of docs/warehouse.md select exactly the contract's columns from them.
The file is built as ``<target>.tmp-<pid>-<token>`` (unique per build; leftovers of killed
runs are removed first, see ``etl.leftovers``) — from scratch, or for an import on a copy of the
previous warehouse (``etl.reassembly``) —, validated, closed and then renamed over the
target with ``os.replace`` (atomic on one filesystem), so a reader never sees a half-built
warehouse and a failed run leaves the previous one byte-for-byte intact.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

import duckdb
import polars as pl
import pyarrow as pa

from etl.categories import Dictionary
from etl.comparison import build_figures
from etl.document_tables import DocumentTables, arrow_schemas, document_tables, location
from etl.errors import LoadError, ValidationError
from etl.leftovers import remove_stale, warehouse_temporary
from etl.model import Extract, Issue
from etl.money import BASES, BOUNDS, KINDS, RECURRENCES
from etl.municipality_codes import CodeList
from vocab import QualityKind

SCHEMA = """
CREATE TABLE _documents (document_id VARCHAR PRIMARY KEY, municipality VARCHAR, prefecture VARCHAR,
    title VARCHAR, file VARCHAR, sha256 VARCHAR, format VARCHAR, published VARCHAR,
    original_file VARCHAR, line_count INTEGER, municipality_code VARCHAR);
-- One row per municipality: keyed by code, or by name for one without a code (etl.municipality_codes).
CREATE TABLE _municipalities (municipality VARCHAR, prefecture VARCHAR, code VARCHAR,
    population BIGINT, label VARCHAR);
-- Every municipality name a document uses, and the code it resolves to there (NULL: unresolved).
CREATE TABLE _document_municipalities (document_id VARCHAR, municipality VARCHAR, municipality_code VARCHAR,
    PRIMARY KEY (document_id, municipality));
CREATE TABLE _initiatives (initiative_id VARCHAR PRIMARY KEY, municipality VARCHAR,
    document_id VARCHAR, level VARCHAR, code VARCHAR, parent_id VARCHAR, title VARCHAR,
    fiscal_year INTEGER, start_fy INTEGER, end_fy INTEGER, departments VARCHAR[],
    themes VARCHAR[], extra JSON, line INTEGER, copy VARCHAR, search_key VARCHAR,
    categories VARCHAR[], municipality_code VARCHAR);
CREATE TABLE _initiative_municipalities (initiative_id VARCHAR, municipality VARCHAR, role VARCHAR,
    municipality_code VARCHAR, PRIMARY KEY (initiative_id, municipality));
CREATE TABLE _categories (category VARCHAR PRIMARY KEY, position INTEGER);
CREATE TABLE _initiative_categories (initiative_id VARCHAR, category VARCHAR, score INTEGER,
    keywords VARCHAR[], source VARCHAR, position INTEGER);
CREATE TABLE _evaluations (initiative_id VARCHAR, fiscal_year INTEGER, evaluator VARCHAR,
    criterion VARCHAR, score DOUBLE, grade VARCHAR, line INTEGER, copy VARCHAR);
CREATE TABLE _narratives (initiative_id VARCHAR, fiscal_year INTEGER, section VARCHAR,
    text VARCHAR, line INTEGER, search_key VARCHAR);
CREATE TABLE _fiscal_effects (municipality VARCHAR, document_id VARCHAR, initiative_id VARCHAR,
    fiscal_year INTEGER, amount_yen BIGINT, amount_max_yen BIGINT, kind VARCHAR, basis VARCHAR,
    recurrence VARCHAR, bound VARCHAR, counted BOOLEAN, excluded_reason VARCHAR, source VARCHAR,
    evidence VARCHAR, location VARCHAR, line INTEGER, sheet VARCHAR, municipality_code VARCHAR);
CREATE TABLE _indicators (municipality VARCHAR, document_id VARCHAR, indicator_no VARCHAR,
    name VARCHAR, unit VARCHAR, fiscal_year INTEGER, kind VARCHAR, value DOUBLE, note VARCHAR,
    line INTEGER, municipality_code VARCHAR);
CREATE TABLE _awards (municipality VARCHAR, document_id VARCHAR, program VARCHAR,
    fiscal_year INTEGER, award VARCHAR, initiative_id VARCHAR, title VARCHAR, winner VARCHAR,
    line INTEGER, municipality_code VARCHAR);
CREATE TABLE _data_quality (document_id VARCHAR, location VARCHAR, kind VARCHAR,
    message VARCHAR, resolution VARCHAR, initiative_id VARCHAR, sheet VARCHAR, line INTEGER);
CREATE TABLE _similar_initiatives (initiative_id VARCHAR, similar_id VARCHAR, score DOUBLE,
    rank INTEGER);
CREATE TABLE _build (built_at TIMESTAMP, seconds DOUBLE, etl_version VARCHAR);
-- What the next import needs to reassemble this warehouse instead of rebuilding it (etl.reassembly):
-- per document what is not in its rows, and the raw folder and ETL code it was built from.
CREATE TABLE _document_facts (document_id VARCHAR PRIMARY KEY, population BIGINT, rows_key VARCHAR,
    issue_kinds JSON, row_counts JSON);
CREATE TABLE _source_files (file VARCHAR PRIMARY KEY, size BIGINT, mtime_ns BIGINT);
CREATE TABLE _build_inputs (code_version VARCHAR);
"""

# The rows one document brings (etl.document_tables), in insertion order.
ARROW_SCHEMAS = {name: schema for name, schema in arrow_schemas(SCHEMA).items()
                 if name not in ("_municipalities", "_initiative_municipalities", "_categories",
                                 "_similar_initiatives", "_build", "_document_facts", "_source_files",
                                 "_build_inputs")}

# The product's SQL interface, specified in docs/warehouse.md (tests/test_docs.py keeps the two equal).
PUBLIC_VIEWS: dict[str, list[str]] = {
    "municipalities": ["municipality", "prefecture", "code", "population", "label"],
    "documents": ["document_id", "municipality", "title", "file", "sha256", "municipality_code"],
    "initiatives": ["initiative_id", "municipality", "document_id", "level", "code", "parent_id",
                    "title", "fiscal_year", "start_fy", "end_fy", "departments", "themes", "extra",
                    "categories", "municipality_code"],
    "evaluations": ["initiative_id", "fiscal_year", "evaluator", "criterion", "score", "grade"],
    "narratives": ["initiative_id", "fiscal_year", "section", "text"],
    "fiscal_effects": ["municipality", "document_id", "initiative_id", "fiscal_year", "amount_yen",
                       "amount_max_yen", "kind", "basis", "recurrence", "bound", "counted",
                       "excluded_reason", "source", "evidence", "location", "municipality_code"],
    "indicators": ["municipality", "indicator_no", "name", "unit", "fiscal_year", "kind",
                   "value", "note", "municipality_code"],
    "awards": ["municipality", "program", "fiscal_year", "award", "initiative_id", "title", "winner",
               "municipality_code"],
    "data_quality": ["document_id", "location", "kind", "message", "resolution"],
    "similar_initiatives": ["initiative_id", "similar_id", "score", "rank"],
    "initiative_municipalities": ["initiative_id", "municipality", "role", "municipality_code"],
}
LEAD, PARTNER = "主体", "共同"  # initiative_municipalities.role

ETL_VERSION = "1"
WRITER_MEMORY_LIMIT = "256MB"  # DuckDB's own buffers while a warehouse is written (swap_in_new)
# What 「類似の取組」 reads (``_similar_table``): inserted first, so it can be computed meanwhile.
SIMILARITY_SOURCES = ("_initiatives", "_narratives")


@dataclass
class LoadedDocument:
    """One document's reconciled records plus what the manifest says about it."""

    document_id: str
    file: str
    municipality: str
    prefecture: str
    title: str
    sha256: str
    format: str
    published: str
    original_file: str
    line_count: int
    extract: Extract | None  # None once its rows (``tables``) are built or come from the cache
    population: int | None = None  # 人口 the document states for its municipality (workbooks)
    notes: list[Issue] = field(default_factory=list)  # data_quality rows after the extract's own
    tables: DocumentTables | None = None
    # The extract cache key of what decided ``extract`` (etl.extract_cache); None: not cached.
    source_key: str | None = None
    rows_key: str | None = None  # the cache key of ``tables``: a fingerprint of the document's rows


@dataclass
class WarehouseContent:
    documents: list[LoadedDocument] = field(default_factory=list)
    municipality_codes: CodeList = field(default_factory=CodeList)  # data/raw/municipality_codes.csv
    # document_id -> the code its own municipality resolved to (etl.municipality_codes.resolve_stated:
    # a workbook's 自治体コード or 都道府県 + 名称, a manifest row's municipality + prefecture); a
    # document not in it has no code (its name is not on the list: a data_quality row says so).
    document_codes: dict[str, str | None] = field(default_factory=dict)
    global_issues: list[Issue] = field(default_factory=list)  # not tied to one document
    categories: Dictionary = field(default_factory=Dictionary)  # data/raw/categories.csv
    similarity_state: Path | None = None  # where 「類似の取組」 keeps its state (etl.similarity)
    # The raw folder as the build found it: relative path -> (size, mtime_ns) (``source_files``).
    source_files: dict[str, tuple[int, int]] = field(default_factory=dict)


def source_files(raw_dir: Path) -> dict[str, tuple[int, int]]:
    """Every file of the raw folder a build reads or lists (hidden files and Excel's ``~$``
    lock files left out, as the import's staged copy leaves them out), relative path ->
    (size, mtime_ns). Kept in ``_source_files``: the next import reassembles the warehouse
    instead of rebuilding it only while this listing is unchanged (``etl.reassembly``)."""
    found = {}
    for path in sorted(raw_dir.rglob("*")):
        relative = path.relative_to(raw_dir)
        if any(part.startswith((".", "~$")) for part in relative.parts) or not path.is_file():
            continue
        stat = path.stat()
        found[relative.as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


def _location(file: str, lines: tuple[int, ...], sheet: str | None = None) -> str:
    return location(file, lines, sheet)


def tables_of(d: LoadedDocument, dictionary: Dictionary) -> DocumentTables:
    """The document's rows (``etl.document_tables``): cached ones, else built from its extract."""
    if d.tables is None:
        d.tables = document_tables(d, d.extract, d.notes, dictionary, ARROW_SCHEMAS)
    return d.tables


def _insert_tables(con: duckdb.DuckDBPyConnection, content: WarehouseContent, tables: Iterable[str]) -> None:
    """Every document's rows of ``tables``, one bulk insert (Arrow) per table; each document's
    rows of a table are dropped once they are in (``DocumentTables.release``)."""
    for table in tables:
        parts = [d.tables.tables[table] for d in content.documents
                 if table in tables_of(d, content.categories).tables]
        if parts:
            insert_arrow(con, table, pa.concat_tables(parts))
        del parts  # with the releases below, nothing holds this table's rows any more
        for d in content.documents:
            d.tables.release(table)


def _global_issues(con: duckdb.DuckDBPyConnection, content: WarehouseContent) -> None:
    _insert(con, "_data_quality", [dict(document_id=None, location=_location("data/raw", q.lines),
        kind=q.kind, message=q.message, resolution=q.resolution, initiative_id=None,
        line=min(q.lines, default=None)) for q in content.global_issues])


def insert_arrow(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    con.register("_incoming", rows)
    try:
        columns = ", ".join(rows.column_names)
        con.sql(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _incoming")
    finally:
        con.unregister("_incoming")


_UNRESOLVED_HELP = ("自治体コードは空欄 (NULL) のまま取り込みました（自治体の絞り込みでは名前で選べます）。"
                    "名前の誤りなら文書・ブックを直し、ブックなら計画シートに都道府県か自治体コードを書いてください")


def fill_municipality_codes(con: duckdb.DuckDBPyConnection, content: WarehouseContent,
                            documents: list[LoadedDocument] | None = None) -> None:
    """``municipality_code`` beside every municipality column (``etl.municipality_codes``): a
    document's own name has the code its manifest row / 計画 sheet resolved to; any other name
    it uses (an initiative's 自治体, an amount's, a partner) resolves within the document's
    prefecture, else nationally when unique, else stays without a code — with one data_quality
    row per such name, at its first place. ``_document_municipalities`` keeps the mapping.
    ``documents``: only these (already inserted; the others' codes are in place), default all."""
    codes = content.municipality_codes
    only = "" if documents is None else "WHERE list_contains($ids, document_id)"
    documents = content.documents if documents is None else documents
    ids = {"ids": [d.document_id for d in documents]} if only else None
    used = con.sql(f"""
        SELECT document_id, municipality, min(line), arg_min(sheet, line) FROM (
            SELECT i.document_id, i.municipality, i.line, CASE WHEN d.format = 'workbook' THEN i.copy END AS sheet
            FROM _initiatives i JOIN _documents d USING (document_id)
            UNION ALL SELECT document_id, municipality, line, sheet FROM _fiscal_effects)
        WHERE municipality IS NOT NULL {only.replace("WHERE", "AND")} GROUP BY ALL ORDER BY 1, 3""",
                   params=ids).fetchall()
    places: dict[str, dict[str, tuple[int | None, str | None]]] = {}
    for document_id, name, line, sheet in used:
        places.setdefault(document_id, {}).setdefault(name, (line, sheet))
    rows, notes = [], []
    for d in documents:
        mine = places.get(d.document_id, {})
        workbook = d.format == "workbook"
        for table, partner_rows in tables_of(d, content.categories).source_tables.items():
            if table.endswith("_municipalities"):
                for r in partner_rows:
                    if r.get("municipality"):
                        mine.setdefault(r["municipality"], (r.get("line"), "関係自治体" if workbook else None))
        resolved: dict[str, str | None] = {d.municipality: content.document_codes.get(d.document_id)}
        issues = []
        if resolved[d.municipality] is None and len(codes):
            found = codes.candidates(d.municipality)
            where = "計画シート" if workbook else "manifest.csv"
            kind = QualityKind.MUNICIPALITY_AMBIGUOUS if found else QualityKind.MUNICIPALITY_UNLISTED
            why = (f"{'・'.join(m.prefecture for m in found)} にあり、都道府県「{d.prefecture or ''}」と合いません"
                   if found else "全国地方公共団体コードの一覧 (data/raw/municipality_codes.csv) にありません")
            issues.append((kind, f"文書の自治体「{d.municipality}」({where}) は{why}", 2 if workbook else None,
                           "計画" if workbook else None))
        for name, (line, sheet) in mine.items():
            if name in resolved:
                continue
            resolved[name], why = codes.resolve_within(name, d.prefecture)
            if resolved[name] is None and len(codes):
                kind = (QualityKind.MUNICIPALITY_AMBIGUOUS if codes.candidates(name)
                        else QualityKind.MUNICIPALITY_UNLISTED)
                issues.append((kind, f"自治体{why}", line, sheet))
        rows += [dict(document_id=d.document_id, municipality=name, municipality_code=code)
                 for name, code in resolved.items()]
        notes += [dict(document_id=d.document_id, location=_location(d.file, (line,) if line else (), sheet),
                       kind=kind, message=message, resolution=_UNRESOLVED_HELP, initiative_id=None, sheet=sheet,
                       line=line) for kind, message, line, sheet in issues]
    _insert(con, "_document_municipalities", rows)
    _insert(con, "_data_quality", notes)
    mapping = f"(SELECT * FROM _document_municipalities {only})" if only else "_document_municipalities"
    for table in ("_documents", "_initiatives", "_fiscal_effects", "_indicators", "_awards"):
        con.sql(f"UPDATE {table} SET municipality_code = n.municipality_code FROM {mapping} n "
                f"WHERE n.document_id = {table}.document_id AND n.municipality = {table}.municipality",
                params=ids)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = [c[0] for c in con.sql(f"DESCRIBE {table}").fetchall()]
    frame = pl.DataFrame([{c: r.get(c) for c in columns} for r in rows], infer_schema_length=None)
    con.register("_incoming", frame)
    try:
        con.sql(f"INSERT INTO {table} SELECT {', '.join(columns)} FROM _incoming")
    finally:
        con.unregister("_incoming")


def _source_tables(con: duckdb.DuckDBPyConnection, content: WarehouseContent) -> None:
    """Source-specific tables (``Extract.tables``) become ``src_<name>``, one per name."""
    merged: dict[str, list[dict[str, Any]]] = {}
    for d in content.documents:
        for name, rows in tables_of(d, content.categories).source_tables.items():
            merged.setdefault(name, []).extend(rows)
    for name, rows in sorted(merged.items()):
        safe = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)
        frame = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame({"document_id": []})
        con.register("_incoming", frame)
        try:
            con.sql(f"CREATE TABLE src_{safe} AS SELECT * FROM _incoming")
        finally:
            con.unregister("_incoming")


def _create_views(con: duckdb.DuckDBPyConnection) -> None:
    for view, columns in PUBLIC_VIEWS.items():
        con.sql(f"CREATE VIEW {view} AS SELECT {', '.join(columns)} FROM _{view}")


def fill_municipalities(con: duckdb.DuckDBPyConnection, content: WarehouseContent,
                        documents: list | None = None) -> None:
    """Every municipality a document, an initiative, an amount or a source's own
    ``*_municipalities`` table (e.g. all partners of a joint DX case) names: one row per code
    (two 府中市 rows when both are named), one per name for a name without a code. ``label`` is
    the name, or 「府中市（東京都）」 when the national list has the name more than once.
    ``documents``: every document in build order (``LoadedDocument`` or ``DocumentFacts``)."""
    codes = content.municipality_codes
    documents = content.documents if documents is None else documents
    prefecture_of_doc = {d.municipality: d.prefecture for d in documents}
    population = populations(documents, content.document_codes)[0]
    rows = []
    for name, code in sorted(con.sql("SELECT DISTINCT municipality, municipality_code "
                                     "FROM _document_municipalities").fetchall(),
                             key=lambda r: (r[1] or "999999", r[0])):
        if code is not None:
            listed = codes.by_code[code]
            rows.append(dict(municipality=listed.name, prefecture=listed.prefecture, code=code,
                             population=population.get(code), label=codes.label(code, listed.name)))
        else:
            rows.append(dict(municipality=name, prefecture=prefecture_of_doc.get(name), code=None,
                             population=population.get(name), label=name))
    unique = {(r["code"], r["municipality"] if r["code"] is None else None): r for r in rows}
    _insert(con, "_municipalities", list(unique.values()))


def populations(documents: list, document_codes: dict[str, str | None]
                ) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """人口 per municipality from the plans that state it, and the data_quality rows about
    plans that disagree: two plans of one municipality that disagree: the later document id
    wins (sorted), and data_quality says so."""
    stated: dict[str, list] = {}
    for d in sorted(documents, key=lambda d: d.document_id):
        if d.population is not None and d.municipality:  # keyed by code: 府中市 ×2 are two towns
            stated.setdefault(document_codes.get(d.document_id) or d.municipality, []).append(d)
    notes = []
    for name, docs in stated.items():
        if len({d.population for d in docs}) > 1:
            chosen = docs[-1]
            notes.append(dict(document_id=chosen.document_id, location=_location(chosen.file, (2,), "計画"),
                              kind="mismatch", sheet="計画", line=2, initiative_id=None,
                              message=f"{docs[0].municipality}の人口が文書によって異なります（"
                                      + "、".join(f"{d.document_id}: {d.population:,}人" for d in docs) + "）",
                              resolution=f"{chosen.document_id} の {chosen.population:,}人を採用しました"))
    return {name: docs[-1].population for name, docs in stated.items()}, notes


def _initiative_municipalities(con: duckdb.DuckDBPyConnection) -> None:
    """Every municipality an initiative belongs to: its own (主体) plus the partners a source's
    ``*_municipalities`` table names for it (共同; e.g. 多摩市・稲城市 of a joint DX case, a
    workbook's 関係自治体 rows with a 番号)."""
    con.sql(f"INSERT INTO _initiative_municipalities SELECT initiative_id, municipality, '{LEAD}', "
            "municipality_code FROM _initiatives WHERE municipality IS NOT NULL")
    tables = [r[0] for r in con.sql("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE "
                                    "'src\\_%\\_municipalities' ESCAPE '\\' ORDER BY 1").fetchall()]
    for table in tables:
        columns = {r[0] for r in con.sql(f'DESCRIBE "{table}"').fetchall()}
        if not {"document_id", "municipality", "initiative_key"} <= columns:
            continue
        con.sql(f"""INSERT INTO _initiative_municipalities
            SELECT DISTINCT i.initiative_id, t.municipality, '{PARTNER}', n.municipality_code FROM "{table}" t
            JOIN _initiatives i ON i.initiative_id = t.document_id || '/' || t.initiative_key
            LEFT JOIN _document_municipalities n ON n.document_id = t.document_id AND n.municipality = t.municipality
            WHERE t.municipality IS NOT NULL AND NOT EXISTS (SELECT 1 FROM _initiative_municipalities m
                WHERE m.initiative_id = i.initiative_id AND m.municipality = t.municipality)""")


def _categories(con: duckdb.DuckDBPyConnection, dictionary: Dictionary) -> None:
    """The categories of data/raw/categories.csv in file order. Each initiative's own categories,
    how each was decided (_initiative_categories) and the data_quality rows of an initiative left
    without one (kind uncategorized) come with its document's rows (``etl.document_tables``)."""
    _insert(con, "_categories", [dict(category=c, position=n) for n, c in enumerate(dictionary.categories)])


def _sql_list(values: tuple[str, ...]) -> str:
    """A constant vocabulary as an SQL list literal (our own constants, never user text)."""
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def fill_similar_initiatives(con: duckdb.DuckDBPyConnection, fingerprints: dict[str, str | None],
                             state: Path | None) -> None:
    """「類似の取組」 over the whole warehouse (etl.similarity), after every document is in;
    incremental when ``state`` names where the last build's state is kept. ``fingerprints``:
    every document id with the fingerprint of its rows (``LoadedDocument.rows_key``)."""
    table = _similar_table(con, fingerprints, state)
    if table.num_rows:
        insert_arrow(con, "_similar_initiatives", table)


@contextlib.contextmanager
def _similar_initiatives_meanwhile(con: duckdb.DuckDBPyConnection, fingerprints: dict[str, str | None],
                                   state: Path | None) -> Iterator[None]:
    """``_similar_initiatives``, computed in a thread on a cursor of its own while the caller
    goes on writing other tables, and inserted when the block ends. Once ``SIMILARITY_SOURCES``
    are in, what it reads (titles and narrative texts) no longer changes; the cursor reads a
    snapshot, so ``fill_municipality_codes`` updating other columns of ``_initiatives`` meanwhile
    does not disturb it. At national scale a build's write phase was ~7 s
    of inserts and then ~11 s of similarity, one after the other, on a machine with a second
    core idle: the similarity is numpy/scipy and the inserts DuckDB, which both release the GIL."""
    cursor = con.cursor()
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="similarity") as pool:
            table = pool.submit(_similar_table, cursor, fingerprints, state)
            yield
            result = table.result()  # its exception, if any, is raised here
    finally:
        cursor.close()
    if result.num_rows:
        insert_arrow(con, "_similar_initiatives", result)


def _similar_table(con: duckdb.DuckDBPyConnection, fingerprints: dict[str, str | None],
                   state: Path | None) -> pa.Table:
    from etl.extract_cache import code_version
    from etl.similarity import SimilarityInput, similar_table

    def read(documents: list[str] | None) -> list[tuple[str, SimilarityInput]]:
        where = "" if documents is None else "WHERE list_contains(?, i.document_id)"
        rows = con.sql(
            "SELECT i.document_id, i.initiative_id, i.title, "
            "list(n.text ORDER BY n.line) FILTER (WHERE n.text IS NOT NULL) "
            f"FROM _initiatives i LEFT JOIN _narratives n USING (initiative_id) {where} GROUP BY ALL",
            params=None if documents is None else [documents]).fetchall()
        return [(d, SimilarityInput(i, title or "", texts or [])) for d, i, title, texts in rows]

    return similar_table(fingerprints, read, state, code_version())


def write_document_facts(con: duckdb.DuckDBPyConnection, documents: list[LoadedDocument]) -> None:
    """What ``etl.reassembly`` needs of each document besides its rows: 人口, the fingerprint of
    its rows (「類似の取組」's incremental state), the data-quality kinds of its extract (the
    build report) and how many rows it put in each table (checked before its rows are replaced)."""
    _insert(con, "_document_facts", [dict(
        document_id=d.document_id, population=d.population, rows_key=d.rows_key,
        issue_kinds=json.dumps(d.tables.issue_kinds, ensure_ascii=False, sort_keys=True),
        row_counts=json.dumps(d.tables.row_counts(), sort_keys=True))
        for d in documents])


def write_build_record(con: duckdb.DuckDBPyConnection, content: WarehouseContent, seconds_so_far: float) -> None:
    from etl.extract_cache import code_version

    con.sql("DELETE FROM _build")
    con.sql("INSERT INTO _build VALUES (?, ?, ?)",
            params=[datetime.now(timezone.utc).replace(tzinfo=None), seconds_so_far, ETL_VERSION])
    con.sql("DELETE FROM _source_files")
    _insert(con, "_source_files", [dict(file=f, size=size, mtime_ns=mtime)
                                   for f, (size, mtime) in sorted(content.source_files.items())])
    con.sql("DELETE FROM _build_inputs")
    con.sql("INSERT INTO _build_inputs VALUES (?)", params=[code_version()])


def check_invariants(con: duckdb.DuckDBPyConnection) -> None:
    """Hard guarantees of the public views; a violation aborts the build (ValidationError)."""
    checks = {
        "initiative_id が重複しています":
            "SELECT initiative_id FROM initiatives GROUP BY 1 HAVING count(*) > 1",
        "評価が (取組, 年度, 評価者, 評価項目) で重複しています":
            "SELECT initiative_id FROM evaluations GROUP BY initiative_id, fiscal_year, evaluator, "
            "criterion HAVING count(*) > 1",
        "評価が存在しない取組を参照しています":
            "SELECT e.initiative_id FROM evaluations e ANTI JOIN initiatives i USING (initiative_id)",
        "親項目が存在しません":
            "SELECT i.parent_id FROM initiatives i WHERE parent_id IS NOT NULL AND parent_id NOT IN "
            "(SELECT initiative_id FROM initiatives)",
        "initiative_municipalities の主体が取組の自治体と一致しません":
            "SELECT i.initiative_id FROM initiatives i LEFT JOIN initiative_municipalities m "
            "ON m.initiative_id = i.initiative_id AND m.role = '主体' "
            "WHERE m.municipality IS DISTINCT FROM i.municipality",
        "自治体コードが municipalities で重複しています":
            "SELECT code FROM municipalities WHERE code IS NOT NULL GROUP BY 1 HAVING count(*) > 1 "
            "UNION ALL SELECT municipality FROM municipalities WHERE code IS NULL GROUP BY 1 HAVING count(*) > 1",
        "評価 (grade) が A–D ではありません":
            "SELECT grade FROM evaluations WHERE grade IS NOT NULL AND grade NOT IN ('A','B','C','D')",
        "財政効果の区分・根拠・期間・表記が語彙にありません":
            f"SELECT kind, basis, recurrence, bound FROM fiscal_effects WHERE kind NOT IN {_sql_list(KINDS)} "
            f"OR basis NOT IN {_sql_list(BASES)} OR recurrence NOT IN {_sql_list(RECURRENCES)} "
            f"OR bound NOT IN {_sql_list(BOUNDS)}",
        "財政効果の集計と除外理由が食い違っています":
            "SELECT evidence FROM fiscal_effects WHERE counted IS NULL "
            "OR counted = (excluded_reason IS NOT NULL)",
    }
    for message, query in checks.items():
        bad = con.sql(query + " LIMIT 3").fetchall()
        if bad:
            raise ValidationError(f"倉庫の検証に失敗しました: {message} (例: {bad})")
    for view, columns in PUBLIC_VIEWS.items():
        actual = [c[0] for c in con.sql(f"DESCRIBE {view}").fetchall()]
        if actual != columns:
            raise ValidationError(f"公開ビュー {view} の列が契約と異なります: {actual}")


def write_warehouse(content: WarehouseContent, target: Path, seconds_so_far: float = 0.0) -> dict[str, int]:
    """Build the warehouse in a temporary file, validate it, then atomically replace ``target``."""

    def fill(con: duckdb.DuckDBPyConnection) -> None:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                con.sql(statement)
        _insert_tables(con, content, SIMILARITY_SOURCES)
        with _similar_initiatives_meanwhile(con, {d.document_id: d.rows_key for d in content.documents},
                                            content.similarity_state):
            _insert_tables(con, content, [t for t in ARROW_SCHEMAS if t not in SIMILARITY_SOURCES])
            _global_issues(con, content)
            fill_municipality_codes(con, content)
            fill_municipalities(con, content)
            _insert(con, "_data_quality", populations(content.documents, content.document_codes)[1])
            write_document_facts(con, content.documents)
            _categories(con, content.categories)
            _source_tables(con, content)
            _initiative_municipalities(con)
            _create_views(con)
            build_figures(con)
        check_invariants(con)
        write_build_record(con, content, seconds_so_far)

    return swap_in_new(target, fill)


def swap_in_new(target: Path, fill, start_from: Path | None = None) -> dict[str, int]:
    """Write a warehouse as ``<target>.tmp-…`` with ``fill(connection)`` — on a copy of
    ``start_from`` when given (``etl.reassembly``), else on an empty file —, count the rows per
    public view, checkpoint, close, and only then rename it over ``target`` (atomic on one
    filesystem). Any failure leaves ``target`` as it was and removes the temporary."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target=target)
    temporary = warehouse_temporary(target)
    try:
        if start_from is not None:
            shutil.copyfile(start_from, temporary)
        con = duckdb.connect(str(temporary))
        try:
            con.sql("SET threads TO 2")
            # DuckDB keeps what it wrote cached up to 80 % of RAM by default; the build holds its
            # rows and 「類似の取組」 beside it. At national scale this cut the writer's peak by
            # about 200 MB without slowing the inserts (queries beyond it spill to disk).
            con.sql(f"SET memory_limit = '{WRITER_MEMORY_LIMIT}'")
            fill(con)
            counts = {v: con.sql(f"SELECT count(*) FROM {v}").fetchall()[0][0] for v in PUBLIC_VIEWS}
            con.sql("CHECKPOINT")
        finally:
            con.close()
        os.replace(temporary, target)
        return counts
    except ValidationError:
        raise
    except (duckdb.Error, OSError, pl.exceptions.PolarsError) as error:
        raise LoadError(f"倉庫 {target} を書き込めませんでした: {error}") from error
    finally:
        temporary.unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)
