"""データの取り込み (import): an office's own data from the Excel template.

Download the template, upload the filled workbook, see every problem at once (sheet, row,
column), and — only for a workbook without errors and after confirmation — rebuild the
warehouse with it. The new municipality then appears on every page like the built-in ones.

Below that, editors see the import history (取り込みの履歴, ``etl.history``): who changed the
data when, an undo of the newest change and a delete per imported workbook, each confirmed
in a second step and each refused in its own code path for a session that may not edit.
"""
import hashlib

import polars as pl
import streamlit as st

from etl import history
from etl.errors import EtlError, WorkbookError
from etl.removal import delete_document, imported_documents
from etl.upload import import_workbook, safe_file_name
from etl.workbook import MAX_DATA_ROWS, MAX_FILE_BYTES, WorkbookCheck, check, template_bytes
from settings import raw_dir, warehouse_path
from ui import narrowing
from ui.access import may_edit, require_edit, user_label
from ui.filter_bar import set_filter
from ui.markdown import md
from ui.tables import data_table
from warehouse import queries
from warehouse.municipalities import municipality_key

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DONE = "import_done"  # (file name, municipality) of the last successful import
ROUND = "import_round"  # a new uploader (empty) after each import
ASK_UNDO = "history_ask_undo"  # id of the history entry whose undo awaits confirmation
ASK_DELETE = "history_ask_delete"  # document_id whose deletion awaits confirmation
CHANGED = "history_changed"  # the message after an undo or a delete, shown once


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
        "シート": [p.sheet for p in problems],  # none: 「—」 (data_table)
        "行": [p.row for p in problems],
        "列": [p.column for p in problems],
        "内容": [p.message_ja for p in problems],
    }, schema={"シート": pl.String, "行": pl.Int64, "列": pl.String, "内容": pl.String})


def summary(result: WorkbookCheck) -> None:
    plan = result.plan
    if plan and plan.municipality:
        period = "〜".join(str(y) for y in (plan.start_fy, plan.end_fy) if y) or "期間の記載なし"
        st.markdown(f"**{md(plan.municipality, inline=True)}**（{md(plan.prefecture or '都道府県の記載なし', inline=True)}）"
                    f"　{md(plan.title or '', inline=True)}　{md(period, inline=True)}")
    if result.counts:
        st.caption(md("読み取った行数: " + "　".join(f"{sheet} {n:,}" for sheet, n in result.counts.items())))


def replaced_file(name: str) -> bool:
    return (raw_dir() / name).exists()


def confirm(result: WorkbookCheck, name: str, data: bytes) -> None:
    municipality = result.plan.municipality if result.plan else None
    if replaced_file(name):
        st.warning(md(f"同じ名前のブック {name} がすでに取り込まれています。取り込むと置き換えます。"), icon=":material/sync:")
    if st.button(md(f"{municipality or 'このブック'}のデータを取り込む"), type="primary", icon=":material/upload:",
                 key="import_confirm"):
        require_edit()  # the role now, at the click: not the one the page was drawn for
        with st.spinner("倉庫を作り直しています…"):
            try:
                import_workbook(data, name, raw_dir(), warehouse_path(), user=current_user(), waiting=_waiting)
            except EtlError as error:
                st.error(md(f"取り込めませんでした ({error.stage}): {error}") + "\n\n以前のデータはそのまま残っています。",
                         icon=":material/error:")
                return
        st.session_state[DONE] = (name, municipality, result.plan.prefecture if result.plan else None)
        st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
        st.rerun()


def current_user() -> str:
    """Who acts, for the history: the login's e-mail (or name), else this machine's user."""
    return user_label()


def _waiting() -> None:
    st.info("別の取り込みか倉庫の作成が進行中です。終わりしだい続けます…", icon=":material/hourglass_top:")


def done_message() -> None:
    name, municipality, prefecture = st.session_state[DONE]
    st.success(md(f"{name} を取り込みました。{municipality or ''} のデータが全画面で使えます。"), icon=":material/check_circle:")
    key = municipality_key(municipality, prefecture)  # its code (府中市 of 東京都 and of 広島県 differ)
    if key and key in queries.filter_choices(None).municipalities:
        if st.button(md(f"{municipality}の概要を見る"), icon=":material/dashboard:", key="import_open"):
            set_filter("municipality", key)
            st.switch_page("app_pages/overview.py")


