"""The one Altair theme of the dashboard, shared by the screen and every exported file.

All styling lives here: Altair deep-merges the active theme into every top-level spec at
``to_dict()`` time, whereas a later ``.configure(...)`` on a chart *replaces* earlier
``configure_*`` settings — so builders never call ``configure_*`` and never set fonts.

Vocabulary (glossed once): 評価 (grade) A–D from the 総合評価 (overall rating), A best; the
自己評価 (self-evaluation) criteria 進捗度 (progress), 連携度 (collaboration), 効率性 (efficiency),
創造性 (creativity), each scored 0–3. The words themselves and the 年度 labels are in ``vocab``.
"""
from __future__ import annotations

from typing import Any

import altair as alt

from vocab import CRITERIA, GRADES

THEME_NAME = "gyokaku"

# The installed family (Debian fonts-noto-cjk). vl-convert drops text set in an unknown
# family and renders the generic "sans-serif" with a serif CJK face, so the PNG path names
# this family alone; the browser gets a stack so machines without Noto still show Gothic.
FONT = "Noto Sans CJK JP"
FONT_STACK = f"'{FONT}', 'Hiragino Sans', 'Hiragino Kaku Gothic ProN', 'Yu Gothic UI', Meiryo, sans-serif"

# Okabe–Ito (colour-blind safe), reordered so the first colours contrast best on white;
# the yellow is last because it is hard to see as a thin line.
PALETTE = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
]

# ColorBrewer RdYlBu (4 classes, marked colour-blind safe), blue = good → red = poor.
# Fixed everywhere so an "A" is the same blue on every page, PNG and slide.
GRADE_COLORS: dict[str, str] = {
    "A": "#2C7BB6",
    "B": "#ABD9E9",
    "C": "#FDAE61",
    "D": "#D7191C",
}

NO_DATA_TEXT = "データがありません"

# Sizes chosen to stay legible when an 800×450 chart is pasted onto a 16:9 slide.
TITLE_SIZE = 20
SUBTITLE_SIZE = 14
LABEL_SIZE = 13
AXIS_TITLE_SIZE = 14
TEXT_COLOR = "#222222"
MUTED_COLOR = "#666666"
GRID_COLOR = "#E3E3E3"

DEFAULT_WIDTH = 640
DEFAULT_HEIGHT = 360


def grade_scale() -> alt.Scale:
    """Colour scale for grades A–D; the domain is fixed so absent grades keep their colour."""
    return alt.Scale(domain=list(GRADES), range=[GRADE_COLORS[g] for g in GRADES])


def criterion_scale() -> alt.Scale:
    """Colour scale for the four criteria, fixed so each criterion keeps its colour across charts."""
    return alt.Scale(domain=list(CRITERIA), range=PALETTE[: len(CRITERIA)])


def theme_config() -> dict[str, Any]:
    """The theme as a Vega-Lite top-level fragment (only ``config``, so it merges into any chart kind)."""
    font = FONT_STACK
    # Axes and legends label the same things and read alike.
    guide_text = {
        "labelFont": font,
        "titleFont": font,
        "labelFontSize": LABEL_SIZE,
        "titleFontSize": AXIS_TITLE_SIZE,
        "titleFontWeight": "normal",
        "labelColor": TEXT_COLOR,
        "titleColor": TEXT_COLOR,
        "labelLimit": 260,
    }
    axis = {
        **guide_text,
        "gridColor": GRID_COLOR,
        "domainColor": MUTED_COLOR,
        "tickColor": MUTED_COLOR,
    }
    header = {
        "labelFont": font,
        "titleFont": font,
        "labelFontSize": LABEL_SIZE + 1,
        "titleFontSize": AXIS_TITLE_SIZE,
    }
    return {
        "config": {
            "font": font,
            "background": "white",
            # Width/height are the whole picture, so 800×450 at scale 2 is exactly 1600×900 px.
            "autosize": {"type": "fit", "contains": "padding"},
            "padding": 8,
            "view": {
                "continuousWidth": DEFAULT_WIDTH,
                "continuousHeight": DEFAULT_HEIGHT,
                "stroke": None,
            },
            "title": {
                "font": font,
                "subtitleFont": font,
                "fontSize": TITLE_SIZE,
                "subtitleFontSize": SUBTITLE_SIZE,
                "fontWeight": "bold",
                "color": TEXT_COLOR,
                "subtitleColor": MUTED_COLOR,
                "anchor": "start",
                "offset": 12,
            },
            "axis": axis,
            # Japanese category labels read badly rotated; long ones are truncated instead.
            "axisX": {"labelAngle": 0},
            # Rotated Japanese reads badly: put the y title level, above the axis like a 単位 (unit) note.
            "axisY": {
                "titleAngle": 0,
                "titleAlign": "left",
                "titleBaseline": "bottom",
                "titleAnchor": "end",
                "titleX": 0,
                "titleY": -10,
            },
            "legend": {**guide_text, "symbolSize": 120},
            "header": header,
            "text": {"font": font, "fontSize": LABEL_SIZE, "color": TEXT_COLOR},
            "mark": {"font": font, "color": PALETTE[0]},
            "range": {"category": list(PALETTE)},
            "bar": {"continuousBandSize": 24},
            "line": {"strokeWidth": 2.5},
            "point": {"size": 70, "filled": True},
        }
    }


@alt.theme.register(THEME_NAME, enable=True)
def _gyokaku_theme() -> alt.theme.ThemeConfig:
    return theme_config()  # type: ignore[return-value]


def enable_theme() -> None:
    """Make the dashboard theme the active Altair theme; safe to call any number of times."""
    if alt.theme.active != THEME_NAME:
        alt.theme.enable(THEME_NAME)
