"""Round trip: one warehouse document written back in template form.

Importing the exported workbook (with the original source removed from data/raw, since the
document_id is the same) gives identical rows in the public views initiatives, evaluations,
narratives, fiscal_effects, indicators and awards, and the same municipalities.

Values are the public views' columns. They are read from the internal ``_<view>`` tables the
views select from, because only those say which *document* an indicator, an award or a
plan total (initiative_id NULL) belongs to, and in which source line order rows came — the
export keeps that order so the imported rows sort the same way on every page. Partner
municipalities come from the ``src_*_municipalities`` tables (the 関係自治体 sheet).

What the import cannot reproduce, and how the export handles it:
- the plan period is not in the warehouse: 開始年度/終了年度 are the first and last year the
  document's rows mention (baseline indicators aside), blank when it mentions none;
- text Excel cannot hold (control characters, more than 32,767 characters in a cell) and list
  items a cell cannot separate again stop the export with ``TemplateExportError``;
- surrounding spaces in a cell are trimmed on import (the built-in data has none).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from etl.categories import BY_WORKBOOK
from etl.errors import TemplateExportError
from etl.load import PUBLIC_VIEWS
from etl.workbook.layout import (AWARDS, EVALUATIONS, EVALUATORS, FISCAL_BOUNDS, FISCAL_EFFECTS,
                                 FISCAL_SOURCES, INDICATOR_KINDS, INDICATORS, INITIATIVES, LIST_SEPARATOR,
                                 NARRATIVES, PARTNERS, PLAN, UNKNOWN_MUNICIPALITY, SheetSpec)
from etl.workbook.writing import text_problem, workbook_bytes

_EVALUATOR_LABELS = {v: k for k, v in EVALUATORS.items()}
_INDICATOR_LABELS = {v: k for k, v in INDICATOR_KINDS.items()}
_SOURCE_LABELS = {v: k for k, v in FISCAL_SOURCES.items()}
_BOUND_LABELS = {v: k for k, v in FISCAL_BOUNDS.items()}

Rows = list[dict[str, Any]]


def _records(con: duckdb.DuckDBPyConnection, view: str, where: str, params: list) -> Rows:
    """The public columns of ``view`` for one document, in source line order."""
    columns = PUBLIC_VIEWS[view]
    relation = con.sql(f"SELECT {', '.join(columns)} FROM _{view} WHERE {where} ORDER BY line, rowid",
                       params=params)
    return [dict(zip(columns, row)) for row in relation.fetchall()]


def _choose_document(con: duckdb.DuckDBPyConnection, municipality: str,
                     document_id: str | None) -> tuple[str, str]:
    documents = con.sql("SELECT document_id, title FROM documents WHERE municipality = ? "
                        "ORDER BY document_id", params=[municipality]).fetchall()
    if not documents:
        known = [r[0] for r in con.sql("SELECT DISTINCT municipality FROM documents ORDER BY 1").fetchall()]
        raise TemplateExportError(f"自治体「{municipality}」の文書が倉庫にありません。"
                                  f"書き出せる自治体: {'、'.join(known) or '(なし)'}")
    listed = "、".join(f"{d}（{t}）" for d, t in documents)
    if document_id is not None:
        match = [d for d in documents if d[0] == document_id]
        if not match:
            raise TemplateExportError(f"文書「{document_id}」は自治体「{municipality}」の文書ではありません。"
                                      f"この自治体の文書: {listed}")
        return match[0]
    if len(documents) > 1:
        raise TemplateExportError(f"自治体「{municipality}」には文書が {len(documents)} 件あります。"
                                  f"--document で1つ指定してください: {listed}")
    return documents[0]


def _municipality_cell(value: str | None, plan_municipality: str) -> str | None:
    """Blank = the plan's municipality, 「不明」 = NULL (see the 自治体 column)."""
    if value is None:
        return UNKNOWN_MUNICIPALITY
    if value == UNKNOWN_MUNICIPALITY:
        raise TemplateExportError(f"自治体名「{UNKNOWN_MUNICIPALITY}」は空欄 (NULL) の印と区別できないため書き出せません。")
    return None if value == plan_municipality else value


