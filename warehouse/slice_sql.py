"""The filtered slice of initiatives as a SQL subquery, for aggregations that stay in DuckDB.

``queries.initiatives(filters)`` returns the slice as one Polars row per initiative; at national
scale (1,741 municipalities, ~100k initiatives) pulling that into Python to count it is what
made the overview slow. :func:`slice_ids` selects exactly the same initiatives (every filter,
including 評価: the latest — or the chosen year's — self-evaluation 総合評価 grade) so a page
can ``GROUP BY`` in SQL and receive only the counts it draws.
"""
from __future__ import annotations

from typing import Any

from warehouse.filters import Filters, where_clause

# The initiative's latest self-evaluation 総合評価 (総括, fiscal_year NULL, counts as the latest),
# or the chosen year's: the same grade queries.initiatives shows and filters on.
_GRADE_IS = """i.initiative_id IN (
    SELECT initiative_id FROM evaluations
    WHERE evaluator = 'self' AND criterion = '総合評価' AND grade IS NOT NULL
      AND (CAST(? AS INTEGER) IS NULL OR fiscal_year = ?)
    GROUP BY initiative_id HAVING arg_max(grade, coalesce(fiscal_year, 9999)) = ?)"""


def slice_ids(filters: Filters) -> tuple[str, list[Any]]:
    """``SELECT initiative_id …`` of the slice ``filters`` select, and its ``?`` parameters."""
    where, params = where_clause(filters)
    sql = f"SELECT i.initiative_id FROM initiatives i JOIN _initiatives s USING (initiative_id) WHERE {where}"
    if filters.grade:
        sql += f" AND {_GRADE_IS}"
        params = [*params, filters.fiscal_year, filters.fiscal_year, filters.grade]
    return sql, params


def in_slice(column: str, filters: Filters) -> tuple[str, list[Any]]:
    """``<column> IN (<the slice>)`` and its parameters; ``TRUE`` when no filter is set (every
    initiative is in the slice, and the semi-join over ~100k ids is the costliest part of a count)."""
    if filters.is_empty():
        return "TRUE", []
    sql, params = slice_ids(filters)
    return f"{column} IN ({sql})", params
