"""Table exports: open the produced bytes the way a user's tool would and check them."""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import warnings
import zipfile
from zoneinfo import ZoneInfo

import openpyxl
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exports.cells import clean_text, csv_text, display_width, needs_guard
from exports.tables import (
    CONDITIONS_SHEET,
    export_filename,
    format_timestamp,
    safe_sheet_name,
    to_csv,
    to_xlsx,
)

JST = ZoneInfo("Asia/Tokyo")
EXPORTED_AT = dt.datetime(2026, 11, 23, 14, 5, tzinfo=JST)
FORMATS = {"進捗度": "score", "委員評価": "score", "番号": "text"}
RISKY = [
    "=1+1", '=HYPERLINK("http://x","y")', "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", "＝１＋１", "#N/A",
]


def sample_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "自治体": ["苫小牧市", "狛江市", "小金井市"],
            "階層": ["実践項目", "取組項目", "改善取組"],
            "番号": ["05", "N23", "17"],
            "取組名": ["窓口業務のデジタル化による市民サービスの向上", "公共施設の適正配置", None],
            "担当部署": [["政策推進課", "情報推進課"], [], None],
            "テーマ": [["行政運営"], ["財政"], ["協働", None]],
            "総合評価": ["A", "B", None],
            "進捗度": [3.5, 4.0, None],
            "委員評価": [4, 5, None],
            "取組終了": [True, False, None],
            "財政効果額(円)": [12_345_678, 0, None],
            "年度": [2021, 2022, None],
        },
        schema_overrides={"委員評価": pl.Int64, "財政効果額(円)": pl.Int64, "年度": pl.Int32},
    )


def build(frame: pl.DataFrame | None = None, **overrides) -> bytes:
    arguments = {
        "sheet_name": "取組一覧",
        "conditions": [("自治体", "苫小牧市"), ("年度", "令和3年度 (2021)")],
        "sources": [("苫小牧市行政改革プラン実施計画", "tomakomai/plan.pdf")],
        "exported_at": EXPORTED_AT,
        "column_formats": FORMATS,
    }
    arguments.update(overrides)
    return to_xlsx(sample_frame() if frame is None else frame, **arguments)


def open_book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def column_cells(ws, header: str) -> list:
    headers = [cell.value for cell in ws[1]]
    index = headers.index(header) + 1
    return [ws.cell(row=row, column=index) for row in range(2, ws.max_row + 1)]


