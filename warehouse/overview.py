"""The overview's metric cards: one per source document and one for everything in the slice.

A card summarises the filtered initiatives of one document (a municipality's plan report, or
the Tokyo DX collection covering many municipalities): which documents they come from, counts
per level (階層), the latest yearly grade shares against the previous year, the committee rating
(委員評価) average, the fiscal effect (財政効果額, yen: ``fiscal.fiscal_effect``, the same figure as
the 財政効果 page) and how many initiatives finished (取組終了) per year. Each figure also says
whose documents it comes from (``sources``), so the whole-slice card never lets one
municipality's figure stand for all.

National scale (issue 17): every figure is counted in SQL, grouped by document, in one query
per figure for the whole slice (never one query per card); the page receives those small
grouped frames and builds the cards it draws from them. With many documents the page shows a
summary table (:func:`document_table`, one row per document) and the top documents' cards only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from vocab import LEVELS
from warehouse import fiscal, queries
from warehouse.connection import query
from warehouse.filters import Filters, municipality_label
from warehouse.metrics import GradeMovement, grade_movement
from warehouse.queries import cached
from warehouse.slice_sql import in_slice

_LEVEL_RANK = "CASE i.level " + " ".join(f"WHEN '{lv}' THEN {n}" for n, lv in enumerate(LEVELS)) + " ELSE 99 END"
_SELF_GRADE = "e.evaluator = 'self' AND e.criterion = '総合評価' AND e.grade IS NOT NULL"


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
    initiatives: int = 0


@dataclass(frozen=True)
class Figures:
    """The slice's figures grouped by document (and the initiatives' own municipality), from SQL."""

    towns: pl.DataFrame     # document_id, municipality, initiatives, committee_sum, committee_n, ended
    levels: pl.DataFrame    # document_id, level, first_town, rank, count
    grades: pl.DataFrame    # document_id, municipality, fiscal_year, grade, count
    finished: pl.DataFrame  # document_id, end_fy, count
    money: dict[str, fiscal.Headline]  # document_id -> its 財政効果額 (fiscal.fiscal_effects_by_document)


@cached
def figures(filters: Filters) -> Figures:
    """Two queries for the whole slice: initiatives per (document, municipality, level, end year)
    with their committee ratings, and the self-evaluation grades per (document, municipality,
    year, grade); the rest is grouping those small frames."""
    where, params = in_slice("i.initiative_id", filters)
    groups = query(
        "WITH committee AS (SELECT initiative_id, avg(score) AS committee FROM evaluations "
        "WHERE criterion = '委員評価' GROUP BY initiative_id) "
        f"SELECT i.document_id, i.municipality, i.level, {_LEVEL_RANK} AS rank, i.end_fy, count(*) AS count, "
        "coalesce(sum(c.committee), 0) AS committee_sum, count(c.committee) AS committee_n "
        f"FROM initiatives i LEFT JOIN committee c USING (initiative_id) WHERE {where} GROUP BY ALL", params)
    grades = query(
        "SELECT i.document_id, i.municipality, e.fiscal_year, e.grade, count(*) AS count FROM evaluations e "
        f"JOIN initiatives i USING (initiative_id) WHERE {_SELF_GRADE} AND {where} GROUP BY ALL", params)
    towns = groups.group_by("document_id", "municipality").agg(
        pl.col("count").sum().alias("initiatives"), pl.col("committee_sum").sum(), pl.col("committee_n").sum(),
        pl.col("count").filter(pl.col("end_fy").is_not_null()).sum().alias("ended"))
    levels = groups.group_by("document_id", "level").agg(
        pl.col("municipality").min().alias("first_town"), pl.col("rank").min(), pl.col("count").sum())
    finished = (groups.filter(pl.col("end_fy").is_not_null()).group_by("document_id", "end_fy")
                .agg(pl.col("count").sum()))
    return Figures(towns, levels, grades, finished, fiscal.fiscal_effects_by_document(filters))


def _towns(document_ids, towns_of: dict[str, str]) -> tuple[str, ...]:
    """The documents' municipalities (in document order) of ``document_ids``."""
    ids = set(document_ids)
    return tuple(dict.fromkeys(town for d, town in towns_of.items() if d in ids))


