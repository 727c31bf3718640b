"""Recipe of the 事例 (DX cases and 前橋市's WGs) screen.

Options are the screen's own filters: ``sections`` (部門), ``kinds`` (区分), ``towns`` (自治体)
and ``keyword``; empty = all. 評価 (grade) does not apply.
"""
from __future__ import annotations

from typing import Any, Mapping

from cards.model import CardSpec, Option, recipe
from charts.builders import count_bars
from warehouse import Filters, cases

PAGE = "事例"
MAX_CHOICES = 100


def _values(filters: Filters, column: str) -> list[tuple[str, str]]:
    entries = cases.case_entries(filters)
    if entries.is_empty():
        return []
    values = sorted(entries[column].unique().to_list(), key=lambda v: (v == cases.NO_MUNICIPALITY, v))
    return [(v, v) for v in values]


SECTIONS = Option("sections", "部門", choices=lambda f: _values(f, "section"), multiple=MAX_CHOICES)
KINDS = Option("kinds", "区分", choices=lambda f: _values(f, "kind"), multiple=MAX_CHOICES,
               help="取組: 実施した事例、提案: DXアイデア部門の提案、WG: 前橋市のワーキンググループ")
TOWNS = Option("towns", "自治体 (事例)", choices=lambda f: _values(f, "municipality"), multiple=MAX_CHOICES,
               help="「記載なし」は事例集に自治体名が印字されていない事例")
KEYWORD = Option("keyword", "キーワード (事例)", text=True)


def shown_cases(filters: Filters, options: Mapping[str, Any]):
    """The cases the screen lists: the shared filters, then its own."""
    return cases.filter_cases(
        cases.case_entries(filters), sections=list(options.get("sections") or ()),
        kinds=list(options.get("kinds") or ()), municipalities=list(options.get("towns") or ()),
        keyword=options.get("keyword") or None)


@recipe("cases.counts", page=PAGE, title="部門別の事例数", options=(SECTIONS, KINDS, TOWNS, KEYWORD),
        description="DX事例の部門と前橋市 WG ごとの件数",
        filters_used=("municipality", "fiscal_year", "theme", "department", "search", "category"))
def counts(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    shown = shown_cases(filters, options)
    if shown.is_empty():
        return None
    table = cases.case_counts(shown)
    top = table.row(0, named=True)
    return CardSpec("部門別の事例数", count_bars(table, category="部門", value="件数", title=""), table,
                    note="WG は前橋市のワーキンググループ",
                    takeaway=f"事例は {shown.height:,} 件、最も多いのは {top['部門']} ({top['件数']:,} 件)",
                    document_ids=tuple(shown["document_id"].unique(maintain_order=True).to_list()))