def sheet_xml(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = [name for name in package.namelist() if name.startswith("xl/worksheets/")]
        return [package.read(name).decode("utf-8") for name in names]


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- data sheet ---------------------------------------------------------------


def test_sheets_are_data_then_conditions():
    assert open_book(build()).sheetnames == ["取組一覧", CONDITIONS_SHEET]


def test_header_row_is_japanese_bold_and_frozen_with_filter():
    ws = open_book(build()).worksheets[0]
    assert [cell.value for cell in ws[1]] == sample_frame().columns
    assert all(cell.font.b for cell in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:L4"
    assert ws.print_title_rows == "$1:$1"


def test_numbers_are_numbers_with_formats():
    ws = open_book(build()).worksheets[0]
    yen = column_cells(ws, "財政効果額(円)")
    assert [c.value for c in yen] == [12_345_678, 0, None]
    assert isinstance(yen[0].value, int) and yen[0].data_type == "n"
    assert yen[0].number_format == "#,##0"
    score = column_cells(ws, "進捗度")
    assert score[0].value == 3.5 and score[0].data_type == "n" and score[0].number_format == "0.0"
    committee = column_cells(ws, "委員評価")  # int dtype, "score" hint
    assert committee[0].value == 4 and committee[0].number_format == "0.0"
    year = column_cells(ws, "年度")  # inferred from 年度: no thousands separator
    assert year[0].value == 2021 and year[0].number_format == "0"


def test_text_hint_keeps_leading_zeros_as_text():
    ws = open_book(build()).worksheets[0]
    codes = column_cells(ws, "番号")
    assert [c.value for c in codes] == ["05", "N23", "17"]
    assert all(c.data_type == "s" for c in codes)


def test_lists_joined_booleans_marked_and_none_empty():
    ws = open_book(build()).worksheets[0]
    assert [c.value for c in column_cells(ws, "担当部署")] == ["政策推進課、情報推進課", None, None]
    assert [c.value for c in column_cells(ws, "テーマ")] == ["行政運営", "財政", "協働"]
    assert [c.value for c in column_cells(ws, "取組終了")] == ["○", None, None]
    assert column_cells(ws, "取組名")[2].value is None


def test_nan_and_infinity_become_empty_cells():
    frame = pl.DataFrame({"進捗度": [math.nan, math.inf, 2.5]})
    ws = open_book(build(frame)).worksheets[0]
    assert [c.value for c in column_cells(ws, "進捗度")] == [None, None, 2.5]


def test_dates_are_excel_dates():
    aware = dt.datetime(2024, 4, 1, 9, 30, tzinfo=JST)
    frame = pl.DataFrame({"日付": [dt.date(2024, 4, 1)], "更新": [aware]})
    ws = open_book(build(frame)).worksheets[0]
    assert ws["A2"].value == dt.datetime(2024, 4, 1) and ws["A2"].number_format == "yyyy-mm-dd"
    # Excel has no zones: the frame's wall-clock time is kept.
    assert ws["B2"].value == dt.datetime(2024, 4, 1, 9, 30)


def test_widths_estimated_from_content_and_clamped():
    frame = pl.DataFrame(
        {
            "ascii": ["abcdefghij"],
            "和文": ["あいうえおかきくけこ"],  # same length, full-width
            "長文": ["長" * 200],
            "x": ["a"],
        }
    )
    ws = open_book(build(frame, column_formats=None)).worksheets[0]
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCD"}
    assert widths["B"] > widths["A"] >= 10
    assert widths["C"] == 60
    assert widths["D"] == 6
    sample = open_book(build()).worksheets[0]
    assert all(6 <= sample.column_dimensions[c.column_letter].width <= 60 for c in sample[1])


def test_display_width_counts_full_width_as_two():
    assert display_width("abc") == 3
    assert display_width("苫小牧市") == 8
    assert display_width("ＡＢ○") == 6
    assert display_width("短い\nずっと長い行") == 12


def test_unknown_hint_raises_absent_columns_are_ignored():
    with pytest.raises(ValueError, match="unknown column format"):
        build(column_formats={"進捗度": "percent"})
    ws = open_book(build(column_formats={"存在しない列": "yen"})).worksheets[0]
    assert ws.max_column == 12


def test_numeric_hint_on_text_column_keeps_the_text():
    frame = pl.DataFrame({"金額(円)": ["約100万円", "1,000"]})
    ws = open_book(build(frame, column_formats={"金額(円)": "yen"})).worksheets[0]
    assert [c.value for c in column_cells(ws, "金額(円)")] == ["約100万円", "1,000"]
    assert all(c.data_type == "s" for c in column_cells(ws, "金額(円)"))


# --- 条件 sheet ------------------------------------------------------------------


def test_conditions_sheet_lists_filters_sources_and_time():
    rows = list(open_book(build())[CONDITIONS_SHEET].iter_rows(values_only=True))
    assert ("出力日時", "2026-11-23 14:05 JST") in rows
    assert ("件数", 3) in rows
    assert ("自治体", "苫小牧市") in rows
    assert ("年度", "令和3年度 (2021)") in rows
    assert ("苫小牧市行政改革プラン実施計画", "tomakomai/plan.pdf") in rows
    assert rows.index(("自治体", "苫小牧市")) < rows.index(("出典資料", None))


def test_conditions_sheet_says_when_nothing_was_filtered():
    book = open_book(build(conditions=[], sources=[]))
    rows = list(book[CONDITIONS_SHEET].iter_rows(values_only=True))
    assert ("（指定なし）", None) in rows
    assert ("（なし）", None) in rows


def test_condition_values_are_written_as_given_text():
    book = open_book(build(conditions=[("年度", 2021), ("テーマ", None)]))
    rows = list(book[CONDITIONS_SHEET].iter_rows(values_only=True))
    assert ("年度", "2021") in rows and ("テーマ", None) in rows


def test_timestamp_names_the_zone_and_naive_time_is_refused():
    assert format_timestamp(EXPORTED_AT) == "2026-11-23 14:05 JST"
    utc = dt.datetime(2026, 11, 23, 5, 5, tzinfo=dt.timezone.utc)
    assert format_timestamp(utc) == "2026-11-23 05:05 UTC"
    with pytest.raises(ValueError, match="timezone"):
        build(exported_at=dt.datetime(2026, 11, 23, 14, 5))


# --- injection and illegal characters ------------------------------------------


@pytest.mark.parametrize("text", RISKY)
def test_formula_like_text_stays_text_everywhere(text):
    frame = pl.DataFrame({"備考": [text], text: ["x"]})
    data = build(frame, conditions=[("検索", text)], sources=[(text, "a.pdf")], column_formats=None)
    book = open_book(data)
    ws = book.worksheets[0]
    for cell in (ws["A2"], ws["B1"]):
        assert cell.value == text
        assert cell.data_type == "s"
        assert cell.quotePrefix
    conditions = [c for row in book[CONDITIONS_SHEET].iter_rows() for c in row if c.value == text]
    assert len(conditions) == 2 and all(c.data_type == "s" for c in conditions)
    assert all("<f>" not in xml and "<f " not in xml for xml in sheet_xml(data))


def test_plain_text_has_no_quote_prefix():
    ws = open_book(build()).worksheets[0]
    assert not ws["A2"].quotePrefix


def test_xml_illegal_characters_are_replaced_not_fatal():
    text = "前\x00中\x08\x0b\x1f後\ufffe"
    frame = pl.DataFrame({"備考\x01": [text]})
    data = build(frame, sheet_name="一覧\x07", conditions=[("検索", "a\x00b\ud800")], column_formats=None)
    book = open_book(data)
    ws = book.worksheets[0]
    assert ws["A2"].value == "前\ufffd中\ufffd\ufffd\ufffd後\ufffd"
    assert ws["A1"].value == "備考\ufffd"
    assert book.sheetnames[0] == "一覧"
    assert ("検索", "a\ufffdb\ufffd") in list(book[CONDITIONS_SHEET].iter_rows(values_only=True))


def test_tab_newline_and_cr_survive_inside_text():
    text = "一行目\r\n二行目\tタブ & <記号>"
    ws = open_book(build(pl.DataFrame({"備考": [text]}))).worksheets[0]
    assert ws["A2"].value == text


def test_text_longer_than_an_excel_cell_is_cut_with_ellipsis():
    ws = open_book(build(pl.DataFrame({"本文": ["あ" * 40_000]}))).worksheets[0]
    value = ws["A2"].value
    assert len(value) == 32_767 and value.endswith("…")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=8))
