"""財政効果 (fiscal effects): amounts by year, kind and initiative, the plan's stated total next to
the counted total, and every amount traced to its sentence (根拠), its meaning and source line.
Whether an amount is counted comes from the warehouse (``counted`` / ``excluded_reason``)."""
import polars as pl
import streamlit as st

from cards import recipe_card
from cards.fiscal import PAGE
from ui import national
from ui.cards import chart_card
from ui.downloads import lazy_table_downloads, table_downloads
from ui.filter_bar import current_filters
from ui.markdown import md
from ui.messages import empty
from ui.paging import pager
from ui.scope import scope_caption as page_scope
from ui.tables import data_table
from warehouse import fiscal
from yen import yen_text

YEN = st.column_config.NumberColumn(format="localized")
LINK = st.column_config.LinkColumn("取組一覧", display_text="開く", width="small",
                                   help="取組一覧 (新しいタブ) でこの取組の詳細を開きます")


def scope_caption(filters) -> str:
    initiatives = "条件に合う取組の金額のみ"
    return page_scope(filters, PAGE, {"fiscal_year": "その年度の金額のみ。年度不明の金額は年度で絞り込むと表示されません",
                                      "theme": initiatives, "department": initiatives, "grade": initiatives,
                                      "search": initiatives})


def metrics(rows: pl.DataFrame) -> None:
    sums = fiscal.totals(rows)
    headline = fiscal.headline(rows)
    a, b, c, d = st.columns(4)
    a.metric(md(f"財政効果額（{headline.whose}）") if headline.count else "財政効果額", headline.text,
             help=f"{headline.yen:,} 円。文書の金額のうち集計するもの (counted) の合計。"
                  "費用・予算額・目標額・計画の記載・重複・再掲は除きます")
    b.metric("うち年度の分かる金額", yen_text(sums.dated), help=f"{sums.dated:,} 円")
    c.metric("うち年度不明の金額", yen_text(sums.undated),
             help=f"{sums.undated:,} 円 ({sums.undated_count} 件)。年度別のグラフには入らず、表に「年度不明」と表示")
    d.metric("集計から除いた金額", yen_text(sums.excluded_total), help=md(fiscal.excluded_text(sums)))


def comparison(filters, rows: pl.DataFrame) -> None:
    """One comparison per plan that states a total; above ``national.DOCUMENT_CARDS_UP_TO`` plans,
    a table of all of them and the comparisons of the ``national.TOP_DOCUMENTS`` largest."""
    compared = fiscal.compared_documents(filters, rows)
    shown = None
    if compared.height > national.DOCUMENT_CARDS_UP_TO:
        compared = compared.sort(["計画の記載(円)", "document_id"], descending=[True, False])
        shown = compared["document_id"].head(national.TOP_DOCUMENTS).to_list()
        st.markdown("### 計画の記載との比較 (文書ごと)")
        st.caption(f"{compared.height:,} 文書に計画の記載 (財政効果額の総額) があるため、一文書一行の表にまとめ、"
                   f"内訳とグラフは計画の記載の大きい順に上位 {len(shown)} 文書だけを表示しています。"
                   "ほかの文書は表の見出しで並べ替えて探すか、サイドバーで自治体を選ぶとその自治体の内訳が出ます。"
                   + ("この比較は文書全体の金額で行います (自治体以外の絞り込みは反映しません)。"
                      if filters.fiscal_year is not None or fiscal.narrows(filters) else ""))
        table = compared.drop("document_id")
        data_table(table, height=380, key="fiscal_documents",
                   column_config={c: YEN for c in table.columns if c.endswith("(円)")}
                   | {"文書": st.column_config.TextColumn(width="medium")})
        table_downloads(table, "計画の記載との比較", filters, key="fiscal_documents")
    for r in fiscal.comparisons(filters, rows, shown):
        st.markdown(f"### 計画の記載との比較 — {md(r.municipality, inline=True)}")
        if filters.fiscal_year is not None or fiscal.narrows(filters):
            st.caption("この比較は文書全体の金額で行います (自治体以外の絞り込みは反映しません)。")
        st.info(md(r.explanation), icon=":material/calculate:")
        chart_card(recipe_card("fiscal.compare", filters, {"document": r.document_id}),
                   key=f"fiscal_compare_{r.document_id}")
        st.markdown("#### 主な取組ごとの内訳")
        data_table(r.items,
                   column_config={"計画の記載(円)": YEN, "集計(円)": YEN, "差(円)": YEN,
                                  "取組一覧": LINK, "取組": st.column_config.TextColumn(width="medium"),
                                  "内訳": st.column_config.TextColumn(width="large")})


