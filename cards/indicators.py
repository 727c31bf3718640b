"""Recipe of the 指標 (indicators) screen: one card per indicator.

Option ``indicator``: 「document_id#indicator_no」 (e.g. 「komae-…#3」); default the first
indicator the filters select. 年度 measures progress with the actuals up to that year.
"""
from __future__ import annotations

from typing import Any, Mapping

from cards.model import RECIPES, CardRef, CardSpec, Option, attach, recipe
from charts import money as money_charts
from vocab import fy_label
from warehouse import Filters, indicators
from warehouse.queries import cached

PAGE = "指標"


def indicator_key(card: indicators.IndicatorCard) -> str:
    return indicators.key_of(card.document_id, card.indicator_no)


def _several_towns(filters: Filters) -> bool:
    return indicators.indicator_index(filters)["municipality"].n_unique() > 1


def indicator_choices(filters: Filters) -> list[tuple[str, str]]:
    """(key, label) of every indicator the filters select — from the index, without their values;
    the label names the municipality when there are several."""
    index = indicators.indicator_index(filters)
    towns = _several_towns(filters)
    return [(k, f"{t}: {no}. {name}" if towns else f"{no}. {name}")
            for k, t, no, name in index.select("key", "municipality", "indicator_no", "name").iter_rows()]


def default_indicator(filters: Filters) -> str | None:
    keys = indicators.indicator_index(filters)["key"]
    return keys[0] if keys.len() else None


def valid_indicator(filters: Filters, value: str) -> bool:
    return value in indicators.indicator_keys(filters)


INDICATOR = Option("indicator", "指標", choices=indicator_choices, default=default_indicator, valid=valid_indicator)


def card_note(card: indicators.IndicatorCard) -> str:
    a = card.achievement
    parts = []
    if card.description:
        parts.append(f"説明: {card.description}")
    parts.append(f"方向: {indicators.direction_text(a)}")
    if a.progress is not None:
        parts.append(f"進捗率 {a.progress * 100:.1f}% ({a.status})")
    else:
        parts.append(f"{a.status} ({a.reason})")
    if a.latest_alternatives:
        parts.append("白抜きの点は括弧内の値: " + "、".join(indicators.format_value(v) for v in a.latest_alternatives))
    parts += indicators.notes(card)
    return "　／　".join(parts)


def indicator_takeaway(card: indicators.IndicatorCard) -> str:
    """「最新の実績値 20.1 (R3 (2021))、目標 20.0 に対する進捗率 107.7% (達成)」."""
    a = card.achievement
    if a.latest is None:
        return f"{a.status} ({a.reason})"
    text = f"最新の実績値 {indicators.format_value(a.latest[1], card.unit)} ({fy_label(a.latest[0])})"
    if a.progress is not None and a.target is not None:
        return (f"{text}、目標 {indicators.format_value(a.target[1], card.unit)} に対する進捗率 "
                f"{a.progress * 100:.1f}% ({a.status})")
    return f"{text}: {a.status}"


@recipe("indicators.indicator", page=PAGE, title="指標の推移 (基準値・実績値・目標値)", options=(INDICATOR,),
        description="一つの指標の基準値・実績値・目標値と進捗",
        filters_used=("municipality", "fiscal_year", "theme", "department", "search"))
def indicator(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    found = indicators.indicator_cards_for(filters, (options.get("indicator"),)) if options.get("indicator") else []
    if not found:
        return None
    return indicator_spec(filters, found[0])


def indicator_spec(filters: Filters, card: indicators.IndicatorCard) -> CardSpec:
    """The card of one indicator (the page builds a page of them from one query; the deck one)."""
    title = f"{card.indicator_no}. {card.name}"
    if card.municipality and _several_towns(filters):
        title = f"{card.municipality}: {title}"
    return CardSpec(title,
                    money_charts.indicator_with_alternatives(card.chart_frame, card.alternatives_frame, title=""),
                    card.table, note=card_note(card), takeaway=indicator_takeaway(card),
                    document_ids=(card.document_id,))


@cached
def page_cards(filters: Filters, keys: tuple[str, ...]) -> list[CardSpec]:
    """The cards of one page of indicators, from one query for all of them (not one per card),
    each addressed like :func:`indicator` builds it (so 「資料に追加」 rebuilds the same card)."""
    found = RECIPES["indicators.indicator"]
    resolved = found.resolve(CardRef.of(found.id, filters))
    cards = indicators.indicator_cards_for(resolved.filters, keys)
    return [attach(indicator_spec(resolved.filters, card),
                   CardRef.of(found.id, resolved.filters, {"indicator": indicator_key(card)})) for card in cards]
