"""The 説明 (explanation) sheet: what each sheet and column means, the allowed values,
year formats, limits, and one filled example row per sheet — generated from the specs
in ``layout`` so the explanation cannot drift from what the reader accepts.
"""
from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from etl.workbook.layout import (DATA_SHEETS, EVALUATIONS, EXPLANATION_SHEET, FISCAL_EFFECTS,
                                 FISCAL_SOURCES, INDICATORS, INITIATIVES, PLAN,
                                 UNKNOWN_MUNICIPALITY, Column)
from etl.workbook.limits import (MAX_CELL_CHARS, MAX_DATA_ROWS, MAX_FILE_BYTES, MAX_SHEETS, MAX_TEXT_CHARS,
                                 MAX_UNCOMPRESSED_BYTES)
from settings import DEFAULT_RAW_DIR

_TITLE_FONT = Font(bold=True, size=14)
_SECTION_FONT = Font(bold=True, size=12, color="1F4E78")
_BOLD = Font(bold=True)
_TABLE_FILL = PatternFill("solid", fgColor="D9E1F2")
_WRAP = Alignment(wrap_text=True, vertical="top")
_BASIC_SHEETS = {PLAN.name, INITIATIVES.name, EVALUATIONS.name, INDICATORS.name, FISCAL_EFFECTS.name}


def _rules() -> list[str]:
    mb = 1024 * 1024
    return [
        "年度は西暦の年度として取り込みます。2021、2021年度、R3、令和3年度、令和元年度、H31（= 2019）のどれでも入力できます。",
        "年度は計画シートの開始年度〜終了年度の範囲で入力します。指標の基準値だけは計画期間より前の年度でもかまいません。",
        "担当部署・テーマのように値が複数あるセルは「、」で区切るか、1行に1つずつ改行して入力します"
        "（改行で区切ったセルでは「、」は区切りになりません）。",
        f"「自治体」列（任意）は、空欄なら計画の自治体、「{UNKNOWN_MUNICIPALITY}」と書くと自治体を特定しない取組・金額になります。",
        "取組は番号で指定します。同じ番号の取組が複数あるとき（年度ごとの一覧など）は、取組シートの取組ID 列に"
        "文書内で重複しない ID を入れ、他のシートでも取組ID で指定します。",
        "財政効果の番号が空欄の行は計画全体の財政効果（総額）です。出典（任意）の既定は「計画記載」です。",
        "財政効果額は、実績・見込の金額だけを1回ずつ合計します。区分が費用の行、実績・見込が予算・目標・計画記載の行、"
        "年度別の金額がある取組の年度なしの金額（その総額や言い換え）、同じ金額の再掲は合計せず、理由を画面に表示します。"
        "範囲（500万～1千万円）は下限を金額(円)に、上限を上限額(円)に入れます。",
        "評価の年度が空欄の行は計画期間の総括（最終の委員評価など）です。点数は 進捗度・連携度・効率性・創造性 が 0–3、"
        "合計が 0–12、委員評価が 1–5。総合評価は点数ではなく評価 A–D を入力します。",
        "数式は計算しません。Excel が保存した計算結果を値として使い（注意として記録）、結果が保存されていない数式はエラーです。",
        f"上限: ファイル {MAX_FILE_BYTES // mb} MB、展開後 {MAX_UNCOMPRESSED_BYTES // mb} MB、"
        f"1シート {MAX_DATA_ROWS:,} 行（見出しを除く）、1セル {MAX_CELL_CHARS:,} 文字、ブック全体で {MAX_TEXT_CHARS:,} 文字、"
        f"シート {MAX_SHEETS} 枚。"
        "マクロ付きブック (.xlsm) は取り込めません。",
        "エラーが1つでもあるブックは取り込みません。すべての問題をシート・行・列つきで一覧にします。"
        "注意（担当部署の空欄など）は取り込み、データ品質の画面に記録します。",
        "濃い色の見出しはテンプレートの列（見出しは必須）、薄い色の見出しは（任意）の列で、列ごと削除してもかまいません。"
        "見出しの名前は変えないでください。記述・表彰・関係自治体のシートも（任意）です。",
        "取組シートのカテゴリ列（任意）は行革の共通分類です。空欄ならキーワード辞書 (data/raw/categories.csv) が"
        "取組名・テーマ・記述から決めます。書くときは次の分類から選びます: " + "、".join(_categories()) + "。",
    ]


