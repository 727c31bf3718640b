"""発表モード (presentation mode): present a page's chart cards one at a time from the browser.

The URL flag ``present=1`` (and ``card=N``, the card shown) turns it on, so a presenter can
bookmark the exact slide. The page still runs as usual, inside a container the stylesheet
hides; its chart cards register themselves for the deck (ui.deck), and this module shows the
current one full width as the same 16:9 picture the .pptx slide gets (exports.slides), so the
screen and the handout never differ. The sidebar, the filter bar and Streamlit's header are
hidden; text is enlarged for projector distance; arrow keys (and a presenter remote's
PageUp/PageDown) move between cards, Escape ends the mode.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Sequence

import streamlit as st

from exports.slide_content import PageChart, chart_slide
from ui.markdown import md
from warehouse import Filters
from warehouse.filters import conditions_text

FLAG = "present"
CARD = "card"
PARAMS = (FLAG, CARD)  # kept in the URL on every page (ui.filter_bar.sync_url)
_STAGE = "present-stage"
_VIEW = "present-view"

STYLE = f"""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], .st-key-{_STAGE} {{ display: none !important; }}
[data-testid="stMainBlockContainer"] {{ max-width: none; padding: 1.2rem 2.5rem 1rem; }}
.st-key-{_VIEW} p, .st-key-{_VIEW} button {{ font-size: 1.35rem; }}
.st-key-{_VIEW} h2 {{ font-size: 2.4rem; padding: 0.2rem 0; }}
.st-key-{_VIEW} h3 {{ font-size: 1.7rem; font-weight: 600; color: #1F4E79; padding: 0 0 0.4rem; }}
.st-key-{_VIEW} [data-testid="stImage"] img {{ max-height: 68vh; width: auto !important; max-width: 100%;
  object-fit: contain; display: block; margin: 0 auto; }}
.st-key-{_VIEW} [data-testid="stCaptionContainer"] p {{ font-size: 1.05rem; }}
</style>"""

# Arrow keys, PageUp/PageDown (what presenter remotes send) and Escape press the bar's buttons.
KEYS = """<script>
if (!window.gyokakuPresentKeys) {
  window.gyokakuPresentKeys = true;
  const buttons = {ArrowRight: "present_next", PageDown: "present_next", ArrowLeft: "present_previous",
                   PageUp: "present_previous", Escape: "present_exit"};
  document.addEventListener("keydown", (event) => {
    const target = buttons[event.key];
    if (!target || event.target.closest("input, textarea, [contenteditable]")) return;
    const button = document.querySelector(`.st-key-${target} button:not([disabled])`);
    if (button) { event.preventDefault(); button.click(); }
  });
}
</script>"""


def active() -> bool:
    return st.query_params.get(FLAG) == "1"


def _enter() -> None:
    st.query_params[FLAG] = "1"
    st.query_params[CARD] = "1"


def _leave() -> None:
    for name in PARAMS:
        st.query_params.pop(name, None)


def _go(number: int) -> None:
    st.query_params[CARD] = str(number)


def current_card(count: int) -> int:
    """The 1-based card to show, clamped to the page's cards (a stale URL never fails)."""
    try:
        number = int(st.query_params.get(CARD, "1"))
    except ValueError:
        number = 1
    return min(max(number, 1), max(count, 1))


def offer_toggle() -> None:
    """The sidebar switch that starts presenting the current page."""
    with st.sidebar:
        st.toggle("発表モード", value=False, key="present_toggle", on_change=_enter,
                  help="サイドバーを隠し、この画面のグラフを1枚ずつ大きく表示します (URL に present=1)")


@contextmanager
def stage() -> Iterator[None]:
    """Run the page's own screen where nobody sees it (its cards still register)."""
    with st.container(key=_STAGE):
        yield


@st.cache_data(max_entries=32, show_spinner=False)
def _picture(spec: str, title: str, takeaway: str, _chart) -> bytes:
    """The slide picture of a card, rendered once per chart spec (not on every 次へ/前へ rerun)."""
    return chart_slide(title, takeaway, _chart).png


def show(page_title: str, charts: Sequence[PageChart], filters: Filters) -> None:
    """The presenter's screen: navigation bar, the current card's title, takeaway and chart."""
    st.html(STYLE)
    st.html(KEYS, unsafe_allow_javascript=True)
    count = len(charts)
    number = current_card(count)
    with st.container(key=_VIEW):
        bar = st.container(horizontal=True, vertical_alignment="center")
        bar.markdown(f"**{md(page_title, inline=True)}**　{md(conditions_text(filters), inline=True)}")
        bar.space("stretch")
        if count:
            bar.button("前へ", icon=":material/arrow_back:", key="present_previous", disabled=number <= 1,
                       on_click=_go, args=(number - 1,))
            bar.markdown(f"**{number} / {count}**")
            bar.button("次へ", icon=":material/arrow_forward:", key="present_next", disabled=number >= count,
                       on_click=_go, args=(number + 1,))
        bar.button("発表モードを終了", icon=":material/close:", key="present_exit", on_click=_leave)
        if not count:
            st.info("この画面には発表できるグラフがありません。発表モードを終了して、グラフのある画面を選んでください。",
                    icon=":material/info:")
            return
        card = charts[number - 1]
        st.markdown(f"## {md(card.title, inline=True)}")
        if card.takeaway:
            st.markdown(f"### {md(card.takeaway, inline=True)}")
        st.image(_picture(card.chart.to_json(), card.title, card.takeaway, card.chart), width="stretch")
        if card.note:
            st.caption(md(card.note))
