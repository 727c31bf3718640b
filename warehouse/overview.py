"""The overview's metric cards: one per source document and one for everything in the slice.

A card summarises the filtered initiatives of one document (a municipality's plan report, or
the Tokyo DX collection covering many municipalities): which documents they come from, counts
per level (階層), the latest yearly grade shares against the previous year, the committee rating
(委員評価) average, the fiscal effect (財政効果額, yen: ``fiscal.fiscal_effect``, the same figure as
the 財政効果 page) and how many initiatives finished (取組終了) per year. Each figure also says
whose documents it comes from (``sources``), so the whole-slice card never lets one
municipality's figure stand for all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from warehouse import fiscal, queries
from warehouse.filters import Filters, municipality_label
from warehouse.metrics import GradeMovement, grade_movement


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
    fiscal_effect: fiscal.Headline | None  # counted amounts; None when nothing is counted
    finished: dict[int, int]
    # figure (A評価の割合, 委員評価の平均, 財政効果額, 取組終了) -> the municipalities whose documents
    # it comes from, and all municipalities of the card's documents
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    covers: tuple[str, ...] = ()


def _towns(rows: pl.DataFrame, towns_of: dict[str, str]) -> tuple[str, ...]:
    """The documents' municipalities (in document order) behind ``rows``."""
    ids = rows["document_id"].unique(maintain_order=True).to_list()
    return tuple(dict.fromkeys(towns_of[d] for d in sorted(ids, key=list(towns_of).index) if d in towns_of))


def _card(title: str, subtitle: str, municipality: str | None, rows: pl.DataFrame,
          fiscal: fiscal.Headline, towns_of: dict[str, str]) -> Card:
    committee = rows["committee"].drop_nulls()
    levels = rows.group_by("level", maintain_order=True).len("count")
    ended = rows.filter(pl.col("end_fy").is_not_null())
    finished = ended.group_by("end_fy").len("count").sort("end_fy")
    grades = queries.grades_for(tuple(rows["initiative_id"]))
    movement = grade_movement(grades)
    # the latest year's grades (the figure shown) come from these initiatives' municipalities
    latest_towns = ([] if movement.latest_year is None else
                    grades.filter(pl.col("fiscal_year") == movement.latest_year)["municipality"].unique().to_list())
    graded_rows = rows.filter(pl.col("municipality").is_in(latest_towns))
    return Card(
        title=title, subtitle=subtitle, municipality=municipality,
        freshness=_freshness(rows["document_id"].unique()),
        levels=dict(zip(levels["level"], levels["count"])),
        movement=movement,
        committee_mean=float(committee.mean()) if len(committee) else None,
        committee_count=len(committee),
        fiscal_effect=fiscal if fiscal.count else None,
        finished=dict(zip(finished["end_fy"], finished["count"])),
        sources={"A評価の割合": _towns(graded_rows, towns_of),
                 "委員評価の平均": _towns(rows.filter(pl.col("committee").is_not_null()), towns_of),
                 "財政効果額": fiscal.municipalities,
                 "取組終了": _towns(ended, towns_of)},
        covers=_towns(rows, towns_of),
    )


def _freshness(document_ids: pl.Series) -> Freshness:
    docs = queries.documents().filter(pl.col("document_id").is_in(document_ids.to_list()))
    return Freshness(files=tuple(docs["file"]), published=tuple(sorted(docs["published"].drop_nulls())),
                     loaded_at=docs["built_at"].max())


def cards(filters: Filters) -> list[Card]:
    rows = queries.initiatives(filters)
    docs = queries.documents()
    towns_of = dict(zip(docs["document_id"].to_list(), docs["municipality"].to_list()))
    result = [_card("全自治体" if not filters.municipality else municipality_label(filters.municipality),
                    f"{len(rows):,} 件の取組", filters.municipality, rows, fiscal.fiscal_effect(filters), towns_of)]
    for doc in docs.iter_rows(named=True):
        mine = rows.filter(pl.col("document_id") == doc["document_id"])
        if mine.is_empty():
            continue
        towns = mine["municipality"].drop_nulls().unique()
        title = doc["municipality"] if towns.len() <= 1 else f"{doc['municipality']} ({towns.len()} 団体)"
        link = doc["municipality"] if towns.len() <= 1 and towns.to_list() == [doc["municipality"]] else None
        result.append(_card(title, doc["title"], link, mine,
                            fiscal.fiscal_effect(filters, doc["document_id"]), towns_of))
    return result if len(result) > 2 else result[:1]


def grades_by_year(filters: Filters) -> pl.DataFrame:
    """(fiscal_year, grade, count) over all municipalities of the slice; 総括 (NULL) last."""
    return (queries.grade_distribution(filters).group_by("fiscal_year", "grade")
            .agg(pl.col("count").sum()).sort("fiscal_year", "grade", nulls_last=True))


def finished_by_year(filters: Filters) -> pl.DataFrame:
    """取組終了 (end year) counts: fiscal_year, count, in year order."""
    return (queries.finished_per_year(filters).group_by("end_fy").agg(pl.col("count").sum()).sort("end_fy")
            .rename({"end_fy": "fiscal_year"}))
