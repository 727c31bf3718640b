"""Recipes of the レーダー (radar) screen.

Option ``profiles``: up to four radar profiles, each 「kind|key|year」 as in the page's URL
(``warehouse.radar.Profile.to_param``): an initiative (item) or the average of a テーマ,
担当部署 or 自治体, for a fiscal year (0 = 総括). Default: the page's first combination (the first
initiative of the slice against its theme's and its municipality's averages).
"""
from __future__ import annotations

from typing import Any, Mapping

import polars as pl

from cards.model import CardSpec, Option, recipe
from charts import scores as score_charts
from charts.radar import MAX_PROFILES
from warehouse import Filters, radar
from warehouse.radar import KINDS, Profile

PAGE = "レーダー"


def profile_choices(filters: Filters) -> list[tuple[str, str]]:
    """Every profile the slice offers, for the year filter (総括 without one): the theme,
    department and municipality averages (few, so first), then the initiatives."""
    options = radar.radar_options(filters)
    if options.is_empty():
        return []
    year = filters.fiscal_year
    labels = radar.slice_item_labels(filters)
    profiles = [Profile(kind, key, year) for kind in ("theme", "department", "municipality")
                for key in options.keys(kind)]
    profiles += [Profile("item", key, year) for key in options.keys("item")]
    return [(p.to_param(), radar.profile_label(p, labels)) for p in profiles]


def default_profiles(filters: Filters) -> tuple[str, ...] | None:
    options = radar.radar_options(filters)
    if options.is_empty():
        return None
    return tuple(p.to_param() for p in radar.default_profiles(options, filters.fiscal_year)) or None


def _valid(filters: Filters, value: str) -> bool:
    return Profile.from_param(value) is not None


def profile_text(value: str) -> str:
    """A profile parameter in words: 「テーマ平均: 行政サービス (総括)」."""
    found = Profile.from_param(value)
    if found is None:
        return value
    labels = radar.item_labels((found.key,)) if found.kind == "item" else {}
    return radar.profile_label(found, labels)


PROFILES = Option("profiles", "比べる対象", choices=profile_choices, default=default_profiles,
                  multiple=MAX_PROFILES, valid=_valid, label_for=profile_text,
                  help=f"取組、またはテーマ・担当部署・自治体の平均を最大{MAX_PROFILES}件")


def chosen(options: Mapping[str, Any]) -> tuple[Profile, ...]:
    return tuple(p for p in (Profile.from_param(v) for v in options.get("profiles") or ()) if p)


def radar_takeaway(table: pl.DataFrame) -> str:
    """「4観点の合計が最も高いのは 実践項目 1 … (総括) で 12.00 / 12」; one profile: its total and best criterion."""
    ranked = table.sort("合計", descending=True, maintain_order=True)
    top = ranked.row(0, named=True)
    if ranked.height == 1:
        criteria = [c for c in ("進捗度", "連携度", "効率性", "創造性") if c in table.columns]
        best = max(criteria, key=lambda c: top[c] if top[c] is not None else -1)
        return f"{top['対象']}: 4観点の合計 {top['合計']:.2f} / 12 (最も高い観点は {best} {top[best]:.2f})"
    return f"4観点の合計が最も高いのは {top['対象']} で {top['合計']:.2f} / 12"


def _profiles_card(options: Mapping[str, Any]) -> tuple[pl.DataFrame, pl.DataFrame, tuple[str, ...], str] | None:
    picked = chosen(options)
    frame = radar.profiles_frame(picked)
    if frame.is_empty():
        return None
    table = radar.profiles_table(frame)
    return frame, table, tuple(radar.profile_documents(picked)), radar_takeaway(table)


@recipe("radar.profile", page=PAGE, title="観点別プロフィール (レーダー)", options=(PROFILES,),
        description="自己評価の4観点を最大4件まで重ねたレーダー", filters_used=("municipality", "fiscal_year", "theme",
                                                                   "department", "grade", "search", "category"))
def profile(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    found = _profiles_card(options)
    if found is None:
        return None
    frame, table, documents, takeaway = found
    return CardSpec("観点別プロフィール (レーダー)", score_charts.profile_radar(frame, size=360), table,
                    note="中心が0、外周が3。自己評価の観点別スコア (平均)", takeaway=takeaway,
                    document_ids=documents)


@recipe("radar.bars", page=PAGE, title="観点別スコア (棒グラフ)", options=(PROFILES,),
        description="レーダーと同じ数値を棒グラフで")
def bars(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    found = _profiles_card(options)
    if found is None:
        return None
    frame, table, documents, takeaway = found
    return CardSpec("観点別スコア (棒グラフ)", score_charts.profile_bars(frame), table,
                    note="レーダーと同じ数値を棒で表示 (0–3)", takeaway=takeaway, document_ids=documents)


__all__ = ["KINDS", "PROFILES", "bars", "chosen", "default_profiles", "profile", "profile_choices"]
