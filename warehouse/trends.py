"""Read side of the 評価の推移 (score trends) page.

Terms: 総合評価 overall self-evaluation grade A–D (A best); 自己評価 self-evaluation with four
criteria scored 0–3 — 進捗度 (progress), 連携度 (collaboration), 効率性 (efficiency),
創造性 (creativity) — and their 合計 (sum, 0–12); 委員評価 the committee's rating 1–5;
総括 the plan-period summary (fiscal_year NULL); 取組項目 / 実践項目 the Tomakomai groups and
their practice items; テーマ theme, 担当部署 department, 自治体 municipality.

Queries take the shared ``Filters`` (the slice is ``queries.initiatives(filters)``, so every
page agrees on which initiatives a filter selects) and pass ids only as ``?`` parameters.
The pure functions below them (``grade_history``, ``movers``, ``disagreements`` …) turn the
small frames into what the pages show and are tested without a warehouse.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from etl.municipality_codes import label_sql
from vocab import CRITERIA, fy_label
from warehouse.connection import query
from warehouse.filters import Filters
from warehouse.queries import cached, initiatives
from warehouse.selection import LEVEL_RANK, SLICE_ORDER, with_slice

# Grade → number for sparklines and movement: A=4 … D=1 (higher is better).
GRADE_POINTS = {"A": 4, "B": 3, "C": 2, "D": 1}

MOVER_ORDERS = ("改善した順", "悪化した順", "番号順")


# -- the slice ---------------------------------------------------------------------------
# The slice stays in DuckDB (``warehouse.selection``): at national scale it holds 100,000
# initiatives, and an id list passed as a parameter made every query scan it per row.

_GRADED = ("SELECT initiative_id, fiscal_year, grade FROM evaluations WHERE evaluator = 'self' "
           "AND criterion = '総合評価' AND grade IS NOT NULL AND initiative_id IN (SELECT initiative_id FROM sel)")


# A row's place in the slice's order (``SLICE_ORDER``) as one comparable value, so that "first
# appearance" is a min() and not a window over the whole slice (NULL years sort first).
_PLACE = ("min(row(i.municipality, " + LEVEL_RANK + ", coalesce(i.fiscal_year, -1), s.line, i.initiative_id))")
_SLICE_ROWS = "FROM sel JOIN initiatives i USING (initiative_id) JOIN _initiatives s USING (initiative_id)"


@cached
def graded_levels(filters: Filters) -> tuple[tuple[str, int], ...]:
    """Levels (階層) of the slice that carry 総合評価 grades, with how many initiatives each,
    in the slice's level order."""
    head, params = with_slice(filters)
    found = query(f"""{head}, graded AS (SELECT DISTINCT initiative_id FROM ({_GRADED}))
        SELECT i.level, count(g.initiative_id) AS n, {_PLACE} AS first
        {_SLICE_ROWS} LEFT JOIN graded g USING (initiative_id) GROUP BY i.level HAVING n > 0 ORDER BY first""",
                  params)
    return tuple(zip(found["level"].to_list(), found["n"].to_list()))


@cached
def yearly_grades(filters: Filters, level: str) -> pl.DataFrame:
    """Every self-evaluation 総合評価 (all years and 総括) of the slice's initiatives at ``level``:
    initiative_id, fiscal_year (NULL = 総括), grade."""
    head, params = with_slice(filters, level)
    return query(f"{head} {_GRADED} ORDER BY initiative_id, coalesce(fiscal_year, 9999)", params)


@cached
def grade_counts(filters: Filters, level: str) -> pl.DataFrame:
    """Grades per fiscal year (NULL = 総括): fiscal_year, grade, count, share (0–1 within the year).
    Counted in SQL: the yearly grades of a national slice are half a million rows."""
    head, params = with_slice(filters, level)
    return query(f"""{head} SELECT fiscal_year, grade, count(*) AS count,
                       count(*) / sum(count(*)) OVER (PARTITION BY fiscal_year) AS share
                     FROM ({_GRADED}) GROUP BY fiscal_year, grade
                     ORDER BY coalesce(fiscal_year, 9999), grade""", params)


def grade_shares(grades: pl.DataFrame) -> pl.DataFrame:
    """(fiscal_year, grade) counts and their share of the year's graded initiatives."""
    counts = grades.group_by("fiscal_year", "grade").len("count")
    return (counts.with_columns((pl.col("count") / pl.col("count").sum().over("fiscal_year")).alias("share"))
            .sort(pl.col("fiscal_year").fill_null(9999), "grade"))


