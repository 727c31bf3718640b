"""The caption under a page title that says which sidebar filters the page applies.

Generated from the recipes' ``filters_used`` (``cards.filters_used``), so the caption and the
cards cannot disagree: every set filter the page uses is listed with its value (and what it
means on this page, when that needs saying), every set filter it ignores is named as not applied.
"""
from __future__ import annotations

from collections.abc import Mapping

from cards import filters_used
from ui.markdown import md
from vocab import fy_label_long
from warehouse import Filters
from warehouse.filters import FILTER_LABELS, municipality_label


def _value(name: str, value: object) -> str:
    """The filter's value as caption markdown: the URL sets it, so it is shown as text (``md``)."""
    if name == "fiscal_year":
        return fy_label_long(value)  # type: ignore[arg-type]
    if name == "search":
        return f"「{md(value, inline=True)}」"
    if name == "municipality":  # its label (「府中市（東京都）」), not the 自治体コード
        return md(municipality_label(value), inline=True)
    return md(value, inline=True)


def scope_caption(filters: Filters, page: str, notes: Mapping[str, str] | None = None) -> str:
    """「サイドバーの絞り込み: 自治体 苫小牧市、年度 令和3年度 (2021) (その年度の金額のみ)。評価 はこの画面には
    適用しません。」 ``notes`` says per filter what it selects on this page."""
    notes = notes or {}
    used = filters_used(page)
    applied, ignored = [], []
    for name, label in FILTER_LABELS.items():
        value = getattr(filters, name)
        if value in (None, ""):
            continue
        if name in used:
            note = f" ({notes[name]})" if name in notes else ""
            applied.append(f"{label} {_value(name, value)}{note}")
        else:
            ignored.append(label)
    text = "サイドバーの絞り込み: " + ("、".join(applied) if applied else "なし")
    if ignored:
        text += f"。{'・'.join(ignored)} はこの画面には適用しません"
    return text + "。"
