"""Regenerate the golden workbooks beside this file:

    .venv/bin/python tests/etl/workbooks/make_workbooks.py

Every case starts from the blank template (``etl.workbook.template_bytes``), filled the way an
office would fill it, then changed in one way. Beside each ``<case>.xlsx`` (or ``.xlsm``) goes
``<case>.expected.json``: the exact problems ``etl.workbook.check`` must report, typed below as
the specification (never copied from the checker's output). The valid workbook's file also holds
the rows it must produce in the public views.

The tests read the committed files; run this script only when the template itself changes.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Callable

import openpyxl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))  # the repository root, for ``etl``

from etl.workbook import template_bytes  # noqa: E402

VALID = "kakuu-city-plan.xlsx"
DOC = "xlsx-kakuu-city-plan"  # derived from the file name: the plan sheet has no 文書ID

# ---- the valid workbook: a fictitious city's plan, rows keyed by the template headers ----
DATA: dict[str, list[dict]] = {
    "計画": [{"自治体": "架空市", "都道府県": "東京都", "計画名": "架空市行財政改革プラン",
              "開始年度": "R3", "終了年度": "令和5年度"}],
    "取組": [
        {"階層": "施策", "番号": "1", "取組名": "持続可能な行政運営", "担当部署": "政策企画課",
         "テーマ": "行財政運営", "開始年度": 2021},
        {"階層": "取組項目", "番号": "1-1", "親番号": "1", "取組名": "窓口業務の委託",
         "担当部署": "市民課、情報政策課", "テーマ": "行政サービス", "開始年度": "令和3年度"},
        {"階層": "取組項目", "番号": "1-2", "親番号": "1", "取組名": "公共施設の再編",
         "担当部署": "施設管理課\n財政課", "テーマ": "公共施設", "開始年度": "R3", "終了年度": "令和4年度"},
        {"階層": "取組項目", "番号": "1-3", "親番号": "1", "取組名": "電子申請の拡大",
         "担当部署": "情報政策課", "テーマ": "DX、行政サービス", "開始年度": 2022},
        {"階層": "施策", "番号": 2, "取組名": "職員の人材育成", "担当部署": "職員課", "開始年度": "R3"},
    ],
    "評価": [
        {"番号": "1-1", "年度": 2021, "評価者": "自己評価", "評価項目": "進捗度", "点数": 3},
        {"番号": "1-1", "年度": "R3", "評価者": "自己評価", "評価項目": "連携度", "点数": 2},
        {"番号": "1-1", "年度": "令和3年度", "評価者": "自己評価", "評価項目": "効率性", "点数": 2.5},
        {"番号": "1-1", "年度": 2021, "評価者": "自己評価", "評価項目": "創造性", "点数": 1},
        {"番号": "1-1", "年度": 2021, "評価者": "自己評価", "評価項目": "合計", "点数": 8.5},
        {"番号": "1-1", "年度": 2021, "評価者": "自己評価", "評価項目": "総合評価", "評価": "B"},
        {"番号": "1-2", "年度": "令和4年度", "評価者": "自己評価", "評価項目": "進捗度", "点数": 2.25},
        {"番号": "1-2", "年度": 2022, "評価者": "自己評価", "評価項目": "総合評価", "評価": "A"},
        {"番号": "1-1", "評価者": "委員評価", "評価項目": "委員評価", "点数": 4.2},
        {"番号": "1-3", "年度": "R4", "評価者": "委員評価", "評価項目": "総合評価", "評価": "C"},
    ],
    "指標": [
        {"指標番号": 1, "指標名": "電子申請の利用率", "単位": "%", "年度": "令和元年度", "区分": "基準値", "値": 12.5},
        {"指標番号": 1, "指標名": "電子申請の利用率", "単位": "%", "年度": "R3", "区分": "実績値", "値": 20},
        {"指標番号": 1, "指標名": "電子申請の利用率", "単位": "%", "年度": "令和5年度", "区分": "目標値", "値": 40},
        {"指標番号": 2, "指標名": "窓口の平均待ち時間", "単位": "分", "年度": "H31", "区分": "基準値", "値": 30},
        {"指標番号": 2, "指標名": "窓口の平均待ち時間", "単位": "分", "年度": 2021, "区分": "実績値", "値": 24.5,
         "備考": "速報値"},
        {"指標番号": 2, "指標名": "窓口の平均待ち時間", "単位": "分", "年度": 2023, "区分": "目標値", "値": 15},
    ],
    "財政効果": [
        {"番号": "1-1", "年度": 2021, "金額(円)": 1200000, "区分": "経費削減",
         "根拠": "委託により人件費を年間120万円削減"},
        {"番号": "1-2", "年度": "令和4年度", "金額(円)": 35000000, "区分": "売却収入", "根拠": "旧庁舎跡地を売却"},
        {"金額(円)": 36200000, "区分": "合計", "根拠": "計画期間の財政効果額は3,620万円"},
    ],
    "記述": [
        {"番号": "1-1", "年度": 2021, "項目": "取組内容",
         "本文": "窓口業務を民間事業者に委託した。\n待ち時間が短くなった。"},
        {"番号": "1-2", "年度": "R4", "項目": "課題", "本文": "- 跡地の活用方法を検討する"},
    ],
    "表彰": [
        {"表彰名": "架空市カイゼン大賞", "年度": "R3", "賞": "最優秀", "題名": "窓口の待ち時間を半分に",
         "受賞者": "市民課職員", "番号": "1-1"},
    ],
    "関係自治体": [{"自治体": "架空町", "番号": "1-3"}],
}

I = f"{DOC}/"  # noqa: E741  initiative_id prefix
EXPECTED_VIEWS = {
    "documents": [[DOC, "架空市", "架空市行財政改革プラン", VALID]],
    "municipalities": [["架空市", "東京都", None, None], ["架空町", None, None, None]],  # no 人口 column
    "initiatives": [
        [I + "1", "架空市", DOC, "施策", "1", None, "持続可能な行政運営", None, 2021, None,
         ["政策企画課"], ["行財政運営"], "{}"],
        [I + "1-1", "架空市", DOC, "取組項目", "1-1", I + "1", "窓口業務の委託", None, 2021, None,
         ["市民課", "情報政策課"], ["行政サービス"], "{}"],
        [I + "1-2", "架空市", DOC, "取組項目", "1-2", I + "1", "公共施設の再編", None, 2021, 2022,
         ["施設管理課", "財政課"], ["公共施設"], "{}"],
        [I + "1-3", "架空市", DOC, "取組項目", "1-3", I + "1", "電子申請の拡大", None, 2022, None,
         ["情報政策課"], ["DX", "行政サービス"], "{}"],
        [I + "2", "架空市", DOC, "施策", "2", None, "職員の人材育成", None, 2021, None, ["職員課"], [], "{}"],
    ],
    "evaluations": [
        [I + "1-1", 2021, "self", "進捗度", 3.0, None],
        [I + "1-1", 2021, "self", "連携度", 2.0, None],
        [I + "1-1", 2021, "self", "効率性", 2.5, None],
        [I + "1-1", 2021, "self", "創造性", 1.0, None],
        [I + "1-1", 2021, "self", "合計", 8.5, None],
        [I + "1-1", 2021, "self", "総合評価", None, "B"],
        [I + "1-2", 2022, "self", "進捗度", 2.25, None],
        [I + "1-2", 2022, "self", "総合評価", None, "A"],
        [I + "1-1", None, "committee", "委員評価", 4.2, None],
        [I + "1-3", 2022, "committee", "総合評価", None, "C"],
    ],
    "narratives": [
        [I + "1-1", 2021, "取組内容", "窓口業務を民間事業者に委託した。\n待ち時間が短くなった。"],
        [I + "1-2", 2022, "課題", "- 跡地の活用方法を検討する"],
    ],
    "fiscal_effects": [
        # the old 区分「合計」 reads as the plan's stated total: 複数区分, 計画記載, not counted
        ["架空市", DOC, I + "1-1", 2021, 1200000, None, "経費削減", "実績", "単年度", "exact", True, None,
         "summary", "委託により人件費を年間120万円削減", "kakuu-city-plan.xlsx:財政効果!2"],
        ["架空市", DOC, I + "1-2", 2022, 35000000, None, "売却収入", "実績", "単年度", "exact", True, None,
         "summary", "旧庁舎跡地を売却", "kakuu-city-plan.xlsx:財政効果!3"],
        ["架空市", DOC, None, None, 36200000, None, "複数区分", "計画記載", "累計", "exact", False,
         "計画の記載 (文書自身が示す金額。集計とは別に並べて比較します)", "summary",
         "計画期間の財政効果額は3,620万円", "kakuu-city-plan.xlsx:財政効果!4"],
    ],
    "indicators": [
        ["架空市", "1", "電子申請の利用率", "%", 2019, "baseline", 12.5, None],
        ["架空市", "1", "電子申請の利用率", "%", 2021, "actual", 20.0, None],
        ["架空市", "1", "電子申請の利用率", "%", 2023, "target", 40.0, None],
        ["架空市", "2", "窓口の平均待ち時間", "分", 2019, "baseline", 30.0, None],
        ["架空市", "2", "窓口の平均待ち時間", "分", 2021, "actual", 24.5, "速報値"],
        ["架空市", "2", "窓口の平均待ち時間", "分", 2023, "target", 15.0, None],
    ],
    "awards": [["架空市", "架空市カイゼン大賞", 2021, "最優秀", I + "1-1", "窓口の待ち時間を半分に", "市民課職員"]],
}

INITIATIVE_HEADERS = "階層、番号、親番号、取組名、担当部署、テーマ、開始年度、終了年度、年度、取組ID、親取組ID、自治体、追加情報(JSON)"
EVALUATION_HEADERS = "番号、年度、評価者、評価項目、点数、評価、取組ID"
LEVELS = "施策、方向性、基本事業、取組項目、実践項目、改善取組、DX事例、WG"


def error(sheet, row, column, message) -> dict:
    return {"severity": "error", "sheet": sheet, "row": row, "column": column, "message_ja": message}


def warning(sheet, row, column, message) -> dict:
    return {"severity": "warning", "sheet": sheet, "row": row, "column": column, "message_ja": message}


# ---- building and changing workbooks ----
def column_of(sheet, header: str) -> int:
    for cell in sheet[1]:
        if cell.value == header:
            return cell.column
    raise KeyError(header)


def put(book, sheet_name: str, row: int, header: str, value) -> None:
    sheet = book[sheet_name]
    sheet.cell(row=row, column=column_of(sheet, header)).value = value  # None clears the cell


def filled() -> openpyxl.Workbook:
    book = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    for sheet_name, rows in DATA.items():
        for number, row in enumerate(rows, start=2):
            for header, value in row.items():
                put(book, sheet_name, number, header, value)
    return book


def saved(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def changed(change: Callable[[openpyxl.Workbook], None]) -> Callable[[], bytes]:
    def build() -> bytes:
        book = filled()
        change(book)
        return saved(book)
    return build


def with_zip_edit(data: bytes, edit: Callable[[str, bytes], bytes], extra: dict[str, bytes] = {}) -> bytes:
    """Rewrite the archive member by member (openpyxl cannot write cached formula results)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, edit(info.filename, source.read(info.filename)))
        for name, content in extra.items():
            target.writestr(name, content)
    return out.getvalue()