@cached
def criterion_means(filters: Filters, level: str) -> pl.DataFrame:
    """Mean self-evaluation score per fiscal year and criterion (0–3) over the slice at ``level``:
    fiscal_year (NULL = 総括), criterion, score, n."""
    head, params = with_slice(filters, level)
    means = query(f"{head} SELECT fiscal_year, criterion, avg(score) AS score, count(*) AS n FROM evaluations "
                  "WHERE evaluator = 'self' AND list_contains(?, criterion) AND score IS NOT NULL "
                  "AND initiative_id IN (SELECT initiative_id FROM sel) GROUP BY fiscal_year, criterion",
                  [*params, list(CRITERIA)])
    return means.sort(pl.col("fiscal_year").fill_null(9999),
                      pl.col("criterion").replace_strict(list(CRITERIA), list(range(len(CRITERIA)))))


# -- yearly grades per initiative and the movers -------------------------------------------

def grade_history(slice_rows: pl.DataFrame, grades: pl.DataFrame) -> pl.DataFrame:
    """One row per graded initiative, in the slice's order.

    Columns: initiative_id, municipality, level, code, title, one column per fiscal year
    labelled like 「R3 (2021)」 with that year's grade, 総括, trend (the yearly grades as
    numbers A=4 … D=1, oldest first, for a sparkline), first/last (the first and last yearly
    grade), change (last − first in grade steps; NULL with fewer than two yearly grades).
    """
    if grades.is_empty():
        return pl.DataFrame()
    years = sorted(y for y in grades["fiscal_year"].unique().to_list() if y is not None)
    ids = grades["initiative_id"].unique().to_list()
    base = (slice_rows.filter(pl.col("initiative_id").is_in(ids))
            .select("initiative_id", "municipality", "level", "code", "title")
            .with_row_index("order"))
    by_year = {(i, y): g for i, y, g in grades.iter_rows()}
    records: list[dict[str, Any]] = []
    for row in base.iter_rows(named=True):
        yearly = [by_year.get((row["initiative_id"], y)) for y in years]
        graded = [g for g in yearly if g in GRADE_POINTS]
        record = dict(row)
        record.update({fy_label(y): g for y, g in zip(years, yearly)})
        record[fy_label(None)] = by_year.get((row["initiative_id"], None))
        record["trend"] = [GRADE_POINTS[g] for g in graded]
        record["first"] = graded[0] if graded else None
        record["last"] = graded[-1] if graded else None
        record["change"] = (GRADE_POINTS[graded[-1]] - GRADE_POINTS[graded[0]]) if len(graded) > 1 else None
        records.append(record)
    schema = {"order": pl.UInt32, "initiative_id": pl.String, "municipality": pl.String, "level": pl.String,
              "code": pl.String, "title": pl.String, **{fy_label(y): pl.String for y in years},
              fy_label(None): pl.String, "trend": pl.List(pl.Int64), "first": pl.String, "last": pl.String,
              "change": pl.Int64}
    return pl.DataFrame(records, schema=schema)


@cached
def grade_history_for(filters: Filters, level: str) -> pl.DataFrame:
    """``grade_history`` of the slice's initiatives at ``level``."""
    return grade_history(initiatives(filters), yearly_grades(filters, level))


def movers(history: pl.DataFrame, order: str) -> pl.DataFrame:
    """Sort the grade history: 改善した順 (largest improvement first), 悪化した順 (largest decline
    first) or 番号順 (the document's order). Initiatives without a change sort last; ties keep
    the document's order."""
    if history.is_empty() or order == "番号順":
        return history
    descending = order == "改善した順"
    return history.sort([pl.col("change").is_null(), "change", "order"],
                        descending=[False, descending, False])


def grade_columns(history: pl.DataFrame) -> list[str]:
    """The grade columns of a ``grade_history`` frame: the fiscal years, then 総括."""
    start, end = history.columns.index("title") + 1, history.columns.index("trend")
    return history.columns[start:end]


@cached
def slice_documents(filters: Filters, level: str | None = None) -> list[str]:
    """Source documents (document_id) of the slice's initiatives, for the cards' 出典 line."""
    head, params = with_slice(filters, level)
    found = query(f"{head} SELECT i.document_id, {_PLACE} AS first {_SLICE_ROWS} GROUP BY i.document_id ORDER BY first",
                  params)
    return found["document_id"].to_list()


@dataclass(frozen=True)
class MoverCounts:
    improved: int
    declined: int
    unchanged: int
    single: int  # fewer than two yearly grades


def mover_counts(history: pl.DataFrame) -> MoverCounts:
    if history.is_empty():
        return MoverCounts(0, 0, 0, 0)
    change = history["change"]
    return MoverCounts(int((change > 0).sum()), int((change < 0).sum()), int((change == 0).sum()),
                       int(change.is_null().sum()))


