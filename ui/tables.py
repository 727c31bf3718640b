"""Tables on screen: ``data_table`` (how every screen shows a frame) and the explorer's display
frame (Japanese headers, joined lists, grade colours, the column config)."""
from __future__ import annotations

import polars as pl
import streamlit as st

from charts.theme import GRADE_COLORS
from vocab import NO_VALUE, fy_labels
from warehouse.explorer import DOCUMENT_ORDER, EVALUATED_FIRST, ORDERS  # noqa: F401 (the page's words)

EXPLORER_COLUMNS = {
    "municipality": "自治体", "level": "階層", "code": "番号", "title": "取組名",
    "departments": "担当部署", "themes": "テーマ", "categories": "カテゴリ", "grade": "総合評価", "grade_year": "評価年度",
    "進捗度": "進捗度", "連携度": "連携度", "効率性": "効率性", "創造性": "創造性",
    "committee": "委員評価", "end_fy": "取組終了", "fiscal_effect": "財政効果額(円)",
}


def _joined(column: str) -> pl.Expr:
    """A list joined by 、; an empty list is no value (「—」 on screen, an empty cell in a file)."""
    return pl.when(pl.col(column).list.len() > 0).then(pl.col(column).list.join("、")).alias(column)


def explorer_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The explorer's table as users see and export it (Japanese headers, lists joined by 、)."""
    return frame.select(
        pl.col("municipality"), pl.col("level"), pl.col("code"), pl.col("title"),
        _joined("departments"), _joined("themes"), _joined("categories"), pl.col("grade"),
        pl.when(pl.col("grade").is_not_null()).then(fy_labels("grade_year")).alias("grade_year"),
        pl.col("進捗度"), pl.col("連携度"), pl.col("効率性"), pl.col("創造性"),
        pl.col("committee").round(1),
        fy_labels("end_fy", null=None).alias("end_fy"),
        pl.col("fiscal_effect"),
    ).rename(EXPLORER_COLUMNS)


def ordered(rows: pl.DataFrame, order: str = EVALUATED_FIRST) -> pl.DataFrame:
    """The explorer's rows in the chosen order: by default initiatives with an evaluation (a
    grade, a criterion score or a committee rating) lead, each group in document order.
    The page sorts in SQL (``warehouse.explorer``); this is the same rule on a frame in hand."""
    if order != EVALUATED_FIRST or rows.is_empty():
        return rows
    evaluated = pl.any_horizontal(pl.col(c).is_not_null() for c in
                                  ("grade", "進捗度", "連携度", "効率性", "創造性", "committee"))
    return rows.sort(evaluated, descending=True, maintain_order=True)


def _text_color(background: str) -> str:
    """Dark text on light grade colours, white on dark ones (WCAG relative luminance)."""
    r, g, b = (int(background[i:i + 2], 16) / 255 for i in (1, 3, 5))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#1a1a1a" if lum > 0.45 else "white"


def grade_style(value: object) -> str:
    color = GRADE_COLORS.get(value) if isinstance(value, str) else None
    if not color:
        return ""
    return f"background-color: {color}; color: {_text_color(color)}; font-weight: 700; text-align: center"


def styled(frame: pl.DataFrame):
    """A pandas Styler with grades as coloured labels (st.dataframe keeps the styling).

    ``to_pandas`` waits for Polars' pool while holding the GIL: safe only because nothing a
    page runs gives Polars a Python callback (see ``rowwise``)."""
    data = frame.to_pandas()
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    # An empty cell reads 「—」, not pandas' 「None」 (numbers keep their column format).
    styler = data.style.format(na_rep=NO_VALUE, subset=text_columns)
    if "総合評価" in data.columns:
        styler = styler.map(grade_style, subset=["総合評価"])
    return styler


def data_table(data, **options):
    """``st.dataframe`` as every screen shows a table: without pandas' index, as wide as the
    page, and a missing value as 「—」 (``NO_VALUE``), not Streamlit's grey 「None」. ``options``
    are st.dataframe's (key, height, column_config, on_select …) and may override these."""
    return st.dataframe(data, **{"hide_index": True, "width": "stretch", "placeholder": NO_VALUE, **options})


SCORE = st.column_config.ProgressColumn  # 0–3 bars


def column_config() -> dict:
    return {
        "取組名": st.column_config.TextColumn(width="large"),
        "総合評価": st.column_config.TextColumn(width="small", help="最新年度 (または選んだ年度) の自己評価 A–D"),
        **{c: SCORE(c, min_value=0, max_value=3, format="%.1f", width="small") for c in
           ("進捗度", "連携度", "効率性", "創造性")},
        "委員評価": st.column_config.ProgressColumn("委員評価", min_value=1, max_value=5, format="%.1f",
                                                   width="small"),
        "財政効果額(円)": st.column_config.NumberColumn(format="localized"),
    }
