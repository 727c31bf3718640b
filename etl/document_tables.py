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

from etl.categories import NO_CATEGORY, Dictionary, Item, assign
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


def document_tables(document, extract: Extract, notes: list[Issue], dictionary: Dictionary,
                    schemas: dict[str, pa.Schema]) -> DocumentTables:
    """The rows of ``document`` (an ``etl.load.LoadedDocument``) built from ``extract``;
    ``notes``: data-quality records about the document added after its extract's own."""
    d, x = document, extract
    ident = lambda key: None if key is None else f"{d.document_id}/{key}"  # noqa: E731
    town = lambda m: d.municipality if m == DOCUMENT_MUNICIPALITY else m  # noqa: E731
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in schemas}
    out["_documents"].append(dict(document_id=d.document_id, municipality=d.municipality,
        prefecture=d.prefecture, title=d.title, file=d.file, sha256=d.sha256, format=d.format,
        published=d.published, original_file=d.original_file, line_count=d.line_count))
    texts: dict[str, list[tuple[int, str]]] = {}
    for n in x.narratives:
        initiative_id = ident(n.initiative_key)
        out["_narratives"].append(dict(initiative_id=initiative_id, fiscal_year=n.fiscal_year,
            section=n.section, text=n.text, line=n.line, search_key=match_key(n.text)))
        if initiative_id is not None and n.text is not None:
            texts.setdefault(initiative_id, []).append((n.line, n.text))
    quality_after: list[dict[str, Any]] = []
    for i in x.initiatives:
        initiative_id = ident(i.key)
        categories = list(i.categories)
        if not dictionary.is_empty():
            own = [t for _, t in sorted(texts.get(initiative_id, []), key=lambda lt: lt[0])]
            found = assign(Item(initiative_id, f"{i.title or ''} {_subtitle(i.extra) or ''}", list(i.themes), own,
                                list(i.categories)), dictionary)
            out["_initiative_categories"] += [dict(initiative_id=a.initiative_id, category=a.category,
                score=a.score, keywords=a.keywords, source=a.source, position=n) for n, a in enumerate(found)]
            categories = [a.category for a in found]
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
        out["_initiatives"].append(dict(initiative_id=initiative_id, municipality=town(i.municipality),
            document_id=d.document_id, level=i.level, code=i.code, parent_id=ident(i.parent_key),
            title=i.title, fiscal_year=i.fiscal_year, start_fy=i.start_fy, end_fy=i.end_fy,
            departments=list(i.departments), themes=list(i.themes),
            extra=json.dumps(i.extra, ensure_ascii=False), line=i.line, copy=i.copy,
            search_key=match_key(" ".join([i.title, *i.departments, *i.themes])), categories=categories))
    for e in x.evaluations:
        out["_evaluations"].append(dict(initiative_id=ident(e.initiative_key), fiscal_year=e.fiscal_year,
            evaluator=e.evaluator, criterion=e.criterion, score=e.score, grade=e.grade, line=e.line, copy=e.copy))
    effects = sorted(x.fiscal_effects, key=lambda f: f.line)  # the rule reads in document order
    for f, decision in zip(effects, decide(effects)):
        out["_fiscal_effects"].append(dict(municipality=town(f.municipality), document_id=d.document_id,
            initiative_id=ident(f.initiative_key), fiscal_year=f.fiscal_year, amount_yen=f.amount_yen,
            amount_max_yen=f.amount_max_yen, kind=f.kind, basis=f.basis, recurrence=f.recurrence, bound=f.bound,
            counted=decision.counted, excluded_reason=decision.excluded_reason, source=f.source,
            evidence=f.evidence, location=location(d.file, (f.line,), f.sheet), line=f.line, sheet=f.sheet))
    for k in x.indicators:
        out["_indicators"].append(dict(municipality=d.municipality, document_id=d.document_id,
            indicator_no=k.indicator_no, name=k.name, unit=k.unit, fiscal_year=k.fiscal_year,
            kind=k.kind, value=k.value, note=k.note, line=k.line))
    for a in x.awards:
        out["_awards"].append(dict(municipality=d.municipality, document_id=d.document_id, program=a.program,
            fiscal_year=a.fiscal_year, award=a.award, initiative_id=ident(a.initiative_key), title=a.title,
            winner=a.winner, line=a.line))
    issues = [*x.issues, *notes]
    for q in issues:
        out["_data_quality"].append(dict(document_id=d.document_id, location=location(d.file, q.lines, q.sheet),
            kind=q.kind, message=q.message, resolution=q.resolution, initiative_id=ident(q.initiative_key),
            sheet=q.sheet, line=min(q.lines, default=None)))
    out["_data_quality"] += quality_after
    tables = {name: pa.Table.from_pylist(rows, schema=schemas[name]) for name, rows in out.items() if rows}
    source = {name: [{"document_id": d.document_id, **r} for r in rows] for name, rows in x.tables.items()}
    return DocumentTables(tables, source, dict(Counter(q.kind for q in issues)))
