"""Recipes of the 改善取組 (小金井市's staff improvement initiatives) screen.

評価 (grade) does not apply: the campaign has none. テーマ is the 分類, 担当部署 the 課.
"""
from __future__ import annotations

from typing import Any, Mapping

import polars as pl

from cards.model import CardSpec, recipe
from charts.campaigns import grouped_columns, stacked_bars
from warehouse import Filters, kaizen

PAGE = "改善取組"
USED = ("municipality", "fiscal_year", "theme", "department", "search", "category")
UNITS = {"division": "部", "department": "課"}


def top_takeaway(table: pl.DataFrame, category: str, what: str) -> str:
    """「取組数が最も多い部は 総務部 (12 件)」 over all years of ``table`` (columns category, 件数)."""
    totals = table.group_by(category).agg(pl.col("件数").sum()).sort(["件数", category], descending=[True, False])
    top = totals.row(0, named=True)
    return f"{what}は {top[category]} ({top['件数']:,} 件)"


def _unit_card(filters: Filters, unit: str) -> CardSpec | None:
    rows = kaizen.kaizen_initiatives(filters)
    if rows.is_empty():
        return None
    label = UNITS[unit]
    table = kaizen.per_unit(rows, unit)
    return CardSpec(
        f"{label}別の取組数",
        stacked_bars(table, "部署", "年度", "件数", category_title=label, stack_title="年度",
                     value_title="件数", stack_order=kaizen.year_order(rows)),
        table.rename({"部署": label}), note=f"取組一覧表の{label}ごとの件数 (年度別に積み上げ)",
        takeaway=top_takeaway(table, "部署", f"取組数が最も多い{label}") if not table.is_empty() else "",
        document_ids=tuple(rows["document_id"].unique(maintain_order=True).to_list()))


@recipe("kaizen.division", page=PAGE, title="部別の取組数", description="部ごとの改善取組の件数 (年度別)",
        filters_used=USED)
def division(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    return _unit_card(filters, "division")


@recipe("kaizen.department", page=PAGE, title="課別の取組数", description="課ごとの改善取組の件数 (年度別)",
        filters_used=USED)
def department(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    return _unit_card(filters, "department")


@recipe("kaizen.categories", page=PAGE, title="分類の内訳 (年度別)",
        description="サービス・業務効率・コスト・その他の印の数", filters_used=USED)
def categories(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    rows = kaizen.kaizen_initiatives(filters)
    table = kaizen.category_mix(rows) if not rows.is_empty() else pl.DataFrame()
    if table.is_empty():
        return None
    return CardSpec(
        "分類の内訳 (年度別)",
        grouped_columns(table, "分類", "年度", "件数", category_order=list(kaizen.CATEGORIES),
                        group_order=kaizen.year_order(rows)),
        table, note="一覧表の ○ 印。一つの取組に複数の印があるため、合計は取組数より多くなります",
        takeaway=top_takeaway(table, "分類", "最も多い分類"),
        document_ids=tuple(rows["document_id"].unique(maintain_order=True).to_list()))


def co_takeaway(rows: pl.DataFrame) -> str:
    """「共同実施者がいる取組は 38 件 (全 44 件)」."""
    known = rows.filter(pl.col("co_implementers").is_not_null())
    with_co = known.filter(pl.col("co_implementers") > 0).height
    return f"共同実施者がいる取組は {with_co:,} 件 (全 {known.height:,} 件)"


@recipe("kaizen.co_implementers", page=PAGE, title="共同実施者数の分布",
        description="共同実施者が 0 人、1 人、… の取組の数", filters_used=USED)
def co_implementers(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    rows = kaizen.kaizen_initiatives(filters)
    table = kaizen.co_implementer_distribution(rows) if not rows.is_empty() else pl.DataFrame()
    if table.is_empty():
        return None
    return CardSpec(
        "共同実施者数の分布",
        grouped_columns(table, "共同実施者数", "年度", "件数", group_order=kaizen.year_order(rows),
                        value_title="取組数"),
        table, note="共同実施者が 0 人、1 人、… の取組の数", takeaway=co_takeaway(rows),
        document_ids=tuple(rows["document_id"].unique(maintain_order=True).to_list()))
