"""「庁議資料を作成」 (make 庁議 (executive meeting) material): the charts of the screen being
viewed, with its filters, as one .pptx deck.

Chart cards register themselves while a page runs; after the page, the entry point offers
the deck in the sidebar. The deck is built only when the button is clicked.
"""
from __future__ import annotations

from datetime import datetime

import polars as pl
import streamlit as st

from charts.theme import fy_label_long
from exports.slides import PageChart, page_deck
from exports.tables import export_filename
from ui.downloads import JST, describe_filters
from warehouse import Filters, queries
from warehouse.campaigns import kind_label

_CARDS = "_page_charts"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def start_page() -> None:
    st.session_state[_CARDS] = []


def register(chart: PageChart) -> None:
    st.session_state.setdefault(_CARDS, []).append(chart)


def _scope(filters: Filters) -> pl.DataFrame:
    docs = queries.documents()
    return docs.filter(pl.col("municipality") == filters.municipality) if filters.municipality else docs


def _quality_notes(document_ids: list[str]) -> list[str]:
    rows = queries.data_quality().filter(pl.col("document_id").is_in(document_ids))
    counts = rows.group_by("kind").len("count").sort("count", descending=True)
    return [f"{kind_label(k)}: {n:,} 件 (データ品質の画面に一覧)" for k, n in counts.iter_rows()]


def offer_deck(page_title: str, filters: Filters) -> None:
    charts = list(st.session_state.get(_CARDS, []))
    if not charts:
        return
    docs = _scope(filters)

    def deck() -> bytes:
        return page_deck(
            page_title, charts,
            municipality=filters.municipality or "全自治体",
            plan="、".join(docs["title"].to_list()[:2]) + (" ほか" if docs.height > 2 else ""),
            fiscal_years=fy_label_long(filters.fiscal_year) if filters.fiscal_year else "全年度",
            conditions=describe_filters(filters), created=datetime.now(JST),
            sources=[f"{t} ({f})" for t, f in zip(docs["title"], docs["file"])],
            quality_notes=_quality_notes(docs["document_id"].to_list()))

    with st.sidebar:
        st.divider()
        st.download_button("庁議資料を作成", data=deck, icon=":material/slideshow:", mime=PPTX,
                           file_name=export_filename(f"庁議資料_{page_title}", "pptx", datetime.now(JST)),
                           help=f"この画面のグラフ {len(charts)} 件と表を、絞り込み条件つきのスライド (.pptx) にします",
                           width="stretch", key="deck_download")
