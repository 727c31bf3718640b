"""Recipes of the 財政効果 (fiscal effects) screen.

All amounts are the counted ones (``counted`` in the warehouse, decided by ``etl.money``); the
headline is ``warehouse.fiscal.fiscal_effect``, the same figure as the overview and the page.
``fiscal.compare`` takes option ``document`` (the plan whose stated total is compared;
default the first one on screen).
"""
from __future__ import annotations

from typing import Any, Mapping

import polars as pl

from cards.model import CardSpec, Option, recipe
from charts import money as money_charts
from vocab import fy_label
from warehouse import Filters, fiscal
from yen import yen_text

PAGE = "財政効果"


def by_year_takeaway(years: pl.DataFrame, headline: fiscal.Headline) -> str:
    """「財政効果額は 42億円 (苫小牧市・前橋市の合計、R5 (2023) が最多)」: the headline every screen
    shows, then the year with the most."""
    per_year = years.group_by("fiscal_year").agg(pl.col("amount_yen").sum()).sort("fiscal_year")
    top = per_year.sort("amount_yen", descending=True, maintain_order=True)["fiscal_year"][0]
    return f"財政効果額は {yen_text(headline.yen)} ({headline.whose}、{fy_label(top)} が最多)"


@recipe("fiscal.by_year", page=PAGE, title="財政効果額 (年度別・区分別)",
        description="集計した金額を年度・区分ごとに合計")
def by_year(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    rows = fiscal.fiscal_slice(filters)
    years = fiscal.year_frame(rows)
    if years.is_empty():
        return None
    sums = fiscal.totals(rows)
    note = "集計した金額を年度・区分ごとに合計 (費用・予算額・重複・再掲を除く)。"
    if sums.undated:
        note += f"年度不明の {yen_text(sums.undated)} ({sums.undated_count} 件) は表で「年度不明」として示します。"
    return CardSpec("財政効果額 (年度別・区分別)",
                    money_charts.fiscal_effects_by_year_kinds(years, kinds=fiscal.kinds(rows), title=""),
                    fiscal.year_table(rows), note=note, takeaway=by_year_takeaway(years, fiscal.headline(rows)),
                    document_ids=tuple(fiscal.document_ids(rows)))


def cumulative_takeaway(years: pl.DataFrame, stated: int | None) -> str:
    """「R5 (2023) までの累計は 39.4億円 (計画の記載 37.6億円 の 105%)」."""
    total = float(years["amount_yen"].sum())
    text = f"{fy_label(years['fiscal_year'].max())} までの累計は {yen_text(total)}"
    if stated:
        text += f" (計画の記載 {yen_text(stated)} の {total / stated * 100:.0f}%)"
    return text


@recipe("fiscal.cumulative", page=PAGE, title="財政効果額の累計 (計画期間)",
        description="年度の分かる金額の累計 (計画に記載の総額を破線で)")
def cumulative(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    rows = fiscal.fiscal_slice(filters)
    years = fiscal.year_frame(rows)
    if years.is_empty():
        return None
    reference = fiscal.cumulative_reference(filters, rows)
    stated = reference.stated_total if reference else None
    label = f"計画の記載 {yen_text(stated)}" if reference else ""
    return CardSpec("財政効果額の累計 (計画期間)",
                    money_charts.cumulative_with_reference(years, stated, reference_label=label, title=""),
                    fiscal.cumulative_table(rows),
                    note="年度の分かる金額の累計。" + ("破線は計画に記載の財政効果額。" if reference else ""),
                    takeaway=cumulative_takeaway(years, stated), document_ids=tuple(fiscal.document_ids(rows)))


def by_initiative_takeaway(frame: pl.DataFrame) -> str:
    """「取組別の最多は 27 公有財産の売却促進及び有効活用 (33.4億円)」."""
    top = frame.row(0, named=True)
    return f"取組別の最多は {top['initiative'] or top['initiative_full']} ({yen_text(top['total_yen'])})"


@recipe("fiscal.by_initiative", page=PAGE, title="取組別の財政効果額 (上位10件・区分別)",
        description="取組ごとの金額 (上位10件、年度不明の金額を含む)")
def by_initiative(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    rows = fiscal.fiscal_slice(filters)
    if fiscal.effects(rows).is_empty():
        return None
    frame = fiscal.by_initiative(rows)
    return CardSpec("取組別の財政効果額 (上位10件・区分別)",
                    money_charts.fiscal_effects_by_initiative(frame, kinds=fiscal.kinds(rows), title=""),
                    frame.select(pl.col("initiative_full").alias("取組"), pl.col("kind").alias("区分"),
                                 pl.col("amount_yen").alias("金額(円)")),
                    note="年度不明の金額を含む (費用・重複・再掲を除く)。表は全件",
                    takeaway=by_initiative_takeaway(frame), document_ids=tuple(fiscal.document_ids(rows)))


def _compared(filters: Filters):
    """The documents with a stated total whose amounts the filters select (not reconciled yet)."""
    return fiscal.compared_documents(filters, fiscal.fiscal_slice(filters))


def document_choices(filters: Filters) -> list[tuple[str, str]]:
    found = _compared(filters)
    return [(d, f"{town}: {title}") for d, town, title in found.select("document_id", "自治体", "文書").iter_rows()]


def default_document(filters: Filters) -> str | None:
    found = _compared(filters)
    return found["document_id"][0] if found.height else None


DOCUMENT = Option("document", "文書", choices=document_choices, default=default_document,
                  help="計画に財政効果額の記載がある文書")


def compare_takeaway(r: fiscal.Reconciliation) -> str:
    """「計画の記載 37.6億円 に対し、集計は 42億円 (差 +4.4億円)」."""
    gap = r.totals.counted - r.stated_total
    sign = "+" if gap >= 0 else ""
    return (f"計画の記載 {yen_text(r.stated_total)} に対し、集計は {yen_text(r.totals.counted)}"
            f" (差 {sign}{yen_text(gap)})")


@recipe("fiscal.compare", page=PAGE, title="計画の記載と集計", options=(DOCUMENT,),
        description="計画に記載の財政効果額と、同じ文書から集計した金額の比較",
        filters_used=("municipality", "fiscal_year", "theme", "department", "grade", "search", "category"))
def compare(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    wanted = options.get("document")
    found = fiscal.comparisons(filters, fiscal.fiscal_slice(filters), [wanted]) if wanted else []
    if not found:
        return None
    r = found[0]
    return CardSpec("計画の記載と集計", money_charts.stated_vs_found(r.chart_frame, title=""),
                    r.items.drop("取組一覧"),
                    note=f"計画の記載: 財政効果額と主な取組 ({r.document_title} の {r.stated_line} 行目付近)。"
                         f"集計: 除いた金額 {fiscal.excluded_text(r.totals)}",
                    takeaway=compare_takeaway(r), document_ids=(r.document_id,))
