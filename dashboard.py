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