# -- the movers table, in SQL: one page at a time --------------------------------------------
# Two steps, so that a page costs a top-N sort and not the whole table: ``_RANKED`` gives every
# graded initiative its change (first and last yearly grade by arg_min/arg_max, no lists), the
# page is cut from it, and only the page's initiatives get their year columns and sparkline.

_POINTS = "CASE grade WHEN 'A' THEN 4 WHEN 'B' THEN 3 WHEN 'C' THEN 2 WHEN 'D' THEN 1 END"
_MOVER_SORT = {"改善した順": f"change IS NULL, change DESC, {SLICE_ORDER}",
               "悪化した順": f"change IS NULL, change ASC, {SLICE_ORDER}",
               "番号順": SLICE_ORDER}

# Per graded initiative of the slice (``sel``, ``graded``): change (last − first yearly grade in
# steps, NULL with fewer than two yearly grades).
_RANKED = f"""
    yearly AS (
        SELECT initiative_id, {_POINTS} AS points, fiscal_year FROM graded
        WHERE fiscal_year IS NOT NULL AND grade IN ('A', 'B', 'C', 'D')
    ), moves AS (
        SELECT initiative_id, CASE WHEN count(*) > 1
               THEN arg_max(points, fiscal_year) - arg_min(points, fiscal_year) END AS change
        FROM yearly GROUP BY initiative_id
    ), ranked AS (
        SELECT g.initiative_id, m.change FROM (SELECT DISTINCT initiative_id FROM graded) g
        LEFT JOIN moves m USING (initiative_id)
    )"""


@dataclass(frozen=True)
class MoverSummary:
    """What the movers table holds before any page of it is read."""
    years: tuple[int, ...]  # fiscal years with a grade, oldest first (a column each, then 総括)
    rows: int  # graded initiatives
    municipalities: int
    counts: "MoverCounts"


@cached
def mover_summary(filters: Filters, level: str) -> MoverSummary:
    """The movers table's year columns, size, municipalities and 改善/悪化/変わらず counts."""
    head, params = with_slice(filters, level)
    years = sorted(y for y in grade_counts(filters, level)["fiscal_year"].unique().to_list() if y is not None)
    found = query(f"""{head}, graded AS ({_GRADED}), {_RANKED}
        SELECT count(*) AS n, count(DISTINCT coalesce(i.municipality_code, i.municipality)) AS towns,
               count(*) FILTER (WHERE change > 0) AS up, count(*) FILTER (WHERE change < 0) AS down,
               count(*) FILTER (WHERE change = 0) AS same, count(*) FILTER (WHERE change IS NULL) AS single
        FROM ranked r JOIN initiatives i USING (initiative_id)""", params).row(0, named=True)
    return MoverSummary(tuple(years), found["n"], found["towns"],
                        MoverCounts(found["up"], found["down"], found["same"], found["single"]))


def _movers_sql(filters: Filters, level: str, order: str, limit: int | None, offset: int) -> tuple[str, list]:
    """``movers(grade_history_for(filters, level), order)`` rows ``offset`` … as SQL: municipality,
    level, code, title, a column per year (「R3 (2021)」), 総括, trend, first, last, change."""
    head, params = with_slice(filters, level)
    years = mover_summary(filters, level).years
    # Years come from the warehouse as integers and labels from ``fy_label``: no user text here.
    columns = "".join(f"max(grade) FILTER (WHERE fiscal_year = {int(y)}) AS \"{fy_label(int(y))}\", " for y in years)
    picked = "".join(f'h."{fy_label(int(y))}", ' for y in years)
    cut = "LIMIT ? OFFSET ?" if limit is not None else ""
    sql = f"""{head}, graded AS ({_GRADED}), {_RANKED},
        page AS (
            SELECT r.initiative_id, r.change, i.municipality, i.level, i.fiscal_year, s.line FROM ranked r
            JOIN initiatives i USING (initiative_id) JOIN _initiatives s USING (initiative_id)
            ORDER BY {_MOVER_SORT[order]} {cut}
        ), history AS (
            SELECT initiative_id, {columns}
                   max(grade) FILTER (WHERE fiscal_year IS NULL) AS "{fy_label(None)}",
                   coalesce(list(grade ORDER BY fiscal_year)
                            FILTER (WHERE fiscal_year IS NOT NULL AND grade IN ('A', 'B', 'C', 'D')), []) AS letters
            FROM graded WHERE initiative_id IN (SELECT initiative_id FROM page) GROUP BY initiative_id
        )
        SELECT i.initiative_id, {label_sql("i")} AS municipality, i.level, i.code, i.title, {picked}h."{fy_label(None)}",
               list_transform(h.letters, lambda grade: {_POINTS}) AS trend,
               h.letters[1] AS first, h.letters[-1] AS last, p.change
        FROM page p JOIN history h USING (initiative_id) JOIN initiatives i USING (initiative_id)
        JOIN page s USING (initiative_id)  -- the page's sort keys again, under the names the order uses
        ORDER BY {_MOVER_SORT[order].replace("change", "p.change")}"""
    return sql, [*params, *([limit, offset] if limit is not None else [])]


