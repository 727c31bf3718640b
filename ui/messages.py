"""What users see when something is missing or wrong: short Japanese text and the next step."""
from __future__ import annotations

import logging
import subprocess
import sys

import duckdb
import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from etl.build_status import BuildFailure, read_failure
from settings import ROOT, raw_dir, warehouse_path
from ui import access
from ui.downloads import JST
from ui.markdown import md
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
        st.error(md(error), icon=":material/error:")  # quotes the documents' text
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


def last_build_failure() -> BuildFailure | None:
    """The failure ``python -m etl`` recorded beside the warehouse (removed by the next success)."""
    return read_failure(warehouse_path())


def may_see_build_errors() -> bool:
    """Who is told that the last build failed: editors (``ui.access``), who can fix data/raw;
    viewers see the previous warehouse's data as always."""
    return access.may_edit()


def build_error_banner() -> None:
    """One line above every page while the last ``python -m etl`` failed: the dashboard shows the
    previous warehouse, and データ品質 has the whole message."""
    failed = last_build_failure() if may_see_build_errors() else None
    if failed is None or not warehouse_path().exists():  # no warehouse: warehouse_missing() says why
        return
    first = failed.message.splitlines()[0] if failed.message else ""
    st.error(f"前回の倉庫の作成に失敗しました（{failed.failed_at.astimezone(JST):%Y-%m-%d %H:%M}、{md(failed.stage)}）。"
             f"以前の倉庫のデータを表示しています。  \n{md(first)}  \n詳しくは「データ品質」の画面を見てください。",
             icon=":material/sync_problem:")


def build_error_details() -> None:
    """The whole message of the last failed build, as text (データ品質)."""
    failed = last_build_failure() if may_see_build_errors() else None
    if failed is None:
        return
    with st.container(border=True):
        st.markdown("#### 前回の倉庫の作成の失敗")
        st.caption(md(f"{failed.failed_at.astimezone(JST):%Y-%m-%d %H:%M} ・ {failed.stage} ・ 元の文書: {failed.raw}。"
                      "画面には以前の倉庫のデータを表示しています。入力を直して python -m etl を実行すると、この表示は消えます。"))
        st.code(failed.message, language=None, wrap_lines=True)


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