class _Keys:
    """initiative_id <-> the workbook's 取組ID (the part after ``<document_id>/``) and 番号."""

    def __init__(self, document_id: str, initiatives: Rows):
        self.prefix = f"{document_id}/"
        self.code = {i["initiative_id"]: i["code"] for i in initiatives}

    def key(self, initiative_id: str | None) -> str | None:
        return None if initiative_id is None else initiative_id[len(self.prefix):]

    def number(self, initiative_id: str | None) -> str | None:
        return self.code.get(initiative_id)


def _stated_categories(con: duckdb.DuckDBPyConnection, document_id: str) -> dict[str, list[str]]:
    """Categories a workbook stated (the カテゴリ column), by initiative_id. Those the dictionary
    decided are left out, so the exported column stays blank and the dictionary decides again."""
    if not con.sql("SELECT 1 FROM duckdb_tables() WHERE table_name = '_initiative_categories'").fetchall():
        return {}
    return dict(con.sql("SELECT initiative_id, list(category ORDER BY position) FROM _initiative_categories "
                        "WHERE source = ? AND starts_with(initiative_id, ?) GROUP BY 1",
                        params=[BY_WORKBOOK, f"{document_id}/"]).fetchall())


def _initiative_rows(initiatives: Rows, keys: _Keys, municipality: str,
                     stated: dict[str, list[str]] | None = None) -> Rows:
    stated = stated or {}
    return [dict(level=i["level"], code=i["code"], parent_code=keys.number(i["parent_id"]),
                 title=i["title"] or None, departments=i["departments"], themes=i["themes"],
                 start_fy=i["start_fy"], end_fy=i["end_fy"], fiscal_year=i["fiscal_year"],
                 key=keys.key(i["initiative_id"]), parent_key=keys.key(i["parent_id"]),
                 municipality=_municipality_cell(i["municipality"], municipality),
                 extra=None if i["extra"] in (None, "{}") else i["extra"],
                 categories=stated.get(i["initiative_id"]) or None)
            for i in initiatives]


def _partner_rows(con: duckdb.DuckDBPyConnection, document_id: str, keys: _Keys) -> Rows:
    rows: Rows = []
    tables = [r[0] for r in con.sql("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE "
                                    "'src\\_%\\_municipalities' ESCAPE '\\' ORDER BY 1").fetchall()]
    for table in tables:
        columns = {r[0] for r in con.sql(f'DESCRIBE "{table}"').fetchall()}
        if not {"document_id", "municipality"} <= columns:
            continue
        key = "initiative_key" if "initiative_key" in columns else "NULL"
        order = "line, rowid" if "line" in columns else "rowid"
        for name, initiative_key in con.sql(
                f'SELECT municipality, {key} FROM "{table}" WHERE document_id = ? '
                f"AND municipality IS NOT NULL ORDER BY {order}", params=[document_id]).fetchall():
            initiative_id = None if initiative_key is None else keys.prefix + initiative_key
            if initiative_id is not None and initiative_id not in keys.code:
                initiative_id = None
            rows.append(dict(municipality=name, number=keys.number(initiative_id),
                             initiative_id=keys.key(initiative_id)))
    return rows


def _plan_years(initiatives: Rows, others: list[Rows], indicators: Rows) -> tuple[int | None, int | None]:
    years = [i[f] for i in initiatives for f in ("fiscal_year", "start_fy", "end_fy") if i[f] is not None]
    years += [r["fiscal_year"] for rows in others for r in rows if r["fiscal_year"] is not None]
    years += [r["fiscal_year"] for r in indicators if r["fiscal_year"] is not None and r["kind"] != "baseline"]
    return (min(years), max(years)) if years else (None, None)


