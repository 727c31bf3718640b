"""The one chart card every analysis chart sits in.

A page builds the card's content with a recipe (``cards.recipe_card(...)``, a :class:`cards.CardSpec`)
and draws it here: title, a short note, the chart, a 「表で見る」 (show as table) toggle, the
source documents, a 「ダウンロード」 menu (the chart as PNG at slide resolution with the Japanese
font, its table as xlsx/CSV) and 「資料に追加」 (add the card, with its conditions, to the deck
builder's basket).
Files are built only when a download button is clicked. Drawing a card also registers it for
the sidebar's 「庁議資料を作成」 (the current screen as a deck).
"""
from __future__ import annotations

import json

import streamlit as st

from cards import CardSpec
from cards.deck import source_documents
from exports.formats import CHART_FORMATS
from ui import basket
from ui.deck import register
from ui.downloads import download_buttons, file_set
from ui.markdown import md
from ui.tables import data_table
from warehouse import Filters


def source_titles(filters: Filters, document_ids: tuple[str, ...] | list[str] | None = None) -> list[str]:
    docs = source_documents(filters, document_ids)
    return [f"{r['title']} ({r['file']})" for r in docs.iter_rows(named=True)]


# A national slice draws on up to 1,741 documents; a card names the first few, and the table's
# files (their 条件 sheet) list them all.
SHOWN_SOURCES = 5


def sources_line(sources: list[str]) -> str:
    """「出典: A ／ B ／ … ほか 1,736 文書」: at most ``SHOWN_SOURCES`` documents by name."""
    more = len(sources) - SHOWN_SOURCES
    text = "出典: " + " ／ ".join(sources[:SHOWN_SOURCES])
    return text + (f" ほか {more:,} 文書 (ダウンロードした表の「条件」シートに全文書)" if more > 0 else "")


def chart_alt(spec: CardSpec, *, table_toggle: bool = True) -> str:
    """The chart's text alternative for screen readers: what it shows, its point (the takeaway
    sentence the slide states) and, on a card, where the numbers are (「表で見る」 above it)."""
    point = spec.headline()
    return (f"グラフ「{spec.title}」。" + (f"{point}。" if point else "")
            + ("数値は上の「表で見る」で表として読めます。" if table_toggle else ""))


def chart_card(spec: CardSpec | None, *, key: str, filters: Filters | None = None) -> None:
    """Draw one chart card (nothing for None: the page says what is missing). ``filters``
    (default: the card's own) are the conditions its table downloads state."""
    if spec is None:
        return
    filters = filters if filters is not None else (spec.ref.filters if spec.ref else Filters())
    register(spec.page_chart())
    title, chart = spec.title, spec.chart
    with st.container(border=True):
        st.markdown(f"#### {md(title, inline=True)}")
        if spec.note:
            st.caption(md(spec.note))
        if st.toggle("表で見る", key=f"as_table_{key}"):
            data_table(spec.table)
        else:
            st.vega_lite_chart(json.loads(spec.vega_lite), theme=None, width="stretch", alt=chart_alt(spec))
        sources = source_titles(filters, spec.document_ids)
        if sources:
            st.caption(md(sources_line(sources)))
        row = st.container(horizontal=True)  # buttons keep their natural width in narrow cards
        # The three files sit in a menu, drawn only when opened: as buttons they cost every visit
        # about 0.13 s of browser CPU per card (measured on 指標, seven cards; issue 3's first draw).
        files = row.popover("ダウンロード", icon=":material/download:")
        # On screen the card shows the title; the exported picture carries it itself.
        download_buttons(file_set(spec.table, title, filters, chart), CHART_FORMATS, key=key,
                         slots=[files] * len(CHART_FORMATS), width="stretch")
        if spec.ref is not None:
            row.button("資料に追加", key=f"basket_{key}", icon=":material/playlist_add:",
                       on_click=basket.add, args=(spec.ref, title),
                       help="このグラフを今の条件のまま「資料の作成」に加えます (複数の画面のグラフを一つの資料に)")
