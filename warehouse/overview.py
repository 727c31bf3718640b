"""The overview's metric cards: one per source document and one for everything in the slice.

A card summarises the filtered initiatives of one document (a municipality's plan report, or
the Tokyo DX collection covering many municipalities): which documents they come from, counts
per level (階層), the latest yearly grade shares against the previous year, the committee rating
(委員評価) average, the fiscal effect (財政効果額, yen) and how many initiatives finished (取組終了)
per year.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from warehouse import queries
from warehouse.filters import Filters
from warehouse.metrics import GradeMovement, grade_movement, stated_or_found_total


@dataclass(frozen=True)
class Freshness:
    """データの鮮度 (data freshness) of a card's documents."""

    files: tuple[str, ...]
    published: tuple[str, ...]  # publication dates as printed (「2022-03」), sorted, where known
    loaded_at: datetime  # when the warehouse was built from them


@dataclass(frozen=True)
class Card:
    title: str
    subtitle: str
    municipality: str | None  # the filter the card's link applies (None: keep the current one)
    freshness: Freshness
    levels: dict[str, int]
    movement: GradeMovement
    committee_mean: float | None
    committee_count: int
    fiscal_effect: tuple[int, str] | None  # (yen, 計画の記載 | シートの合計)
    finished: dict[int, int]


def _card(title: str, subtitle: str, municipality: str | None, rows: pl.DataFrame,
          totals: pl.DataFrame) -> Card:
    committee = rows["committee"].drop_nulls()
    levels = rows.group_by("level", maintain_order=True).len("count")
    finished = rows.filter(pl.col("end_fy").is_not_null()).group_by("end_fy").len("count").sort("end_fy")
    return Card(
        title=title, subtitle=subtitle, municipality=municipality,
        freshness=_freshness(rows["document_id"].unique()),
        levels=dict(zip(levels["level"], levels["count"])),
        movement=grade_movement(queries.grades_for(tuple(rows["initiative_id"]))),
        committee_mean=float(committee.mean()) if len(committee) else None,
        committee_count=len(committee),
        fiscal_effect=stated_or_found_total(totals),
        finished=dict(zip(finished["end_fy"], finished["count"])),
    )


def _freshness(document_ids: pl.Series) -> Freshness:
    docs = queries.documents().filter(pl.col("document_id").is_in(document_ids.to_list()))
    return Freshness(files=tuple(docs["file"]), published=tuple(sorted(docs["published"].drop_nulls())),
                     loaded_at=docs["built_at"].max())


def cards(filters: Filters) -> list[Card]:
    rows = queries.initiatives(filters)
    totals = queries.fiscal_totals_by_document(filters.municipality)
    docs = queries.documents()
    result = [_card("全自治体" if not filters.municipality else filters.municipality,
                    f"{len(rows):,} 件の取組", filters.municipality, rows, totals)]
    for doc in docs.iter_rows(named=True):
        mine = rows.filter(pl.col("document_id") == doc["document_id"])
        if mine.is_empty():
            continue
        towns = mine["municipality"].drop_nulls().unique()
        title = doc["municipality"] if towns.len() <= 1 else f"{doc['municipality']} ({towns.len()} 団体)"
        link = doc["municipality"] if towns.len() <= 1 and towns.to_list() == [doc["municipality"]] else None
        result.append(_card(title, doc["title"], link, mine,
                            totals.filter(pl.col("document_id") == doc["document_id"])))
    return result if len(result) > 2 else result[:1]


def grades_by_year(filters: Filters) -> pl.DataFrame:
    """(fiscal_year, grade, count) over all municipalities of the slice; 総括 (NULL) last."""
    return (queries.grade_distribution(filters).group_by("fiscal_year", "grade")
            .agg(pl.col("count").sum()).sort("fiscal_year", "grade", nulls_last=True))


def finished_by_year(filters: Filters) -> pl.DataFrame:
    """取組終了 (end year) counts: fiscal_year, count, in year order."""
    return (queries.finished_per_year(filters).group_by("end_fy").agg(pl.col("count").sum()).sort("end_fy")
            .rename({"end_fy": "fiscal_year"}))
