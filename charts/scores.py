"""Chart builders of the score pages (評価の推移, レーダー): pure functions, frame in, chart out.

The radar (レーダー) and its accessible twin, grouped bars of the four self-evaluation criteria
(進捗度・連携度・効率性・創造性, 0–3), are drawn by ``charts.builders``; the variants here put the
legend (凡例) under the plot, so a radar keeps its fixed square and the bars keep their width
when the chart sits in half of the page and the profile labels are long.
"""
from __future__ import annotations

import altair as alt
import polars as pl

from charts import builders

LEGEND_CHANNELS = ("color", "fill", "shape")  # one merged legend: shape carries the series too
LEGEND_LABEL_LIMIT = 480  # px; below the plot there is room for a whole profile label


def _legend_below(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """A copy of ``chart`` whose colour/fill legends sit below the plot, one entry per row."""
    result = chart.copy(deep=True)
    layers = result.layer if isinstance(result, alt.LayerChart) else [result]
    for layer in layers:
        encoding = getattr(layer, "encoding", alt.Undefined)
        if encoding is alt.Undefined:
            continue
        for name in LEGEND_CHANNELS:
            channel = getattr(encoding, name, alt.Undefined)
            if channel is alt.Undefined or not hasattr(channel, "field"):
                continue
            channel.legend = alt.Legend(orient="bottom", direction="vertical", columns=1,
                                        labelLimit=LEGEND_LABEL_LIMIT)
    return result


def profile_radar(frame: pl.DataFrame, *, title: str = "", size: int = 380) -> alt.TopLevelMixin:
    """``builders.radar`` (columns profile, criterion, score; at most 4 profiles) with the
    legend below the square plot."""
    return _legend_below(builders.radar(frame, title=title, size=size))


def profile_bars(frame: pl.DataFrame, *, title: str = "") -> alt.TopLevelMixin:
    """``builders.criterion_bars`` (same input as the radar) with the legend below the bars."""
    return _legend_below(builders.criterion_bars(frame, title=title))


def committee_scatter(frame: pl.DataFrame, *, title: str = "", label: str = "label") -> alt.TopLevelMixin:
    """``builders.committee_vs_self`` (columns title, committee, self_total or self_score) with
    the rows that have a ``label`` (e.g. 「No.6」 for the items that disagree most) named
    beside their point."""
    base = builders.committee_vs_self(frame, title="")
    if label not in frame.columns or not isinstance(base, alt.Chart) or base.mark == "text":
        return base.properties(title=title) if title else base
    self_column = "self_total" if "self_total" in frame.columns else "self_score"
    marked = frame.filter(pl.col(label).is_not_null() & pl.col(self_column).is_not_null()
                          & pl.col("committee").is_not_null()).select(
        pl.col(self_column).cast(pl.Float64).alias("self_value"),
        pl.col("committee").cast(pl.Float64),
        pl.col(label).cast(pl.String).alias("label"))
    if marked.is_empty():
        return base.properties(title=title) if title else base
    names = (alt.Chart(marked).mark_text(align="left", dx=10, dy=-10, fontSize=13, fontWeight="bold")
             .encode(x="self_value:Q", y="committee:Q", text="label:N"))
    chart = alt.layer(base, names)
    return chart.properties(title=title) if title else chart
