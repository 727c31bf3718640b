"""Recipe of the データ品質 (data quality) screen.

Only 自治体 and キーワード of the shared filters apply. Options are the screen's own choices:
``documents`` (文書) and ``kinds`` (種類, e.g. correction); empty = all.
"""
from __future__ import annotations

from typing import Any, Mapping

import polars as pl

from cards.model import CardSpec, Option, recipe
from charts.campaigns import stacked_bars
from vocab import kind_label, kind_order
from warehouse import Filters, quality

PAGE = "データ品質"
MAX_CHOICES = 50
CHART_DOCUMENTS = 20  # bars drawn; a national warehouse has a note or two on each of 1,741 documents


def charted(table: pl.DataFrame, limit: int = CHART_DOCUMENTS) -> pl.DataFrame:
    """The counts (文書, 種類, 件数) with the ``limit`` documents that have the most records, the
    others summed per kind into one bar 「ほか N 文書」 (the card's table keeps every document)."""
    totals = table.group_by("文書", maintain_order=True).agg(pl.col("件数").sum().alias("n"))
    if totals.height <= limit:
        return table
    keep = totals.sort("n", descending=True, maintain_order=True).head(limit)["文書"]
    rest = table.filter(~pl.col("文書").is_in(keep.implode()))
    others = (rest.group_by("種類", maintain_order=True).agg(pl.col("件数").sum())
              .select(pl.lit(f"ほか {totals.height - limit:,} 文書").alias("文書"), "種類", "件数"))
    return pl.concat([table.filter(pl.col("文書").is_in(keep.implode())), others])


def scoped(filters: Filters):
    return quality.scope_quality(quality.quality_rows(), filters)


def _documents(filters: Filters) -> list[tuple[str, str]]:
    return [(d, d) for d in quality.quality_documents(scoped(filters))]


def _kinds(filters: Filters) -> list[tuple[str, str]]:
    kinds = kind_order([k for k in scoped(filters)["kind"].to_list() if k is not None])
    return [(k, kind_label(k)) for k in kinds]


DOCUMENTS = Option("documents", "文書", choices=_documents, multiple=MAX_CHOICES)
KINDS = Option("kinds", "種類", choices=_kinds, multiple=MAX_CHOICES)


def _order(chart_table: pl.DataFrame) -> list[str]:
    """Most records first, the 「ほか N 文書」 bar last."""
    totals = (chart_table.group_by("文書", maintain_order=True).agg(pl.col("件数").sum())
              .sort("件数", descending=True, maintain_order=True)["文書"].to_list())
    return [d for d in totals if not d.startswith("ほか ")] + [d for d in totals if d.startswith("ほか ")]


@recipe("quality.counts", page=PAGE, title="文書別・種類別の件数", options=(DOCUMENTS, KINDS),
        description="取り込み時に記録した訂正・修復・不一致などの件数", filters_used=("municipality", "search"))
def counts(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    rows = quality.pick_quality(scoped(filters), options.get("documents") or (), options.get("kinds") or ())
    if rows.is_empty():
        return None
    table = quality.quality_counts(rows)
    labels = [kind_label(k) for k in kind_order(rows["kind"].drop_nulls().to_list())]
    by_kind = table.group_by("種類").agg(pl.col("件数").sum()).sort(["件数", "種類"], descending=[True, False])
    top = by_kind.row(0, named=True)
    chart_table = charted(table)
    cut = chart_table.height != table.height or chart_table["文書"].n_unique() != table["文書"].n_unique()
    return CardSpec(
        "文書別・種類別の件数",
        stacked_bars(chart_table, "文書", "種類", "件数", category_order=_order(chart_table) if cut else None, category_title="文書", stack_title="種類",
                     value_title="件数", stack_order=labels, legend="right"),
        table, note="取り込み時に記録した件数 (文書ごと)",
        takeaway=f"記録は合計 {rows.height:,} 件 (最も多いのは {top['種類']} {top['件数']:,} 件)",
        document_ids=tuple(quality.quality_documents(rows)))