def _check_cells(sheets: list[tuple[SheetSpec, Rows]]) -> None:
    """Refuse what a cell cannot hold exactly, naming the sheet, row and column."""
    for spec, rows in sheets:
        for number, row in enumerate(rows, start=2):
            for column in spec.columns:
                value = row.get(column.field)
                problem = None
                if isinstance(value, str):
                    problem = text_problem(value)
                elif isinstance(value, list):
                    bad = [v for v in value if not v or v != v.strip() or "\n" in v
                           or (LIST_SEPARATOR in v and len(value) == 1)]
                    problem = f"値「{bad[0]}」は区切り文字や空白のため1つのセルに書けません" if bad else \
                        text_problem("\n".join(value))
                if problem:
                    raise TemplateExportError(f"{spec.name}!{number} 列「{column.header}」: {problem}。")


def export_workbook(warehouse: Path | str | duckdb.DuckDBPyConnection, municipality: str,
                    document_id: str | None = None) -> bytes:
    """One document of ``municipality`` as template .xlsx bytes (``document_id`` picks one
    when the municipality has several). Raises ``TemplateExportError`` with a Japanese message."""
    if isinstance(warehouse, duckdb.DuckDBPyConnection):
        return _export(warehouse, municipality, document_id)
    path = Path(warehouse)
    if not path.exists():
        raise TemplateExportError(f"倉庫 {path} がありません。先に python -m etl で作成してください。")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise TemplateExportError(f"倉庫 {path} を開けません: {error}") from error
    try:
        return _export(con, municipality, document_id)
    finally:
        con.close()


def _export(con: duckdb.DuckDBPyConnection, municipality: str, document_id: str | None) -> bytes:
    document_id, title = _choose_document(con, municipality, document_id)
    initiatives = _records(con, "initiatives", "document_id = ?", [document_id])
    keys = _Keys(document_id, initiatives)
    of_document = "initiative_id IN (SELECT initiative_id FROM _initiatives WHERE document_id = ?)"
    evaluations = _records(con, "evaluations", of_document, [document_id])
    narratives = _records(con, "narratives", of_document, [document_id])
    effects = _records(con, "fiscal_effects", "document_id = ?", [document_id])
    indicators = _records(con, "indicators", "document_id = ?", [document_id])
    awards = _records(con, "awards", "document_id = ?", [document_id])
    place = con.sql("SELECT prefecture, population FROM municipalities WHERE municipality = ?",
                    params=[municipality]).fetchall()
    prefecture, population = place[0] if place else (None, None)
    start, end = _plan_years(initiatives, [evaluations, narratives, effects, awards], indicators)
    reference = lambda r: dict(number=keys.number(r["initiative_id"]),  # noqa: E731
                               initiative_id=keys.key(r["initiative_id"]))
    sheets: list[tuple[SheetSpec, Rows]] = [
        (PLAN, [dict(municipality=municipality, prefecture=prefecture,
                     title=title, start_fy=start, end_fy=end, document_id=document_id, population=population)]),
        (INITIATIVES, _initiative_rows(initiatives, keys, municipality, _stated_categories(con, document_id))),
        (EVALUATIONS, [dict(r, evaluator=_EVALUATOR_LABELS.get(r["evaluator"], r["evaluator"]),
                            **reference(r)) for r in evaluations]),
        (INDICATORS, [dict(r, kind=_INDICATOR_LABELS.get(r["kind"], r["kind"])) for r in indicators]),
        (FISCAL_EFFECTS, [dict(r, source=_SOURCE_LABELS.get(r["source"], r["source"]),
                               bound=_BOUND_LABELS.get(r["bound"], r["bound"]),
                               municipality=_municipality_cell(r["municipality"], municipality),
                               **reference(r)) for r in effects]),
        (NARRATIVES, [dict(r, **reference(r)) for r in narratives]),
        (AWARDS, [dict(r, **reference(r)) for r in awards]),
        (PARTNERS, _partner_rows(con, document_id, keys)),
    ]
    _check_cells(sheets)
    return workbook_bytes(sheets)