def test_property_arbitrary_text_never_becomes_a_formula_or_crashes(texts):
    data = build(pl.DataFrame({"備考": texts}), conditions=[("検索", texts[0])], column_formats=None)
    ws = open_book(data).worksheets[0]
    for text, cell in zip(texts, column_cells(ws, "備考")):
        assert cell.data_type != "f"
        expected = clean_text(text) or None
        assert cell.value == expected
        if expected is not None:
            assert cell.data_type == "s"
            assert bool(cell.quotePrefix) == needs_guard(expected)
    assert all("<f>" not in xml for xml in sheet_xml(data))


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(codec=None, categories=None), max_size=30))
def test_property_clean_text_output_is_accepted_by_openpyxl(text):
    # Includes lone surrogates, which can reach us through condition labels.
    cleaned = clean_text(text)
    cell = openpyxl.Workbook().active["A1"]
    cell.value = cleaned
    cleaned.encode("utf-8")  # no lone surrogates left


# --- sheet names --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("取組一覧", "取組一覧"),
        ("a[b]c:d*e?f/g\\h", "abcdefgh"),
        ("", "Sheet"),
        ("[]:*?", "Sheet"),
        ("History", "History_"),
        ("history", "history_"),
        ("'引用'", "引用"),
        ("  前後に空白  ", "前後に空白"),
        ("あ" * 40, "あ" * 31),
    ],
)
def test_safe_sheet_name(name, expected):
    assert safe_sheet_name(name) == expected


def test_safe_sheet_name_counts_utf16_units_like_excel():
    name = safe_sheet_name("𠮷" * 20)  # astral: two UTF-16 units each
    assert name == "𠮷" * 15
    assert len(name.encode("utf-16-le")) // 2 <= 31


def test_safe_sheet_name_is_unique_case_insensitively():
    assert safe_sheet_name("Data", existing=["data"]) == "Data (2)"
    assert safe_sheet_name("Data", existing=["data", "DATA (2)"]) == "Data (3)"
    long = "長" * 31
    unique = safe_sheet_name(long, existing=[long])
    assert unique == "長" * 27 + " (2)" and len(unique) == 31


def test_data_sheet_named_like_conditions_sheet_is_renamed():
    assert open_book(build(sheet_name="条件")).sheetnames == ["条件 (2)", "条件"]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60), st.lists(st.text(max_size=35), max_size=4))
def test_property_safe_sheet_name_is_always_valid(name, existing):
    result = safe_sheet_name(name, existing)
    assert 1 <= len(result.encode("utf-16-le")) // 2 <= 31
    assert not set(result) & set("[]:*?/\\")
    assert result.casefold() != "history"
    assert result.casefold() not in {other.casefold() for other in existing}
    assert not result.startswith("'") and not result.endswith("'")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # openpyxl warns on names Excel refuses
        openpyxl.Workbook().create_sheet(result)


