"""「庁議資料を作成」 (make 庁議 (executive meeting) material): the charts of the screen being
viewed, with its filters, as one .pptx deck.

Chart cards register themselves while a page runs; after the page, the entry point offers
the deck in the sidebar. The deck is built only when the button is clicked.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

import streamlit as st

from cards.deck import quality_notes, source_documents
from exports.pdf import INSTALL_HINT, converter, pptx_to_pdf
from exports.slide_content import PageChart
from exports.tables import export_filename
from ui.downloads import JST, describe_filters
from vocab import fy_label_long
from warehouse import Filters
from warehouse.filters import municipality_label

_CARDS = "_page_charts"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def start_page() -> None:
    st.session_state[_CARDS] = []


def register(chart: PageChart) -> None:
    st.session_state.setdefault(_CARDS, []).append(chart)


def page_charts() -> list[PageChart]:
    """The cards the current page drew, in order (the deck's and 発表モード's material)."""
    return list(st.session_state.get(_CARDS, []))


def offer_pdf(pptx: Callable[[], bytes], file_name: str, *, key: str, slot=st, width: str = "stretch") -> None:
    """The same deck as PDF where LibreOffice is installed; otherwise say what is missing."""
    if converter() is None:
        slot.caption(f"PDF 版: {INSTALL_HINT}")
        return
    slot.download_button("PDF 版をダウンロード", data=lambda: pptx_to_pdf(pptx()), icon=":material/picture_as_pdf:",
                         mime="application/pdf", file_name=file_name, key=key, width=width, on_click="ignore",
                         help="スライドを LibreOffice で PDF にします (数秒かかります)")


def offer_deck(page_title: str, filters: Filters) -> None:
    charts = page_charts()
    if not charts:
        return
    docs = source_documents(filters)

    def deck() -> bytes:
        from exports.slides import page_deck  # python-pptx: loaded when the file is asked for

        return page_deck(
            page_title, charts,
            municipality=municipality_label(filters.municipality) or "全自治体",
            plan="、".join(docs["title"].to_list()[:2]) + (" ほか" if docs.height > 2 else ""),
            fiscal_years=fy_label_long(filters.fiscal_year) if filters.fiscal_year else "全年度",
            conditions=describe_filters(filters), created=datetime.now(JST),
            sources=[f"{t} ({f})" for t, f in zip(docs["title"], docs["file"])],
            quality_notes=quality_notes(docs["document_id"].to_list()))

    now = datetime.now(JST)
    with st.sidebar:
        st.divider()
        st.download_button("庁議資料を作成", data=deck, icon=":material/slideshow:", mime=PPTX,
                           file_name=export_filename(f"庁議資料_{page_title}", "pptx", now),
                           help=f"この画面のグラフ {len(charts)} 件と表を、絞り込み条件つきのスライド (.pptx) にします",
                           width="stretch", key="deck_download", on_click="ignore")
        offer_pdf(deck, export_filename(f"庁議資料_{page_title}", "pdf", now), key="deck_pdf")