def charts_section(filters, rows: pl.DataFrame) -> None:
    by_year = recipe_card("fiscal.by_year", filters)
    if by_year is None:
        sums = fiscal.totals(rows)
        st.info(f"年度の分かる金額がないため、年度別・累計のグラフはありません。年度不明の {yen_text(sums.undated)} "
                f"({sums.undated_count} 件) は取組別のグラフと下の表に示します。", icon=":material/info:")
    else:
        chart_card(by_year, key="fiscal_by_year")
        chart_card(recipe_card("fiscal.cumulative", filters), key="fiscal_cumulative")
    chart_card(recipe_card("fiscal.by_initiative", filters), key="fiscal_by_initiative")


def trace(filters, rows: pl.DataFrame) -> None:
    st.markdown("### 金額の根拠")
    st.caption("すべての金額を、拾い出した文 (根拠) と出典の行 (ファイル:行) とともに示します。"
               "「性質」は実績・見込・予算などと毎年度・累計・約・以上の別、「集計」列は合計に入れたかどうかと、"
               "入れない理由です。行を選ぶと取組一覧で開くリンクが出ます。")
    rows_shown = trace_page(filters, rows)
    table = fiscal.trace_table(rows_shown)
    event = data_table(
        table, height=420, on_select="rerun", selection_mode="single-row",
        key="fiscal_trace",
        column_config={"金額(円)": YEN, "取組一覧": LINK, "根拠": st.column_config.TextColumn(width="large"),
                       "取組": st.column_config.TextColumn(width="medium")})
    if rows_shown.height == rows.height:
        table_downloads(table.drop("取組一覧"), "財政効果額の根拠", filters, key="fiscal_trace")
    else:  # every amount in the files, built only when a button is clicked
        lazy_table_downloads(lambda: fiscal.trace_of(filters).drop("取組一覧"), (rows.height, table.width - 1),
                             "財政効果額の根拠", filters, key="fiscal_trace")
    picked = event.selection.rows if event and event.selection else []
    if picked:
        row = rows_shown.row(picked[0], named=True)
        if row["initiative_id"]:
            st.page_link("app_pages/explorer.py", label=md(f"取組一覧で「{table['取組'][picked[0]]}」を開く"),
                         icon=":material/open_in_new:", query_params={"id": row["initiative_id"]})


def trace_page(filters, rows: pl.DataFrame) -> pl.DataFrame:
    """The rows of 金額の根拠 on screen: all of them up to ``national.TRACE_ROWS_PER_PAGE``, above
    it one page (``ui.paging.pager``; the download keeps every row) and a sentence saying so."""
    if rows.height <= national.TRACE_ROWS_PER_PAGE:
        return rows
    st.caption(f"金額は {rows.height:,} 件あるため、ページに分けて表示しています。ページを移るか、サイドバーで自治体を"
               "選んで絞り込んでください。ダウンロードにはすべての金額が入ります。")
    offset, size = pager(rows.height, "fiscal_trace", scope=filters, label="金額の根拠")
    return rows.slice(offset, size)


def screen() -> None:
    filters = current_filters()
    st.title("財政効果")
    st.caption(md(scope_caption(filters)))
    rows = fiscal.fiscal_slice(filters)
    if rows.is_empty():
        empty("条件に合う財政効果額の記載")
        return
    metrics(rows)
    comparison(filters, rows)
    st.markdown("### 年度別・取組別")
    if fiscal.effects(rows).is_empty():
        empty("集計できる財政効果額")
    else:
        charts_section(filters, rows)
    trace(filters, rows)


screen()
