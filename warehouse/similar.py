"""「類似の取組」 (similar initiatives): for one initiative, the most similar ones across the whole
warehouse (computed by the ETL, view ``similar_initiatives``), other municipalities first."""
from __future__ import annotations

import polars as pl

from etl.municipality_codes import label_sql
from rowwise import rowwise_rows
from vocab import fy_label
from warehouse.connection import query
from warehouse.filters import explorer_url
from warehouse.queries import cached

COLUMNS = {"自治体": pl.String, "階層": pl.String, "番号": pl.String, "取組名": pl.String,
           "総合評価": pl.String, "類似度": pl.Float64, "取組一覧": pl.String}


@cached
def similar_to(initiative_id: str) -> pl.DataFrame:
    """The neighbours of ``initiative_id`` as the detail panel shows and exports them: other
    municipalities' initiatives first (the question is "who else did this?"), each group by
    similarity; the latest self-evaluated 総合評価 (grade) with its year where there is one."""
    rows = query(f"""
        WITH grades AS (
            SELECT initiative_id, grade, fiscal_year,
                   row_number() OVER (PARTITION BY initiative_id ORDER BY coalesce(fiscal_year, 9999) DESC) AS rn
            FROM evaluations WHERE evaluator = 'self' AND criterion = '総合評価' AND grade IS NOT NULL)
        SELECT {label_sql("n")} AS municipality, n.municipality_code, n.level, n.code, n.title, n.initiative_id, g.grade,
               g.fiscal_year AS grade_year, s.score, s.rank,
               coalesce(n.municipality_code, n.municipality) IS DISTINCT FROM
                   coalesce(me.municipality_code, me.municipality) AS elsewhere
        FROM similar_initiatives s
        JOIN initiatives me ON me.initiative_id = s.initiative_id
        JOIN initiatives n ON n.initiative_id = s.similar_id
        LEFT JOIN grades g ON g.initiative_id = n.initiative_id AND g.rn = 1
        WHERE s.initiative_id = ?
        ORDER BY elsewhere DESC, s.rank""", [initiative_id])
    if rows.is_empty():
        return pl.DataFrame(schema=COLUMNS)
    grade = rowwise_rows(rows, lambda r: None if r["grade"] is None else
                         f"{r['grade']} ({fy_label(r['grade_year'])})", name="総合評価")
    return pl.DataFrame({
        "自治体": rows["municipality"].fill_null("記載なし"), "階層": rows["level"], "番号": rows["code"],
        "取組名": rows["title"], "総合評価": grade, "類似度": rows["score"].round(2),
        "取組一覧": rowwise_rows(rows, lambda r: explorer_url(r["initiative_id"], r["municipality_code"] or r["municipality"]),
                             name="取組一覧"),
    }, schema=COLUMNS)
