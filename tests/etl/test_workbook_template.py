"""The blank template: sheets, headers, styles, drop-down lists and the 説明 sheet; and the
reading rules it documents (year forms, lists, optional columns)."""
from __future__ import annotations

import io

import openpyxl
import pytest

from etl.workbook import MAX_DATA_ROWS, check, template_bytes
from etl.workbook.cells import parse_year, split_items
from etl.workbook.layout import DATA_SHEETS, LEVELS

REQUIRED_HEADERS = {
    "計画": ["自治体", "都道府県", "計画名", "開始年度", "終了年度"],
    "取組": ["階層", "番号", "親番号", "取組名", "担当部署", "テーマ", "開始年度", "終了年度"],
    "評価": ["番号", "年度", "評価者", "評価項目", "点数", "評価"],
    "指標": ["指標番号", "指標名", "単位", "年度", "区分", "値", "備考"],
    "財政効果": ["番号", "年度", "金額(円)", "区分", "根拠"],
}


@pytest.fixture(scope="module")
def template() -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(template_bytes()))


def _validations(sheet) -> dict[str, object]:
    """Column letter -> its data validation."""
    return {str(v.sqref).split(":")[0].rstrip("0123456789"): v for v in sheet.data_validations.dataValidation}


def test_sheets_and_required_headers_come_first(template):
    assert template.sheetnames == ["説明", "計画", "取組", "評価", "指標", "財政効果", "記述", "表彰", "関係自治体"]
    for name, headers in REQUIRED_HEADERS.items():
        row = [c.value for c in template[name][1]]
        assert row[:len(headers)] == headers, name


def test_headers_are_frozen_styled_and_columns_sized(template):
    for spec in DATA_SHEETS:
        sheet = template[spec.name]
        assert sheet.freeze_panes == "A2"
        for index, column in enumerate(spec.columns, start=1):
            cell = sheet.cell(row=1, column=index)
            assert cell.font.b
            assert cell.fill.fgColor.rgb.endswith("1F4E78" if column.required else "D9E1F2")
            assert sheet.column_dimensions[cell.column_letter].width == column.width
        assert template[spec.name].max_row == 1  # blank


def test_closed_vocabularies_have_blocking_lists(template):
    lists = {
        ("取組", "A"): LEVELS,
        ("評価", "C"): ("自己評価", "委員評価"),
        ("評価", "D"): ("進捗度", "連携度", "効率性", "創造性", "合計", "総合評価", "委員評価"),
        ("評価", "F"): ("A", "B", "C", "D"),
        ("指標", "E"): ("基準値", "実績値", "目標値"),
    }
    for (sheet, letter), values in lists.items():
        validation = _validations(template[sheet])[letter]
        assert validation.type == "list"
        assert validation.formula1 == '"' + ",".join(values) + '"'
        assert validation.showErrorMessage and validation.errorStyle in (None, "stop")
        assert str(validation.sqref) == f"{letter}2:{letter}{MAX_DATA_ROWS + 1}"


def test_fiscal_columns_take_only_the_money_vocabularies(template):
    """区分, 実績・見込, 単年度・毎年度, 約・以上 are closed lists (etl.money): Excel refuses other words."""
    sheet = template["財政効果"]
    header = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1))]
    validations = _validations(sheet)
    letter = lambda name: chr(ord("A") + header.index(name))  # noqa: E731
    for name, words in (("区分", ("寄附", "経費削減", "補助金・交付金", "費用")),
                        ("実績・見込", ("実績", "見込", "予算", "目標", "計画記載")),
                        ("単年度・毎年度", ("単年度", "毎年度", "累計", "月額換算済")),
                        ("約・以上", ("記載どおり", "約", "以上", "以下"))):
        validation = validations[letter(name)]
        assert all(w in validation.formula1 for w in words), name
        assert validation.showErrorMessage and validation.errorStyle in (None, "stop"), name  # None = stop
    assert "合計" not in validations[letter("区分")].formula1


def test_explanation_sheet_states_the_rules(template):
    text = "\n".join(str(v) for row in template["説明"].iter_rows(values_only=True) for v in row if v)
    for phrase in ("R3", "令和3年度", "令和元年度", "H31", "「、」", "改行", "（任意）", "10 MB", "20,000",
                   "32,767", "5,000,000", ".xlsm", "不明", "取組ID", "基準値", "計画記載", "1回ずつ合計", "上限額(円)"):
        assert phrase in text, phrase
    for spec in DATA_SHEETS:
        assert spec.meaning in text
        for column in spec.columns:
            assert column.meaning in text, column.header
    assert "架空市行財政改革プラン" in text  # the example rows


def test_blank_template_reports_only_the_missing_plan():
    result = check(template_bytes(), "template.xlsx")
    assert [(p.severity, p.sheet, p.row, p.message_ja) for p in result.errors] == [
        ("error", "計画", 2, "計画の行がありません。2行目に自治体・計画名などを入力してください。")]


def test_a_workbook_with_only_the_required_columns_imports():
    book = openpyxl.Workbook()
    book.active.title = "計画"
    book["計画"].append(REQUIRED_HEADERS["計画"])
    book["計画"].append(["小さな町", "北海道", "小さな町の改革計画", "令和6年度", "令和8年度"])
    initiatives = book.create_sheet("取組")
    initiatives.append(REQUIRED_HEADERS["取組"])
    initiatives.append(["取組項目", 1, None, "ごみ収集の委託", "環境課", None, "R6", None])
    evaluations = book.create_sheet("評価")
    evaluations.append(REQUIRED_HEADERS["評価"])
    evaluations.append([1, "R6", "自己評価", "総合評価", None, "b"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = check(buffer.getvalue(), "小さな町.xlsx")
    assert result.ok, result.report()
    assert result.plan.document_id == "xlsx-小さな町"
    assert [p.sheet for p in result.warnings] == ["指標", "財政効果"]  # absent sheets are noted
    evaluation, = result.extract.evaluations
    assert (evaluation.initiative_key, evaluation.fiscal_year, evaluation.grade) == ("1", 2024, "B")


@pytest.mark.parametrize("cell, year", [
    (2021, 2021), (2021.0, 2021), ("2021", 2021), ("2021年度", 2021), ("R3", 2021), ("r3", 2021),
    ("Ｒ３", 2021), ("令和3年度", 2021), ("令和３年", 2021), ("令和元年度", 2019), ("H31", 2019),
    ("平成30年度", 2018), ("S64", 1989),
    ("来年度", None), ("R0", None), ("2021.5", None), (2021.5, None), (21, None), ("R3年度 実績", None),
])
def test_year_forms(cell, year):
    assert parse_year(cell) == year


@pytest.mark.parametrize("text, items", [
    ("市民課、情報政策課", ["市民課", "情報政策課"]),
    ("施設管理課\n財政課", ["施設管理課", "財政課"]),
    ("A、B課\nC課", ["A、B課", "C課"]),  # a line break wins: 「、」 is then part of a name
    (" 市民課 、、", ["市民課"]),
])
def test_list_cells(text, items):
    assert split_items(text) == items
