"""Chart builders: a small Polars frame in, an ``alt.Chart`` (or layer) out. Pure functions.

Every builder
- takes the columns named in its docstring (extra columns are ignored) and raises
  ``ValueError`` naming the missing ones;
- returns a placeholder chart showing 「データがありません」 (no data) for an empty frame,
  or when nothing usable is left after dropping rows outside the vocabulary — it never
  raises for emptiness, so a page can render whatever the query returned;
- leaves styling to ``charts.theme`` (never calls ``configure_*``) and uses ASCII field
  names internally (Vega-Lite treats ``.`` and ``[`` in field names specially), with
  Japanese titles, axis titles and tooltip titles.

Terms: 年度 fiscal year, 総括 plan-period summary (NULL fiscal year), 総合評価 overall grade A–D,
自己評価 self-evaluation (criteria 0–3), 委員評価 committee rating (1–5), 財政効果額 fiscal
effect in yen (万円 = 10⁴ yen, 億円 = 10⁸ yen), 指標 indicator with 基準値 baseline,
実績値 actual and 目標値 target.
"""
from __future__ import annotations

from collections.abc import Iterable

import altair as alt
import polars as pl

from rowwise import rowwise

from charts.radar import radar_chart
from charts.theme import DEFAULT_WIDTH, MUTED_COLOR, NO_DATA_TEXT, PALETTE, criterion_scale, grade_scale
from vocab import COMMITTEE_MAX, COMMITTEE_MIN, CRITERIA, CRITERION_MAX, GRADES, fy_label, fy_labels

FY_TITLE = "年度"
FY_FIELD = "fy_label"

# fy_label() as a Vega expression, for quantitative year axes.
FY_LABEL_EXPR = (
    "datum.value >= 2019 ? 'R' + (datum.value - 2018) + ' (' + datum.value + ')'"
    " : 'H' + (datum.value - 1988) + ' (' + datum.value + ')'"
)

INDICATOR_KINDS = {"baseline": "基準値", "actual": "実績値", "target": "目標値"}
INDICATOR_COLORS = {"基準値": MUTED_COLOR, "実績値": PALETTE[0], "目標値": PALETTE[3]}
INDICATOR_SHAPES = {"基準値": "square", "実績値": "circle", "目標値": "diamond"}


# ---------------------------------------------------------------- helpers


def _require(frame: pl.DataFrame, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"グラフに必要な列がありません: {', '.join(missing)}（列: {', '.join(frame.columns)}）")


def empty_chart(title: str = "") -> alt.Chart:
    """Placeholder with a centred 「データがありません」, sized like any other chart."""
    data = pl.DataFrame({"text": [NO_DATA_TEXT]})
    chart = (
        alt.Chart(data)
        .mark_text(fontSize=16, color=MUTED_COLOR)
        .encode(
            text="text:N",
            x=alt.value({"expr": "width / 2"}),
            y=alt.value({"expr": "height / 2"}),
        )
        # No positional scale, so nothing else would give the view a width.
        .properties(width=DEFAULT_WIDTH, height=160)
    )
    return chart.properties(title=title) if title else chart


def _with_fy_label(frame: pl.DataFrame, column: str = "fiscal_year") -> pl.DataFrame:
    return frame.with_columns(fy_labels(column).alias(FY_FIELD))


def _fy_order(frame: pl.DataFrame, column: str = "fiscal_year") -> list[str]:
    """Year labels in chronological order, 総括 last."""
    years = frame[column].unique().to_list()
    dated = sorted(y for y in years if y is not None)
    return [fy_label(y) for y in dated] + ([fy_label(None)] if None in years else [])


def _fy_x(order: list[str]) -> alt.X:
    return alt.X(f"{FY_FIELD}:N", title=FY_TITLE, sort=order, scale=alt.Scale(domain=order))


def _yen_unit(max_abs: float) -> tuple[int, str]:
    """Axis unit (divisor, label) so tick labels stay short: 億円 from 10⁸ yen, 万円 from 10⁴."""
    if max_abs >= 1e8:
        return 100_000_000, "億円"
    if max_abs >= 1e4:
        return 10_000, "万円"
    return 1, "円"


