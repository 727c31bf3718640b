"""The one-line takeaways of the chart cards, in words a meeting reads off a slide.

They belong to the cards (the screen shows them under the chart, the deck puts them on the
chart's slide, 発表モード under the picture), not to a file format: a page that shows a card
must not load python-pptx to word it.
"""
from __future__ import annotations

import math

import polars as pl

from vocab import GRADES, fy_label
from yen import round_half_up, yen_text


def _signed(points: int) -> str:
    return "±0" if points == 0 else f"{points:+d}"


def takeaway_for_grades(distribution: pl.DataFrame, grade: str = "A") -> str:
    """One line on the share of ``grade`` in the latest fiscal year, with its change.

    Input rows: (fiscal_year, grade, count), as for ``charts.builders.grade_distribution``;
    shares are taken among grades A–D. NULL years (総括, the plan-period summary) are used
    only when no dated year exists. Percentages are rounded half up to whole percent, and the
    change is the difference of the two *shown* percentages, so the slide's numbers add up:
    R4 50% → R5 62.5% reads 「A評価の割合は R5 (2023) で 63% (前年比 +13pt)」. When the previous
    year with data is not the year before, the comparison names it: 「(R2 (2020) 比 +5pt)」.
    """
    if distribution.height == 0 or not {"fiscal_year", "grade", "count"} <= set(distribution.columns):
        return "評価データがありません"
    totals = (
        distribution.filter(pl.col("grade").is_in(GRADES) & pl.col("count").is_not_null())
        .group_by("fiscal_year")
        .agg(
            pl.col("count").sum().alias("total"),
            pl.col("count").filter(pl.col("grade") == grade).sum().alias("hits"),
        )
        .filter(pl.col("total") > 0)
    )
    if totals.height == 0:
        return "評価データがありません"
    shares = {row["fiscal_year"]: row["hits"] / row["total"] for row in totals.iter_rows(named=True)}
    years = sorted(year for year in shares if year is not None)
    if not years:
        return f"{grade}評価の割合は 総括 で {int(round_half_up(shares[None] * 100))}%"
    latest = years[-1]
    shown = int(round_half_up(shares[latest] * 100))
    text = f"{grade}評価の割合は {fy_label(latest)} で {shown}%"
    if len(years) == 1:
        return text
    previous = years[-2]
    change = shown - int(round_half_up(shares[previous] * 100))
    basis = "前年比" if previous == latest - 1 else f"{fy_label(previous)} 比"
    return f"{text} ({basis} {_signed(change)}pt)"


def takeaway_for_total(label: str, amount_yen: float | None) -> str:
    """「財政効果額の合計は 37.6億円」; a missing amount says so instead of showing 0."""
    if amount_yen is None or (isinstance(amount_yen, float) and not math.isfinite(amount_yen)):
        return f"{label}のデータがありません"
    return f"{label}の合計は {yen_text(amount_yen)}"
