"""Recipes of the 評価の推移 (score trends) screen.

Options: ``level`` (階層: 取組項目 / 実践項目 …, the levels of the slice that carry grades;
default the most numerous) and, for the grade chart, ``share`` (表示: 件数 or 割合).
"""
from __future__ import annotations

from typing import Any, Mapping

import polars as pl

from cards.model import CardSpec, Option, recipe
from charts import builders
from charts import scores as score_charts
from cards.wording import takeaway_for_grades
from vocab import CRITERIA, fy_label, fy_labels
from warehouse import Filters, trends

PAGE = "評価の推移"
COUNT, SHARE = "件数", "割合"


def level_choices(filters: Filters) -> list[tuple[str, str]]:
    return [(name, f"{name} ({n:,} 件)") for name, n in trends.graded_levels(filters)]


def default_level(filters: Filters) -> str | None:
    """The level shown first: the one with the most graded initiatives (first in document order on a tie)."""
    levels = trends.graded_levels(filters)
    if not levels:
        return None
    counts = dict(levels)
    return max((name for name, _ in levels), key=lambda n: counts[n])


LEVEL = Option("level", "階層", choices=level_choices, default=default_level, label_for=str,
               help="取組項目と実践項目は別々に集計します (同じ取組を二重に数えないため)")
DISPLAY = Option("share", "表示", choices=lambda filters: [(COUNT, COUNT), (SHARE, SHARE)],
                 default=lambda filters: COUNT)


def grade_table(counts: pl.DataFrame) -> pl.DataFrame:
    return counts.select(
        fy_labels().alias("年度"),
        pl.col("grade").alias("総合評価"), pl.col("count").alias("件数"),
        (pl.col("share") * 100).round(1).alias("割合(%)"))


@recipe("trends.grades", page=PAGE, title="総合評価の分布 (年度別)", options=(LEVEL, DISPLAY),
        description="選んだ階層の自己評価 (A–D) の件数または割合を年度別に")
def grades(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    level = options.get("level")
    if level is None:
        return None
    counts = trends.grade_counts(filters, level)
    if counts.is_empty():
        return None
    share = options.get("share") == SHARE
    return CardSpec(
        "総合評価の分布 (年度別)", builders.grade_distribution(counts, normalize=share, title=""),
        grade_table(counts),
        note=f"{level}の自己評価 (A–D) の件数{'に占める割合' if share else ''}。総括は計画期間全体の評価",
        takeaway=takeaway_for_grades(counts), document_ids=tuple(trends.slice_documents(filters, level)))


def criteria_takeaway(yearly: pl.DataFrame) -> str:
    """「R5 (2023) の平均は 連携度 が最も高く 2.45、創造性 が最も低く 1.90」."""
    latest = yearly["fiscal_year"].max()
    rows = yearly.filter(pl.col("fiscal_year") == latest).sort("score", descending=True, maintain_order=True)
    top, low = rows.row(0, named=True), rows.row(-1, named=True)
    if rows.height == 1 or top["score"] == low["score"]:
        return f"{fy_label(latest)} の平均は {top['score']:.2f}"
    return (f"{fy_label(latest)} の平均は {top['criterion']} が最も高く {top['score']:.2f}、"
            f"{low['criterion']} が最も低く {low['score']:.2f}")


@recipe("trends.criteria", page=PAGE, title="観点別スコアの推移 (平均)", options=(LEVEL,),
        description="自己評価 4観点 (進捗度・連携度・効率性・創造性) の年度別平均")
def criteria(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    level = options.get("level")
    if level is None:
        return None
    means = trends.criterion_means(filters, level)
    yearly = means.filter(pl.col("fiscal_year").is_not_null())
    if yearly.is_empty():
        return None
    table = (yearly.pivot(on="criterion", index="fiscal_year", values="score")
             .select(fy_labels().alias("年度"),
                     *[pl.col(c).round(2) for c in CRITERIA if c in means["criterion"].to_list()]))
    return CardSpec(
        "観点別スコアの推移 (平均)", builders.criterion_trend(yearly, title=""), table,
        note=f"{level}の自己評価 4観点 (進捗度・連携度・効率性・創造性, 各0–3) の年度別平均",
        takeaway=criteria_takeaway(yearly), document_ids=tuple(trends.slice_documents(filters, level)))


def committee_takeaway(pairs: pl.DataFrame, gaps: pl.DataFrame) -> str:
    """「委員評価の平均は 3.85 / 5 (22 件)。食い違いが最も大きいのは No.6」."""
    text = f"委員評価の平均は {pairs['committee'].mean():.2f} / 5 ({pairs.height:,} 件)"
    if not gaps.is_empty():
        text += f"。自己評価との食い違いが最も大きいのは No.{gaps['code'][0]}"
    return text


@recipe("trends.committee", page=PAGE, title="自己評価合計と委員評価",
        description="計画期間の自己評価の合計 (0–12) と委員評価 (1–5) の散布図")
def committee(filters: Filters, options: Mapping[str, Any]) -> CardSpec | None:
    pairs = trends.committee_pairs(filters)
    if pairs.is_empty():
        return None
    gaps = trends.disagreements(pairs)
    named = gaps.select("initiative_id", pl.format("No.{}", pl.col("code")).alias("label"))
    frame = (pairs.join(named, on="initiative_id", how="left", maintain_order="left")
             .with_columns(pl.format("{} {}", pl.col("code"), pl.col("title")).alias("title")))
    table = pairs.select(pl.col("code").alias("番号"), pl.col("title").alias("取組項目"),
                         pl.col("self_total").alias("合計"), pl.col("committee").alias("委員評価"))
    return CardSpec(
        "自己評価合計と委員評価", score_charts.committee_scatter(frame), table,
        note="自己評価の合計 (4観点×0–3 = 0–12) と委員評価 (1–5)。総括 (計画期間) の評価。"
             "番号は右の表の取組。実践項目が条件に合う取組項目も含みます",
        takeaway=committee_takeaway(pairs, gaps),
        document_ids=tuple(pairs["document_id"].unique(maintain_order=True).to_list()))