def yen_axis(max_abs: float, title: str = "財政効果額") -> alt.Axis:
    """Y axis over whole-yen values, labelled in 円/万円/億円 with thousands separators."""
    divisor, unit = _yen_unit(max_abs)
    return alt.Axis(
        title=f"{title}（{unit}）",
        labelExpr=f"format(datum.value / {divisor}, ',~f')",
    )


def _max_abs(values: Iterable[float | None]) -> float:
    return max((abs(v) for v in values if v is not None), default=0.0)


# ---------------------------------------------------------------- grades


def grade_distribution(
    frame: pl.DataFrame, *, normalize: bool = False, title: str = "総合評価の分布"
) -> alt.Chart:
    """Stacked bars of grades A–D per fiscal year.

    Columns: fiscal_year (int, NULL = 総括), grade (A–D), count. Rows with other grades
    are dropped. ``normalize=True`` stacks shares (0–100 %) instead of counts.
    """
    if frame.height == 0:
        return empty_chart(title)
    _require(frame, ["fiscal_year", "grade", "count"])
    data = (
        frame.filter(pl.col("grade").is_in(GRADES))
        .group_by(["fiscal_year", "grade"], maintain_order=True)
        .agg(pl.col("count").sum())
    )
    if data.height == 0:
        return empty_chart(title)
    data = data.with_columns(
        (pl.col("count") / pl.col("count").sum().over("fiscal_year")).alias("share"),
        pl.col("grade").replace_strict(GRADES, list(range(len(GRADES))), return_dtype=pl.Int64).alias("grade_rank"),
    )
    data = _with_fy_label(data)
    order = _fy_order(data)
    y = (
        alt.Y("count:Q", stack="normalize", title="割合", axis=alt.Axis(format=".0%"))
        if normalize
        else alt.Y("count:Q", stack="zero", title="件数", axis=alt.Axis(tickMinStep=1, format="d"))
    )
    return (
        alt.Chart(data)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=_fy_x(order),
            y=y,
            color=alt.Color("grade:N", title="総合評価", scale=grade_scale(), sort=list(GRADES)),
            # A on top of each bar, matching the legend read from the top.
            order=alt.Order("grade_rank:Q", sort="descending"),
            tooltip=[
                alt.Tooltip(f"{FY_FIELD}:N", title=FY_TITLE),
                alt.Tooltip("grade:N", title="総合評価"),
                alt.Tooltip("count:Q", title="件数", format=",d"),
                alt.Tooltip("share:Q", title="割合", format=".1%"),
            ],
        )
        .properties(title=title)
    )


# ---------------------------------------------------------------- criteria


def criterion_trend(frame: pl.DataFrame, *, title: str = "自己評価の推移（観点別平均）") -> alt.LayerChart | alt.Chart:
    """Mean score per criterion and fiscal year, lines with points, y fixed to 0–3.

    Columns: fiscal_year, criterion, score. Raw scores or precomputed means both work
    (they are averaged). 総括 rows (NULL year) and criteria outside CRITERIA are dropped.
    """
    if frame.height == 0:
        return empty_chart(title)
    _require(frame, ["fiscal_year", "criterion", "score"])
    data = (
        frame.filter(
            pl.col("fiscal_year").is_not_null()
            & pl.col("criterion").is_in(CRITERIA)
            & pl.col("score").is_not_null()
        )
        .group_by(["fiscal_year", "criterion"])
        .agg(pl.col("score").cast(pl.Float64).mean().alias("mean_score"), pl.len().alias("n"))
        .sort(["fiscal_year", "criterion"])
    )
    if data.height == 0:
        return empty_chart(title)
    data = _with_fy_label(data)
    base = alt.Chart(data).encode(
        x=_fy_x(_fy_order(data)),
        y=alt.Y(
            "mean_score:Q",
            title="平均スコア (0–3)",
            scale=alt.Scale(domain=[0, CRITERION_MAX], nice=False),
            axis=alt.Axis(values=list(range(CRITERION_MAX + 1))),
        ),
        color=alt.Color("criterion:N", title="観点", scale=criterion_scale(), sort=list(CRITERIA)),
    )
    lines = base.mark_line()
    points = base.mark_point().encode(
        tooltip=[
            alt.Tooltip(f"{FY_FIELD}:N", title=FY_TITLE),
            alt.Tooltip("criterion:N", title="観点"),
            alt.Tooltip("mean_score:Q", title="平均スコア", format=".2f"),
            alt.Tooltip("n:Q", title="件数", format=",d"),
        ]
    )
    return alt.layer(lines, points).properties(title=title)


