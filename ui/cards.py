"""The one chart card every analysis chart sits in.

Title, a short note, the chart, a 「表で見る」 (show as table) toggle, the source documents,
and downloads: the chart as PNG (slide resolution, Japanese font) and its table as xlsx/CSV.
Files are built only when a download button is clicked.
"""
from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from charts.png import chart_to_png
from exports.slides import PageChart
from exports.tables import export_filename
from ui.deck import register
from ui.downloads import JST, table_downloads
from warehouse import Filters, queries


def source_titles(filters: Filters, document_ids: list[str] | None = None) -> list[str]:
    docs = queries.documents()
    if document_ids is not None:
        docs = docs.filter(pl.col("document_id").is_in(document_ids))
    elif filters.municipality:
        docs = docs.filter(pl.col("municipality") == filters.municipality)
    return [f"{r['title']} ({r['file']})" for r in docs.iter_rows(named=True)]


def chart_card(title: str, chart: alt.TopLevelMixin, table: pl.DataFrame, filters: Filters, *,
               key: str, note: str = "", document_ids: list[str] | None = None, takeaway: str = "") -> None:
    """Draw one chart card; ``takeaway`` is the one line its slide states (「庁議資料を作成」)."""
    from datetime import datetime

    register(PageChart(title, chart, table, takeaway, note))
    with st.container(border=True):
        st.markdown(f"#### {title}")
        if note:
            st.caption(note)
        if st.toggle("表で見る", key=f"as_table_{key}"):
            st.dataframe(table, hide_index=True, width="stretch")
        else:
            st.altair_chart(chart, theme=None, width="stretch")
        sources = source_titles(filters, document_ids)
        if sources:
            st.caption("出典: " + " ／ ".join(sources))
        row = st.container(horizontal=True)  # buttons keep their natural width in narrow cards
        # On screen the card shows the title; the exported picture carries it itself.
        row.download_button("PNG", data=lambda: chart_to_png(chart, title=title), icon=":material/image:",
                            key=f"png_{key}", mime="image/png",
                            file_name=export_filename(title, "png", datetime.now(JST)))
        table_downloads(table, title, filters, key=key, slots=(row, row))
