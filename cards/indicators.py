"""Recipe of the 指標 (indicators) screen: one card per indicator.

Option ``indicator``: 「document_id#indicator_no」 (e.g. 「komae-…#3」); default the first
indicator the filters select. 年度 measures progress with the actuals up to that year.
"""
from __future__ import annotations

from typing import Any, Mapping

from cards.model import CardSpec, Option, recipe
from charts import money as money_charts
from vocab import fy_label
from warehouse import Filters, indicators

PAGE = "指標"


def indicator_key(card: indicators.IndicatorCard) -> str:
    return f"{card.document_id}#{card.indicator_no}"


def indicator_choices(filters: Filters) -> list[tuple[str, str]]:
    return [(indicator_key(c), f"{c.indicator_no}. {c.name}") for c in indicators.indicator_cards(filters)]


def default_indicator(filters: Filters) -> str | None:
    cards = indicators.indicator_cards(filters)
    return indicator_key(cards[0]) if cards else None


INDICATOR = Option("indicator", "指標", choices=indicator_choices, default=default_indicator)


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
    found = [c for c in indicators.indicator_cards(filters) if indicator_key(c) == options.get("indicator")]
    if not found:
        return None
    card = found[0]
    return CardSpec(f"{card.indicator_no}. {card.name}",
                    money_charts.indicator_with_alternatives(card.chart_frame, card.alternatives_frame, title=""),
                    card.table, note=card_note(card), takeaway=indicator_takeaway(card),
                    document_ids=(card.document_id,))
