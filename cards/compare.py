"""Recipe of the 比較 (comparison) screen: how many municipalities have initiatives in each
category of the common taxonomy (``initiatives.categories``), partners (共同) included."""
from __future__ import annotations

from typing import Any, Mapping

import polars as pl

from cards.model import CardSpec, recipe
from charts.builders import count_bars
from warehouse import Filters, compare

PAGE = "比較"


@recipe("compare.municipalities", page=PAGE, title="カテゴリ別の自治体数",
        description="共通分類 (カテゴリ) ごとに、取組のある自治体の数",
        filters_used=("municipality", "fiscal_year", "theme", "department", "grade", "search", "category"))
def municipalities(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    overview = compare.category_overview(filters).filter(pl.col("items") > 0)
    if overview.is_empty():
        return None
    table = overview.select(pl.col("category").alias("カテゴリ"), pl.col("municipalities").alias("自治体数"),
                            pl.col("items").alias("取組数"))
    top = table.sort("自治体数", "取組数", descending=True).row(0, named=True)
    return CardSpec("カテゴリ別の自治体数", count_bars(table, category="カテゴリ", value="自治体数", title=""), table,
                    note="共同実施の取組は各自治体に数えます。カテゴリは data/raw/categories.csv の規則で決まります",
                    takeaway=f"最も多くの自治体が取り組むのは {top['カテゴリ']} ({top['自治体数']:,} 自治体、"
                             f"{top['取組数']:,} 件)",
                    document_ids=compare.category_documents(filters))
