"""One document's warehouse rows as Arrow tables: what the load stage inserts for it.

Everything here depends on one document only (its reconciled extract, what the manifest or the
workbook says about it, and the categories dictionary), so the result is cached per document
(``etl.extract_cache``, key: the document's extract key, its metadata and the dictionary) and a
rebuild reassembles the warehouse with one bulk insert per table from these tables instead of
building Python row dicts for every record of every document again.

The rules are the load stage's (``etl.load``), written per document: the money rule
(``etl.money.decide``) reads one document's amounts in document order; ``initiatives.categories``
(``etl.categories.assign``) reads one initiative's title, subtitle, themes and narratives; the
``uncategorized`` and unknown-category rows of data_quality name one initiative each.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from etl.categories import NO_CATEGORY, Dictionary, Item, assign_all
from etl.model import DOCUMENT_MUNICIPALITY, Extract, Issue
from etl.money import decide
from etl.normalize import match_key

_ARROW_TYPES = {"VARCHAR": pa.string(), "JSON": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(),
                "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(), "TIMESTAMP": pa.timestamp("us"),
                "VARCHAR[]": pa.list_(pa.string())}


def arrow_schemas(schema_sql: str) -> dict[str, pa.Schema]:
    """Table -> Arrow schema, read from the load stage's CREATE TABLE statements."""
    schemas = {}
    for name, body in re.findall(r"CREATE TABLE (\w+) \((.*?)\);", schema_sql, flags=re.S):
        columns = []
        for part in re.split(r",\s*(?![^()]*\))", " ".join(body.split())):
            words = part.split()
            if words[0] == "PRIMARY":
                continue
            columns.append(pa.field(words[0], _ARROW_TYPES[words[1]]))
        schemas[name] = pa.schema(columns)
    return schemas


@dataclass
class DocumentTables:
    """The rows of one document per internal table (``_documents`` … ``_data_quality``),
    its source-specific tables (``Extract.tables``, each row with its document_id) and how many
    data-quality records of each kind the document's extract carries (for the build report)."""

    tables: dict[str, pa.Table]
    source_tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    issue_kinds: dict[str, int] = field(default_factory=dict)
    inserted: dict[str, int] = field(default_factory=dict)  # rows per table ``release`` dropped

    def row_counts(self) -> dict[str, int]:
        """How many rows the document has in each table (also after ``release``)."""
        return {**self.inserted, **{t: rows.num_rows for t, rows in self.tables.items()}}

    def release(self, table: str) -> None:
        """Drop the rows of ``table`` once they are in the warehouse, keeping their count: at
        national scale the Arrow tables of every document held about 400 MB until the build ended."""
        if table in self.tables:
            self.inserted[table] = self.tables.pop(table).num_rows


def location(file: str, lines: tuple[int, ...], sheet: str | None = None) -> str:
    """``file:line`` for text sources, ``file:sheet!row`` for workbooks (Excel's own notation)."""
    place = f"{file}:{sheet}" if sheet else file
    if not lines:
        return place
    separator = "!" if sheet else ":"
    return "; ".join(f"{place}{separator}{n}" for n in lines)


def _concat(*parts: Any) -> str | None:
    """SQL's ``||``: NULL when any part is NULL."""
    return None if any(p is None for p in parts) else "".join(str(p) for p in parts)


def _subtitle(extra: dict[str, Any]) -> str | None:
    """``extra->>'副題'``: the value as text (JSON text for a non-string)."""
    value = extra.get("副題")
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _table(schema: pa.Schema, columns: dict[str, list[Any]] | None) -> pa.Table | None:
    """One table from its columns (lists of equal length; a column of the schema not given is
    NULL), or None without rows — what ``pa.Table.from_pylist`` gives for the same rows, without
    building a dict per row first."""
    count = len(next(iter(columns.values()))) if columns else 0
    if not count:
        return None
    return pa.Table.from_arrays([pa.array(columns[f.name], f.type) if f.name in columns
                                 else pa.nulls(count, f.type) for f in schema], schema=schema)