@cached
def mover_page(filters: Filters, level: str, order: str, offset: int, limit: int) -> pl.DataFrame:
    """Rows ``offset`` … ``offset + limit − 1`` of the movers table in ``order`` (``MOVER_ORDERS``)."""
    return query(*_movers_sql(filters, level, order, limit, offset))


def all_movers(filters: Filters, level: str, order: str) -> pl.DataFrame:
    """The whole movers table in ``order``, for a download (read when clicked, not cached)."""
    return query(*_movers_sql(filters, level, order, None, 0))


# -- self-evaluation against the committee ---------------------------------------------------

@cached
def committee_pairs(filters: Filters) -> pl.DataFrame:
    """Initiatives with a committee rating (委員評価, 1–5) and a plan-period self-evaluation:
    initiative_id, municipality, document_id, level, code, title, self_total (合計 0–12, or the sum of the
    four criteria), self_mean (mean of the four criteria, 0–3), committee.

    Candidates are the slice's initiatives and the parents of the slice's initiatives: the
    committee rates Tomakomai's 取組項目, while departments and most text belong to the
    practice items (実践項目) below them.
    """
    head, params = with_slice(filters)
    criteria = ", ".join(f"max(e.score) FILTER (WHERE e.criterion = '{c}') AS \"{c}\"" for c in CRITERIA)
    return query(f"""
        {head}, candidates AS (
            SELECT initiative_id FROM sel
            UNION SELECT i.parent_id FROM sel JOIN initiatives i USING (initiative_id) WHERE i.parent_id IS NOT NULL
        ), self AS (
            SELECT e.initiative_id, {criteria},
                   max(e.score) FILTER (WHERE e.criterion = '合計') AS total
            FROM evaluations e WHERE e.evaluator = 'self' AND e.fiscal_year IS NULL
              AND e.initiative_id IN (SELECT initiative_id FROM candidates) GROUP BY ALL
        ), committee AS (
            SELECT initiative_id, avg(score) AS committee FROM evaluations
            WHERE criterion = '委員評価' AND fiscal_year IS NULL AND score IS NOT NULL GROUP BY ALL
        )
        SELECT i.initiative_id, i.municipality, i.document_id, i.level, i.code, i.title,
               coalesce(s.total, {" + ".join(f's."{c}"' for c in CRITERIA)}) AS self_total,
               ({" + ".join(f's."{c}"' for c in CRITERIA)}) / 4.0 AS self_mean,
               c.committee
        FROM initiatives i JOIN committee c USING (initiative_id) JOIN self s USING (initiative_id)
        JOIN _initiatives x USING (initiative_id)
        WHERE i.initiative_id IN (SELECT initiative_id FROM candidates) AND coalesce(s.total, s."進捗度") IS NOT NULL
        ORDER BY i.municipality, x.line""", params)


def disagreements(pairs: pl.DataFrame, top: int = 5) -> pl.DataFrame:
    """The initiatives whose committee rating and self-evaluation disagree most.

    Both scores are standardised over the plotted initiatives (z = (x − mean) / standard
    deviation); gap = z(委員評価) − z(自己評価合計). A positive gap means the committee rated the
    initiative higher than its self-evaluation suggests, a negative gap lower. Sorted by |gap|,
    largest first; empty with fewer than three initiatives or no spread in either score.
    """
    data = pairs.filter(pl.col("self_total").is_not_null() & pl.col("committee").is_not_null())
    if data.height < 3:
        return data.clear().with_columns(pl.lit(None, pl.Float64).alias("gap"))
    sd_self, sd_committee = data["self_total"].std(), data["committee"].std()
    if not sd_self or not sd_committee:
        return data.clear().with_columns(pl.lit(None, pl.Float64).alias("gap"))
    z_self = (pl.col("self_total") - data["self_total"].mean()) / sd_self
    z_committee = (pl.col("committee") - data["committee"].mean()) / sd_committee
    return (data.with_columns((z_committee - z_self).alias("gap"))
            .sort(pl.col("gap").abs(), descending=True).head(top))
