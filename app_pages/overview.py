"""概要 (overview): the reform at a glance. The whole slice first (its figures and two charts),
then one card per source document (a municipality's report), each leading to the filtered 取組一覧."""
import streamlit as st

from cards import recipe_card
from ui import national
from ui.cards import chart_card
from ui.downloads import table_downloads
from ui.filter_bar import current_filters, set_filter
from ui.markdown import md
from ui.messages import empty
from ui.tables import data_table
from vocab import NO_VALUE, fy_label, fy_label_long
from warehouse.fiscal import named_towns
from warehouse.overview import Card, document_cards, document_ids, document_table, total_card

DOCUMENTS_PER_ROW = 3
OPEN_EXPLORER = "overview_open_explorer"  # the municipality a card's 取組一覧へ asked for


def whose(data: Card, name: str, total: bool = False) -> str:
    """「（苫小牧市）」 when the figure comes from only some of the card's municipalities,
    「（苫小牧市・前橋市の合計）」 for a sum over several; 「」 when one municipality's card speaks
    for itself."""
    towns = tuple(md(town, inline=True) for town in data.sources.get(name, ()))  # markdown labels
    if not towns:
        return ""
    if total and len(towns) > 1:
        return f"（{named_towns(towns, total=True)}）"
    return "" if towns == tuple(md(town, inline=True) for town in data.covers) else f"（{named_towns(towns)}）"


def figures(data: Card) -> dict[str, dict | None]:
    """The card's four figures as st.metric arguments, by name; None where its document has no
    such record (no yearly grades, no committee ratings, no money amounts, no end years). A figure
    that comes from some of the card's municipalities only names them in its label."""
    m = data.movement
    grades = None
    if m.latest_year:
        delta = m.delta("A")
        before = f"。前年 {fy_label(m.previous_year)}" if m.previous_year else ""
        grades = dict(label=f"A評価の割合 {fy_label(m.latest_year)}{whose(data, 'A評価の割合')}",
                      value=f"{m.latest.get('A', 0):.0f}%",
                      delta=None if delta is None else f"{delta:+.0f}pt (前年比)",
                      help=f"{m.latest_count} 件の自己評価 (総合評価) に占める A の割合{before}")
    committee = None if data.committee_mean is None else dict(
        label=f"委員評価の平均{whose(data, '委員評価の平均')}", value=f"{data.committee_mean:.2f} / 5",
        help=f"{data.committee_count} 件の委員評価 (1–5) の平均")
    fiscal = None if data.fiscal_effect is None else dict(
        label=f"財政効果額{whose(data, '財政効果額', total=True)}", value=data.fiscal_effect.text,
        help=f"{data.fiscal_effect.yen:,} 円 ({data.fiscal_effect.count} 件の金額)。財政効果の画面と同じ集計です "
             "(費用・予算額・計画の記載・重複・再掲を除く)")
    finished = None if not data.finished else dict(
        label=f"取組終了{whose(data, '取組終了')}", value=f"{sum(data.finished.values()):,} 件",
        help="、".join(f"{fy_label(y)}: {n} 件" for y, n in data.finished.items()))
    return {"A評価の割合": grades, "委員評価の平均": committee, "財政効果額": fiscal, "取組終了": finished}


def _request_explorer(municipality: str | None) -> None:
    st.session_state[OPEN_EXPLORER] = municipality or ""


def open_explorer(data: Card, key: str) -> None:
    # A callback, not the button's return value: a click survives a rerun before the page runs.
    st.button("取組一覧へ", key=f"open_{key}", icon=":material/arrow_forward:", width="stretch",
              on_click=_request_explorer, args=(data.municipality,))


def follow_explorer_request() -> None:
    """After the filter bar has run (it would overwrite the choice): apply the card's
    municipality and open 取組一覧."""
    if OPEN_EXPLORER in st.session_state:
        municipality = st.session_state.pop(OPEN_EXPLORER)
        if municipality:
            set_filter("municipality", municipality)
        st.switch_page("app_pages/explorer.py")


def freshness(data: Card) -> str:
    """データの鮮度 (data freshness): 「公表 2022-03 ・ file.txt ・ 取り込み …」, or the span over documents."""
    found = data.freshness
    loaded = f"取り込み {found.loaded_at:%Y-%m-%d %H:%M} (UTC)"
    if len(found.files) == 1:
        return f"公表 {found.published[0] if found.published else '不明'} ・ {found.files[0]} ・ {loaded}"
    span = f" (公表 {found.published[0]}〜{found.published[-1]})" if found.published else ""
    return f"{len(found.files):,} 文書{span} ・ {loaded}"


