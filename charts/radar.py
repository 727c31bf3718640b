"""Radar (spider) chart of the four self-evaluation criteria, drawn on a Cartesian square.

Vega-Lite has no polar line mark, so the geometry is computed here: the four criteria sit on
spokes 90° apart, clockwise from the top (進捗度 progress, 連携度 collaboration, 効率性 efficiency,
創造性 creativity), and a score s (0–3) lies at radius s/3. Rings mark the scores 1, 2 and 3.
The square domain is fixed, so two radars of different data are directly comparable.
"""
from __future__ import annotations

import math

import altair as alt
import polars as pl

from charts.theme import GRID_COLOR, MUTED_COLOR, PALETTE, TEXT_COLOR
from vocab import CRITERIA, CRITERION_MAX

MAX_PROFILES = 4
# Half-width of the fixed square domain, in radius units: room for the criterion labels.
EXTENT = 1.45
LABEL_RADIUS = 1.2


def _angle(index: int) -> float:
    """Angle of spoke ``index`` in radians, clockwise from 12 o'clock."""
    return 2 * math.pi * index / len(CRITERIA)


def _xy(index: int, radius: float) -> tuple[float, float]:
    angle = _angle(index)
    # Rounded so the cardinal spokes are exactly on the axes (no 6e-17 noise in tests/tooltips).
    return round(radius * math.sin(angle), 12), round(radius * math.cos(angle), 12)


def radar_points(frame: pl.DataFrame) -> pl.DataFrame:
    """Polygon vertices: profile, criterion, score, vertex (spoke index), x, y.

    Scores for the same (profile, criterion) are averaged; rows with a null score or a
    criterion outside CRITERIA are left out, so a polygon then skips that spoke.
    """
    clean = frame.filter(pl.col("criterion").is_in(CRITERIA) & pl.col("score").is_not_null())
    grouped = clean.group_by(["profile", "criterion"], maintain_order=True).agg(
        pl.col("score").cast(pl.Float64).mean()
    )
    rows = []
    for profile, criterion, score in grouped.iter_rows():
        index = CRITERIA.index(criterion)
        x, y = _xy(index, score / CRITERION_MAX)
        rows.append(
            {"profile": str(profile), "criterion": criterion, "score": score, "vertex": index, "x": x, "y": y}
        )
    schema = {
        "profile": pl.String,
        "criterion": pl.String,
        "score": pl.Float64,
        "vertex": pl.Int64,
        "x": pl.Float64,
        "y": pl.Float64,
    }
    # Rows keep the profiles' first-appearance order, which fixes their colours and legend order.
    return pl.DataFrame(rows, schema=schema)


def grid_rings() -> pl.DataFrame:
    """Ring vertices for scores 1..3: ring (score), vertex, x, y."""
    rows = []
    for ring in range(1, CRITERION_MAX + 1):
        for index in range(len(CRITERIA)):
            x, y = _xy(index, ring / CRITERION_MAX)
            rows.append({"ring": ring, "vertex": index, "x": x, "y": y})
    return pl.DataFrame(rows)


def spokes() -> pl.DataFrame:
    """One spoke per criterion from the centre to radius 1, plus label positions."""
    rows = []
    for index, criterion in enumerate(CRITERIA):
        x, y = _xy(index, 1.0)
        lx, ly = _xy(index, LABEL_RADIUS)
        rows.append({"criterion": criterion, "x": 0.0, "y": 0.0, "x2": x, "y2": y, "lx": lx, "ly": ly})
    return pl.DataFrame(rows)


def _position(x_field: str, y_field: str) -> tuple[alt.X, alt.Y]:
    scale = alt.Scale(domain=[-EXTENT, EXTENT], nice=False, zero=False)
    return (
        alt.X(f"{x_field}:Q", scale=scale, axis=None),
        alt.Y(f"{y_field}:Q", scale=scale, axis=None),
    )


def radar_chart(frame: pl.DataFrame, *, title: str, size: int) -> alt.LayerChart:
    """Layered radar; ``frame`` has profile, criterion, score (0–3) and at most 4 profiles."""
    points = radar_points(frame)
    profiles = list(dict.fromkeys(points["profile"].to_list()))
    if len(profiles) > MAX_PROFILES:
        raise ValueError(f"レーダーチャートに重ねられるのは最大{MAX_PROFILES}件です（{len(profiles)}件が指定されました）。")
    profile_scale = alt.Scale(domain=profiles, range=PALETTE[: len(profiles)])
    color = alt.Color("profile:N", title="対象", scale=profile_scale, sort=profiles)
    x, y = _position("x", "y")
    rings = (
        alt.Chart(grid_rings())
        .mark_line(interpolate="linear-closed", color=GRID_COLOR, strokeWidth=1)
        .encode(x=x, y=y, detail="ring:N", order="vertex:Q")
    )
    spoke_data = spokes()
    spoke = (
        alt.Chart(spoke_data)
        .mark_rule(color=GRID_COLOR, strokeWidth=1)
        .encode(x=x, y=y, x2="x2:Q", y2="y2:Q")
    )
    lx, ly = _position("lx", "ly")
    labels = (
        alt.Chart(spoke_data)
        .mark_text(fontSize=15, fontWeight="bold", color=TEXT_COLOR)
        .encode(x=lx, y=ly, text="criterion:N")
    )
    ring_labels = (
        alt.Chart(grid_rings().filter(pl.col("vertex") == 0))
        .mark_text(align="left", baseline="middle", dx=8, dy=-8, fontSize=11, color=MUTED_COLOR)
        .encode(x=x, y=y, text="ring:Q")
    )
    polygons = (
        alt.Chart(points)
        .mark_line(interpolate="linear-closed", fillOpacity=0.12, strokeWidth=2.5)
        .encode(x=x, y=y, color=color, fill=alt.Fill("profile:N", title="対象", scale=profile_scale, sort=profiles), order="vertex:Q")
    )
    vertices = (
        alt.Chart(points)
        .mark_point(filled=True, size=60)
        .encode(
            x=x,
            y=y,
            color=color,
            tooltip=[
                alt.Tooltip("profile:N", title="対象"),
                alt.Tooltip("criterion:N", title="観点"),
                alt.Tooltip("score:Q", title="スコア (0–3)", format=".2~f"),
            ],
        )
    )
    # "pad" instead of the theme's "fit": the plot itself must stay square, or the radar is
    # stretched by the legend and title.
    return alt.layer(rings, spoke, ring_labels, labels, polygons, vertices).properties(
        title=title, width=size, height=size, autosize=alt.AutoSizeParams(type="pad")
    )