def radar(frame: pl.DataFrame, *, title: str = "自己評価（観点別）", size: int = 420) -> alt.LayerChart | alt.Chart:
    """Radar of the four criteria (0–3) for up to 4 profiles, on a fixed square.

    Columns: profile (legend label), criterion, score. More than 4 profiles raise
    ``ValueError``; :func:`criterion_bars` is the accessible alternative with the same input.
    """
    if frame.height == 0:
        return empty_chart(title)
    _require(frame, ["profile", "criterion", "score"])
    if frame.filter(pl.col("criterion").is_in(CRITERIA) & pl.col("score").is_not_null()).height == 0:
        return empty_chart(title)
    return radar_chart(frame, title=title, size=size)


def criterion_bars(frame: pl.DataFrame, *, title: str = "自己評価（観点別）") -> alt.Chart:
    """Grouped bars: criterion on x, one bar per profile, score axis fixed to 0–3.

    Columns: profile, criterion, score (same input as :func:`radar`; repeated rows are averaged).
    """
    if frame.height == 0:
        return empty_chart(title)
    _require(frame, ["profile", "criterion", "score"])
    data = (
        frame.filter(pl.col("criterion").is_in(CRITERIA) & pl.col("score").is_not_null())
        .with_columns(pl.col("profile").cast(pl.String))
        .group_by(["profile", "criterion"], maintain_order=True)
        .agg(pl.col("score").cast(pl.Float64).mean())
    )
    if data.height == 0:
        return empty_chart(title)
    profiles = list(dict.fromkeys(data["profile"].to_list()))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("criterion:N", title="観点", sort=list(CRITERIA), scale=alt.Scale(domain=list(CRITERIA))),
            xOffset=alt.XOffset("profile:N", sort=profiles),
            y=alt.Y(
                "score:Q",
                title="スコア (0–3)",
                scale=alt.Scale(domain=[0, CRITERION_MAX], nice=False),
                axis=alt.Axis(values=list(range(CRITERION_MAX + 1))),
            ),
            color=alt.Color(
                "profile:N",
                title="対象",
                sort=profiles,
                scale=alt.Scale(domain=profiles, range=PALETTE[: len(profiles)]),
            ),
            tooltip=[
                alt.Tooltip("profile:N", title="対象"),
                alt.Tooltip("criterion:N", title="観点"),
                alt.Tooltip("score:Q", title="スコア", format=".2~f"),
            ],
        )
        .properties(title=title)
    )


# ---------------------------------------------------------------- fiscal effects


def fiscal_effects_by_year(frame: pl.DataFrame, *, title: str = "財政効果額（年度別）") -> alt.Chart:
    """Stacked bars of yen amounts per fiscal year, coloured by kind.

    Columns: fiscal_year (NULL = 総括), kind, amount_yen. Amounts are summed per
    (year, kind); a NULL kind shows as 「区分なし」.
    """
    if frame.height == 0:
        return empty_chart(title)
    _require(frame, ["fiscal_year", "kind", "amount_yen"])
    data = (
        frame.filter(pl.col("amount_yen").is_not_null())
        .with_columns(pl.col("kind").cast(pl.String).fill_null("区分なし"))
        .group_by(["fiscal_year", "kind"], maintain_order=True)
        .agg(pl.col("amount_yen").cast(pl.Float64).sum())
    )
    if data.height == 0:
        return empty_chart(title)
    data = _with_fy_label(data)
    totals = data.group_by("fiscal_year").agg(pl.col("amount_yen").abs().sum())["amount_yen"]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=_fy_x(_fy_order(data)),
            y=alt.Y("amount_yen:Q", stack="zero", axis=yen_axis(_max_abs(totals.to_list()))),
            color=alt.Color("kind:N", title="区分"),
            tooltip=[
                alt.Tooltip(f"{FY_FIELD}:N", title=FY_TITLE),
                alt.Tooltip("kind:N", title="区分"),
                alt.Tooltip("amount_yen:Q", title="金額（円）", format=",.0f"),
            ],
        )
        .properties(title=title)
    )