def _categories() -> list[str]:
    """The taxonomy as the repository ships it (data/raw/categories.csv next to this package)."""
    from etl.categories import read_dictionary

    return read_dictionary(DEFAULT_RAW_DIR).categories


def _allowed(column: Column) -> str:
    if column.kind == "year":
        return "年度（2021、R3、令和3年度 など）"
    if column.kind == "yen":
        return "円単位の整数"
    if column.kind == "count":
        return "正の整数"
    if column.kind in ("score", "number"):
        return "数値"
    if column.kind == "list":
        return "「、」または改行で区切った文字列"
    if column.kind == "json":
        return 'JSON オブジェクト（{"項目": 値}）'
    if column.choices and not column.strict:
        return f"例: {'、'.join(column.choices)}（一覧にない言葉も可）"
    if column.choices:
        extra = "（英語の self / committee も可）" if column.header == "評価者" else ""
        if column.field == "source":
            extra = f"（{'、'.join(f'{k} = {v}' for k, v in FISCAL_SOURCES.items())}）"
        return "、".join(column.choices) + extra
    return "文字列"


def _status(column: Column) -> str:
    if column.optional:
        return "（任意）"
    return "必須" if column.needed else "空欄可"


def _write_row(ws: Worksheet, values: list, font: Font | None = None, fill=None) -> None:
    ws.append([None if v in (None, "") else v for v in values])
    for cell in ws[ws.max_row]:
        cell.alignment = _WRAP
        if isinstance(cell.value, str):
            cell.data_type = "s"
        if font:
            cell.font = font
        if fill:
            cell.fill = fill


def write_explanation(ws: Worksheet) -> None:
    ws.title = EXPLANATION_SHEET
    for letter, width in zip("ABCDEFGHIJKLM", (14, 16, 10, 56, 40, 12, 12, 12, 12, 12, 12, 12, 12)):
        ws.column_dimensions[letter].width = width
    _write_row(ws, ["行革ダッシュボード 取り込み用テンプレート"], _TITLE_FONT)
    _write_row(ws, ["各シートに入力して data/raw/ に置くと、次の python -m etl で取り込まれ、"
                    "すべての画面に表示されます。"])
    _write_row(ws, [])
    _write_row(ws, ["入力のきまり"], _SECTION_FONT)
    for rule in _rules():
        _write_row(ws, ["・", rule])
        ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=5)
        ws.row_dimensions[ws.max_row].height = 32
    _write_row(ws, [])
    _write_row(ws, ["シートと列"], _SECTION_FONT)
    _write_row(ws, ["シート", "列", "入力", "内容", "入力できる値"], _BOLD, _TABLE_FILL)
    for spec in DATA_SHEETS:
        optional = "" if spec.name in _BASIC_SHEETS else "（任意のシート）"
        _write_row(ws, [spec.name, "", "", spec.meaning + optional], _BOLD)
        for column in spec.columns:
            _write_row(ws, ["", column.header, _status(column), column.meaning, _allowed(column)])
    _write_row(ws, [])
    _write_row(ws, ["記入例（各シート1行）"], _SECTION_FONT)
    for spec in DATA_SHEETS:
        _write_row(ws, [spec.name], _BOLD)
        _write_row(ws, [c.header for c in spec.columns], _BOLD, _TABLE_FILL)
        _write_row(ws, [c.example for c in spec.columns])
    ws.freeze_panes = "A2"
