"""Read side of the 取組一覧 (explorer): one page of the filtered slice at a time, with its total.

The rows are those of ``queries.initiatives`` (latest or the chosen year's 総合評価 grade,
criterion scores 進捗度・連携度・効率性・創造性, 委員評価 committee rating, counted 財政効果
fiscal effect), sorted and cut in DuckDB, so a page of 100 rows costs the same whether the
slice holds 30 initiatives or 100,000.
"""
from __future__ import annotations

from typing import Any

import polars as pl

from etl.municipality_codes import label_sql
from vocab import CRITERIA
from warehouse.connection import query
from warehouse.filters import Filters
from warehouse.queries import cached
from warehouse.selection import LATEST_GRADE, SLICE_ORDER, with_slice

EVALUATED_FIRST = "評価のある取組から"
DOCUMENT_ORDER = "文書の順"
ORDERS = (EVALUATED_FIRST, DOCUMENT_ORDER)

_CRITERIA_SQL = ", ".join(f"'{c}'" for c in CRITERIA)

# Whether an initiative counts as evaluated (評価のある取組から), from one pass over its
# evaluations and without the summary columns: a 総合評価 grade (in the chosen year, if one), a
# criterion score in the latest year that has criterion rows (as ``queries.initiatives`` picks
# that year: the score columns are non-empty exactly when that year has a score), or a 委員評価
# rating. The page is then a top-N sort, and only its rows get their summary columns.
_FLAGS = f"""
    flags AS (
        SELECT initiative_id,
               coalesce(bool_or(evaluator = 'self' AND criterion = '総合評価' AND grade IS NOT NULL AND {{year}})
                        OR max(coalesce(fiscal_year, 9999)) FILTER (WHERE evaluator = 'self'
                               AND criterion IN ({_CRITERIA_SQL}) AND score IS NOT NULL AND {{year}})
                           = max(coalesce(fiscal_year, 9999)) FILTER (WHERE evaluator = 'self'
                               AND criterion IN ({_CRITERIA_SQL}, '合計') AND {{year}})
                        OR bool_or(criterion = '委員評価' AND score IS NOT NULL), false) AS evaluated
        FROM evaluations WHERE initiative_id IN (SELECT initiative_id FROM sel) GROUP BY initiative_id
    )""".replace("{year}", "(CAST(? AS INTEGER) IS NULL OR fiscal_year = ?)")

_COLUMNS = f"""i.initiative_id, {label_sql("i")} AS municipality, i.level, i.code, i.title, i.departments, i.themes,
           i.fiscal_year, i.start_fy, i.end_fy, i.parent_id, i.document_id,
           g.grade, g.grade_year,
           {", ".join(f"sc.{c}" for c in CRITERIA)}, sc.合計, sc.fiscal_year AS score_year,
           c.committee, m.fiscal_effect, i.categories"""


def _order_by(order: str) -> str:
    """The ORDER BY keys over ``i`` (initiatives), ``s`` (a relation with ``line``) and ``evaluated``."""
    return f"{'evaluated DESC, ' if order == EVALUATED_FIRST else ''}{SLICE_ORDER}"


def _ranked(filters: Filters, order: str) -> tuple[str, list[Any]]:
    """``WITH sel …, flags …, ranked AS (…)``: the slice with its sort keys (evaluated, line)."""
    head, params = with_slice(filters)
    year = filters.fiscal_year
    if order == EVALUATED_FIRST:
        flags, join, evaluated = f", {_FLAGS}", "LEFT JOIN flags f USING (initiative_id)", "coalesce(f.evaluated, false)"
        params = [*params, year, year, year, year, year, year]
    else:
        flags, join, evaluated = "", "", "false"
    return (f"""{head}{flags}, ranked AS (
        SELECT i.initiative_id, {evaluated} AS evaluated, s.line
        FROM sel JOIN initiatives i USING (initiative_id) JOIN _initiatives s USING (initiative_id) {join})""",
            params)


def _rows_sql(filters: Filters, order: str, limit: int | None = None, offset: int = 0) -> tuple[str, list[Any]]:
    head, params = _ranked(filters, order)
    year = filters.fiscal_year
    cut, cut_params = ("LIMIT ? OFFSET ?", [limit, offset]) if limit is not None else ("", [])
    sql = f"""{head},
    page AS (
        SELECT s.initiative_id, s.evaluated, s.line FROM ranked s JOIN initiatives i USING (initiative_id)
        ORDER BY {_order_by(order)} {cut}
    ),
    grades AS ({LATEST_GRADE.replace("FROM sel", "FROM page")}),
    scores AS (
        SELECT initiative_id, fiscal_year,
               {", ".join(f"max(score) FILTER (WHERE criterion = '{c}') AS {c}" for c in CRITERIA)},
               max(score) FILTER (WHERE criterion = '合計') AS 合計
        FROM evaluations
        WHERE evaluator = 'self' AND criterion IN ('進捗度', '連携度', '効率性', '創造性', '合計')
          AND (CAST(? AS INTEGER) IS NULL OR fiscal_year = ?)
          AND initiative_id IN (SELECT initiative_id FROM page)
        GROUP BY initiative_id, fiscal_year
        QUALIFY row_number() OVER (PARTITION BY initiative_id ORDER BY coalesce(fiscal_year, 9999) DESC) = 1
    ), committee AS (
        SELECT initiative_id, avg(score) AS committee FROM evaluations
        WHERE criterion = '委員評価' AND initiative_id IN (SELECT initiative_id FROM page)
        GROUP BY initiative_id
    ), money AS (
        SELECT initiative_id, sum(amount_yen) AS fiscal_effect FROM fiscal_effects
        WHERE counted AND initiative_id IN (SELECT initiative_id FROM page)
          AND (CAST(? AS INTEGER) IS NULL OR fiscal_year = ?)
        GROUP BY initiative_id
    )
    SELECT {_COLUMNS}
    FROM page s JOIN initiatives i USING (initiative_id)
    LEFT JOIN grades g USING (initiative_id)
    LEFT JOIN scores sc USING (initiative_id)
    LEFT JOIN committee c USING (initiative_id)
    LEFT JOIN money m USING (initiative_id)
    ORDER BY {_order_by(order).replace("evaluated", "s.evaluated")}"""
    return sql, [*params, *cut_params, year, year, year, year, year, year]


@cached
def row_count(filters: Filters) -> int:
    """How many initiatives the filters select (the pager's 全 N 件)."""
    head, params = with_slice(filters)
    return int(query(f"{head} SELECT count(*) AS n FROM sel", params)["n"][0])


@cached
def page_rows(filters: Filters, order: str, offset: int, limit: int) -> pl.DataFrame:
    """Rows ``offset`` … ``offset + limit − 1`` of the slice in ``order`` (see ``ORDERS``)."""
    return query(*_rows_sql(filters, order, limit, offset))


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
    head, params = _ranked(filters, order)
    found = query(f"""{head} SELECT n FROM (
        SELECT s.initiative_id, row_number() OVER (ORDER BY {_order_by(order)}) - 1 AS n
        FROM ranked s JOIN initiatives i USING (initiative_id))
        WHERE initiative_id = ?""", [*params, initiative_id])
    return int(found["n"][0]) if found.height else None
