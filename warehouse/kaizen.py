"""Read side of the 改善取組 page: 小金井市's staff improvement initiatives.

Terms (glossed once): 改善取組 are the initiatives of the campaign 「ＣｏＣｏからチャレンジ・こがねい」,
listed per fiscal year (年度) with their 部 (division) and 課 (section), the category marks
(分類: サービス, 業務効率, コスト, その他) and the number of 共同実施者 (co-implementers). The campaign
awards 最優秀 / 優秀 / 奨励 取組 and publishes a 最多取組実施部署 (sections with the most initiatives)
ranking with 件数 (count) and 参加者数 (participants).

Queries take the shared ``Filters`` through ``filters.where_clause`` so the page honours the
filter bar exactly like the explorer; every value reaches SQL as a ``?`` parameter.
"""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from rowwise import rowwise
from vocab import AWARDS, NO_VALUE, fy_label, fy_labels
from warehouse.connection import query
from warehouse.filters import Filters, explorer_url, where_clause
from warehouse.queries import cached

KAIZEN_LEVEL = "改善取組"
CATEGORIES = ("サービス", "業務効率", "コスト", "その他")


@cached
def kaizen_initiatives(filters: Filters) -> pl.DataFrame:
    """The 改善取組 in the slice (grade does not apply: the campaign has no grades)."""
    where, params = where_clause(filters.without("grade"))
    return query(
        "SELECT i.initiative_id, i.document_id, i.fiscal_year, i.code, i.title, i.departments, i.themes, "
        "json_extract_string(i.extra, '$.部') AS division, "
        "TRY_CAST(json_extract_string(i.extra, '$.共同実施者数') AS BIGINT) AS co_implementers "
        "FROM initiatives i JOIN _initiatives s USING (initiative_id) "
        f"WHERE i.level = ? AND {where} ORDER BY i.fiscal_year, s.line",
        [KAIZEN_LEVEL, *params])


@cached
def kaizen_awards(filters: Filters) -> pl.DataFrame:
    """Award winners (表彰) of the campaign for the 改善取組 in the slice."""
    where, params = where_clause(filters.without("grade"))
    return query(
        "SELECT a.fiscal_year, a.award, a.title, a.winner, a.initiative_id, a.program, "
        "i.departments FROM awards a JOIN initiatives i USING (initiative_id) "
        "JOIN _initiatives s USING (initiative_id) "
        f"WHERE i.level = ? AND {where} "
        "ORDER BY a.fiscal_year, coalesce(nullif(list_position(?, a.award), 0), 99), s.line",
        [KAIZEN_LEVEL, *params, list(AWARDS)])


@cached
def published_ranking() -> pl.DataFrame:
    """The published 最多取組実施部署 ranking (empty when the source table is absent)."""
    exists = query("SELECT count(*) AS n FROM information_schema.tables "
                   "WHERE table_name = 'src_koganei_top_departments'")
    if not exists["n"][0]:
        return pl.DataFrame(schema={"document_id": pl.String, "fiscal_year": pl.Int64, "rank": pl.Int64,
                                    "department": pl.String, "count": pl.Float64,
                                    "participants": pl.Int64, "line": pl.Int64})
    return query("SELECT document_id, fiscal_year, rank, department, count, participants, line "
                 "FROM src_koganei_top_departments ORDER BY fiscal_year, rank")


def _year_labels(frame: pl.DataFrame, column: str = "fiscal_year") -> pl.DataFrame:
    # NULL stays empty: for kaizen and award years it means an unknown year, not 総括.
    return frame.with_columns(fy_labels(column, null=None).alias("年度"))


def year_order(frame: pl.DataFrame, column: str = "fiscal_year") -> list[str]:
    return [fy_label(y) for y in sorted(frame[column].drop_nulls().unique().to_list())]


