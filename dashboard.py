"""行革ダッシュボード entry point: page setup, navigation over app_pages/, the shared filter bar,
and around the page: print styles, the deck buttons, or 発表モード (presentation mode).

The screens live in app_pages/, not pages/: a pages/ folder next to the entry point switches
Streamlit into its legacy multipage mode, which a first visitor of a deep link (/explorer) would
get instead of this navigation. Every screen runs through ``guarded`` once, here."""
from pathlib import Path

# Every session's script run imports these whole before any chart is drawn. Altair (through
# narwhals) looks pandas up in sys.modules without importing it, so on a server that has just
# started, sessions arriving together could find pandas half-imported by another session's thread
# ("partially initialized module 'pandas' has no attribute 'Timestamp'": python -m bench load
# --replicas 2, whose second replica meets its first visitors cold). An import statement waits
# for a module another thread is importing; a sys.modules lookup does not.
import numpy  # noqa: F401
import pandas  # noqa: F401
import polars  # noqa: F401
import pyarrow  # noqa: F401

import streamlit as st

from ui import access, accessibility, basket, presentation
from ui.deck import offer_deck, page_charts, start_page
from ui.filter_bar import current_filters, render_filter_bar
from ui.messages import build_error_banner, guarded, warehouse_missing
from ui.printing import prepare_print
from warehouse import WarehouseMissing, warehouse_version

# A file, not a :material/…: icon: Streamlit fetches those from fonts.gstatic.com, which closed
# municipal networks block (the tab would show a broken icon after a failed lookup).
st.set_page_config(page_title="行革ダッシュボード", page_icon=str(Path(__file__).parent / "ui" / "favicon.svg"),
                   layout="wide")

PAGES = {
    "ダッシュボード": [
        st.Page("app_pages/overview.py", title="概要", icon=":material/dashboard:", default=True),
        st.Page("app_pages/explorer.py", title="取組一覧", icon=":material/table_view:", url_path="explorer"),
        st.Page("app_pages/deck.py", title="資料の作成", icon=":material/slideshow:", url_path="deck"),
    ],
    "分析": [
        st.Page("app_pages/trends.py", title="評価の推移", icon=":material/trending_up:", url_path="trends"),
        st.Page("app_pages/radar.py", title="レーダー", icon=":material/radar:", url_path="radar"),
        st.Page("app_pages/fiscal.py", title="財政効果", icon=":material/payments:", url_path="fiscal"),
        st.Page("app_pages/indicators.py", title="指標", icon=":material/flag:", url_path="indicators"),
    ],
    "取組・事例": [
        st.Page("app_pages/kaizen.py", title="改善取組", icon=":material/lightbulb:", url_path="kaizen"),
        st.Page("app_pages/cases.py", title="事例", icon=":material/library_books:", url_path="cases"),
        st.Page("app_pages/compare.py", title="比較", icon=":material/compare_arrows:", url_path="compare"),
    ],
    "データ": [
        st.Page("app_pages/quality.py", title="データ品質", icon=":material/fact_check:", url_path="quality"),
        st.Page("app_pages/data_import.py", title="データの取り込み", icon=":material/upload_file:", url_path="data_import"),
    ],
}

# URL parameters a page keeps besides the shared filters (a selected row, chosen profiles,
# the deck builder's chosen charts).
PAGE_PARAMS = {"explorer": ("id",), "radar": ("r1", "r2", "r3", "r4"), "deck": (basket.PARAM,),
               "compare": ("k",)}

accessibility.apply()  # lang="ja" and the focus ring, on the login screen too
navigation = access.navigation(PAGES)  # only the pages this role may use; anonymous: login screen
guarded(build_error_banner)
try:
    warehouse_version()
except WarehouseMissing:
    st.title("行革ダッシュボード")
    warehouse_missing()
    st.stop()

guarded(basket.start)  # before the filter bar drops the deck parameter from other pages' URLs
guarded(lambda: render_filter_bar(navigation.url_path or "overview", PAGE_PARAMS.get(navigation.url_path, ())))
if not presentation.active():
    access.sidebar_account()
start_page()
if presentation.active():
    with presentation.stage():
        guarded(navigation.run)
    guarded(lambda: presentation.show(navigation.title, page_charts(), current_filters()))
else:
    guarded(lambda: prepare_print(navigation.title, current_filters()))
    guarded(navigation.run)
    guarded(lambda: offer_deck(navigation.title, current_filters()))
    guarded(lambda: basket.offer_basket(navigation.url_path))
    if page_charts():
        presentation.offer_toggle()
