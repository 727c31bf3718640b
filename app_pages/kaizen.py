"""改善取組 (staff improvement initiatives): 小金井市's 「ＣｏＣｏからチャレンジ・こがねい」 campaign.

Initiatives per 部 (division) and 課 (section) and 年度, the 分類 (category) marks, the
共同実施者 (co-implementers), the award winners, and the published 最多取組実施部署 ranking beside
the one recomputed from the list.
"""
import polars as pl
import streamlit as st

from cards import recipe_card
from cards.kaizen import PAGE
from ui.cards import chart_card
from ui.downloads import table_downloads
from ui.filter_bar import current_filters
from ui.markdown import md
from ui.messages import empty
from ui.scope import scope_caption
from ui.tables import data_table
from vocab import QualityKind, fy_label_long, kind_label
from warehouse import Filters, kaizen, quality
from warehouse.filters import municipality_label

HIGHLIGHT = "background-color: #FDE8C8; font-weight: 600"


def _scope_note(filters) -> None:
    st.caption(scope_caption(filters, PAGE, {"theme": "分類", "department": "課"})
               + " テーマは分類 (サービス・業務効率・コスト・その他)、担当部署は課で絞り込めます。")


def _metrics(summaries) -> None:
    for s in summaries:
        st.markdown(f"**{fy_label_long(s.fiscal_year)}**")
        a, b, c, d = st.columns(4)
        a.metric("取組数", f"{s.initiatives:,} 件")
        b.metric("共同実施者数 (合計)", f"{s.co_implementers:,} 人",
                 help="取組一覧表の「共同実施者数」の合計")
        c.metric("参加者数", f"{s.participants:,} 人",
                 help="取組ごとの実施者 1 人 + 共同実施者数 の合計 (公表の「参加者数」と同じ数え方)")
        d.metric("表彰", f"{s.awards:,} 件", help="最優秀・優秀・奨励取組")


def _charts(filters) -> None:
    for column, unit in zip(st.columns(2), ("division", "department")):
        with column:
            chart_card(recipe_card(f"kaizen.{unit}", filters), key=f"kaizen_{unit}")
    left, right = st.columns(2)
    with left:
        categories = recipe_card("kaizen.categories", filters)
        if categories is None:
            empty("分類の記録")
        chart_card(categories, key="kaizen_categories")
    with right:
        co_implementers = recipe_card("kaizen.co_implementers", filters)
        if co_implementers is None:
            empty("共同実施者数の記録")
        chart_card(co_implementers, key="kaizen_co")


def _awards(awards: pl.DataFrame, filters) -> None:
    st.markdown("#### 表彰 (優秀取組等)")
    if awards.is_empty():
        empty("条件に合う表彰")
        return
    table = kaizen.awards_table(awards)
    data_table(table, column_config={
        "取組名": st.column_config.TextColumn(width="large"),
        "取組一覧": st.column_config.LinkColumn("取組一覧", display_text="開く",
                                              help="取組一覧でこの取組の詳細を開きます"),
    })
    table_downloads(table, "改善取組の表彰", filters, key="kaizen_awards")


def _ranking() -> None:
    st.markdown("#### 最多取組実施部署: 公表値と一覧表からの再集計")
    published = kaizen.published_ranking()
    listed = kaizen.kaizen_initiatives(Filters())
    comparison = kaizen.ranking_comparison(published, listed)
    if comparison.is_empty():
        empty("公表された最多取組実施部署の順位表")
        return
    st.caption("公表の順位表 (件数・参加者数) と、取組一覧表の課ごとの件数・参加者数 (実施者 1 人 + 共同実施者数) "
               "を並べています。絞り込みに関わらず一覧表全体から数えます。色付きの行は値が異なる行です。")
    table = kaizen.ranking_table(comparison)
    flags = comparison["differs"].to_list()
    styler = table.to_pandas().style.apply(
        lambda row: [HIGHLIGHT if flags[row.name] else "" for _ in row], axis=1)
    data_table(styler)
    table_downloads(table, "最多取組実施部署の比較", Filters(), key="kaizen_ranking")

    differing = comparison.filter(pl.col("differs"))
    if differing.is_empty():
        st.success("公表の順位表と一覧表からの再集計は一致しています。", icon=":material/check_circle:")
        return
    document_id = published["document_id"][0]
    notes = quality.document_quality(document_id, (QualityKind.MISMATCH, QualityKind.DISAGREEMENT))
    lines = []
    for r in differing.iter_rows(named=True):
        lines.append(f"- {md(fy_label_long(r['fiscal_year']), inline=True)} {md(r['department'], inline=True)}: 公表 "
                     f"{kaizen.count_text(r['published_count'])}件 / 一覧表 {r['recomputed_count'] or 0}件"
                     + (md(f" (No.{'、No.'.join(r['codes'])})") if r["codes"] else ""))
    st.warning("**公表値と一覧表が異なります**\n\n" + "\n".join(lines), icon=":material/compare_arrows:")
    if not notes.is_empty():
        with st.container(border=True):
            st.markdown("**取り込み時の記録 (データ品質)**")
            for n in notes.iter_rows(named=True):
                st.markdown(f"- {md(kind_label(n['kind']), inline=True)}: {md(n['message'], inline=True)}  \n"
                            f"  対応: {md(n['resolution'], inline=True)} ({md(n['location'], inline=True)})")
            st.caption("考えられる理由: 公表の件数に端数 (0.5件) があることから、複数の課で実施した取組を"
                       "課ごとに按分して数えた可能性があります。表彰の表では最優秀取組 (一覧表 No.12) の実施者が"
                       "「財政課職員」とされており、一覧表の課 (環境政策課) と異なります。文書に数え方の説明はありません。")


def screen() -> None:
    filters = current_filters()
    st.title("改善取組")
    rows = kaizen.kaizen_initiatives(filters)
    if filters.municipality and municipality_label(filters.municipality) != "小金井市":
        st.caption("改善取組 (職員の改善改革運動) は小金井市の報告書にあります。自治体の絞り込みを「小金井市」か"
                   "「すべて」にしてください。")
    _scope_note(filters)
    if rows.is_empty():
        empty("条件に合う改善取組")
        return
    _metrics(kaizen.year_summaries(rows, kaizen.kaizen_awards(filters)))
    _charts(filters)
    _awards(kaizen.kaizen_awards(filters), filters)
    st.divider()
    _ranking()


screen()
