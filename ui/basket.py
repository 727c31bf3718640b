"""The deck basket (資料に追加): chart cards chosen on any screen for the 「資料の作成」 page.

The basket is a list of :class:`cards.CardRef` in ``st.session_state`` (it survives page
switches). A fresh session takes it from the URL's ``deck`` parameter (``cards.basket``), so
a bookmarked builder page rebuilds the same deck; the builder page writes it back to its URL.
Changes happen in button callbacks (before the script draws anything); their message is
shown as a toast at the start of the next run.
"""
from __future__ import annotations

import streamlit as st

from cards import CardRef, build, resolve
from cards.basket import MAX_ITEMS, decode, encode
from ui.markdown import md

PARAM = "deck"
PAGE = "app_pages/deck.py"
_STATE = "deck_basket"
_PROBLEMS = "deck_basket_problems"
_TOAST = "_deck_basket_toast"


def start() -> None:
    """Before anything is drawn: load the basket from the URL on a fresh session, show the
    message of the last change."""
    if _STATE not in st.session_state:
        decoded = decode(st.query_params.get(PARAM))
        st.session_state[_STATE] = list(decoded.refs)
        st.session_state[_PROBLEMS] = list(decoded.problems)
    message = st.session_state.pop(_TOAST, None)
    if message:
        st.toast(md(message[0]), icon=message[1])


def items() -> list[CardRef]:
    return list(st.session_state.get(_STATE, []))


def problems() -> list[str]:
    """Why items of the URL the session started from were skipped (Japanese)."""
    return list(st.session_state.get(_PROBLEMS, []))


def url_value() -> str:
    return encode(items())


def _save(refs: list[CardRef], message: str | None = None, icon: str = ":material/playlist_add_check:") -> None:
    st.session_state[_STATE] = refs
    if message:
        st.session_state[_TOAST] = (message, icon)


def add(ref: CardRef, title: str | None = None) -> bool:
    """Callback of a card's 「資料に追加」: append ``ref`` (its filters and options) unless it is
    already there. Returns whether it was added."""
    refs = items()
    ref = resolve(ref)
    name = f"「{title}」" if title else "グラフ"
    if ref in refs:
        _save(refs, f"{name}はすでに資料に入っています ({len(refs)} 件)", ":material/info:")
        return False
    if len(refs) >= MAX_ITEMS:
        _save(refs, f"資料に入れられるのは {MAX_ITEMS} 件までです", ":material/warning:")
        return False
    refs.append(ref)
    _save(refs, f"{name}を資料に追加しました (全 {len(refs)} 件)")
    return True


def move(index: int, step: int) -> None:
    refs = items()
    target = index + step
    if 0 <= index < len(refs) and 0 <= target < len(refs):
        refs[index], refs[target] = refs[target], refs[index]
        _save(refs)


def remove(index: int) -> None:
    refs = items()
    if 0 <= index < len(refs):
        spec = build(refs[index])
        del refs[index]
        title = f"「{spec.title}」" if spec else f"{index + 1} 件目"
        _save(refs, f"{title}を資料から外しました", ":material/delete:")


def clear() -> None:
    _save([], "資料のグラフをすべて外しました", ":material/delete:")
    st.session_state[_PROBLEMS] = []


def offer_basket(current_page: str | None) -> None:
    """Sidebar: how many charts the basket holds, with a link to the builder page."""
    count = len(items())
    if not count or current_page == PARAM:
        return
    with st.sidebar:
        st.page_link(PAGE, label=f"資料の作成 (選んだグラフ {count} 件)", icon=":material/slideshow:")
