"""データの取り込み (import): an office's own data from the Excel template.

Download the template, upload the filled workbook, see every problem at once (sheet, row,
column), and — only for a workbook without errors and after confirmation — rebuild the
warehouse with it. The new municipality then appears on every page like the built-in ones.
"""
import hashlib

import polars as pl
import streamlit as st

from etl.errors import EtlError
from etl.upload import import_workbook
from etl.workbook import MAX_DATA_ROWS, MAX_FILE_BYTES, WorkbookCheck, check, template_bytes
from settings import raw_dir, warehouse_path
from ui.filter_bar import set_filter
from ui.messages import guarded
from warehouse import queries

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DONE = "import_done"  # (file name, municipality) of the last successful import
ROUND = "import_round"  # a new uploader (empty) after each import


@st.cache_data(max_entries=8, show_spinner=False)
def _checked(digest: str, _data: bytes, name: str) -> WorkbookCheck:
    """Validation is pure; reruns of the page reuse it (keyed by the file's digest)."""
    return check(_data, name)


def template_section() -> None:
    st.markdown("#### 1. テンプレート")
    st.caption("計画・取組・評価・指標・財政効果のシートに記入します。「説明」シートに列の意味、選べる値、記入例があります。"
               f"年度は 2021・R3・令和3年度 のどれでも書けます。上限: ファイル {MAX_FILE_BYTES // 2**20} MB、"
               f"各シート {MAX_DATA_ROWS:,} 行。マクロ付きブック (.xlsm) や .xls は取り込めません。")
    st.download_button("テンプレートをダウンロード (.xlsx)", data=template_bytes, file_name="行革ダッシュボード_取込テンプレート.xlsx",
                       mime=XLSX, icon=":material/download:", key="import_template", on_click="ignore")


def problem_table(problems) -> pl.DataFrame:
    return pl.DataFrame({
        "シート": [p.sheet or "—" for p in problems],
        "行": [p.row for p in problems],
        "列": [p.column or "—" for p in problems],
        "内容": [p.message_ja for p in problems],
    }, schema={"シート": pl.String, "行": pl.Int64, "列": pl.String, "内容": pl.String})


def summary(result: WorkbookCheck) -> None:
    plan = result.plan
    if plan and plan.municipality:
        period = "〜".join(str(y) for y in (plan.start_fy, plan.end_fy) if y) or "期間の記載なし"
        st.markdown(f"**{plan.municipality}**（{plan.prefecture or '都道府県の記載なし'}）　{plan.title or ''}　{period}")
    if result.counts:
        st.caption("読み取った行数: " + "　".join(f"{sheet} {n:,}" for sheet, n in result.counts.items()))


def replaced_file(name: str) -> bool:
    return (raw_dir() / name).exists()


def confirm(result: WorkbookCheck, name: str, data: bytes) -> None:
    municipality = result.plan.municipality if result.plan else None
    if replaced_file(name):
        st.warning(f"同じ名前のブック {name} がすでに取り込まれています。取り込むと置き換えます。", icon=":material/sync:")
    if st.button(f"{municipality or 'このブック'}のデータを取り込む", type="primary", icon=":material/upload:",
                 key="import_confirm"):
        with st.spinner("倉庫を作り直しています…"):
            try:
                import_workbook(data, name, raw_dir(), warehouse_path())
            except EtlError as error:
                st.error(f"取り込めませんでした ({error.stage}): {error}\n\n以前のデータはそのまま残っています。",
                         icon=":material/error:")
                return
        st.session_state[DONE] = (name, municipality)
        st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
        st.rerun()


def done_message() -> None:
    name, municipality = st.session_state[DONE]
    st.success(f"{name} を取り込みました。{municipality or ''} のデータが全画面で使えます。", icon=":material/check_circle:")
    if municipality and municipality in queries.filter_choices(None).municipalities:
        if st.button(f"{municipality}の概要を見る", icon=":material/dashboard:", key="import_open"):
            set_filter("municipality", municipality)
            st.switch_page("pages/overview.py")


def upload_section() -> None:
    st.markdown("#### 2. ブックを選んで確かめる")
    upload = st.file_uploader("記入したブック (.xlsx)", key=f"import_file_{st.session_state.get(ROUND, 0)}",
                              help="ここでは確認だけを行います。取り込むのは、下のボタンを押したときです。")
    if upload is None:
        return
    data = upload.getvalue()
    result = _checked(hashlib.sha256(data).hexdigest(), data, upload.name)
    summary(result)
    if result.errors:
        st.error(f"エラーが {len(result.errors):,} 件あるため、このブックは取り込めません。"
                 "直してから、もう一度選んでください。", icon=":material/block:")
        st.dataframe(problem_table(result.errors), hide_index=True, width="stretch", key="import_errors",
                     column_config={"内容": st.column_config.TextColumn(width="large")})
    if result.warnings:
        st.warning(f"注意が {len(result.warnings):,} 件あります（取り込みは止めません。データ品質の画面に記録されます）。",
                   icon=":material/warning:")
        st.dataframe(problem_table(result.warnings), hide_index=True, width="stretch", key="import_warnings",
                     column_config={"内容": st.column_config.TextColumn(width="large")})
    if result.ok:
        st.markdown("#### 3. 取り込む")
        if not result.warnings:
            st.success("問題は見つかりませんでした。", icon=":material/task_alt:")
        confirm(result, upload.name, data)


def screen() -> None:
    st.title("データの取り込み")
    st.caption("自団体の評価データを Excel のテンプレートに記入して取り込むと、組み込みの5つの文書と同じように"
               "すべての画面で見られます。ブックは data/raw/ に保存され、次回の `python -m etl` でも読み込まれます。"
               "この画面はサイドバーの絞り込みとは関係ありません。")
    if DONE in st.session_state:
        done_message()
    template_section()
    upload_section()


guarded(screen)
