"""Chart builders for the 財政効果 (fiscal effects) and 指標 (indicators) pages. Pure functions.

Same rules as ``charts.builders``: frame in, ``alt.Chart``/layer out, styling only from the
registered theme, 「データがありません」 placeholder for empty input, ASCII field names with
Japanese titles. Terms: 財政効果額 fiscal effect (yen), 区分 kind of amount, 取組 initiative,
計画の記載 the amount the plan report states, 集計 the counted amounts of the same document,
括弧内の値 the alternative value an indicator prints in brackets.
"""
from __future__ import annotations

import altair as alt
import polars as pl

from charts.builders import (
    _max_abs,
    _require,
    cumulative_fiscal_effect,
    empty_chart,
    fiscal_effects_by_year,
    indicator_chart,
    yen_axis,
)
from charts.theme import DEFAULT_WIDTH, MUTED_COLOR, PALETTE

SOURCE_ORDER = ["計画の記載", "集計"]
SOURCE_COLORS = [MUTED_COLOR, PALETTE[0]]
REFERENCE_COLOR = PALETTE[3]
ALTERNATIVE_COLOR = PALETTE[0]


def _extended(chart: alt.LayerChart, *layers: alt.Chart, width: int | None = None) -> alt.LayerChart:
    """The builder's layer chart with more layers on the same axes (its shared data stays at the top).

    Builders return a fresh chart on every call, so it is extended in place (a deep copy of a
    chart with inline data costs more than building it)."""
    chart.layer = [*chart.layer, *layers]
    if width:
        chart.width = width
    return chart


# Two-line year labels (「R3」 over 「(2021)」) so neighbouring years fit on a narrow card.
FY_LABEL_LINES = (
    "datum.value >= 2019 ? ['R' + (datum.value - 2018), '(' + datum.value + ')']"
    " : ['H' + (datum.value - 1988), '(' + datum.value + ')']"
)


def _compact_axes(chart: alt.LayerChart, unit: str | None) -> alt.LayerChart:
    """Indicator layers: two-line year labels, a short value-axis title (the unit; the chart or
    card title names the indicator, and a long name would push the legend off a narrow card),
    and a value axis that does not start at zero (89.6 → 88.7 would be flat on a 0–100 scale)."""
    for layer in chart.layer:
        x, y = layer.encoding.x, layer.encoding.y
        # Channel objects expose .axis/.scale as chaining methods; item access reads the values.
        if isinstance(x, alt.X) and isinstance(x["axis"], alt.Axis):
            layer.encoding.x = x.copy(deep=False)
            layer.encoding.x["axis"] = alt.Axis(**(x["axis"].to_dict() | {"labelExpr": FY_LABEL_LINES,
                                                                           "labelOverlap": False}))
        if isinstance(y, alt.Y):
            layer.encoding.y = y.copy(deep=False)
            layer.encoding.y["scale"] = alt.Scale(zero=False, nice=True, padding=12)
            if unit and y["title"] is not alt.Undefined:
                layer.encoding.y["title"] = f"単位: {unit}"
    return chart


def kind_scale(kinds: list[str]) -> alt.Scale:
    """区分 colours as the by-year chart gets them (sorted domain over the theme's category range),
    so a kind keeps its colour across the page's charts."""
    domain = sorted({k for k in kinds if k is not None})
    return alt.Scale(domain=domain, range=[PALETTE[i % len(PALETTE)] for i in range(len(domain))])


def fiscal_effects_by_year_kinds(
    frame: pl.DataFrame, *, kinds: list[str] | None = None, title: str = "財政効果額（年度別）",
) -> alt.Chart:
    """``builders.fiscal_effects_by_year`` with the page's 区分 colour domain and a slide-wide width
    (its year axis is a band, which would otherwise be only as wide as its few bars)."""
    chart = fiscal_effects_by_year(frame, title=title)
    if not isinstance(chart.encoding.color, alt.Color):
        return chart
    domain_kinds = (kinds or []) + frame["kind"].cast(pl.String).fill_null("区分なし").to_list()
    return chart.encode(color=alt.Color("kind:N", title="区分", scale=kind_scale(domain_kinds))).properties(
        width=DEFAULT_WIDTH)


def fiscal_effects_by_initiative(
    frame: pl.DataFrame, *, kinds: list[str] | None = None, limit: int = 10,
    title: str = "財政効果額（取組別・上位）",
) -> alt.Chart:
    """Horizontal bars of yen per initiative, stacked by kind, largest total first, top ``limit``.

    Columns: initiative (short label), kind, amount_yen; optional initiative_full (tooltip).
    ``kinds`` fixes the colour domain (pass every kind on the page so colours match other charts).
    """
    if frame.height == 0:
        return empty_chart(title)
    _require(frame, ["initiative", "kind", "amount_yen"])
    data = frame.filter(pl.col("amount_yen").is_not_null() & pl.col("initiative").is_not_null()).with_columns(
        pl.col("kind").cast(pl.String).fill_null("区分なし"),
        (pl.col("initiative_full") if "initiative_full" in frame.columns else pl.col("initiative")).alias("full"),
    ).group_by("initiative", "full", "kind").agg(pl.col("amount_yen").cast(pl.Float64).sum())
    if data.height == 0:
        return empty_chart(title)
    totals = data.group_by("initiative").agg(pl.col("amount_yen").sum().alias("total")).sort(
        ["total", "initiative"], descending=[True, False]).head(limit)
    order = totals["initiative"].to_list()
    data = data.filter(pl.col("initiative").is_in(order)).join(totals, on="initiative")
    domain_kinds = kinds if kinds is not None else data["kind"].to_list()
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("initiative:N", title="取組", sort=order, axis=alt.Axis(labelLimit=320)),
            x=alt.X("amount_yen:Q", stack="zero", axis=yen_axis(_max_abs(totals["total"].to_list()))),
            color=alt.Color("kind:N", title="区分", scale=kind_scale(domain_kinds + data["kind"].to_list())),
            tooltip=[
                alt.Tooltip("full:N", title="取組"),
                alt.Tooltip("kind:N", title="区分"),
                alt.Tooltip("amount_yen:Q", title="金額（円）", format=",.0f"),
                alt.Tooltip("total:Q", title="取組の合計（円）", format=",.0f"),
            ],
        )
        .properties(title=title, height=alt.Step(30))
    )