def upload_section() -> None:
    st.markdown("#### 2. ブックを選んで確かめる")
    upload = st.file_uploader("記入したブック (.xlsx)", key=f"import_file_{st.session_state.get(ROUND, 0)}",
                              help="ここでは確認だけを行います。取り込むのは、下のボタンを押したときです。")
    if upload is None:
        return
    data = upload.getvalue()
    try:  # a NUL or an over-long name would fail later, in the file system
        name = safe_file_name(upload.name)
    except WorkbookError as error:
        st.error(md(str(error)), icon=":material/block:")
        return
    result = _checked(hashlib.sha256(data).hexdigest(), data, name)
    summary(result)
    if result.errors:
        st.error(f"エラーが {len(result.errors):,} 件あるため、このブックは取り込めません。"
                 "直してから、もう一度選んでください。", icon=":material/block:")
        data_table(problem_table(result.errors), key="import_errors",
                     column_config={"内容": st.column_config.TextColumn(width="large")})
    if result.warnings:
        st.warning(f"注意が {len(result.warnings):,} 件あります（取り込みは止めません。データ品質の画面に記録されます）。",
                   icon=":material/warning:")
        data_table(problem_table(result.warnings), key="import_warnings",
                     column_config={"内容": st.column_config.TextColumn(width="large")})
    if result.ok:
        st.markdown("#### 3. 取り込む")
        if not result.warnings:
            st.success("問題は見つかりませんでした。", icon=":material/task_alt:")
        confirm(result, name, data)


def history_section() -> None:
    st.markdown("#### 取り込みの履歴")
    st.caption("倉庫の作成・取り込み・削除・取り消しの記録です（新しい順、端末では `python -m etl history`）。"
               f"直前の状態に戻せるよう、以前の倉庫と置き換えたブックを新しいものから {history.KEEP_VERSIONS} 版まで"
               "保存しています。")
    if outcome := st.session_state.pop(CHANGED, None):
        kind, message = outcome
        getattr(st, kind)(message, icon=":material/check_circle:" if kind == "success" else ":material/error:")
    table = history.rows(warehouse_path())
    if not table:
        st.info("履歴はまだありません。", icon=":material/history:")
    else:
        data_table(pl.DataFrame(table), key="import_history",
                     column_config={"番号": st.column_config.NumberColumn(width="small")})
    undo_control()
    delete_controls()


def _describe(entry: history.Entry) -> str:
    file = f" {md(entry.file)}" if entry.file else ""
    return f"{entry.id} 番「{history.ACTIONS[entry.action]}{file}」（{entry.local_time}、{md(entry.user)}）"


def undo_control() -> None:
    entry = history.next_to_undo(history.entries(warehouse_path()))
    if entry is None:
        st.caption("取り消せる操作はありません。")
        return
    if not history.undoable(warehouse_path(), entry):
        st.caption(f"{entry.id} 番より前には戻せません（その前の倉庫を保存していません: 最初の作成か、保存期間を過ぎた版です）。")
        return
    what = _describe(entry)
    if st.session_state.get(ASK_UNDO) != entry.id:
        st.button(f"{what}を取り消す", icon=":material/undo:", key="history_undo",
                  on_click=lambda: st.session_state.update({ASK_UNDO: entry.id}))
        return
    st.warning(f"{what}を取り消して、その前の倉庫と data/raw に戻します。よろしいですか。"
               "（取り消しも履歴に残ります）", icon=":material/undo:")
    left, right = st.columns(2)
    left.button("取り消しを実行する", type="primary", key="history_undo_confirm", on_click=_undo, args=(entry.id,))
    right.button("やめる", key="history_undo_cancel", on_click=lambda: st.session_state.pop(ASK_UNDO, None))