# --- empty and large frames ---------------------------------------------------


def test_empty_frame_still_has_headers_filter_and_conditions():
    book = open_book(build(sample_frame().clear()))
    ws = book.worksheets[0]
    assert [cell.value for cell in ws[1]] == sample_frame().columns
    assert ws.max_row == 1
    assert ws.auto_filter.ref == "A1:L1"
    assert ("件数", 0) in list(book[CONDITIONS_SHEET].iter_rows(values_only=True))


def test_frame_without_columns_gives_a_valid_workbook():
    book = open_book(build(pl.DataFrame()))
    assert book.sheetnames == ["取組一覧", CONDITIONS_SHEET]


def large_frame(rows: int = 10_000) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "自治体": ["苫小牧市", "狛江市", "小金井市", "前橋市"] * (rows // 4),
            "階層": ["実践項目"] * rows,
            "番号": [f"N{i:05d}" for i in range(rows)],
            "取組名": [f"窓口業務のデジタル化による市民サービスの向上 その{i}" for i in range(rows)],
            "担当部署": [["政策推進課", "情報推進課"]] * rows,
            "テーマ": [["行政運営"]] * rows,
            "総合評価": ["A", "B", "C", "D"] * (rows // 4),
            "進捗度": [i % 50 / 10 for i in range(rows)],
            "連携度": [i % 40 / 10 for i in range(rows)],
            "効率性": [i % 30 / 10 for i in range(rows)],
            "委員評価": [i % 5 + 1 for i in range(rows)],
            "取組終了": [i % 3 == 0 for i in range(rows)],
            "財政効果額(円)": [i * 1_000 for i in range(rows)],
            "年度": [2021 + i % 4 for i in range(rows)],
            "備考": ["=SUM(A1:A2)" if i % 100 == 0 else "特になし" for i in range(rows)],
        }
    )


def test_ten_thousand_rows_export_completely():
    # Speed is measured by `python -m bench exports`, not asserted here.
    data = build(large_frame())
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = list(ws.iter_rows(min_row=10_001, values_only=True))
    assert rows[-1][2] == "N09999" and rows[-1][12] == 9_999_000


# --- CSV ----------------------------------------------------------------------


def test_csv_has_bom_crlf_and_round_trips_japanese():
    data = to_csv(sample_frame(), column_formats=FORMATS)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
    rows = read_csv(data)
    assert rows[0] == sample_frame().columns
    assert rows[1] == [
        "苫小牧市", "実践項目", "05", "窓口業務のデジタル化による市民サービスの向上",
        "政策推進課、情報推進課", "行政運営", "A", "3.5", "4", "○", "12345678", "2021",
    ]
    assert rows[3][3] == "" and rows[3][9] == "" and rows[3][10] == ""


@pytest.mark.parametrize("text", RISKY)
def test_csv_prefixes_formula_like_text_with_apostrophe(text):
    rows = read_csv(to_csv(pl.DataFrame({text: [text, "普通"]})))
    assert rows[0] == ["'" + text]
    assert rows[1:] == [["'" + text], ["普通"]]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=8))
def test_property_csv_round_trips_guarded_text(texts):
    rows = read_csv(to_csv(pl.DataFrame({"備考": texts})))
    assert [row[0] if row else "" for row in rows[1:]] == [csv_text(clean_text(t)) for t in texts]
    for row in rows[1:]:
        assert not row or not row[0] or row[0][0] not in "=+-@\t\r"


# --- file names ---------------------------------------------------------------


def test_export_filename():
    assert export_filename("取組一覧", "xlsx", EXPORTED_AT) == "取組一覧_20261123-1405.xlsx"
    assert export_filename("財政効果/年度別:案?", ".CSV", EXPORTED_AT) == "財政効果_年度別_案__20261123-1405.csv"
    assert export_filename(' <>"|*. ', "xlsx", EXPORTED_AT) == "export_20261123-1405.xlsx"
    assert export_filename("", "png", EXPORTED_AT) == "export_20261123-1405.png"
    with pytest.raises(ValueError):
        export_filename("x", "..", EXPORTED_AT)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=150), st.sampled_from(["xlsx", "csv", ".png"]))
def test_property_export_filename_is_windows_safe(stem, extension):
    name = export_filename(stem, extension, EXPORTED_AT)
    assert not set(name) & set('\\/:*?"<>|')
    assert all(ord(ch) >= 32 for ch in name)
    assert name.endswith("_20261123-1405." + extension.lstrip("."))
    assert len(name) <= 130