def heading(data: Card) -> None:
    st.markdown(f"### {md(data.title, inline=True)}")
    st.caption(f"{md(data.subtitle)}  \n{md(freshness(data))}")
    st.caption("　".join(f"{md(level)} **{count:,}**" for level, count in data.levels.items()))


def summary(data: Card) -> None:
    """The whole slice: all four figures side by side, 「—」 where nothing is recorded."""
    with st.container(border=True):
        head, link = st.columns([5, 1])
        with head:
            heading(data)
        with link:
            open_explorer(data, "summary")
        for column, (name, figure) in zip(st.columns(4), figures(data).items()):
            if figure:
                column.metric(**figure)
            else:
                column.metric(name, NO_VALUE, help="この条件の取組には記録がありません")
        line = sources_line(data)
        if line:
            st.caption(line)


def sources_line(data: Card) -> str:
    """The metric labels are cut on narrow screens: say in full whose documents each figure uses."""
    parts = [f"{name}: {whose(data, name, total=name == '財政効果額').strip('（）')}"
             for name in data.sources if whose(data, name, total=name == "財政効果額")]
    return ("数字の出典 — " + " ／ ".join(parts)) if parts else ""


def document_card(data: Card, key: str) -> None:
    """One document, compact: the figures it has; the ones it does not have named in a line."""
    with st.container(border=True):
        heading(data)
        found = figures(data)
        row = st.container(horizontal=True)
        for figure in (f for f in found.values() if f):
            row.metric(**figure, width="content")
        missing = [name for name, figure in found.items() if not figure]
        if missing:
            st.caption("記載なし: " + "・".join(missing))
        open_explorer(data, key)


def documents_section(filters) -> None:
    """One card per document; above ``national.DOCUMENT_CARDS_UP_TO`` documents, a table of all
    of them and the cards of the ``national.TOP_DOCUMENTS`` with the largest 財政効果額."""
    ids = document_ids(filters)
    if len(ids) < 2:
        return
    st.markdown("#### 自治体別 (文書ごと)")
    if len(ids) > national.DOCUMENT_CARDS_UP_TO:
        table = document_table(filters)
        top = table["document_id"].head(national.TOP_DOCUMENTS).to_list()
        st.caption(f"{len(ids):,} 文書あるため、一文書一行の表にまとめ、カードは財政効果額の大きい順 (同額は取組数の多い順) に"
                   f"上位 {len(top)} 文書だけを表示しています。ほかの文書は表の見出しで並べ替えて探すか、"
                   "サイドバーで自治体を選ぶとその自治体のカードが出ます。")
        shown = table.drop("document_id")
        data_table(shown, height=420, key="overview_documents",
                   column_config={"財政効果額(円)": st.column_config.NumberColumn(format="localized"),
                                  "A評価の割合(%)": st.column_config.NumberColumn(format="%.0f%%"),
                                  "評価の年度": st.column_config.NumberColumn(format="%d"),
                                  "文書": st.column_config.TextColumn(width="medium")})
        table_downloads(shown, "文書ごとの概要", filters, key="overview_documents")
        st.markdown(f"#### 財政効果額の上位 {len(top)} 文書")
        ids = top
    documents = document_cards(filters, ids)
    for start in range(0, len(documents), DOCUMENTS_PER_ROW):
        for n, (column, data) in enumerate(zip(st.columns(DOCUMENTS_PER_ROW),
                                               documents[start:start + DOCUMENTS_PER_ROW]), start):
            with column:
                document_card(data, f"card{n}")


def screen() -> None:
    follow_explorer_request()
    filters = current_filters()
    st.title("概要")
    if filters.fiscal_year:
        st.caption(f"年度: {fy_label_long(filters.fiscal_year)} の評価・記述がある取組")
    whole = total_card(filters)
    if not whole.levels:
        empty("条件に合う取組")
        return
    summary(whole)

    left, right = st.columns(2)
    with left:
        grades = recipe_card("overview.grades", filters)
        if grades is None:
            empty("総合評価の記録")
        else:
            chart_card(grades, key="overview_grades")
    with right:
        finished = recipe_card("overview.finished", filters)
        if finished is None:
            empty("取組終了の記録")
        else:
            chart_card(finished, key="overview_finished")
    documents_section(filters)


screen()
