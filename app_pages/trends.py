"""評価の推移 (score trends): how the self-evaluation grades and criterion scores moved over the
fiscal years, which initiatives improved or declined, and where the committee (委員評価)
disagrees with the self-evaluation (自己評価)."""
import polars as pl
import streamlit as st

from cards import recipe_card
from cards.trends import COUNT, PAGE, SHARE, default_level
from ui.cards import chart_card
from ui.downloads import lazy_table_downloads
from ui.filter_bar import current_filters
from ui.markdown import md
from ui.messages import empty
from ui.paging import pager
from ui.scope import scope_caption
from ui.tables import data_table, grade_style
from vocab import NO_VALUE, fy_label
from warehouse import Filters, trends

LEVEL_KEY = "trends_level"
SHARE_KEY = "trends_share"
ORDER_KEY = "trends_order"


def scope_note(filters: Filters) -> None:
    text = scope_caption(filters, PAGE, {"fiscal_year": "その年度に評価などがある取組", "grade": "その総合評価の取組"})
    st.caption(text + " 絞り込みは対象の取組を選びます (取組一覧と同じ)。グラフと表は選ばれた取組の全年度を表示します。")


def pick_level(filters: Filters) -> str | None:
    levels = trends.graded_levels(filters)
    if not levels:
        return None
    names = [name for name, _ in levels]
    counts = dict(levels)
    if st.session_state.get(LEVEL_KEY) not in names:
        st.session_state[LEVEL_KEY] = default_level(filters)
    if len(names) == 1:
        return names[0]
    return st.radio("階層", names, key=LEVEL_KEY, horizontal=True,
                    format_func=lambda n: f"{n} ({counts[n]:,} 件)",
                    help="取組項目と実践項目は別々に集計します (同じ取組を二重に数えないため)")


def grade_card(filters: Filters, level: str) -> None:
    # The 件数/割合 switch sits above the chart; its state is read first to build the card.
    share = SHARE if st.session_state.get(SHARE_KEY) == SHARE else COUNT
    spec = recipe_card("trends.grades", filters, {"level": level, "share": share})
    if spec is None:
        empty("総合評価の記録")
        return
    st.segmented_control("表示", [COUNT, SHARE], key=SHARE_KEY, default=COUNT, label_visibility="collapsed")
    chart_card(spec, key="trends_grades")


def criterion_card(filters: Filters, level: str) -> None:
    spec = recipe_card("trends.criteria", filters, {"level": level})
    if spec is not None:
        chart_card(spec, key="trends_criteria")
        return
    summary = trends.criterion_means(filters, level).filter(pl.col("fiscal_year").is_null())
    with st.container(border=True):
        st.markdown("#### 観点別スコアの推移")
        empty(f"{level}の年度ごとの観点別スコア")
        if not summary.is_empty():
            st.caption("総括 (計画期間) の平均: " + "　".join(
                f"{md(r['criterion'], inline=True)} **{r['score']:.2f}**" for r in summary.iter_rows(named=True)))


def _mover_view(ranked: pl.DataFrame, years: list[str], one_town: bool) -> pl.DataFrame:
    view = ranked.select(
        pl.col("municipality").alias("自治体"), pl.col("level").alias("階層"), pl.col("code").alias("番号"),
        pl.col("title").alias("取組名"), *[pl.col(c).fill_null(NO_VALUE) for c in years], pl.col("trend").alias("推移"),
        pl.col("change").alias("変化"))
    return view.drop("自治体") if one_town else view


def movers_section(filters: Filters, level: str) -> None:
    summary = trends.mover_summary(filters, level)
    if summary.rows == 0:
        return
    st.markdown(f"#### {md(level, inline=True)}ごとの総合評価の推移")
    counts = summary.counts
    head, pick = st.columns([3, 1])
    head.caption(f"最初と最後の年度の総合評価を比べて、改善 **{counts.improved:,}** 件・悪化 **{counts.declined:,}** 件・"
                 f"変わらず **{counts.unchanged:,}** 件 (年度の評価が1回だけ: {counts.single:,} 件)。"
                 "推移の線は A=4, B=3, C=2, D=1 として描いています。")
    order = pick.selectbox("並べ方", trends.MOVER_ORDERS, key=ORDER_KEY)
    year_columns = [fy_label(y) for y in summary.years] + [fy_label(None)]
    one_town = summary.municipalities == 1
    offset, limit = pager(summary.rows, "trends_movers", scope=(filters, level, order), label="推移の表のページ")
    view = _mover_view(trends.mover_page(filters, level, order, offset, limit), year_columns, one_town)
    # A page is at most 500 rows × ~12 columns: within pandas Styler's 262,144 cells.
    styler = view.drop("階層").to_pandas().style.map(grade_style, subset=year_columns)
    height = min(420, 35 * (len(view) + 1) + 3)
    data_table(styler, height=height, key="trends_movers", column_config={
        "番号": st.column_config.TextColumn(width="small"),
        "取組名": st.column_config.TextColumn(width="medium"),
        "推移": st.column_config.LineChartColumn("推移", y_min=1, y_max=4, width="small",
                                                 help="年度ごとの総合評価 (A=4 … D=1)、古い順"),
        "変化": st.column_config.NumberColumn(width="small", format="%+d", help="最後の年度の評価 − 最初の年度の評価 (段階)"),
        **{c: st.column_config.TextColumn(width="small") for c in year_columns},
    })
    lazy_table_downloads(
        lambda: _mover_view(trends.all_movers(filters, level, order), year_columns, one_town).drop("推移"),
        (summary.rows, view.width - 1), f"{level}の総合評価の推移", filters, key="trends_movers_dl")


def committee_section(filters: Filters) -> None:
    pairs = trends.committee_pairs(filters)
    if pairs.is_empty():
        return
    st.markdown("#### 自己評価と委員評価")
    gaps = trends.disagreements(pairs)
    left, right = st.columns(2)
    with left:
        chart_card(recipe_card("trends.committee", filters), key="trends_committee")
    with right:
        with st.container(border=True):
            st.markdown("#### 評価が食い違う取組")
            st.caption("自己評価合計と委員評価をそれぞれ標準化 (平均との差 ÷ 標準偏差) し、"
                       "「委員評価 − 自己評価」の差の大きい順に最大5件。"
                       "差が＋なら委員評価が自己評価より相対的に高く、−なら低い取組です。")
            if gaps.is_empty():
                empty("比べられる取組 (3件以上)")
                return
            data_table(gaps.select(
                pl.format("No.{} {}", pl.col("code"), pl.col("title")).alias("取組項目"),
                pl.col("self_total").alias("自己評価合計"), pl.col("committee").alias("委員評価"),
                pl.col("gap").round(2).alias("差")), column_config={
                    "取組項目": st.column_config.TextColumn(width="medium"),
                    "自己評価合計": st.column_config.NumberColumn(format="%.1f", help="自己評価合計 (0–12)"),
                    "委員評価": st.column_config.NumberColumn(format="%.1f", help="委員評価 (1–5)"),
                    "差": st.column_config.NumberColumn(format="%+.2f",
                                                       help="標準化した委員評価 − 標準化した自己評価合計"),
                })


def screen() -> None:
    filters = current_filters()
    st.title("評価の推移")
    scope_note(filters)
    level = pick_level(filters)
    if level is None:
        empty("総合評価・観点別スコアの記録がある取組")
        committee_section(filters)
        return
    left, right = st.columns(2)
    with left:
        grade_card(filters, level)
    with right:
        criterion_card(filters, level)
    movers_section(filters, level)
    committee_section(filters)


screen()