def document_tables(document, extract: Extract, notes: list[Issue], dictionary: Dictionary,
                    schemas: dict[str, pa.Schema]) -> DocumentTables:
    """The rows of ``document`` (an ``etl.load.LoadedDocument``) built from ``extract``;
    ``notes``: data-quality records about the document added after its extract's own."""
    d, x = document, extract
    ident = lambda key: None if key is None else f"{d.document_id}/{key}"  # noqa: E731
    town = lambda m: d.municipality if m == DOCUMENT_MUNICIPALITY else m  # noqa: E731
    out: dict[str, dict[str, list[Any]]] = {}
    out["_documents"] = dict(document_id=[d.document_id], municipality=[d.municipality],
        prefecture=[d.prefecture], title=[d.title], file=[d.file], sha256=[d.sha256], format=[d.format],
        published=[d.published], original_file=[d.original_file], line_count=[d.line_count])
    narrative_ids = [ident(n.initiative_key) for n in x.narratives]
    out["_narratives"] = dict(initiative_id=narrative_ids, fiscal_year=[n.fiscal_year for n in x.narratives],
        section=[n.section for n in x.narratives], text=[n.text for n in x.narratives],
        line=[n.line for n in x.narratives], search_key=[match_key(n.text) for n in x.narratives])
    texts: dict[str, list[tuple[int, str]]] = {}
    for initiative_id, n in zip(narrative_ids, x.narratives):
        if initiative_id is not None and n.text is not None:
            texts.setdefault(initiative_id, []).append((n.line, n.text))
    initiative_ids = [ident(i.key) for i in x.initiatives]
    chosen = [list(i.categories) for i in x.initiatives]
    categories: dict[str, list[Any]] = {c: [] for c in ("initiative_id", "category", "score", "keywords",
                                                         "source", "position")}
    quality_after: list[dict[str, Any]] = []
    if not dictionary.is_empty():
        items = [Item(initiative_id, f"{i.title or ''} {_subtitle(i.extra) or ''}", list(i.themes),
                      [t for _, t in sorted(texts.get(initiative_id, []), key=lambda lt: lt[0])], list(i.categories))
                 for initiative_id, i in zip(initiative_ids, x.initiatives)]
        for number, (initiative_id, i, found) in enumerate(zip(initiative_ids, x.initiatives,
                                                                assign_all(items, dictionary))):
            for n, a in enumerate(found):
                for column, value in zip(categories, (a.initiative_id, a.category, a.score, a.keywords,
                                                      a.source, n)):
                    categories[column].append(value)
            chosen[number] = [a.category for a in found]
            if not found:
                workbook = d.format == "workbook"
                quality_after.append(dict(document_id=d.document_id,
                    location=_concat(d.file, ":", i.copy, "!", i.line) if workbook else _concat(d.file, ":", i.line),
                    kind=NO_CATEGORY,
                    message=_concat(i.level, " ", i.code or "", "「", i.title or "",
                                    "」: 共通分類 (カテゴリ) のキーワードが見つかりません"),
                    resolution="カテゴリは空のまま。data/raw/categories.csv にキーワードか「id:取組ID」の指定を加えてください",
                    initiative_id=initiative_id, sheet=i.copy if workbook else None, line=i.line))
            for category in i.categories:
                if category not in dictionary.categories:  # a workbook's own word: kept, and said so
                    quality_after.append(dict(document_id=d.document_id,
                        location=_concat(d.file, ":", i.copy, "!", i.line), kind="workbook",
                        message=f"カテゴリ「{category}」は共通分類 (data/raw/categories.csv) にありません",
                        resolution="ブックのとおり登録しました。比較の画面では独自の分類として並びます",
                        initiative_id=initiative_id, sheet=i.copy, line=i.line))
    out["_initiative_categories"] = categories
    xi = x.initiatives
    out["_initiatives"] = dict(initiative_id=initiative_ids, municipality=[town(i.municipality) for i in xi],
        document_id=[d.document_id] * len(xi), level=[i.level for i in xi], code=[i.code for i in xi],
        parent_id=[ident(i.parent_key) for i in xi], title=[i.title for i in xi],
        fiscal_year=[i.fiscal_year for i in xi], start_fy=[i.start_fy for i in xi], end_fy=[i.end_fy for i in xi],
        departments=[list(i.departments) for i in xi], themes=[list(i.themes) for i in xi],
        extra=[json.dumps(i.extra, ensure_ascii=False) for i in xi], line=[i.line for i in xi],
        copy=[i.copy for i in xi],
        search_key=[match_key(" ".join([i.title, *i.departments, *i.themes])) for i in xi], categories=chosen)
    xe = x.evaluations
    out["_evaluations"] = dict(initiative_id=[ident(e.initiative_key) for e in xe],
        fiscal_year=[e.fiscal_year for e in xe], evaluator=[e.evaluator for e in xe],
        criterion=[e.criterion for e in xe], score=[e.score for e in xe], grade=[e.grade for e in xe],
        line=[e.line for e in xe], copy=[e.copy for e in xe])
    effects = sorted(x.fiscal_effects, key=lambda f: f.line)  # the rule reads in document order
    decisions = decide(effects)
    out["_fiscal_effects"] = dict(municipality=[town(f.municipality) for f in effects],
        document_id=[d.document_id] * len(effects), initiative_id=[ident(f.initiative_key) for f in effects],
        fiscal_year=[f.fiscal_year for f in effects], amount_yen=[f.amount_yen for f in effects],
        amount_max_yen=[f.amount_max_yen for f in effects], kind=[f.kind for f in effects],
        basis=[f.basis for f in effects], recurrence=[f.recurrence for f in effects],
        bound=[f.bound for f in effects], counted=[c.counted for c in decisions],
        excluded_reason=[c.excluded_reason for c in decisions], source=[f.source for f in effects],
        evidence=[f.evidence for f in effects], location=[location(d.file, (f.line,), f.sheet) for f in effects],
        line=[f.line for f in effects], sheet=[f.sheet for f in effects])
    xk = x.indicators
    out["_indicators"] = dict(municipality=[d.municipality] * len(xk), document_id=[d.document_id] * len(xk),
        indicator_no=[k.indicator_no for k in xk], name=[k.name for k in xk], unit=[k.unit for k in xk],
        fiscal_year=[k.fiscal_year for k in xk], kind=[k.kind for k in xk], value=[k.value for k in xk],
        note=[k.note for k in xk], line=[k.line for k in xk])
    xa = x.awards
    out["_awards"] = dict(municipality=[d.municipality] * len(xa), document_id=[d.document_id] * len(xa),
        program=[a.program for a in xa], fiscal_year=[a.fiscal_year for a in xa], award=[a.award for a in xa],
        initiative_id=[ident(a.initiative_key) for a in xa], title=[a.title for a in xa],
        winner=[a.winner for a in xa], line=[a.line for a in xa])
    issues = [*x.issues, *notes]
    quality = [dict(document_id=d.document_id, location=location(d.file, q.lines, q.sheet),
                    kind=q.kind, message=q.message, resolution=q.resolution, initiative_id=ident(q.initiative_key),
                    sheet=q.sheet, line=min(q.lines, default=None)) for q in issues] + quality_after
    out["_data_quality"] = {c: [r[c] for r in quality] for c in ("document_id", "location", "kind", "message",
                                                                   "resolution", "initiative_id", "sheet", "line")}
    tables = {}
    for name, schema in schemas.items():  # in the schemas' order, as the load stage inserts them
        table = _table(schema, out.get(name))
        if table is not None:
            tables[name] = table
    source = {name: [{"document_id": d.document_id, **r} for r in rows] for name, rows in x.tables.items()}
    return DocumentTables(tables, source, dict(Counter(q.kind for q in issues)))
