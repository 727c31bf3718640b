"""データ品質 (data quality): everything the ETL recorded while reading the documents.

Corrections (訂正) from the corrections file, repairs (修復), disagreements between copies
(写しの不一致), totals that do not add up (集計の不一致), skipped, unparsed and missing parts, and
notes (情報) — grouped by document and kind, each row linked to the affected initiative.
"""
import streamlit as st

from cards import recipe_card
from cards.quality import PAGE, scoped
from ui.cards import chart_card
from ui.downloads import table_downloads
from ui.filter_bar import current_filters
from ui.markdown import md
from ui.messages import build_error_details, empty
from ui.scope import scope_caption
from ui.tables import data_table
from vocab import QUALITY_HELP, kind_label, kind_order
from warehouse import quality


def _scope_note(filters) -> None:
    st.caption(scope_caption(filters, PAGE, {"municipality": "文書または対象の取組の自治体",
                                             "search": "内容・場所・対応・取組名"}))


def _kind_legend(kinds: list[str]) -> None:
    with st.expander("種類の説明"):
        st.markdown("\n".join(f"- **{md(kind_label(k), inline=True)}**: {md(QUALITY_HELP.get(k, '文書の取り込み時の記録'), inline=True)}"
                              for k in kind_order(kinds)))


def screen() -> None:
    filters = current_filters()
    st.title("データ品質")
    st.caption("文書の取り込み (python -m etl) で記録した訂正・修復・不一致などの一覧です。"
               "元の文書はそのままに、ダッシュボードの値がどこでどう直されたかを確かめられます。")
    build_error_details()
    _scope_note(filters)
    rows = scoped(filters)
    if rows.is_empty():
        empty("条件に合うデータ品質の記録")
        return

    documents = quality.quality_documents(rows)
    kinds = kind_order([k for k in rows["kind"].to_list() if k is not None])
    a, b = st.columns(2)
    picked_docs = a.multiselect("文書", documents, key="quality_documents", placeholder="すべて")
    picked_kinds = b.multiselect("種類", kinds, key="quality_kinds", placeholder="すべて",
                                 format_func=kind_label)
    rows = quality.pick_quality(rows, picked_docs, picked_kinds)
    if rows.is_empty():
        empty("選んだ文書・種類の記録")
        return
    _kind_legend(kinds)

    counts = recipe_card("quality.counts", filters, {"documents": picked_docs, "kinds": picked_kinds})
    chart_card(counts, key="quality_counts")
    total, linked = st.columns([1, 3])
    total.metric("記録の合計", f"{rows.height:,} 件")
    linked.metric("取組に結び付く記録", f"{rows['initiative_id'].drop_nulls().len():,} 件",
                  help="対象の取組が分かる記録。表の「開く」から取組一覧で確かめられます")
    st.markdown("#### 文書別・種類別の件数表")
    data_table(quality.quality_matrix(counts.table))

    st.markdown(f"#### 記録 ({rows.height:,} 件)")
    table = quality.quality_table(rows)
    data_table(table, height=420, column_config={
        "内容": st.column_config.TextColumn(width="large"),
        "対応": st.column_config.TextColumn(width="medium"),
        "場所": st.column_config.TextColumn(width="medium"),
        "取組一覧": st.column_config.LinkColumn("取組一覧", display_text="開く",
                                              help="対象の取組を取組一覧で開きます"),
    })
    table_downloads(table, "データ品質", filters, key="quality_rows")

    corrections = quality.corrections_table(rows)
    if not corrections.is_empty():
        st.markdown(f"#### 訂正ファイル (data/raw/corrections.csv) の適用 ({corrections.height:,} 件)")
        st.caption("訂正ファイルの 1 行が文書の 1 か所を直します。理由は訂正ファイルに書かれたものです。")
        data_table(corrections, height=320, column_config={
            "理由": st.column_config.TextColumn(width="large"),
            "訂正ファイルの行": st.column_config.NumberColumn(format="%d"),
        })


screen()