def _undo(entry_id: int) -> None:
    """(on_click, so the click is acted on before anything else reruns the script)"""
    require_edit()
    st.session_state.pop(ASK_UNDO, None)
    entry = history.next_to_undo(history.entries(warehouse_path()))
    if entry is None or entry.id != entry_id:  # someone else changed the data since the question
        st.session_state[CHANGED] = ("warning", "履歴が変わったため取り消しませんでした。表を確かめてからやり直してください。")
        return
    with st.spinner("以前の状態に戻しています…"):
        try:
            history.undo(warehouse_path(), raw_dir(), current_user(), _waiting)
        except EtlError as error:
            st.session_state[CHANGED] = ("error", f"取り消せませんでした ({error.stage}): {md(str(error))}")
            return
    st.session_state.pop(DONE, None)
    st.session_state[CHANGED] = ("success", f"{_describe(entry)}を取り消しました。")


def _pick_document(documents: list):
    """The imported document the delete button acts on: the only one, or one chosen in a
    selectbox (searched first when the list is long)."""
    if len(documents) == 1:
        return documents[0]
    # A prefecture's collection runs to hundreds or 1,741 workbooks: a long list is searched.
    text = ""
    if len(documents) > narrowing.LIMIT:
        text = st.text_input("削除する文書を探す", key="history_delete_search", placeholder="自治体名・表題・ファイル名の一部",
                             help=f"取り込んだ文書が {len(documents):,} 件あるため、探した文書を最大 "
                                  f"{narrowing.LIMIT:,} 件表示します").strip()
    shown, matches = narrowing.narrowed(documents, text, lambda d: f"{d.municipality}{d.title}{d.file}")
    if not shown:
        st.caption(f"「{md(text)}」に合う文書はありません。")
        return None
    if note := narrowing.cut_note(len(shown), matches, bool(text)):
        st.caption(note)
    by_id = {d.document_id: d for d in shown}
    chosen = st.selectbox("削除する文書", list(by_id), key="history_delete_choice",
                          format_func=lambda d: f"{by_id[d].municipality}「{by_id[d].title}」（{by_id[d].file}）")
    return by_id[chosen]


def delete_controls() -> None:
    documents = imported_documents(raw_dir(), warehouse_path())
    if not documents:
        return
    st.markdown("##### 取り込んだ文書の削除")
    st.caption("削除も履歴に残り、上の取り消しで元に戻せます。組み込みの文書は削除できません。")
    asked = next((d for d in documents if d.document_id == st.session_state.get(ASK_DELETE)), None)
    if asked is not None:
        st.warning(f"{_label(asked)}のデータを倉庫と data/raw から削除します。よろしいですか。", icon=":material/delete:")
        left, right = st.columns(2)
        left.button("削除を実行する", type="primary", key="history_delete_confirm", on_click=_delete, args=(asked,))
        right.button("やめる", key="history_delete_cancel", on_click=lambda: st.session_state.pop(ASK_DELETE, None))
        return
    document = _pick_document(documents)
    if document is None:
        return
    st.button(f"{_label(document)}を削除する", icon=":material/delete:", key="history_delete",
              on_click=lambda d=document.document_id: st.session_state.update({ASK_DELETE: d}))


def _label(document) -> str:
    return f"{md(document.municipality)}「{md(document.title)}」（{md(document.file)}）"


def _delete(document) -> None:
    """(on_click) Delete an imported document."""
    require_edit()
    st.session_state.pop(ASK_DELETE, None)
    with st.spinner("倉庫を作り直しています…"):
        try:
            delete_document(document.document_id, raw_dir(), warehouse_path(), user=current_user(), waiting=_waiting)
        except EtlError as error:
            st.session_state[CHANGED] = ("error", f"削除できませんでした ({error.stage}): {md(str(error))}")
            return
    st.session_state.pop(DONE, None)
    st.session_state[CHANGED] = ("success", f"{_label(document)}を削除しました。")


def screen() -> None:
    st.title("データの取り込み")
    require_edit()  # the navigation hides this page from 閲覧; a page reached anyway refuses
    st.caption("自団体の評価データを Excel のテンプレートに記入して取り込むと、組み込みの5つの文書と同じように"
               "すべての画面で見られます。ブックは data/raw/ に保存され、次回の `python -m etl` でも読み込まれます。"
               "この画面はサイドバーの絞り込みとは関係ありません。")
    if DONE in st.session_state:
        done_message()
    template_section()
    upload_section()
    if may_edit():
        history_section()


screen()
