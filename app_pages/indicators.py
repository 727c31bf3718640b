"""指標 (indicators): each indicator's 基準値 (baseline), 実績値 (actuals) and 目標値 (target) on its own
chart, and the progress toward the target respecting 以上 (higher is better) / 以下 (lower is better)."""
import polars as pl
import streamlit as st

from cards.indicators import PAGE, page_cards
from ui import national
from ui.cards import chart_card
from ui.downloads import table_downloads
from ui.filter_bar import current_filters
from ui.markdown import md
from ui.messages import empty
from ui.paging import page_count
from ui.scope import scope_caption as page_scope
from ui.tables import data_table
from vocab import NO_VALUE
from warehouse import indicators

PAGE_KEY = "indicators_page"


def scope_caption(filters) -> str:
    related = "関連基本事業に条件に合う取組がある指標"
    return page_scope(filters, PAGE, {"fiscal_year": "その年度までの実績値で進捗を計算", "theme": related,
                                      "department": related, "search": related + "、または指標名・説明に含む指標"})


def pager(total: int, towns: int) -> tuple[int, int]:
    """The page of indicators to show (start, end) — all of them up to one page's worth; above it
    a page number and a sentence saying what is shown and how to see the rest."""
    size = national.INDICATORS_PER_PAGE
    if total <= size:
        return 0, total
    pages = page_count(total, size)
    if st.session_state.get(PAGE_KEY, 1) > pages:  # fewer pages after the filters changed
        st.session_state[PAGE_KEY] = 1
    number = st.number_input(f"ページ (全 {pages:,} ページ)", min_value=1, max_value=pages, step=1, key=PAGE_KEY,
                             help=f"{size} 件ずつ表示します")
    start = (int(number) - 1) * size
    end = min(start + size, total)
    where = f"{towns:,} 自治体の" if towns > 1 else ""
    st.caption(f"{where}指標 {total:,} 件を {size} 件ずつ表示しています (いまは {start + 1:,}–{end:,} 件目)。"
               "ほかの指標はページを移って見るか、サイドバーで自治体を選ぶとその自治体の指標だけになります。")
    return start, end


def screen() -> None:
    filters = current_filters()
    st.title("指標")
    st.caption(md(scope_caption(filters)))
    index = indicators.indicator_index(filters)
    if index.is_empty():
        empty("条件に合う指標")
        st.caption("指標 (基準値・実績値・目標値) は狛江市の進捗状況報告書に記載されています。")
        return

    st.markdown("### 目標に対する進捗")
    start, end = pager(index.height, index["municipality"].n_unique())
    keys = tuple(index["key"][start:end].to_list())
    specs = page_cards(filters, keys)  # this page's indicators only, from one query
    cards = indicators.indicator_cards_for(filters.without("grade", "category"), keys)
    st.caption("進捗率 = (最新の実績値 − 基準値) ÷ (目標値 − 基準値)。以下 (低いほど良い) の指標も同じ式で、"
               "目標に近づくと正になります。棒は 0–100% に収めて表示し、計算値はそのまま右の列に示します。"
               f"「{NO_VALUE}」は値の記載がないことを示し、理由は注記にあります。")
    summary = indicators.summary_table(cards, towns=index["municipality"].n_unique() > 1)
    shown = summary.with_columns(  # on screen a missing value reads 「—」; the export keeps numbers
        pl.format("{}%", pl.col("進捗率(計算値%)").round(1)).fill_null(NO_VALUE).alias("進捗率(計算値%)"))
    data_table(shown, column_config={
        "指標": st.column_config.TextColumn(width="large"),
        "方向": st.column_config.TextColumn(help="以上: 高いほど良い／以下: 低いほど良い。記載: 目標値に「以下」などと書かれている。"
                                                "推定: 書かれていないため目標値と基準値の大小から推定"),
        "進捗率(表示)": st.column_config.ProgressColumn("進捗率", min_value=0, max_value=100, format="%.0f%%",
                                                    help="0–100% に収めた表示。計算値は右の列"),
        "進捗率(計算値%)": st.column_config.TextColumn("進捗率 (計算値)"),
        "注記": st.column_config.TextColumn(width="large"),
    })
    table_downloads(summary, "指標の進捗" if end - start == index.height else f"指標の進捗_{start + 1}-{end}件目",
                    filters, key="indicator_summary")

    st.markdown("### 指標ごとの推移")
    for first in range(0, len(specs), 2):
        columns = st.columns(2)
        for column, spec in zip(columns, specs[first:first + 2]):
            with column:
                # Cards are built once per warehouse version, conditions and page (cards.indicators.page_cards),
                # so the layered charts are not rebuilt on every rerun.
                chart_card(spec, key=f"indicator_{spec.ref.option('indicator').replace('#', '_')}")


screen()