def per_unit(frame: pl.DataFrame, unit: str) -> pl.DataFrame:
    """Initiatives per 部 (``unit="division"``) or 課 (``"department"``) and year: 年度, 部署, 件数."""
    data = frame.explode("departments").rename({"departments": "department"}) if unit == "department" else frame
    counted = (data.filter(pl.col(unit).is_not_null())
               .group_by(unit, "fiscal_year").len("件数").sort("fiscal_year", unit))
    counted = counted.with_columns(pl.col("件数").cast(pl.Int64))
    return _year_labels(counted).select("年度", pl.col(unit).alias("部署"), "件数")


def category_mix(frame: pl.DataFrame) -> pl.DataFrame:
    """Category marks (分類) per year; an initiative with several marks counts once in each."""
    counted = (frame.explode("themes").filter(pl.col("themes").is_not_null())
               .group_by("fiscal_year", "themes").len("件数").with_columns(pl.col("件数").cast(pl.Int64)))
    order = {c: n for n, c in enumerate(CATEGORIES)}
    counted = counted.with_columns(pl.col("themes").replace_strict(order, default=99).alias("_o"))
    return _year_labels(counted.sort("fiscal_year", "_o")).select("年度", pl.col("themes").alias("分類"), "件数")


def co_implementer_distribution(frame: pl.DataFrame) -> pl.DataFrame:
    """How many initiatives had 0, 1, 2, … co-implementers, per year (every count up to the max)."""
    data = frame.filter(pl.col("co_implementers").is_not_null())
    if data.is_empty():
        return pl.DataFrame(schema={"年度": pl.String, "共同実施者数": pl.String, "件数": pl.Int64})
    years = sorted(data["fiscal_year"].unique().to_list())
    grid = pl.DataFrame({"fiscal_year": [y for y in years for _ in range(int(data["co_implementers"].max()) + 1)],
                         "co_implementers": [n for _ in years for n in range(int(data["co_implementers"].max()) + 1)]},
                        schema={"fiscal_year": data["fiscal_year"].dtype, "co_implementers": pl.Int64})
    counted = data.group_by("fiscal_year", "co_implementers").len("件数")
    full = grid.join(counted, on=["fiscal_year", "co_implementers"], how="left").with_columns(
        pl.col("件数").fill_null(0).cast(pl.Int64))
    return _year_labels(full.sort("fiscal_year", "co_implementers")).select(
        "年度", (pl.col("co_implementers").cast(pl.String) + "人").alias("共同実施者数"), "件数")


@dataclass(frozen=True)
class YearSummary:
    fiscal_year: int
    initiatives: int
    co_implementers: int
    participants: int  # one 実施者 per initiative + its co-implementers (the published 参加者数)
    awards: int


def year_summaries(frame: pl.DataFrame, awards: pl.DataFrame) -> list[YearSummary]:
    result = []
    for year in sorted(frame["fiscal_year"].drop_nulls().unique().to_list()):
        rows = frame.filter(pl.col("fiscal_year") == year)
        co = int(rows["co_implementers"].fill_null(0).sum())
        result.append(YearSummary(year, rows.height, co, rows.height + co,
                                  awards.filter(pl.col("fiscal_year") == year).height))
    return result


def recomputed_ranking(frame: pl.DataFrame) -> pl.DataFrame:
    """Count and participants per 課 and year from the list, with the competition rank (1, 2, 2, 4)."""
    data = frame.explode("departments").filter(pl.col("departments").is_not_null())
    return (data.group_by("fiscal_year", pl.col("departments").alias("department"))
            .agg(pl.len().cast(pl.Int64).alias("count"),
                 (pl.len().cast(pl.Int64) + pl.col("co_implementers").fill_null(0).sum()).alias("participants"),
                 pl.col("code").sort_by(pl.col("code").cast(pl.Int64, strict=False)).alias("codes"))
            .with_columns(pl.col("count").rank("min", descending=True).over("fiscal_year")
                          .cast(pl.Int64).alias("rank"))
            .sort("fiscal_year", "rank", "department"))