def _card(title: str, subtitle: str, municipality: str | None, found: Figures,
          money: fiscal.Headline, towns_of: dict[str, str]) -> Card:
    """A card over the documents of ``found`` (all of the slice's, or one document's rows)."""
    towns = found.towns
    committee_n = int(towns["committee_n"].sum())
    levels = found.levels.group_by("level").agg(pl.col("first_town").min(), pl.col("rank").min(),
                                                pl.col("count").sum()).sort("first_town", "rank", nulls_last=True)
    finished = found.finished.group_by("end_fy").agg(pl.col("count").sum()).sort("end_fy")
    movement = grade_movement(found.grades)
    # the latest year's grades (the figure shown) come from these initiatives' municipalities
    latest_towns = ([] if movement.latest_year is None else
                    found.grades.filter(pl.col("fiscal_year") == movement.latest_year)["municipality"].unique().to_list())
    graded = towns.filter(pl.col("municipality").is_in(latest_towns))["document_id"]
    return Card(
        title=title, subtitle=subtitle, municipality=municipality,
        freshness=_freshness(towns["document_id"].unique().to_list()),
        levels=dict(zip(levels["level"], levels["count"])),
        movement=movement,
        committee_mean=float(towns["committee_sum"].sum()) / committee_n if committee_n else None,
        committee_count=committee_n,
        fiscal_effect=money if money.count else None,
        finished=dict(zip(finished["end_fy"], finished["count"])),
        sources={"A評価の割合": _towns(graded, towns_of),
                 "委員評価の平均": _towns(towns.filter(pl.col("committee_n") > 0)["document_id"], towns_of),
                 "財政効果額": money.municipalities,
                 "取組終了": _towns(towns.filter(pl.col("ended") > 0)["document_id"], towns_of)},
        covers=_towns(towns["document_id"], towns_of),
        initiatives=int(towns["initiatives"].sum()),
    )


def _freshness(document_ids: list[str]) -> Freshness:
    docs = queries.documents().filter(pl.col("document_id").is_in(document_ids))
    return Freshness(files=tuple(docs["file"]), published=tuple(sorted(docs["published"].drop_nulls())),
                     loaded_at=docs["built_at"].max())


def _one(found: Figures, document_id: str) -> Figures:
    mine = pl.col("document_id") == document_id
    return Figures(found.towns.filter(mine), found.levels.filter(mine), found.grades.filter(mine),
                   found.finished.filter(mine), {})


@cached
def total_card(filters: Filters) -> Card:
    """The whole slice's card (its 財政効果額 is ``fiscal.fiscal_effect(filters)``)."""
    found = figures(filters)
    towns_of = _towns_of()
    count = int(found.towns["initiatives"].sum())
    return _card("全自治体" if not filters.municipality else municipality_label(filters.municipality), f"{count:,} 件の取組",
                 filters.municipality, found, fiscal.fiscal_effect(filters), towns_of)


def _towns_of() -> dict[str, str]:
    docs = queries.documents()
    return dict(zip(docs["document_id"].to_list(), docs["municipality"].to_list()))


@cached
def document_ids(filters: Filters) -> list[str]:
    """The documents with initiatives in the slice, in document order (by municipality)."""
    present = set(figures(filters).towns["document_id"].to_list())
    return [d for d in _towns_of() if d in present]


def document_cards(filters: Filters, ids: list[str]) -> list[Card]:
    """The cards of documents ``ids`` (in that order), from the slice's grouped figures."""
    return _document_cards(filters, tuple(ids))


@cached
def _document_cards(filters: Filters, ids: tuple[str, ...]) -> list[Card]:
    found = figures(filters)
    towns_of = _towns_of()
    docs = {r["document_id"]: r for r in queries.documents().iter_rows(named=True)}
    nothing = fiscal.Headline(0, 0, (), ())
    result = []
    for document_id in ids:
        mine = _one(found, document_id)
        if mine.towns.is_empty():
            continue
        doc = docs[document_id]
        towns = mine.towns["municipality"].drop_nulls().unique()
        title = doc["municipality"] if towns.len() <= 1 else f"{doc['municipality']} ({towns.len()} 団体)"
        link = doc["municipality"] if towns.len() <= 1 and towns.to_list() == [doc["municipality"]] else None
        result.append(_card(title, doc["title"], link, mine, found.money.get(document_id, nothing), towns_of))
    return result


def cards(filters: Filters) -> list[Card]:
    """The whole slice's card, then one per document (none when only one document is in it)."""
    ids = document_ids(filters)
    result = [total_card(filters)] + document_cards(filters, ids)
    return result if len(result) > 2 else result[:1]