def stated_vs_found(frame: pl.DataFrame, *, title: str = "計画の記載と集計") -> alt.Chart:
    """Paired horizontal bars per item: the plan's stated amount next to the counted sum.

    Columns: item, source_label (計画の記載 / 集計), amount_yen; optional item_full.
    Items keep the frame's order (合計 first).
    """
    if frame.height == 0:
        return empty_chart(title)
    _require(frame, ["item", "source_label", "amount_yen"])
    data = frame.filter(pl.col("source_label").is_in(SOURCE_ORDER) & pl.col("amount_yen").is_not_null()).with_columns(
        (pl.col("item_full") if "item_full" in frame.columns else pl.col("item")).alias("full"),
        pl.col("amount_yen").cast(pl.Float64),
    )
    if data.height == 0:
        return empty_chart(title)
    order = data["item"].unique(maintain_order=True).to_list()
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("item:N", title=None, sort=order, axis=alt.Axis(labelLimit=320)),
            yOffset=alt.YOffset("source_label:N", sort=SOURCE_ORDER),
            x=alt.X("amount_yen:Q", axis=yen_axis(_max_abs(data["amount_yen"].to_list()))),
            color=alt.Color("source_label:N", title="出所", sort=SOURCE_ORDER,
                            scale=alt.Scale(domain=SOURCE_ORDER, range=SOURCE_COLORS)),
            tooltip=[
                alt.Tooltip("full:N", title="項目"),
                alt.Tooltip("source_label:N", title="出所"),
                alt.Tooltip("amount_yen:Q", title="金額（円）", format=",.0f"),
            ],
        )
        .properties(title=title, height=alt.Step(22))
    )


def cumulative_with_reference(
    frame: pl.DataFrame, reference_yen: float | None = None, *, reference_label: str = "計画の記載",
    title: str = "財政効果額（累計）",
) -> alt.LayerChart | alt.Chart:
    """``builders.cumulative_fiscal_effect`` plus a dashed horizontal rule at ``reference_yen``
    (e.g. the plan's stated total) labelled ``reference_label``, on the same yen axis."""
    chart = cumulative_fiscal_effect(frame, title=title)
    if not isinstance(chart, alt.LayerChart):
        return chart
    if reference_yen is None:
        return _extended(chart, width=DEFAULT_WIDTH)
    ref = pl.DataFrame({"cumulative_yen": [float(reference_yen)], "label": [reference_label]})
    rule = alt.Chart(ref).mark_rule(color=REFERENCE_COLOR, strokeDash=[6, 4], strokeWidth=2).encode(
        y=alt.Y("cumulative_yen:Q"),
        tooltip=[alt.Tooltip("label:N", title="基準"), alt.Tooltip("cumulative_yen:Q", title="金額（円）", format=",.0f")],
    )
    # Below the rule at the left, where a rising running total leaves room.
    text = alt.Chart(ref).mark_text(align="left", baseline="top", dx=6, dy=6, color=REFERENCE_COLOR).encode(
        y=alt.Y("cumulative_yen:Q"), x=alt.value(0), text="label:N")
    return _extended(chart, rule, text, width=DEFAULT_WIDTH)


def indicator_with_alternatives(
    frame: pl.DataFrame, alternatives: pl.DataFrame | None = None, *, title: str | None = None,
) -> alt.LayerChart | alt.Chart:
    """``builders.indicator_chart`` (基準値・実績値・目標値 of one indicator) plus hollow circles for
    括弧内の値 (bracketed alternative values) on the same axes.

    ``alternatives`` columns: fiscal_year, value (may be empty). ``title`` defaults to the
    indicator name; ``""`` drops the title (when a card around the chart names it).
    """
    chart = indicator_chart(frame, title=title or None)
    if not isinstance(chart, alt.LayerChart):
        return chart
    layers = []
    if alternatives is not None and alternatives.height:
        _require(alternatives, ["fiscal_year", "value"])
        alt_data = alternatives.filter(pl.col("fiscal_year").is_not_null() & pl.col("value").is_not_null()).with_columns(
            pl.col("value").cast(pl.Float64), pl.lit("括弧内の値").alias("kind_label"))
        if alt_data.height:
            layers.append(alt.Chart(alt_data).mark_point(filled=False, size=110, strokeWidth=2,
                                                         color=ALTERNATIVE_COLOR).encode(
                x=alt.X("fiscal_year:Q"),
                y=alt.Y("value:Q"),
                tooltip=[
                    alt.Tooltip("fiscal_year:Q", title="年度", format="d"),
                    alt.Tooltip("kind_label:N", title="区分"),
                    alt.Tooltip("value:Q", title="値", format=",~f"),
                ],
            ))
    units = [u for u in frame["unit"].unique().to_list() if u]
    result = _compact_axes(_extended(chart, *layers), units[0] if units else None)
    # An empty title leaves the name to the surrounding card (the y axis still names the indicator).
    if title == "":
        result.title = ""
    return result


__all__ = [
    "cumulative_with_reference",
    "fiscal_effects_by_initiative",
    "fiscal_effects_by_year_kinds",
    "indicator_with_alternatives",
    "kind_scale",
    "stated_vs_found",
]
