"""Pages of a long list: which rows page N shows, how many pages there are (the 事例 cards),
and the pager of a table whose rows are read one page at a time (取組一覧, 評価の推移)."""
from __future__ import annotations

from typing import Callable

import polars as pl
import streamlit as st


def page_slice(frame: pl.DataFrame, page: int, size: int) -> pl.DataFrame:
    """Rows of page ``page`` (1-based, clamped to the pages there are) of ``size`` rows each."""
    page = min(max(1, page), page_count(frame.height, size))
    return frame.slice((page - 1) * size, size)


def page_count(rows: int, size: int) -> int:
    return max(1, -(-rows // size))


# -- the pager of a server-side paged table -----------------------------------------------

SIZES = (50, 100, 200, 500)
DEFAULT_SIZE = 100


def _step(page_key: str, by: int, pages: int) -> None:
    """前へ / 次へ (a callback: a widget's value may only change before the script draws it)."""
    st.session_state[page_key] = min(max(1, int(st.session_state.get(page_key, 1)) + by), pages)


def _first_page(page_key: str) -> None:
    st.session_state[page_key] = 1


def range_text(total: int, offset: int, limit: int) -> str:
    """「全 104,041 件中 1–100 件」: the rows a page shows."""
    if total == 0:
        return "全 0 件"
    return f"全 {total:,} 件中 {offset + 1:,}–{min(offset + limit, total):,} 件"


def pager(total: int, key: str, *, scope: object, start_row: Callable[[], int | None] | None = None,
          label: str = "表のページ") -> tuple[int, int]:
    """Draw a pager for ``total`` rows and return (offset, limit) of the page to show.

    ``scope`` is what the rows depend on (filters, order): when it changes the pager goes back
    to page 1. ``start_row`` (called once per session of this pager) gives a row to open on,
    e.g. the one a ``?id=`` link selects. Controls are native widgets (a selectbox, a number
    field, two buttons), so a keyboard reaches and operates each of them."""
    page_key, size_key, scope_key = f"{key}_page", f"{key}_size", f"{key}_scope"
    if st.session_state.get(size_key) not in SIZES:
        st.session_state[size_key] = DEFAULT_SIZE
    size = int(st.session_state[size_key])
    pages = page_count(total, size)
    if page_key not in st.session_state:
        row = start_row() if start_row else None
        st.session_state[page_key] = row // size + 1 if row is not None else 1
    elif st.session_state.get(scope_key) != scope:
        st.session_state[page_key] = 1
    st.session_state[scope_key] = scope
    st.session_state[page_key] = min(max(1, int(st.session_state[page_key])), pages)
    page = int(st.session_state[page_key])
    offset = (page - 1) * size

    row = st.container(horizontal=True, vertical_alignment="bottom", key=f"{key}_pager")
    row.markdown(f"**{range_text(total, offset, size)}**")
    if total <= SIZES[0]:  # one page at any size: no controls to operate
        return offset, size
    row.selectbox("表示件数", SIZES, key=size_key, format_func=lambda n: f"{n} 件ずつ", width=130,
                  on_change=_first_page, args=(page_key,))
    row.number_input(f"ページ (全 {pages:,})", min_value=1, max_value=pages, step=1, key=page_key, width=150,
                     help=f"{label}: 1〜{pages:,} の番号を入れて Enter")
    row.button("前へ", icon=":material/chevron_left:", key=f"{key}_prev", disabled=page <= 1,
               on_click=_step, args=(page_key, -1, pages), help="前のページ")
    row.button("次へ", icon=":material/chevron_right:", key=f"{key}_next", disabled=page >= pages,
               on_click=_step, args=(page_key, 1, pages), help="次のページ")
    return offset, size