# the order's key first; the document's title (long) last, so the figures fit without scrolling
DOCUMENT_COLUMNS = ("自治体", "財政効果額(円)", "取組数", "評価の年度", "A", "B", "C", "D", "A評価の割合(%)",
                    "委員評価の平均", "取組終了", "文書")


@cached
def document_table(filters: Filters) -> pl.DataFrame:
    """One row per document of the slice (the summary table the overview shows with many
    documents): its initiatives, the grade counts of its latest graded year and the A share,
    the committee average, its 財政効果額 (the fiscal page's figure) and 取組終了 count.
    Hidden column ``document_id``; ordered by 財政効果額, then 取組数 (largest first)."""
    found = figures(filters)
    docs = queries.documents().select("document_id", pl.col("municipality").alias("自治体"),
                                      pl.col("title").alias("文書"))
    per_doc = found.towns.group_by("document_id").agg(
        pl.col("initiatives").sum().alias("取組数"),
        (pl.col("committee_sum").sum() / pl.col("committee_n").sum()).round(2).alias("委員評価の平均"),
        pl.col("ended").sum().alias("取組終了"))
    yearly = found.grades.filter(pl.col("fiscal_year").is_not_null())
    latest = yearly.group_by("document_id").agg(pl.col("fiscal_year").max().alias("評価の年度"))
    counts = (yearly.join(latest, on="document_id").filter(pl.col("fiscal_year") == pl.col("評価の年度"))
              .group_by("document_id", "評価の年度").agg(
                  *[pl.col("count").filter(pl.col("grade") == g).sum().alias(g) for g in "ABCD"]))
    money = pl.DataFrame({"document_id": list(found.money), "財政効果額(円)": [h.yen if h.count else None
                                                                       for h in found.money.values()]},
                         schema={"document_id": pl.String, "財政効果額(円)": pl.Int64})
    table = (per_doc.join(docs, on="document_id", how="left").join(counts, on="document_id", how="left")
             .join(money, on="document_id", how="left")
             .with_columns((pl.col("A") * 100 / (pl.col("A") + pl.col("B") + pl.col("C") + pl.col("D")))
                           .round(0).alias("A評価の割合(%)")))
    return table.sort(["財政効果額(円)", "取組数", "自治体"], descending=[True, True, False],
                      nulls_last=True).select("document_id", *DOCUMENT_COLUMNS)


def _graded(filters: Filters) -> tuple[str, list]:
    """``FROM … WHERE`` of the self-evaluated 総合評価 grades the 総合評価の分布 chart counts."""
    where, params = in_slice("e.initiative_id", filters.without("grade", "fiscal_year"))
    return f"FROM evaluations e WHERE {_SELF_GRADE} AND {where}", params


def grades_by_year(filters: Filters) -> pl.DataFrame:
    """(fiscal_year, grade, count) over all municipalities of the slice; 総括 (NULL) last."""
    rows, params = _graded(filters)
    return query(f"SELECT e.fiscal_year, e.grade, count(*) AS count {rows} "
                 "GROUP BY ALL ORDER BY e.fiscal_year NULLS LAST, e.grade", params)


@cached
def grade_documents(filters: Filters) -> tuple[str, ...]:
    """The documents ``grades_by_year`` counts grades of (the chart's 出典), by id."""
    rows, params = _graded(filters)
    return _documents_of(f"SELECT e.initiative_id {rows}", params)


def _ended(filters: Filters) -> tuple[str, list]:
    """``FROM … WHERE`` of the slice's initiatives with a 取組終了 year."""
    where, params = in_slice("i.initiative_id", filters.without("fiscal_year"))
    return f"FROM initiatives i WHERE i.end_fy IS NOT NULL AND {where}", params


def finished_by_year(filters: Filters) -> pl.DataFrame:
    """取組終了 (end year) counts: fiscal_year, count, in year order."""
    rows, params = _ended(filters)
    return query(f"SELECT i.end_fy AS fiscal_year, count(*) AS count {rows} GROUP BY ALL ORDER BY 1", params)


@cached
def finished_documents(filters: Filters) -> tuple[str, ...]:
    """The documents ``finished_by_year`` counts (the chart's 出典), by id."""
    rows, params = _ended(filters)
    return _documents_of(f"SELECT i.initiative_id {rows}", params)


def _documents_of(initiatives_sql: str, params: list) -> tuple[str, ...]:
    return tuple(query(f"SELECT DISTINCT document_id FROM initiatives WHERE initiative_id IN ({initiatives_sql}) "
                       "ORDER BY 1", params)["document_id"])
