"""Which initiatives a filter selects, as SQL: the slice every page agrees on, without pulling it
into Python.

``queries.initiatives(filters)`` returns the whole slice with its summary columns; at national
scale (100,000 initiatives) pages that only need ids, counts or one page of rows use these
fragments instead, so DuckDB joins and aggregates and Python receives what is drawn.
Terms: 総合評価 (overall self-evaluation grade A–D), 総括 (the plan-period summary, fiscal_year NULL).
"""
from __future__ import annotations

from typing import Any

from vocab import LEVELS
from warehouse.filters import Filters, where_clause

# The slice's order (the explorer's 文書の順): municipality, level as the documents rank them,
# the year of a yearly list, then the line in the document; the id breaks any remaining tie so
# that pages never overlap.
LEVEL_RANK = "CASE i.level " + " ".join(f"WHEN '{lv}' THEN {n}" for n, lv in enumerate(LEVELS)) + " ELSE 99 END"
SLICE_ORDER = f"i.municipality, {LEVEL_RANK}, i.fiscal_year NULLS FIRST, s.line, i.initiative_id"

# The latest (or the chosen year's) 総合評価 per initiative; 総括 counts as the latest, as in
# ``queries.initiatives``. One ``?`` pair: the year (or NULL) twice.
LATEST_GRADE = """
    SELECT initiative_id, latest.grade, latest.fiscal_year AS grade_year FROM (
    -- a struct: arg_max skips a NULL argument, and 総括's fiscal_year is NULL
    SELECT initiative_id, arg_max({'grade': grade, 'fiscal_year': fiscal_year}, coalesce(fiscal_year, 9999)) AS latest
    FROM evaluations
    WHERE evaluator = 'self' AND criterion = '総合評価' AND grade IS NOT NULL
      AND (CAST(? AS INTEGER) IS NULL OR fiscal_year = ?)
      AND initiative_id IN (SELECT initiative_id FROM sel)
    GROUP BY initiative_id)
"""


def selected(filters: Filters, level: str | None = None) -> tuple[str, list[Any]]:
    """SQL (a full SELECT of ``initiative_id``) and its parameters for the slice of ``filters``,
    optionally only the initiatives at ``level`` (階層). Same rows as ``queries.initiatives``."""
    where, params = where_clause(filters)
    sql = f"SELECT i.initiative_id FROM initiatives i JOIN _initiatives s USING (initiative_id) WHERE {where}"
    if level is not None:
        sql += " AND i.level = ?"
        params = [*params, level]
    if filters.grade:
        year = filters.fiscal_year
        sql += (" AND i.initiative_id IN (SELECT initiative_id FROM evaluations "
                "WHERE evaluator = 'self' AND criterion = '総合評価' AND grade IS NOT NULL "
                "AND (CAST(? AS INTEGER) IS NULL OR fiscal_year = ?) GROUP BY initiative_id "
                "HAVING arg_max(grade, coalesce(fiscal_year, 9999)) = ?)")
        params = [*params, year, year, filters.grade]
    return sql, params


def with_slice(filters: Filters, level: str | None = None) -> tuple[str, list[Any]]:
    """``WITH sel AS (…)``: the slice as a named relation for the query that follows."""
    sql, params = selected(filters, level)
    return f"WITH sel AS MATERIALIZED ({sql})", params