def cumulative_fiscal_effect(frame: pl.DataFrame, *, title: str = "財政効果額（累計）") -> alt.LayerChart | alt.Chart:
    """Running total of yen amounts over fiscal years (all kinds together), line with points.

    Columns: fiscal_year, amount_yen (kind is ignored). 総括 rows (NULL year) are dropped,
    since a plan total cannot be placed on the time axis.
    """
    if frame.height == 0:
        return empty_chart(title)
    _require(frame, ["fiscal_year", "amount_yen"])
    data = (
        frame.filter(pl.col("fiscal_year").is_not_null() & pl.col("amount_yen").is_not_null())
        .group_by("fiscal_year")
        .agg(pl.col("amount_yen").cast(pl.Float64).sum())
        .sort("fiscal_year")
        .with_columns(pl.col("amount_yen").cum_sum().alias("cumulative_yen"))
    )
    if data.height == 0:
        return empty_chart(title)
    data = _with_fy_label(data)
    axis = yen_axis(_max_abs(data["cumulative_yen"].to_list() + data["amount_yen"].to_list()), "累計財政効果額")
    base = alt.Chart(data).encode(
        x=_fy_x(_fy_order(data)),
        y=alt.Y("cumulative_yen:Q", axis=axis),
    )
    points = base.mark_point().encode(
        tooltip=[
            alt.Tooltip(f"{FY_FIELD}:N", title=FY_TITLE),
            alt.Tooltip("amount_yen:Q", title="単年度（円）", format=",.0f"),
            alt.Tooltip("cumulative_yen:Q", title="累計（円）", format=",.0f"),
        ]
    )
    return alt.layer(base.mark_line(), points).properties(title=title)


# ---------------------------------------------------------------- indicators