def ranking_comparison(published: pl.DataFrame, listed: pl.DataFrame) -> pl.DataFrame:
    """Published ranking beside the one recomputed from the list.

    Rows: every published row, plus any 課 the list places at or above the published ranks that
    the publication left out. ``differs`` marks rows where count, participants or presence differ.
    """
    recomputed = recomputed_ranking(listed).with_columns(pl.col("fiscal_year").cast(pl.Int64))
    if published.is_empty():
        return pl.DataFrame()
    published = published.with_columns(pl.col("fiscal_year").cast(pl.Int64))
    depth = published.group_by("fiscal_year").agg(pl.col("rank").max().alias("depth"))
    top = (recomputed.join(depth, on="fiscal_year").filter(pl.col("rank") <= pl.col("depth"))
           .select("fiscal_year", "department"))
    keys = pl.concat([published.select("fiscal_year", "department"), top]).unique(maintain_order=True)
    merged = (keys.join(published.select("fiscal_year", "department", pl.col("rank").alias("published_rank"),
                                         pl.col("count").alias("published_count"),
                                         pl.col("participants").alias("published_participants")),
                        on=["fiscal_year", "department"], how="left")
              .join(recomputed.select("fiscal_year", "department", pl.col("rank").alias("recomputed_rank"),
                                      pl.col("count").alias("recomputed_count"),
                                      pl.col("participants").alias("recomputed_participants"), "codes"),
                    on=["fiscal_year", "department"], how="left"))
    differs = (pl.col("published_count").is_null() | pl.col("recomputed_count").is_null()
               | (pl.col("published_count") != pl.col("recomputed_count").cast(pl.Float64))
               | (pl.col("published_participants") != pl.col("recomputed_participants")))
    return (merged.with_columns(differs.fill_null(True).alias("differs"))
            .sort("fiscal_year", pl.col("published_rank").fill_null(99), "recomputed_rank"))


def count_text(value: float | None) -> str:
    if value is None:
        return NO_VALUE
    return f"{value:g}"


def ranking_table(comparison: pl.DataFrame) -> pl.DataFrame:
    """The comparison as users see and export it (Japanese headers)."""
    if comparison.is_empty():
        return comparison
    rows = []
    for r in comparison.iter_rows(named=True):
        if r["published_count"] is None:
            note = "公表の順位表にない"
        elif r["recomputed_count"] is None:
            note = "一覧表にない"
        elif r["differs"]:
            parts = []
            if r["published_count"] != r["recomputed_count"]:
                parts.append(f"件数 {count_text(r['published_count'])} → {r['recomputed_count']}")
            if r["published_participants"] != r["recomputed_participants"]:
                parts.append(f"参加者数 {r['published_participants']} → {r['recomputed_participants']}")
            note = "、".join(parts)
        else:
            note = "一致"
        rows.append({
            "年度": fy_label(r["fiscal_year"]),
            "所属課": r["department"],
            "比較": note,
            "公表の順位": f"{r['published_rank']}位" if r["published_rank"] is not None else NO_VALUE,
            "公表の件数": count_text(r["published_count"]),
            "再集計の件数": r["recomputed_count"],
            "再集計の順位": f"{r['recomputed_rank']}位" if r["recomputed_rank"] is not None else NO_VALUE,
            "公表の参加者数": r["published_participants"],
            "再集計の参加者数": r["recomputed_participants"],
            "一覧表の No.": "、".join(r["codes"] or []),
        })
    return pl.DataFrame(rows, schema_overrides={"再集計の件数": pl.Int64, "公表の参加者数": pl.Int64,
                                                "再集計の参加者数": pl.Int64})


def awards_table(awards: pl.DataFrame) -> pl.DataFrame:
    return awards.select(
        fy_labels(null=None).alias("年度"),
        (pl.col("award") + "取組").alias("賞"),
        pl.col("title").alias("取組名"),
        pl.col("winner").alias("受賞者"),
        pl.col("departments").list.join("、").alias("一覧表の課"),
        rowwise(awards["initiative_id"], explorer_url, name="取組一覧").fill_null(""),
    )
