"""概要 (overview): per document's municipality and for all together, the reform at a glance."""
import polars as pl
import streamlit as st

from cards import recipe_card
from charts.theme import fy_label, fy_label_long
from ui.cards import chart_card
from ui.downloads import table_downloads
from ui.filter_bar import current_filters, set_filter
from ui.messages import empty, guarded
from warehouse import money, queries
from warehouse.overview import Card, cards


def card(data: Card, key: str) -> None:
    with st.container(border=True):
        head, link = st.columns([5, 1])
        head.markdown(f"### {data.title}")
        head.caption(data.subtitle)
        if link.button("取組一覧へ", key=f"open_{key}", icon=":material/arrow_forward:", width="stretch"):
            if data.municipality:
                set_filter("municipality", data.municipality)
            st.switch_page("pages/explorer.py")
        st.caption("　".join(f"{level} **{count:,}**" for level, count in data.levels.items()))
        a, b, c, d = st.columns(4)
        m = data.movement
        if m.latest_year:
            delta = m.delta("A")
            a.metric(f"A評価の割合 {fy_label(m.latest_year)}", f"{m.latest.get('A', 0):.0f}%",
                     None if delta is None else f"{delta:+.0f}pt (前年比)",
                     help=f"{m.latest_count} 件の自己評価 (総合評価) に占める A の割合。前年 {fy_label(m.previous_year)}")
        else:
            a.metric("A評価の割合", "—", help="年度ごとの総合評価の記録がありません")
        b.metric("委員評価の平均", f"{data.committee_mean:.2f} / 5" if data.committee_mean else "—",
                 help=f"{data.committee_count} 件の委員評価 (1–5) の平均")
        c.metric("財政効果額", money.yen_text(data.fiscal_effect[0]) if data.fiscal_effect else "—",
                 help=data.fiscal_effect[1] if data.fiscal_effect else "金額の記載はありません")
        d.metric("取組終了", f"{sum(data.finished.values()):,} 件",
                 help="、".join(f"{fy_label(y)}: {n} 件" for y, n in data.finished.items()) or "記録なし")


def screen() -> None:
    filters = current_filters()
    st.title("概要")
    if filters.fiscal_year:
        st.caption(f"年度: {fy_label_long(filters.fiscal_year)} の評価・記述がある取組")
    overview = cards(filters)
    if not overview[0].levels:
        empty("条件に合う取組")
        return
    for n, data in enumerate(overview):
        card(data, f"card{n}")

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

    st.markdown("#### データの鮮度")
    freshness = queries.documents().select(
        pl.col("municipality").alias("自治体"), pl.col("title").alias("文書"),
        pl.col("published").alias("公表"), pl.col("file").alias("ファイル"),
        pl.col("built_at").dt.strftime("%Y-%m-%d %H:%M").alias("取り込み (UTC)"))
    st.dataframe(freshness, hide_index=True, width="stretch")
    table_downloads(freshness, "データの鮮度", filters)


guarded(screen)