def indicator_chart(frame: pl.DataFrame, *, title: str | None = None) -> alt.LayerChart | alt.Chart:
    """One indicator over fiscal years: baseline and actuals as a solid line with points,
    targets as dashed line with diamonds, on a year axis spaced by time.

    Columns: fiscal_year, kind (baseline/actual/target), value, name, unit. Rows without a
    year or value are dropped. Several indicator names raise ``ValueError`` (draw one chart
    per indicator: units differ). The title defaults to the indicator name.
    """
    if frame.height == 0:
        return empty_chart(title or "指標")
    _require(frame, ["fiscal_year", "kind", "value", "name", "unit"])
    names = [n for n in frame["name"].unique(maintain_order=True).to_list() if n is not None]
    if len(names) > 1:
        raise ValueError(f"指標のグラフは1指標ずつ作成してください（{len(names)}件: {', '.join(map(str, names[:3]))}…）。")
    name = names[0] if names else "指標"
    units = [u for u in frame["unit"].unique(maintain_order=True).to_list() if u]
    title = title or name
    data = frame.filter(
        pl.col("fiscal_year").is_not_null()
        & pl.col("value").is_not_null()
        & pl.col("kind").is_in(list(INDICATOR_KINDS))
    ).with_columns(
        pl.col("kind").replace_strict(INDICATOR_KINDS, return_dtype=pl.String).alias("kind_label"),
        pl.col("value").cast(pl.Float64),
    ).sort(["fiscal_year", "kind"])
    if data.height == 0:
        return empty_chart(title)
    data = _with_fy_label(data)
    years = sorted(set(data["fiscal_year"].to_list()))
    labels = list(INDICATOR_KINDS.values())
    x = alt.X(
        "fiscal_year:Q",
        title=FY_TITLE,
        scale=alt.Scale(domain=[years[0] - 0.5, years[-1] + 0.5], nice=False, zero=False),
        axis=alt.Axis(values=years, labelExpr=FY_LABEL_EXPR, grid=False),
    )
    y = alt.Y("value:Q", title=f"{name}（{units[0]}）" if units else name)
    color = alt.Color(
        "kind_label:N", title="区分", sort=labels,
        scale=alt.Scale(domain=labels, range=[INDICATOR_COLORS[k] for k in labels]),
    )
    shape = alt.Shape(
        "kind_label:N", title="区分", sort=labels,
        scale=alt.Scale(domain=labels, range=[INDICATOR_SHAPES[k] for k in labels]),
    )
    base = alt.Chart(data).encode(x=x, y=y)
    observed = base.transform_filter(alt.datum.kind != "target").mark_line(color=INDICATOR_COLORS["実績値"])
    target = base.transform_filter(alt.datum.kind == "target").mark_line(
        color=INDICATOR_COLORS["目標値"], strokeDash=[6, 4], strokeWidth=2
    )
    points = base.mark_point(size=110, filled=True).encode(
        color=color,
        shape=shape,
        tooltip=[
            alt.Tooltip(f"{FY_FIELD}:N", title=FY_TITLE),
            alt.Tooltip("kind_label:N", title="区分"),
            alt.Tooltip("value:Q", title="値", format=",~f"),
            alt.Tooltip("unit:N", title="単位"),
        ],
    )
    return alt.layer(observed, target, points).properties(title=title)


# ---------------------------------------------------------------- committee


def committee_vs_self(frame: pl.DataFrame, *, title: str = "自己評価と委員評価") -> alt.Chart:
    """Scatter of the self-evaluation against the committee rating (y fixed 1–5).

    Columns: title, committee (1–5), and either self_total (sum of the four criteria, 0–12)
    or self_score (0–3). Identical (self, committee) pairs are merged into one point sized
    by the number of initiatives, with up to five titles in the tooltip.
    """
    if frame.height == 0:
        return empty_chart(title)
    self_column = "self_total" if "self_total" in frame.columns else "self_score"
    _require(frame, ["title", "committee", self_column])
    self_max = 4 * CRITERION_MAX if self_column == "self_total" else CRITERION_MAX
    data = (
        frame.filter(pl.col(self_column).is_not_null() & pl.col("committee").is_not_null())
        .with_columns(
            pl.col(self_column).cast(pl.Float64).alias("self_value"),
            pl.col("committee").cast(pl.Float64),
            pl.col("title").cast(pl.String).fill_null(""),
        )
        .group_by(["self_value", "committee"], maintain_order=True)
        .agg(pl.len().alias("n"), pl.col("title"))
    )
    if data.height == 0:
        return empty_chart(title)
    data = data.with_columns(rowwise(data["title"], _title_list, name="titles")).drop("title")
    self_title = "自己評価合計 (0–12)" if self_column == "self_total" else "自己評価スコア (0–3)"
    return (
        alt.Chart(data)
        .mark_circle(opacity=0.75, stroke="white", strokeWidth=0.5)
        .encode(
            # Padding keeps points on the domain edges (12, 5) fully visible.
            x=alt.X(
                "self_value:Q",
                title=self_title,
                scale=alt.Scale(domain=[0, self_max], nice=False, padding=14),
                axis=alt.Axis(values=list(range(self_max + 1)), format="d"),
            ),
            y=alt.Y(
                "committee:Q",
                title="委員評価 (1–5)",
                scale=alt.Scale(domain=[COMMITTEE_MIN, COMMITTEE_MAX], nice=False, zero=False, padding=14),
                axis=alt.Axis(values=list(range(COMMITTEE_MIN, COMMITTEE_MAX + 1)), format="d"),
            ),
            # Size only carries information when some points merge several initiatives.
            size=alt.Size(
                "n:Q",
                title="件数",
                scale=alt.Scale(range=[80, 900], zero=False),
                legend=alt.Legend(format="d", tickMinStep=1, values=_legend_counts(data["n"].to_list())),
            ) if data["n"].max() > 1 else alt.value(120),
            tooltip=[
                alt.Tooltip("self_value:Q", title=self_title, format=".2~f"),
                alt.Tooltip("committee:Q", title="委員評価", format=".2~f"),
                alt.Tooltip("n:Q", title="件数", format=",d"),
                alt.Tooltip("titles:N", title="取組"),
            ],
        )
        .properties(title=title)
    )


