"""Pre-aggregated figures for the 比較 (comparison) screen, built once per warehouse.

At national scale (1,741 municipalities, ~2.5 million evaluation rows) finding each plan's latest
graded year, or each initiative's latest grade, takes seconds per query; the answers only change
when the warehouse is rebuilt, so the ETL stores them in two internal tables:

- ``_initiative_figures``: per initiative its latest self-evaluated 総合評価 (grade; 総括, the
  plan-period summary with no year, counts as the latest, as in the explorer) and its 財政効果額
  (the sum of its ``counted`` amounts, every year).
- ``_category_counts``: the 比較 screen's category counts with no filter (``warehouse.compare``
  computes the same for a filtered slice): per (category, municipality) and per category.
- ``_municipality_figures``: per municipality (the initiatives' lead, 主体; keyed by ``town_key``, its
  自治体コード or, without one, its name, so two 府中市 stay two) the self-evaluations of
  each of its plans' latest fiscal year (総括 left out): graded initiatives and A–D counts, sums
  and counts of the four criteria (進捗度・連携度・効率性・創造性), the range of those years; and
  its counted 財政効果額 with the number of amounts.

``warehouse.compare`` reads them, and computes the same SQL on the fly for a warehouse built
before they existed. Both read the public views, so the SQL text below is the one definition.
"""
from __future__ import annotations

import duckdb

from etl.municipality_codes import label_sql
from vocab import CRITERIA, GRADE_CRITERION, GRADES

INITIATIVE_FIGURES = "_initiative_figures"
MUNICIPALITY_FIGURES = "_municipality_figures"
CATEGORY_COUNTS = "_category_counts"

# The explorer's rule (warehouse.queries, no 年度 chosen): the latest self grade, 総括 first.
PER_INITIATIVE = f"""
WITH grades AS (  -- arg_max, not a window: one hash aggregation (a year has one self grade)
    SELECT initiative_id, arg_max(grade, coalesce(fiscal_year, 9999)) AS grade,
           arg_max(fiscal_year, coalesce(fiscal_year, 9999)) AS grade_year
    FROM evaluations
    WHERE evaluator = 'self' AND criterion = '{GRADE_CRITERION}' AND grade IS NOT NULL
    GROUP BY initiative_id
), money AS (
    SELECT initiative_id, sum(amount_yen)::BIGINT AS fiscal_effect FROM fiscal_effects
    WHERE counted AND initiative_id IS NOT NULL GROUP BY initiative_id
)
SELECT i.initiative_id, g.grade, g.grade_year, m.fiscal_effect
FROM initiatives i
LEFT JOIN grades g ON g.initiative_id = i.initiative_id
LEFT JOIN money m ON m.initiative_id = i.initiative_id
"""

_CRITERIA_LIST = ", ".join(f"'{c}'" for c in CRITERIA)
# A municipality's key in these figures: its 自治体コード, or its name when it has none.
TOWN_KEY = "coalesce(municipality_code, municipality)"
PER_MUNICIPALITY = f"""
WITH per_year AS (
    SELECT i.document_id, coalesce(i.municipality_code, i.municipality) AS town_key, e.fiscal_year,
           count(e.grade) FILTER (WHERE e.criterion = '{GRADE_CRITERION}') AS graded,
           {", ".join(f"count(*) FILTER (WHERE e.criterion = '{GRADE_CRITERION}' AND e.grade = '{g}') AS grade_{g}"
                      for g in GRADES)},
           {", ".join(f"sum(e.score) FILTER (WHERE e.criterion = '{c}') AS sum_{n}, "
                      f"count(e.score) FILTER (WHERE e.criterion = '{c}') AS n_{n}" for n, c in enumerate(CRITERIA))}
    FROM evaluations e JOIN initiatives i USING (initiative_id)
    WHERE e.evaluator = 'self' AND e.fiscal_year IS NOT NULL AND i.municipality IS NOT NULL
      AND e.criterion IN ('{GRADE_CRITERION}', {_CRITERIA_LIST})
      AND (e.grade IS NOT NULL OR e.score IS NOT NULL)
    GROUP BY i.document_id, town_key, e.fiscal_year
), latest AS (  -- one plan's latest year with self-evaluations (a few rows per plan by now)
    SELECT *, max(fiscal_year) OVER (PARTITION BY document_id) AS latest FROM per_year
), graded AS (
    SELECT town_key, sum(graded)::BIGINT AS graded,
           {", ".join(f"sum(grade_{g})::BIGINT AS grade_{g}" for g in GRADES)},
           {", ".join(f"sum(sum_{n}) AS sum_{n}, sum(n_{n})::BIGINT AS n_{n}" for n in range(len(CRITERIA)))},
           min(fiscal_year) AS first_year, max(fiscal_year) AS last_year
    FROM latest WHERE fiscal_year = latest
    GROUP BY town_key
), money AS (
    SELECT {TOWN_KEY} AS town_key, sum(amount_yen)::BIGINT AS yen, count(*) AS amounts
    FROM fiscal_effects WHERE counted AND municipality IS NOT NULL GROUP BY town_key
)
SELECT town_key, g.* EXCLUDE (town_key), m.yen, coalesce(m.amounts, 0) AS amounts
FROM graded g FULL JOIN money m USING (town_key)
"""


def category_counts(members: str) -> str:
    """The category counts of ``members`` (SQL with initiative_id, category, member, grade,
    fiscal_effect, document_id; one row per initiative, category and municipality): ``grouped``
    0 = per (category, municipality), 1 = per category, 3 = the whole slice, with its documents.
    Three plain aggregations, not GROUPING SETS: DISTINCT counts are needed only above the first."""
    sums = (", ".join(["count(grade) AS graded", *(f"count(*) FILTER (WHERE grade = '{g}') AS {g}" for g in GRADES),
                       "sum(fiscal_effect)::BIGINT AS fiscal_effect", "count(fiscal_effect) AS with_money"]))
    distinct = "count(DISTINCT initiative_id) AS items, count(DISTINCT member) AS municipalities"
    return (f"WITH m AS MATERIALIZED ({members}) "
            f"SELECT 0 AS grouped, category, member, count(*) AS items, 1::BIGINT AS municipalities, {sums}, "
            f"NULL::VARCHAR[] AS documents FROM m GROUP BY category, member "
            f"UNION ALL SELECT 1, category, NULL, {distinct}, {sums}, NULL FROM m GROUP BY category "
            f"UNION ALL SELECT 3, NULL, NULL, {distinct}, {sums}, list(DISTINCT document_id ORDER BY document_id) "
            f"FROM m HAVING count(*) > 0")


# Every categorised initiative once per category and per municipality it belongs to (主体 and 共同).
ALL_MEMBERS = f"""
SELECT e.*, {label_sql("im")} AS member, im.role
FROM (SELECT i.initiative_id, i.document_id, f.grade, f.fiscal_effect, unnest(i.categories) AS category
      FROM initiatives i JOIN {INITIATIVE_FIGURES} f USING (initiative_id) WHERE len(i.categories) > 0) e
JOIN initiative_municipalities im USING (initiative_id)
"""


def build_figures(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables from the public views (call after the views exist)."""
    con.sql(f"CREATE TABLE {INITIATIVE_FIGURES} AS {PER_INITIATIVE}")
    con.sql(f"CREATE TABLE {MUNICIPALITY_FIGURES} AS {PER_MUNICIPALITY}")
    con.sql(f"CREATE TABLE {CATEGORY_COUNTS} AS {category_counts(ALL_MEMBERS)}")
