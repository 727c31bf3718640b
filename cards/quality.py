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


def scoped(filters: Filters):
    return quality.scope_quality(quality.quality_rows(), filters)


def _documents(filters: Filters) -> list[tuple[str, str]]:
    return [(d, d) for d in quality.quality_documents(scoped(filters))]


def _kinds(filters: Filters) -> list[tuple[str, str]]:
    kinds = kind_order([k for k in scoped(filters)["kind"].to_list() if k is not None])
    return [(k, kind_label(k)) for k in kinds]


DOCUMENTS = Option("documents", "文書", choices=_documents, multiple=MAX_CHOICES)
KINDS = Option("kinds", "種類", choices=_kinds, multiple=MAX_CHOICES)


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
    return CardSpec(
        "文書別・種類別の件数",
        stacked_bars(table, "文書", "種類", "件数", category_title="文書", stack_title="種類",
                     value_title="件数", stack_order=labels, legend="right"),
        table, note="取り込み時に記録した件数 (文書ごと)",
        takeaway=f"記録は合計 {rows.height:,} 件 (最も多いのは {top['種類']} {top['件数']:,} 件)",
        document_ids=tuple(quality.quality_documents(rows)))