def _legend_counts(counts: list[int], most: int = 4) -> list[int]:
    """Distinct whole counts for the size legend (Vega's own ticks repeat after rounding)."""
    distinct = sorted(set(counts))
    if len(distinct) <= most:
        return distinct
    step = (len(distinct) - 1) / (most - 1)
    return sorted({distinct[round(i * step)] for i in range(most)})


def _title_list(titles: pl.Series | list[str], limit: int = 5) -> str:
    items = [t for t in list(titles) if t]
    text = "、".join(items[:limit])
    return text + (f" ほか{len(items) - limit}件" if len(items) > limit else "")


# ---------------------------------------------------------------- counts per year


def yearly_counts(frame: pl.DataFrame, *, value_title: str = "件数", title: str = "") -> alt.LayerChart | alt.Chart:
    """Columns of a count per fiscal year, oldest first, each labelled with its count.

    Columns: fiscal_year (NULL = 総括, last), count.
    """
    if frame.height == 0:
        return empty_chart(title)
    _require(frame, ["fiscal_year", "count"])
    data = frame.filter(pl.col("count").is_not_null())
    if data.height == 0:
        return empty_chart(title)
    data = _with_fy_label(data)
    base = alt.Chart(data).encode(x=_fy_x(_fy_order(data)), y=alt.Y("count:Q", title=value_title))
    bars = base.mark_bar().encode(
        tooltip=[
            alt.Tooltip(f"{FY_FIELD}:N", title=FY_TITLE),
            alt.Tooltip("count:Q", title=value_title, format=",~f"),
        ]
    )
    labels = base.mark_text(baseline="bottom", dy=-3).encode(text=alt.Text("count:Q", format=",~f"))
    return alt.layer(bars, labels).properties(title=title)


# ---------------------------------------------------------------- rankings


def count_bars(
    frame: pl.DataFrame,
    category: str,
    value: str,
    title: str,
    *,
    category_title: str | None = None,
    value_title: str | None = None,
    limit: int | None = None,
) -> alt.LayerChart | alt.Chart:
    """Horizontal bars, largest first, with the value printed at each bar's end.

    ``category`` and ``value`` name the frame's columns (any names, Japanese included);
    the axis titles default to those names. ``limit`` keeps the top rows only.
    """
    if frame.height == 0:
        return empty_chart(title)
    _require(frame, [category, value])
    data = (
        frame.select(pl.col(category).cast(pl.String).alias("category"), pl.col(value).alias("value"))
        .filter(pl.col("category").is_not_null() & pl.col("value").is_not_null())
        .sort(["value", "category"], descending=[True, False])
    )
    if limit is not None:
        data = data.head(limit)
    if data.height == 0:
        return empty_chart(title)
    order = data["category"].to_list()
    base = alt.Chart(data).encode(
        y=alt.Y("category:N", title=category_title or category, sort=order),
        x=alt.X("value:Q", title=value_title or value),
    )
    bars = base.mark_bar().encode(
        tooltip=[
            alt.Tooltip("category:N", title=category_title or category),
            alt.Tooltip("value:Q", title=value_title or value, format=",~f"),
        ]
    )
    labels = base.mark_text(align="left", dx=4).encode(text=alt.Text("value:Q", format=",~f"))
    return alt.layer(bars, labels).properties(title=title, height=alt.Step(26))
