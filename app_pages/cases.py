"""事例 (cases): the Tokyo DX case write-ups (DX事例) and 前橋市's working groups (WG) as cards.

Each card: title, municipality, 部門 (category; 「前橋市 WG」 for the working groups), 区分
(取組 implemented / 提案 proposal), the effect in one line, and the full text on demand.
"""
import streamlit as st

from cards import recipe_card
from cards.cases import PAGE, shown_cases
from ui.cards import chart_card
from ui.detail import similar_panel
from ui.filter_bar import current_filters
from ui.markdown import md
from ui.messages import empty
from ui.paging import page_count, page_slice
from ui.scope import scope_caption
from warehouse import cases
from warehouse.filters import explorer_url

PAGE_SIZE = 20
PAGE_KEY = "cases_page"


def _reset_page() -> None:
    st.session_state[PAGE_KEY] = 1


def _scope_note(filters) -> None:
    st.caption(scope_caption(filters, PAGE, {"fiscal_year": "DX事例には年度がないため、WG のみが対象になります"}))


def _page_filters(entries) -> dict:
    """The screen's own filters (部門, 区分, 自治体, キーワード) as the 事例 card's options."""
    st.markdown("##### この画面の絞り込み")
    a, b = st.columns(2)
    sections = a.multiselect("部門", sorted(entries["section"].unique().to_list()), key="cases_sections",
                             placeholder="すべて", on_change=_reset_page)
    kinds = b.multiselect("区分", sorted(entries["kind"].unique().to_list()), key="cases_kinds",
                          placeholder="すべて", on_change=_reset_page,
                          help="取組: 実施した事例、提案: DXアイデア部門の提案、WG: 前橋市のワーキンググループ")
    towns = sorted(entries["municipality"].unique().to_list(), key=lambda t: (t == cases.NO_MUNICIPALITY, t))
    municipalities = st.multiselect("自治体", towns, key="cases_towns", placeholder="すべて",
                                    on_change=_reset_page, help="「記載なし」は事例集に自治体名が印字されていない事例")
    keyword = st.text_input("キーワード", key="cases_keyword", placeholder="表題・本文から探す",
                            on_change=_reset_page).strip()
    return {"sections": sections, "kinds": kinds, "towns": municipalities, "keyword": keyword or None}


def _card(case: dict) -> None:
    with st.container(border=True):
        st.markdown(f"**{md(case['title'])}**")
        town = "自治体の記載なし" if case["municipality"] == cases.NO_MUNICIPALITY else case["municipality"]
        facts = [town if case["kind"] != "WG" else None, case["section"], case["kind"] if case["kind"] != "WG" else None,
                 case["departments"] or None, f"No.{case['code']}" if case["code"] else None,
                 f"該当頁 {case['pages']}" if case["pages"] else None]
        st.caption(md(" ／ ".join(f for f in facts if f)))
        if case["subtitle"]:
            st.markdown(f"*{md(case['subtitle'])}*")
        if case["future"]:
            st.markdown(f"**目指す未来** {md(case['future'])}")
        effect = md(case["effect"]) if case["effect"] else "（効果の記載なし）"
        st.markdown(f":green[**効果**] {effect}")
        # Lazy: the full text is drawn only once opened (twenty write-ups per page made the first
        # draw slow, issue 3).
        full_text = st.expander(f"全文を読む ({len(case['sections'])} 節)", key=f"case_text_{case['initiative_id']}",
                                on_change="rerun")
        if full_text.open:
            body = "\n\n".join(f"**{md(name)}**  \n{md(text)}"
                               for name, text in case["sections"])
            full_text.markdown(body or "本文の記載はありません。")
            full_text.markdown(f"[取組一覧で開く]({explorer_url(case['initiative_id'])})")
            with full_text:
                similar_panel(case["initiative_id"], key=f"case_similar_{case['initiative_id']}")


def screen() -> None:
    filters = current_filters()
    st.title("事例")
    st.caption("都内区市町村 DX 取組事例集 (行政サービス部門・業務改善部門・DXアイデア部門) と、"
               "前橋市の DX ワーキンググループ (WG) の活動実績です。")
    _scope_note(filters)
    entries = cases.case_entries(filters)
    if entries.is_empty():
        empty("条件に合う事例")
        return

    left, right = st.columns([2, 3])
    with right:
        choices = _page_filters(entries)
        shown = shown_cases(filters, choices)
    with left:
        counts = recipe_card("cases.counts", filters, choices)
        if counts is None:
            empty("この画面の条件に合う事例")
        chart_card(counts, key="cases_counts")
    if shown.is_empty():
        return

    pages = page_count(shown.height, PAGE_SIZE)
    if st.session_state.get(PAGE_KEY, 1) > pages:
        st.session_state[PAGE_KEY] = 1
    head, pick = st.columns([4, 1])
    page = pick.number_input(f"ページ (全 {pages})", min_value=1, max_value=pages, step=1, key=PAGE_KEY) \
        if pages > 1 else 1
    first = (page - 1) * PAGE_SIZE
    head.markdown(f"#### {shown.height:,} 件の事例")
    head.caption(f"{first + 1}–{min(first + PAGE_SIZE, shown.height)} 件目を表示")

    columns = st.columns(2)
    for n, case in enumerate(page_slice(shown, page, PAGE_SIZE).iter_rows(named=True)):
        with columns[n % 2]:
            _card(case)


screen()
