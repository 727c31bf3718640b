"""What users see when something is missing or wrong: short Japanese text and the next step."""
from __future__ import annotations

import logging
import subprocess
import sys

import duckdb
import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from settings import ROOT, raw_dir, warehouse_path
from ui import access
from warehouse import WarehouseMissing

log = logging.getLogger("gyokaku")
BUILD_ERROR = "warehouse_build_error"  # why the last 「倉庫を作成する」 failed, shown once


def empty(what: str = "条件に合うデータ") -> None:
    st.info(f"{what}がありません。サイドバーの絞り込み条件をゆるめるか、「条件をクリア」を押してください。",
            icon=":material/search_off:")


def warehouse_missing() -> None:
    if not access.may_edit():  # building writes the warehouse: 編集 only
        st.warning(f"データ倉庫 ({warehouse_path().name}) がまだありません。管理者に作成を依頼してください"
                   "（端末で `python -m etl`）。", icon=":material/database:")
        return
    st.warning(f"データ倉庫 ({warehouse_path().name}) がまだありません。"
               "次のボタンで作成するか、端末で `python -m etl` を実行してください。", icon=":material/database:")
    if error := st.session_state.pop(BUILD_ERROR, None):
        st.error(error, icon=":material/error:")
    st.button("倉庫を作成する", type="primary", on_click=_build_warehouse)


def _build_warehouse() -> None:
    """(on_click) Run the ETL; the rerun that follows the click shows the app, or why it failed."""
    if not access.may_edit():  # checked at the click too: a crafted rerun builds nothing
        return
    with st.spinner("data/raw/ の文書を取り込んでいます…"):
        result = subprocess.run([sys.executable, "-m", "etl", "--quiet", "--raw", str(raw_dir()),
                                 "--out", str(warehouse_path())], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        st.session_state[BUILD_ERROR] = (result.stderr.strip().splitlines()[0] if result.stderr.strip()
                                         else "作成に失敗しました。")


def failure(error: Exception) -> None:
    log.exception("page failed", exc_info=error)
    if isinstance(error, duckdb.Error):
        st.error("データ倉庫を読めませんでした。`python -m etl` で作り直してから、ページを再読み込みしてください。",
                 icon=":material/error:")
    else:
        st.error("この画面の表示中に問題が起きました。絞り込み条件を変えるか、ページを再読み込みしてください。"
                 "続く場合は管理者に連絡してください。", icon=":material/error:")


def guarded(render) -> None:
    """Run a screen; turn a missing warehouse or a failure into a message instead of a traceback."""
    try:
        render()
    except WarehouseMissing:
        warehouse_missing()
    except ScriptControlException:  # st.stop() / st.rerun() must pass through
        raise
    except Exception as error:  # noqa: BLE001 - the user gets a message, the log gets the trace
        failure(error)
