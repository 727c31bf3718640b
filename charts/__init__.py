"""Charts shared by the screen and the exported files: the one Altair theme, builders, PNG export.

Importing the package registers and enables the dashboard theme (``charts.theme``), so every
``to_dict()`` — Streamlit's included — carries the Japanese font and the fixed colours. In
Streamlit pass ``theme=None`` to ``st.altair_chart`` so Streamlit's own theme does not restyle it.
"""
from __future__ import annotations

import altair as alt

from charts.builders import (
    committee_vs_self,
    count_bars,
    criterion_bars,
    criterion_trend,
    cumulative_fiscal_effect,
    empty_chart,
    fiscal_effects_by_year,
    grade_distribution,
    indicator_chart,
    radar,
    yearly_counts,
)
from charts.png import FontUnavailableError, chart_to_png, chart_to_svg
from charts.theme import FONT, GRADE_COLORS, enable_theme, grade_scale
from vocab import CRITERIA, GRADES, fy_label, fy_label_long

enable_theme()
# Exports (PNG, slides, 発表モード) embed a chart's rows in its spec. Altair refuses more than
# 5,000 by default; a municipality's own workbook may hold up to 20,000 rows per sheet.
alt.data_transformers.disable_max_rows()

__all__ = [
    "CRITERIA",
    "FONT",
    "GRADES",
    "GRADE_COLORS",
    "FontUnavailableError",
    "chart_to_png",
    "chart_to_svg",
    "committee_vs_self",
    "count_bars",
    "criterion_bars",
    "criterion_trend",
    "cumulative_fiscal_effect",
    "empty_chart",
    "enable_theme",
    "fiscal_effects_by_year",
    "fy_label",
    "fy_label_long",
    "grade_distribution",
    "grade_scale",
    "indicator_chart",
    "radar",
    "yearly_counts",
]
