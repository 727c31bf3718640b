"""Recipes of the 概要 (overview) screen."""
from __future__ import annotations

from typing import Any, Mapping

import polars as pl

from cards.model import CardSpec, recipe
from charts import builders
from cards.wording import takeaway_for_grades
from vocab import fy_labels
from warehouse import Filters
from warehouse.overview import finished_by_year, finished_documents, grade_documents, grades_by_year

PAGE = "概要"


@recipe("overview.grades", page=PAGE, title="総合評価の分布 (年度別)",
        description="自己評価の総合評価 (A–D) の件数を年度別に積み上げ",
        filters_used=("municipality", "theme", "department", "search", "category"))
def grades(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    yearly = grades_by_year(filters)
    if yearly.is_empty():
        return None
    table = (yearly.with_columns(fy_labels())
             .rename({"fiscal_year": "年度", "grade": "総合評価", "count": "件数"}))
    return CardSpec("総合評価の分布 (年度別)", builders.grade_distribution(yearly, title=""), table,
                    note="自己評価の総合評価 (A–D)。総括は計画期間全体の評価",
                    takeaway=takeaway_for_grades(yearly), document_ids=grade_documents(filters))


def finished_takeaway(by_year: pl.DataFrame) -> str:
    """「取組終了は合計 12 件 (最多は R3 (2021) の 5 件)」."""
    total = int(by_year["件数"].sum())
    top = by_year.sort("件数", descending=True, maintain_order=True).row(0, named=True)
    return f"取組終了は合計 {total:,} 件 (最多は {top['年度']} の {top['件数']:,} 件)"


@recipe("overview.finished", page=PAGE, title="年度別の取組終了件数",
        description="取組終了 (取組を終えた年度) ごとの件数", filters_used=("municipality", "theme", "department",
                                                                 "grade", "search", "category"))
def finished(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    by_year = finished_by_year(filters)
    if by_year.is_empty():
        return None
    table = by_year.select(fy_labels().alias("年度"),
                           pl.col("count").alias("件数"))
    return CardSpec("年度別の取組終了件数", builders.yearly_counts(by_year, title=""), table,
                    note="取組終了 (取組を終えた年度) ごとの件数", takeaway=finished_takeaway(table),
                    document_ids=finished_documents(filters))
