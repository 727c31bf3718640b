"""The shared filter bar (都道府県 → 自治体, 年度, テーマ, カテゴリ, 担当部署, 評価, 検索) in the sidebar.

自治体 is picked in two searchable selectboxes (type to search): 都道府県 (the prefectures the
warehouse has, すべて first) narrows 自治体 to that prefecture's municipalities, listed by label
(「府中市（東京都）」 where a name is shared). The filter's value is the 自治体コード (``m`` in
the URL); an old bookmark's name is resolved to it (``warehouse.municipalities.key_for``). The
都道府県 choice itself only narrows the list: it follows the chosen municipality, and without one
it is kept for the session (not in the URL, since it filters nothing by itself).

State lives in ``st.session_state["filters"]`` (so it survives page switches) and is mirrored
into the URL query string (so a view can be bookmarked and sent). On a fresh session the URL
wins. The widgets are keyed per page: each page draws fresh widgets initialised from that
state (a widget kept across a page switch sometimes showed its default value in the browser
while the server had the chosen one); Streamlit drops the state of widgets a run does not
draw, so another page's widgets never hold a stale value.
"""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from ui.presentation import PARAMS as PRESENTATION_PARAMS  # owned by no page, kept on all
from vocab import ALL, GRADES, fy_label_long
from warehouse import Filters
from warehouse.filters import PARAMS
from warehouse.municipalities import key_for, link_key, picker_places, places, prefectures
from warehouse.queries import filter_choices

_STATE = "filters"
_PREFIX = "filter_"
_PREFECTURE = "filter_prefecture"  # the 都道府県 last chosen, across pages


def _key(name: str, page: str) -> str:
    return f"{_PREFIX}{name}@{page}"


def current_filters() -> Filters:
    """The filters chosen in the bar (pages call this; the bar itself is drawn by dashboard.py)."""
    return st.session_state.get(_STATE, Filters())


def _initial() -> Filters:
    if _STATE not in st.session_state:
        st.session_state[_STATE] = Filters.from_params(st.query_params.to_dict(), municipality_key=key_for)
    return st.session_state[_STATE]


def _select(label: str, name: str, page: str, options: list, current, format_func=str):
    """A selectbox whose first choice is すべて (all); returns None for it."""
    choices = [ALL, *options]
    key = _key(name, page)
    if key not in st.session_state or st.session_state[key] not in choices:
        st.session_state[key] = current if current in options else ALL
    value = st.selectbox(label, choices, key=key,
                         format_func=lambda v: ALL if v == ALL else format_func(v))
    return None if value == ALL else value


def render_filter_bar(page: str, page_params: tuple[str, ...] = ()) -> Filters:
    """Draw the bar for ``page`` (its url_path); ``page_params`` are the URL parameters that
    page owns (kept), any other non-filter parameter is dropped so it does not leak into other
    pages' URLs."""
    start = _initial()
    with st.sidebar:
        st.subheader("絞り込み")
        municipality = _municipality_picker(page, start.municipality)
        choices = filter_choices(municipality)
        year = _select("年度", "fiscal_year", page, list(choices.fiscal_years), start.fiscal_year,
                       fy_label_long)
        theme = _select("テーマ", "theme", page, list(choices.themes), start.theme)
        category = _select("カテゴリ (共通分類)", "category", page, list(choices.categories), start.category)
        department = _select("担当部署", "department", page, list(choices.departments), start.department)
        grade = _select("評価 (総合評価)", "grade", page, list(GRADES), start.grade)
        search_key = _key("search", page)
        if search_key not in st.session_state:
            st.session_state[search_key] = start.search or ""
        search = st.text_input("キーワード検索", key=search_key,
                               placeholder="取組名・部署・本文から探す").strip() or None
        filters = Filters(municipality, year, theme, department, grade, search, category=category)
        if not filters.is_empty():
            st.button("条件をクリア", on_click=_clear, width="stretch")
    st.session_state[_STATE] = filters
    owned = {k: v for k, v in st.query_params.to_dict().items() if k in page_params}
    sync_url(filters, **owned)
    return filters


def _municipality_picker(page: str, current: str | None) -> str | None:
    """都道府県 then 自治体 (see the module docstring); returns the chosen key or None."""
    current = link_key(current)  # a name set by a page (a card's 取組一覧へ) -> its code
    labels = {p.key: p.label for p in places()}
    chosen = next((p for p in places() if p.key == current), None)
    prefecture_key = _key("prefecture", page)
    if prefecture_key not in st.session_state:
        st.session_state[prefecture_key] = (chosen.prefecture if chosen and chosen.prefecture
                                            else st.session_state.get(_PREFECTURE, ALL))
    prefecture = _select("都道府県", "prefecture", page, list(prefectures()), st.session_state[prefecture_key])
    st.session_state[_PREFECTURE] = prefecture or ALL
    towns = [p.key for p in picker_places(prefecture)]
    return _select("自治体", "municipality", page, towns, current, lambda key: labels.get(key, key))


def _clear() -> None:
    """Reset every filter. A callback: widget values may only be set before the script runs."""
    for key in [k for k in st.session_state if str(k).startswith(_PREFIX)]:
        st.session_state[key] = "" if str(key).startswith(f"{_PREFIX}search@") else ALL
    st.session_state[_STATE] = Filters()


def sync_url(filters: Filters, **page_params: str | None) -> None:
    """Write the filters plus this page's own parameters (e.g. a selected row) into the URL;
    the presentation-mode flag (present, card) is kept on every page."""
    kept = {k: st.query_params[k] for k in PRESENTATION_PARAMS if k in st.query_params}
    wanted = filters.to_params() | kept | {k: v for k, v in page_params.items() if v}
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def set_filter(name: str, value) -> None:
    """Change one filter before switching page (e.g. a card's 取組一覧へ link); a municipality
    given by name becomes its code when the name means one municipality of the warehouse."""
    if name == "municipality":
        value = link_key(value)
    st.session_state[_STATE] = replace(current_filters(), **{name: value})
