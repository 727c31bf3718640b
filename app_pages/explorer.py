"""取組一覧 (initiative explorer): the filtered slice as a paged table (each page read from the
warehouse on its own, so 100,000 initiatives cost what 100 do); a selected row opens its detail."""
import streamlit as st

from cards.deck import source_documents
from ui.detail import render_detail
from ui.downloads import lazy_table_downloads
from ui.filter_bar import current_filters, sync_url
from ui.markdown import md
from ui.messages import empty
from ui.paging import pager
from ui.tables import EXPLORER_COLUMNS, column_config, data_table, explorer_frame, styled
from warehouse import Filters, explorer, queries
from warehouse.explorer import EVALUATED_FIRST, ORDERS
from warehouse.filters import municipality_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_exports(municipality: str | None) -> None:
    """The municipality's documents in the import template's form (edit and re-import)."""
    if not municipality:
        return
    docs = source_documents(Filters(municipality=municipality))
    for document_id, title in zip(docs["document_id"], docs["title"]):
        st.download_button(
            md(f"取り込みテンプレート形式で書き出し ({title[:24]}{'…' if len(title) > 24 else ''})"),
            data=lambda d=document_id: queries.template_workbook(municipality, d),
            file_name=f"{municipality_label(municipality)}_{document_id}.xlsx", mime=XLSX, icon=":material/upload_file:",
            key=f"template_export_{document_id}", on_click="ignore",
            help="この文書の全データ (取組・評価・指標・財政効果・記述) をテンプレートの形にします。"
                 "直して「データの取り込み」から戻せます")


def screen() -> None:
    filters = current_filters()
    st.title("取組一覧")
    total = explorer.row_count(filters)
    st.caption(f"{total:,} 件の取組")
    if total == 0:
        empty("条件に合う取組")
        return

    order = st.segmented_control("並び順", ORDERS, default=EVALUATED_FIRST, key="explorer_order",
                                 help="評価のある取組から: 総合評価・観点別スコア・委員評価のある取組を先に。"
                                      "文書の順: 自治体・階層・文書の掲載順") or EVALUATED_FIRST
    wanted = st.query_params.get("id")
    offset, limit = pager(total, "explorer", scope=(filters, order),
                          start_row=lambda: explorer.position(filters, order, wanted) if wanted else None,
                          label="取組一覧のページ")
    rows = explorer.page_rows(filters, order, offset, limit)
    table = explorer_frame(rows)
    # Keyed by the page: a selection means a row of the page it was made on.
    event = data_table(styled(table), column_config=column_config(),
                       height=460, on_select="rerun", selection_mode="single-row",
                       key=f"explorer_table_{order}_{offset}_{limit}")
    lazy_table_downloads(lambda: explorer_frame(explorer.all_rows(filters, order)), (total, len(EXPLORER_COLUMNS)),
                         "取組一覧", filters, key="取組一覧")
    template_exports(filters.municipality)

    ids = rows["initiative_id"].to_list()
    picked = event.selection.rows if event and event.selection else []
    selected = ids[picked[0]] if picked else wanted
    if selected and selected not in ids and not explorer.in_slice(filters, selected):
        selected = None
    sync_url(filters, id=selected)
    st.divider()
    if selected:
        render_detail(selected)
    else:
        st.info("表の行を選ぶと、階層・年度ごとの評価・記述・財政効果・出典を表示します。", icon=":material/touch_app:")


screen()
