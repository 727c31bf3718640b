"""Read side of the 取組一覧 (explorer): one page of the filtered slice at a time, with its total.

The rows are those of ``queries.initiatives`` (latest or the chosen year's 総合評価 grade,
criterion scores 進捗度・連携度・効率性・創造性, 委員評価 committee rating, counted 財政効果
fiscal effect), sorted and cut in DuckDB, so a page of 100 rows costs the same whether the
slice holds 30 initiatives or 100,000.
"""
from __future__ import annotations

from typing import Any

import polars as pl

from vocab import CRITERIA
from warehouse.connection import query
from warehouse.filters import Filters
from warehouse.queries import cached
from warehouse.selection import LATEST_GRADE, SLICE_ORDER, with_slice

EVALUATED_FIRST = "評価のある取組から"
DOCUMENT_ORDER = "文書の順"
ORDERS = (EVALUATED_FIRST, DOCUMENT_ORDER)

_EVALUATED = ("(g.grade IS NOT NULL OR " + " OR ".join(f"sc.{c} IS NOT NULL" for c in CRITERIA)
              + " OR c.committee IS NOT NULL)")


_COLUMNS = f"""i.initiative_id, i.municipality, i.level, i.code, i.title, i.departments, i.themes,
           i.fiscal_year, i.start_fy, i.end_fy, i.parent_id, i.document_id,
           g.grade, g.grade_year,
           {", ".join(f"sc.{c}" for c in CRITERIA)}, sc.合計, sc.fiscal_year AS score_year,
           c.committee, m.fiscal_effect, i.categories"""


def _order_by(order: str) -> str:
    return f"{_EVALUATED + ' DESC, ' if order == EVALUATED_FIRST else ''}{SLICE_ORDER}"


def _rows_sql(filters: Filters, order: str, columns: str = _COLUMNS, sort: bool = True) -> tuple[str, list[Any]]:
    head, params = with_slice(filters)
    year = filters.fiscal_year
    sql = f"""{head},
    grades AS ({LATEST_GRADE}),
    scores AS (
        SELECT initiative_id, fiscal_year,
               {", ".join(f"max(score) FILTER (WHERE criterion = '{c}') AS {c}" for c in CRITERIA)},
               max(score) FILTER (WHERE criterion = '合計') AS 合計
        FROM evaluations
        WHERE evaluator = 'self' AND criterion IN ('進捗度', '連携度', '効率性', '創造性', '合計')
          AND (CAST(? AS INTEGER) IS NULL OR fiscal_year = ?)
          AND initiative_id IN (SELECT initiative_id FROM sel)
        GROUP BY initiative_id, fiscal_year
        QUALIFY row_number() OVER (PARTITION BY initiative_id ORDER BY coalesce(fiscal_year, 9999) DESC) = 1
    ), committee AS (
        SELECT initiative_id, avg(score) AS committee FROM evaluations
        WHERE criterion = '委員評価' AND initiative_id IN (SELECT initiative_id FROM sel)
        GROUP BY initiative_id
    ), money AS (
        SELECT initiative_id, sum(amount_yen) AS fiscal_effect FROM fiscal_effects
        WHERE counted AND initiative_id IN (SELECT initiative_id FROM sel)
          AND (CAST(? AS INTEGER) IS NULL OR fiscal_year = ?)
        GROUP BY initiative_id
    )
    SELECT {columns}
    FROM sel JOIN initiatives i USING (initiative_id) JOIN _initiatives s USING (initiative_id)
    LEFT JOIN grades g USING (initiative_id)
    LEFT JOIN scores sc USING (initiative_id)
    LEFT JOIN committee c USING (initiative_id)
    LEFT JOIN money m USING (initiative_id)
    {"ORDER BY " + _order_by(order) if sort else ""}"""
    return sql, [*params, year, year, year, year, year, year]


@cached
def row_count(filters: Filters) -> int:
    """How many initiatives the filters select (the pager's 全 N 件)."""
    head, params = with_slice(filters)
    return int(query(f"{head} SELECT count(*) AS n FROM sel", params)["n"][0])


@cached
def page_rows(filters: Filters, order: str, offset: int, limit: int) -> pl.DataFrame:
    """Rows ``offset`` … ``offset + limit − 1`` of the slice in ``order`` (see ``ORDERS``)."""
    sql, params = _rows_sql(filters, order)
    return query(f"{sql} LIMIT ? OFFSET ?", [*params, limit, offset])


def all_rows(filters: Filters, order: str) -> pl.DataFrame:
    """Every row of the slice in ``order``: for a download, built when it is clicked (not cached:
    a 100,000-row frame should not stay in memory for every filter someone exported)."""
    sql, params = _rows_sql(filters, order)
    return query(sql, params)


@cached
def in_slice(filters: Filters, initiative_id: str) -> bool:
    """Whether ``initiative_id`` is among the filtered initiatives (a ``?id=`` outside them is ignored)."""
    head, params = with_slice(filters)
    found = query(f"{head} SELECT count(*) AS n FROM sel WHERE initiative_id = ?", [*params, initiative_id])
    return bool(found["n"][0])


@cached
def position(filters: Filters, order: str, initiative_id: str) -> int | None:
    """0-based place of ``initiative_id`` in the ordered slice (to open the page that shows it)."""
    sql, params = _rows_sql(filters, order, f"i.initiative_id, row_number() OVER (ORDER BY {_order_by(order)}) - 1 AS n",
                            sort=False)
    found = query(f"SELECT n FROM ({sql}) WHERE initiative_id = ?", [*params, initiative_id])
    return int(found["n"][0]) if found.height else None
