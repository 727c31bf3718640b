"""Builders for the 改善取組 / 事例 / データ品質 pages: counts split by a second category.

Pure functions: a small Polars frame in, an Altair chart out; styling comes only from the
registered theme (``charts.theme``). Field names inside the spec are ASCII; titles, axes and
tooltips are Japanese. 件数 = count, 年度 = fiscal year.
"""
from __future__ import annotations

import math

import altair as alt
import polars as pl

from charts.builders import _require, empty_chart
from charts.theme import PALETTE


def _color_scale(order: list[str], colors: dict[str, str] | None) -> alt.Scale:
    if colors:
        return alt.Scale(domain=order, range=[colors.get(v, PALETTE[n % len(PALETTE)])
                                              for n, v in enumerate(order)])
    return alt.Scale(domain=order, range=[PALETTE[n % len(PALETTE)] for n in range(len(order))])


def _prepare(frame: pl.DataFrame, category: str, group: str, value: str) -> pl.DataFrame:
    _require(frame, [category, group, value])
    return frame.select(
        pl.col(category).cast(pl.String).alias("category"),
        pl.col(group).cast(pl.String).alias("group"),
        pl.col(value).cast(pl.Float64).alias("value"),
    ).filter(pl.col("category").is_not_null() & pl.col("group").is_not_null() & pl.col("value").is_not_null())


def stacked_bars(
    frame: pl.DataFrame,
    category: str,
    stack: str,
    value: str,
    *,
    title: str = "",
    category_title: str | None = None,
    stack_title: str | None = None,
    value_title: str | None = None,
    stack_order: list[str] | None = None,
    category_order: list[str] | None = None,
    colors: dict[str, str] | None = None,
    legend: str = "bottom",
) -> alt.LayerChart | alt.Chart:
    """Horizontal bars per ``category`` stacked by ``stack``, largest total first (unless
    ``category_order`` is given), with the total printed at each bar's end. ``legend`` is the
    legend's orient ("right" suits many stacks)."""
    if frame.height == 0:
        return empty_chart(title)
    data = _prepare(frame, category, stack, value)
    if data.height == 0:
        return empty_chart(title)
    stacks = stack_order or list(dict.fromkeys(data["group"].to_list()))
    stacks = [s for s in stacks if s in set(data["group"])] + sorted(set(data["group"]) - set(stacks))
    totals = data.group_by("category").agg(pl.col("value").sum().alias("total"))
    if category_order:
        order = [c for c in category_order if c in set(totals["category"])]
        order += sorted(set(totals["category"]) - set(order))
    else:
        order = totals.sort(["total", "category"], descending=[True, False])["category"].to_list()
    data = data.with_columns(pl.col("group").replace_strict({s: n for n, s in enumerate(stacks)},
                                                            return_dtype=pl.Int64).alias("stack_index"))
    y = alt.Y("category:N", title=category_title or category, sort=order)
    bars = alt.Chart(data).mark_bar().encode(
        y=y,
        x=alt.X("sum(value):Q", title=value_title or value, stack="zero"),
        color=alt.Color("group:N", title=stack_title or stack, scale=_color_scale(stacks, colors),
                        sort=stacks, legend=alt.Legend(orient=legend)),
        order=alt.Order("stack_index:Q", sort="ascending"),
        tooltip=[
            alt.Tooltip("category:N", title=category_title or category),
            alt.Tooltip("group:N", title=stack_title or stack),
            alt.Tooltip("sum(value):Q", title=value_title or value, format=",~f"),
        ],
    )
    labels = alt.Chart(totals).mark_text(align="left", dx=4).encode(
        y=y, x=alt.X("total:Q"), text=alt.Text("total:Q", format=",~f"))
    return alt.layer(bars, labels).properties(title=title, height=alt.Step(24))


def grouped_columns(
    frame: pl.DataFrame,
    category: str,
    group: str,
    value: str,
    *,
    title: str = "",
    category_title: str | None = None,
    group_title: str | None = None,
    value_title: str | None = None,
    category_order: list[str] | None = None,
    group_order: list[str] | None = None,
    colors: dict[str, str] | None = None,
) -> alt.LayerChart | alt.Chart:
    """Vertical columns per ``category``, side by side per ``group`` (e.g. 年度), value on top."""
    if frame.height == 0:
        return empty_chart(title)
    data = _prepare(frame, category, group, value)
    if data.height == 0:
        return empty_chart(title)
    groups = group_order or list(dict.fromkeys(data["group"].to_list()))
    groups = [g for g in groups if g in set(data["group"])] + sorted(set(data["group"]) - set(groups))
    categories = category_order or list(dict.fromkeys(data["category"].to_list()))
    categories = [c for c in categories if c in set(data["category"])] + sorted(
        set(data["category"]) - set(categories))
    # Headroom above the tallest column so its value label clears the level y-axis title.
    top = float(data["value"].max())
    top = math.ceil(top + max(1.0, top * 0.15))
    base = alt.Chart(data).encode(
        x=alt.X("category:N", title=category_title or category, sort=categories,
                scale=alt.Scale(domain=categories)),
        xOffset=alt.XOffset("group:N", sort=groups, scale=alt.Scale(domain=groups)),
    )
    columns = base.mark_bar().encode(
        y=alt.Y("value:Q", title=value_title or value, scale=alt.Scale(domain=[0, top], nice=False),
                axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("group:N", title=group_title or group, scale=_color_scale(groups, colors),
                        sort=groups, legend=alt.Legend(orient="bottom")),
        tooltip=[
            alt.Tooltip("category:N", title=category_title or category),
            alt.Tooltip("group:N", title=group_title or group),
            alt.Tooltip("value:Q", title=value_title or value, format=",~f"),
        ],
    )
    labels = base.mark_text(baseline="bottom", dy=-3).encode(
        y=alt.Y("value:Q"), text=alt.Text("value:Q", format=",~f"))
    return alt.layer(columns, labels).properties(title=title, height=300)
