"""Chart cards addressable outside their pages: one *recipe* per card.

A page draws its cards from recipes (``cards.recipe_card("trends.grades", filters, {"level": …})``), and
the deck builder page rebuilds any card from its :class:`CardRef` (recipe id, the shared
filters, the page's own options) — so a chart is styled in one place only.

Pure: no Streamlit. Catalogue (recipe id → options):

- overview.grades, overview.finished — none
- trends.grades — level (階層), share (件数 / 割合); trends.criteria — level; trends.committee — none
- radar.profile, radar.bars — profiles (up to four 「kind|key|year」)
- fiscal.by_year, fiscal.cumulative, fiscal.by_initiative — none; fiscal.compare — document
- indicators.indicator — indicator (「document_id#no」, one card per indicator)
- kaizen.division, kaizen.department, kaizen.categories, kaizen.co_implementers — none
- cases.counts — sections, kinds, towns, keyword (the 事例 screen's own filters)
- compare.municipalities — none
- quality.counts — documents, kinds (the データ品質 screen's own choices)
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from cards import cases, compare, fiscal, indicators, kaizen, overview, quality, radar, trends  # noqa: F401 (registers)
from cards.model import RECIPES, CardRef, CardSpec, Option, Recipe, attach
from warehouse.filters import Filters, conditions_text
from warehouse.queries import cached

__all__ = ["RECIPES", "CardRef", "CardSpec", "Option", "Recipe", "build", "catalogue",
           "describe", "describe_text", "filters_used", "PAGE_ORDER", "recipe_card", "recipe_for", "resolve"]


def recipe_for(recipe_id: str) -> Recipe | None:
    return RECIPES.get(recipe_id)


def filters_used(page: str) -> tuple[str, ...]:
    """The shared filters any card of screen ``page`` uses, in the filter bar's order."""
    used = {name for r in RECIPES.values() if r.page == page for name in r.filters_used}
    return tuple(f.name for f in fields(Filters) if f.name in used)


PAGE_ORDER = ("概要", "評価の推移", "レーダー", "財政効果", "指標", "改善取組", "事例", "比較", "データ品質")


def catalogue() -> list[Recipe]:
    """Every recipe, grouped by screen in the navigation's order."""
    rank = {page: n for n, page in enumerate(PAGE_ORDER)}
    return sorted(RECIPES.values(), key=lambda r: rank.get(r.page, len(rank)))


def resolve(ref: CardRef) -> CardRef:
    """``ref`` with its options validated and defaulted (unknown recipe: unchanged)."""
    found = RECIPES.get(ref.recipe)
    return found.resolve(ref) if found else ref


@cached
def _build(ref: CardRef) -> CardSpec | None:
    found = RECIPES.get(ref.recipe)
    if found is None:
        return None
    resolved = found.resolve(ref)
    return attach(found.build(resolved.filters, dict(resolved.options)), resolved)


def build(ref: CardRef) -> CardSpec | None:
    """The card ``ref`` addresses, or None when there is nothing to show (or no such recipe).
    Built once per warehouse version and ref."""
    return _build(ref)


def recipe_card(recipe_id: str, filters: Filters, options: Mapping[str, Any] | None = None) -> CardSpec | None:
    """Shorthand for pages: ``build(CardRef.of(recipe_id, filters, options))``."""
    return build(CardRef.of(recipe_id, filters, options))


def describe(ref: CardRef) -> list[tuple[str, str]]:
    """The ref's own choices in words, e.g. [("階層", "実践項目 (58 件)"), ("表示", "割合")]."""
    found = RECIPES.get(ref.recipe)
    return found.describe_options(ref) if found else []


def describe_text(ref: CardRef) -> str:
    """Conditions and choices in one line: 「自治体: 苫小牧市 ／ 年度: すべて ／ 階層: 実践項目」."""
    parts = [conditions_text(ref.filters)] + [f"{label}: {value}" for label, value in describe(ref)]
    return " ／ ".join(parts)