def formula_total(book) -> None:
    put(book, "財政効果", 4, "金額(円)", "=C2+C3")


def cached_formula() -> bytes:
    """財政効果!C4 as Excel saves a formula: the formula plus its last result."""
    book = filled()
    formula_total(book)
    put(book, "取組", 6, "担当部署", None)
    return with_zip_edit(saved(book), lambda name, content: content.replace(
        b"<f>C2+C3</f><v></v>", b"<f>C2+C3</f><v>36200000</v>") if name.startswith("xl/worksheets/") else content)


def macro_inside() -> bytes:
    return with_zip_edit(saved(filled()), lambda name, content: content,
                         {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really a VBA project"})


def too_many_rows() -> bytes:
    book = filled()
    sheet = book["取組"]
    for row in range(7, 20_003):  # header + 20,001 data rows
        sheet.cell(row=row, column=1, value="取組項目")
    return saved(book)


def many_errors(book) -> None:
    put(book, "計画", 2, "自治体", None)
    put(book, "取組", 6, "階層", "課題")
    put(book, "取組", 5, "開始年度", "来年度")
    put(book, "評価", 3, "評価項目", "進捗度")
    put(book, "評価", 9, "評価", None)
    put(book, "評価", 11, "番号", "7")
    put(book, "指標", 3, "区分", "実績")
    put(book, "財政効果", 3, "金額(円)", 1234.5)
    put(book, "記述", 2, "番号", dt.datetime(2021, 1, 1))


def unknown_header(book) -> None:
    book["取組"].cell(row=1, column=14, value="備考")
    book["取組"].cell(row=2, column=14, value="重点")
    book["評価"].cell(row=1, column=column_of(book["評価"], "評価者"), value="評価した人")


MACRO_MESSAGE = "マクロを含むブックは取り込めません。マクロを削除し「Excel ブック (*.xlsx)」として保存し直してください。"

CASES: dict[str, tuple[Callable[[], bytes], list[dict]]] = {
    VALID: (lambda: saved(filled()), []),
    "warnings.xlsx": (cached_formula, [
        warning("財政効果", 4, "金額(円)", "数式は計算せず、Excel が保存した結果「36200000」を値として使いました。"),
        warning("取組", 6, "担当部署", "担当部署が空欄です。"),
    ]),
    "unknown_parent.xlsx": (changed(lambda b: put(b, "取組", 3, "親番号", "9")), [
        error("取組", 3, "親番号", "番号「9」の取組が取組シートにありません。"),
    ]),
    "score_out_of_range.xlsx": (changed(lambda b: (put(b, "評価", 2, "点数", 4), put(b, "評価", 10, "点数", 6))), [
        error("評価", 2, "点数", "進捗度 の点数 4 が範囲 0–3 の外です。"),
        error("評価", 10, "点数", "委員評価 の点数 6 が範囲 1–5 の外です。"),
    ]),
    "grade_not_a_to_d.xlsx": (changed(lambda b: put(b, "評価", 7, "評価", "E")), [
        error("評価", 7, "評価", "「E」は使えません。使える値: A、B、C、D"),
    ]),
    "duplicate_number.xlsx": (changed(lambda b: put(b, "取組", 6, "番号", "1")), [
        error("取組", 6, "番号", "番号「1」が重複しています（2行目と同じ）。同じ番号を使うときは取組ID 列で区別してください。"),
    ]),
    "year_outside_plan.xlsx": (changed(lambda b: (put(b, "評価", 8, "年度", 2024), put(b, "指標", 5, "年度", "R6"))), [
        error("評価", 8, "年度", "年度 2024 が計画期間（2021〜2023年度）の外です。計画シートの開始年度・終了年度か、この年度を直してください。"),
        error("指標", 5, "年度", "年度 2024 が計画期間（2021〜2023年度）の外です。計画シートの開始年度・終了年度か、この年度を直してください。"),
    ]),
    "text_in_number.xlsx": (changed(lambda b: (put(b, "財政効果", 2, "金額(円)", "未定"), put(b, "指標", 4, "値", "高い"))), [
        error("財政効果", 2, "金額(円)", "数値の列に文字列「未定」が入っています。数値を入力してください。"),
        error("指標", 4, "値", "数値の列に文字列「高い」が入っています。数値を入力してください。"),
    ]),
    "unknown_header.xlsx": (changed(unknown_header), [
        error("取組", 1, "備考", f"見出し「備考」（N列）はこのシートの列ではありません。使える見出し: {INITIATIVE_HEADERS}"),
        error("評価", 1, "評価した人", f"見出し「評価した人」（C列）はこのシートの列ではありません。使える見出し: {EVALUATION_HEADERS}"),
        error("評価", 1, "評価者", "必須の列「評価者」の見出しがありません。"),
    ]),
    "formula_without_value.xlsx": (changed(formula_total), [
        error("財政効果", 4, "金額(円)", "数式に計算結果が保存されていません。数式ではなく値を入力してください（コピーして「値として貼り付け」）。"),
    ]),
    "macro.xlsm": (lambda: saved(filled()), [
        error(None, None, None, "マクロ付き・バイナリ形式のブックは取り込めません。Excel で「Excel ブック (*.xlsx)」として保存し直してください。"),
    ]),
    "macro_inside.xlsx": (macro_inside, [error(None, None, None, MACRO_MESSAGE)]),
    "not_a_workbook.xlsx": (lambda: "番号,取組名\n1,窓口業務の委託\n".encode("utf-8"), [
        error(None, None, None, "Excel ブック (.xlsx) として読めません（zip 形式ではありません）。Excel で .xlsx として保存し直してください。"),
    ]),
    "too_many_rows.xlsx": (too_many_rows, [
        error("取組", None, None, "データ行が多すぎます（20,000 行を超えています）。1シートの上限は 20,000 行です。"),
    ]),
    "many_errors.xlsx": (changed(many_errors), [
        error("記述", 2, "番号", "日付・時刻として入力されています（2021-01-01 00:00:00）。文字列として入力してください（先頭に ' を付けると文字列になります）。"),
        error("計画", 2, "自治体", "「自治体」は必須です（空欄です）。"),
        error("取組", 5, "開始年度", "「来年度」を年度として読めません。2021、R3、令和3年度 のように入力してください。"),
        error("取組", 6, "階層", f"「課題」は使えません。使える値: {LEVELS}"),
        error("評価", 3, None, "同じ取組・年度・評価者・評価項目の評価が2つあります（2行目と同じ）。"),
        error("評価", 9, "評価", "総合評価には評価 (A–D) が必要です（空欄です）。"),
        error("評価", 11, "番号", "番号「7」の取組が取組シートにありません。"),
        error("財政効果", 3, "金額(円)", "金額「1234.5」は円単位の整数で入力してください。"),
        error("指標", 3, "区分", "「実績」は使えません。使える値: 基準値、実績値、目標値"),
    ]),
}


def main() -> None:
    for name, (build, problems) in CASES.items():
        (HERE / name).write_bytes(build())
        expected = {"problems": problems}
        if name == VALID:
            expected["views"] = EXPECTED_VIEWS
        text = json.dumps(expected, ensure_ascii=False, indent=1)
        (HERE / f"{Path(name).stem}.expected.json").write_text(text + "\n", encoding="utf-8")
        print(f"wrote {name}")


if __name__ == "__main__":
    main()
