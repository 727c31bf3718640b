"""行革ダッシュボード entry point: page setup, navigation over pages/, the shared filter bar."""
import streamlit as st

from ui.filter_bar import render_filter_bar
from ui.messages import guarded, warehouse_missing
from warehouse import WarehouseMissing, warehouse_version

st.set_page_config(page_title="行革ダッシュボード", page_icon=":material/account_balance:", layout="wide")

PAGES = {
    "ダッシュボード": [
        st.Page("pages/overview.py", title="概要", icon=":material/dashboard:", default=True),
        st.Page("pages/explorer.py", title="取組一覧", icon=":material/table_view:", url_path="explorer"),
    ],
    "取組・事例": [
        st.Page("pages/kaizen.py", title="改善取組", icon=":material/lightbulb:", url_path="kaizen"),
        st.Page("pages/cases.py", title="事例", icon=":material/library_books:", url_path="cases"),
        st.Page("pages/quality.py", title="データ品質", icon=":material/fact_check:", url_path="quality"),
    ],
}

navigation = st.navigation(PAGES)
try:
    warehouse_version()
except WarehouseMissing:
    st.title("行革ダッシュボード")
    warehouse_missing()
    st.stop()

guarded(render_filter_bar)
navigation.run()
