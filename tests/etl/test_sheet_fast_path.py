"""The fast path for sheet parts (``sheet_fast_path``) gives exactly the streaming scan's
``SheetScan``, field by field, or declines (None) — on every sheet part of every workbook the
tests use or generate, under the limits' parameters and tighter ones (early stops, long cells,
a small text budget), and on generated sheet XML (hypothesis). It must also really run: for
the national generator's, openpyxl's and Excel's way of writing a sheet."""
from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from array import array
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.national import towns, workbook
from etl.workbook import limits
from etl.workbook.date_styles import MAIN_NS, DateStyles
from etl.workbook.limits import MAX_CELL_CHARS, MAX_DATA_ROWS, MAX_TEXT_CHARS
from etl.workbook.sheet_fast_path import fast_scan
from etl.workbook.template import template_bytes
from etl.workbook.xml_scan import CellValues, ErrorValue, SheetScan, scan_shared_strings, scan_sheet
from tests.etl import hostile
from tests.etl.cell_variants import VARIANTS

WORKBOOKS = Path(__file__).parent / "workbooks"
PRODUCTION = dict(stop_after=MAX_DATA_ROWS + 1, max_cell=MAX_CELL_CHARS, text_budget=MAX_TEXT_CHARS)
# Tighter limits, so that early stops, long cells and the text budget are met in small sheets.
TIGHT = [dict(stop_after=3, max_cell=40, text_budget=2_000), dict(stop_after=0, max_cell=5, text_budget=None),
         dict(stop_after=40, max_cell=None, text_budget=300)]


def _key(value):
    return type(value).__name__, repr(value)  # 1 == 1.0 == True, and nan != nan: compare exactly


def fields(scan: SheetScan) -> dict:
    rows = None if scan.rows is None else [(number, [_key(v) for v in cells], columns)
                                          for number, cells, columns in scan.rows]
    error = scan.read_error
    return dict(data_rows=scan.data_rows, formulas=scan.formulas, long_cells=scan.long_cells,
                text_units=scan.text_units, stopped_for_text=scan.stopped_for_text, rows=rows,
                read_error=None if error is None else (type(error), str(error)))


def compare(data: bytes, part: str, **options) -> bool:
    """Both paths on one part; True when the fast one answered (and agreed)."""
    try:
        expected = scan_sheet(io.BytesIO(data), part, **options)
    except Exception as error:  # noqa: BLE001 - whatever the streaming scan raises, the fast path must decline
        assert fast_scan(data, part, **options) is None, (part, error)
        return False
    fast = fast_scan(data, part, **options)
    if fast is None:
        return False
    got, want = fields(fast), fields(expected)
    for name in want:
        assert got[name] == want[name], (part, name, options)
    return True


def _values(archive: zipfile.ZipFile) -> tuple[array, CellValues | None]:
    """Shared-string lengths and cell values' context, as ``check_package`` finds them."""
    names = set(archive.namelist())
    types = ElementTree.fromstring(archive.read("[Content_Types].xml")) if "[Content_Types].xml" in names else None
    shared_part = limits._shared_strings_part(types, names)
    shared, strings = array("q"), []
    if shared_part is not None:
        with archive.open(shared_part) as stream:
            shared, strings = scan_shared_strings(stream, shared_part, keep_units=MAX_TEXT_CHARS)
    workbook_xml = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    try:
        return shared, limits._cell_values(archive, names, types, workbook_xml, shared_part, strings)
    except limits.Unreadable:
        return shared, None


def compare_workbook(data: bytes) -> tuple[int, int]:
    """Every sheet part of a workbook under every set of parameters: (parts the fast path read
    under the limits' own parameters, parts)."""
    taken = parts = 0
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return 0, 0
    try:
        shared, values = _values(archive)
    except Exception:  # noqa: BLE001 - e.g. a shared-string part with a DTD: the sheets still scan
        shared, values = array("q"), None
    for name in archive.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        part = archive.read(name)
        parts += 1
        fast = [compare(part, name, shared=shared, values=values, **PRODUCTION),
                compare(part, name, shared=shared, values=None, **PRODUCTION),
                compare(part, name, shared=None, values=values, **PRODUCTION)]
        for tight in TIGHT:  # the fast path may decline here (a text longer than max_cell)
            compare(part, name, shared=shared, values=values, **tight)
        taken += all(fast)
    return taken, parts


def national_workbooks(count: int = 3) -> list[bytes]:
    rng = random.Random(5)
    return [workbook(rng, town) for town in towns(count)]


def test_national_workbooks_take_the_fast_path_with_the_same_scans():
    for data in national_workbooks():
        taken, parts = compare_workbook(data)
        assert parts == 9 and taken == parts


def test_the_template_takes_the_fast_path_with_the_same_scans():
    taken, parts = compare_workbook(template_bytes())
    assert parts == 9 and taken == parts


def test_an_exported_plan_takes_the_fast_path_with_the_same_scans(built_warehouse):
    from etl.workbook.export import export_workbook

    taken, parts = compare_workbook(export_workbook(built_warehouse, "苫小牧市"))
    assert parts == 9 and taken == parts


def test_openpyxl_written_workbooks_take_the_fast_path_with_the_same_scans(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名称", "数", "日付", "真偽", "式", "空白を含む", "記号"])
    sheet.append(["窓口業務の委託", 3, dt.datetime(2022, 4, 1), True, "=B2*2", "  前後に空白  ", 'a&b<c>"d\''])
    sheet.append([None, 2.5, dt.date(2021, 1, 2), False, "=SUM(B2:B3)", "改行\nあり", "😀 絵文字"])
    sheet["J7"] = 1e-7
    sheet["B9"] = dt.time(12, 30)
    sheet.cell(row=12, column=3, value="後から")
    other = book.create_sheet("二枚目")
    for row in range(1, 60):
        other.append([row, f"行{row}", row * 1.5])
    book.save(tmp_path / "book.xlsx")
    taken, parts = compare_workbook((tmp_path / "book.xlsx").read_bytes())
    assert parts == 2 and taken == parts


EXCEL_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'.replace("\r\n", "\n")
    + f'<worksheet xmlns="{MAIN_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac xr xr2 xr3" '
    'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" '
    'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" '
    'xr:uid="{00000000-0001-0000-0000-000000000000}">'
    '<dimension ref="A1:D4"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
    '<sheetFormatPr defaultRowHeight="18.75" x14ac:dyDescent="0.4"/><cols><col min="1" max="1" width="20" customWidth="1"/></cols>'
    '<sheetData>'
    '<row r="1" spans="1:4" x14ac:dyDescent="0.4"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1" t="s"><v>1</v></c>'
    '<c r="C1" t="s"><v>2</v></c><c r="D1" s="2"/></row>'
    '<row r="2" spans="1:4" ht="37.5" customHeight="1" x14ac:dyDescent="0.4"><c r="A2" t="s"><v>3</v></c>'
    '<c r="B2"><v>3</v></c><c r="C2" s="3"><v>44652</v></c><c r="D2"><f>B2*2</f><v>6</v></c></row>'
    '<row r="3" spans="1:4" x14ac:dyDescent="0.4"><c r="A3" t="s"><v>4</v></c><c r="B3"><v>2.5</v></c>'
    '<c r="C3" t="b"><v>1</v></c><c r="D3" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
    '<row r="4" spans="1:4" x14ac:dyDescent="0.4"><c r="B4"><f t="shared" ref="B4:B5" si="0">B2+1</f><v>4</v></c>'
    '<c r="D4" t="str"><f>A1&amp;"x"</f><v>名称x</v></c></row>'
    '</sheetData><mergeCells count="1"><mergeCell ref="A6:B6"/></mergeCells>'
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    '<pageSetup paperSize="9" orientation="portrait" r:id="rId1"/></worksheet>').encode()


def test_an_excel_style_sheet_takes_the_fast_path_with_the_same_scan():
    shared = array("q", [2, 4, 3, 7, 1])
    values = CellValues(["名称", "取組名称", "年度", "窓口業務の委託", "x"], DateStyles(dates=frozenset({3})))
    for options in [PRODUCTION, *TIGHT]:
        assert compare(EXCEL_SHEET, "xl/worksheets/sheet1.xml", shared=shared, values=values, **options)
        assert compare(EXCEL_SHEET, "xl/worksheets/sheet1.xml", shared=shared, values=None, **options)
    scan = fast_scan(EXCEL_SHEET, "xl/worksheets/sheet1.xml", shared=shared, values=values, **PRODUCTION)
    assert scan.rows[1] == (2, ["窓口業務の委託", 3, dt.datetime(2022, 4, 1), 6], None)
    assert scan.formulas == {(2, 4), (3, 4), (4, 2), (4, 4)}


def test_check_package_takes_the_fast_path(monkeypatch):
    calls = []
    real = limits.fast_scan
    monkeypatch.setattr(limits, "fast_scan", lambda *a, **k: calls.append(result := real(*a, **k)) or result)
    problems = limits.Problems()
    assert limits.check_package(national_workbooks(1)[0], problems, read=lambda sheet: True) is not None
    assert len(calls) == 9 and all(scan is not None for scan in calls)


@pytest.mark.parametrize("path", sorted(WORKBOOKS.glob("*.xls*")), ids=lambda p: p.name)
def test_the_test_workbooks_scan_the_same(path):
    taken, parts = compare_workbook(path.read_bytes())
    assert parts >= 1 or path.name == "not_a_workbook.xlsx"


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_the_cell_variants_scan_the_same(name):
    taken, parts = compare_workbook(VARIANTS[name]())
    assert parts == 9


HOSTILE = {
    "shared_strings": lambda: hostile.with_shared_strings([b"ok", b"B" * 40_000], {"D3": 0, "D4": 1}),
    "text_budget": lambda: hostile.with_shared_strings([b"B" * 30_000], {"D3": 0}, extra_rows=200),
    "huge_inline_cell": lambda: hostile.huge_inline_cell(40_000),
    "many_sheet_entries": lambda: hostile.many_sheet_entries(30),
    "damaged_sheet": lambda: hostile.damaged_part(hostile.INITIATIVES_PART),
    "damaged_styles": lambda: hostile.damaged_part("xl/styles.xml"),
    "external_entity": hostile.external_entity,
    "entity_expansion": hostile.entity_expansion,
    "small_zip_bomb": lambda: hostile.zip_bomb(5),
    "markdown": hostile.markdown_workbook,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_hostile_workbooks_scan_the_same(name):
    taken, parts = compare_workbook(HOSTILE[name]())
    assert parts >= 9


def _sheet(rows: str) -> bytes:
    return f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>'.encode()


# Small sheets in canonical form the fast path must read, each a case where a careless reading
# differs: (rows, one value the streaming scan gives there).
EDGES = {
    "empty_v_is_a_value": ('<row r="1"><c r="A1"><v/></c></row><row r="2"><c r="A2"><v></v></c></row>', None),
    "no_ref_after_a_late_column": ('<row r="1"><c r="C1"><v>1</v></c><c><v>2</v></c></row>', 2),
    "no_ref_after_a_lower_case_ref": ('<row r="1"><c r="b1"><v>1</v></c><c t="inlineStr"><is><t>x</t></is></c></row>', "x"),
    "empty_row_ref": ('<row r="2"><c r="A2"><v>1</v></c></row><row r=""><c r="A1"><v>1</v></c></row>', ValueError),
    "row_ref_after_other_attributes": ('<row spans="1:2" r="7"><c r="A7"><v>1</v></c></row>', 1),
    "cell_ref_last": ('<row r="1"><c t="inlineStr" s="0" r="D1"><is><t>d</t></is></c></row>', "d"),
    "empty_style_with_default_date": ('<row r="1"><c r="A1" s=""><v>44562</v></c><c r="B1"><v>44562</v></c></row>', 44562),
    "explicit_n_with_date_style": ('<row r="1"><c r="A1" s="3" t="n"><v>44562</v></c></row>', dt.datetime(2022, 1, 1)),
    "empty_type": ('<row r="1"><c r="A1" t=""><v>12</v></c></row>', "12"),
    "self_closing_inline_string": ('<row r="1"><c r="A1" t="inlineStr"><is/></c><c r="B1" t="inlineStr"><is><t/></is></c>'
                                   '<c r="C1" t="inlineStr"/></row>', ""),
    "inline_string_in_a_number_cell": ('<row r="1"><c r="A1"><is><t>abc</t></is></c></row>', None),
    "references_and_entities": ('<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve"> &#31379;&#x53E3;'
                                '&amp;&lt;&gt;&quot;&apos;&#38;&#60; </t></is></c></row>', " 窓口&<>\"'&< "),
    "astral_characters_count_twice": ('<row r="1"><c r="A1" t="inlineStr"><is><t>&#128512;😀</t></is></c></row>',
                                      "😀😀"),
    "error_without_value": ('<row r="1"><c r="A1" t="e"/></row>', ErrorValue(None)),
    "shared_string_index_with_spaces": ('<row r="1"><c r="A1" t="s"><v> 1 </v></c><c r="B1" t="s"><v>2</v></c></row>',
                                        "名称"),
    "formula_in_a_cell_without_ref": ('<row r="2"><c r="B2"><v>1</v></c><c><f>B2</f><v>1</v></c></row>', 1),
    "whitespace_between_rows_and_cells": ('\n <row r="1">\n  <c r="A1"><v>1</v></c>\n </row>\n', 1),
    "self_closing_rows": ('<row r="1"/><row/><row r="5"><c r="A5"><v>1</v></c></row>', 1),
    "rows_out_of_order": ('<row r="5"><c r="A5"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>', 2),
}


@pytest.mark.parametrize("name", sorted(EDGES))
def test_edge_sheets_take_the_fast_path_with_the_same_scan(name):
    rows, value = EDGES[name]
    xml = _sheet(rows)
    shared = array("q", [2, 2, 30])
    for date_default in (False, True):
        values = CellValues(["年度", "名称", "x" * 30], DateStyles(dates=frozenset({0, 3} if date_default else {3})))
        for options in [PRODUCTION, TIGHT[2], dict(stop_after=0, max_cell=None, text_budget=3)]:
            assert compare(xml, "xl/worksheets/sheet1.xml", shared=shared, values=values, **options)
            assert compare(xml, "xl/worksheets/sheet1.xml", shared=shared, values=None, **options)
    scan = fast_scan(xml, "p", shared=shared, values=CellValues(["年度", "名称", "x" * 30], DateStyles(dates=frozenset({3}))),
                     **PRODUCTION)
    if value is ValueError:  # openpyxl could not read the sheet from that row
        assert isinstance(scan.read_error, ValueError) and len(scan.rows) == 1
    else:
        assert any(_key(value) in map(_key, cells) for _, cells, _ in scan.rows), scan.rows


def test_a_bad_style_is_read_before_the_text_budget_ends_the_scan():
    """The streaming scan reads a cell's column and style where the cell starts and stops for
    the text budget where it ends: the read error comes first (found by hypothesis)."""
    xml = _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>ab</t></is></c>'
                 '<c r="B1" s="x" t="inlineStr"><is><t>abcd</t></is></c></row>')
    values = CellValues([], DateStyles())
    assert compare(xml, "p", stop_after=10, values=values, text_budget=3)
    scan = fast_scan(xml, "p", stop_after=10, values=values, text_budget=3)
    assert scan.stopped_for_text and isinstance(scan.read_error, ValueError) and scan.rows == []


# Generated sheets: every form a cell, a row and its text may take, valid or not.
_ALPHABET = ["a", "Z", "0", "7", " ", ".", "-", "E", "窓", "口", "😀", "&", "<", ">", '"', "'", "\n", "\t"]
_WILD_ALPHABET = _ALPHABET + ["\r\n", "\r", "\ufdd0"]  # these send a sheet to the streaming scan


@st.composite
def _text(draw, wild: bool, max_size: int = 8) -> str:
    """Text written as XML may write it: entities, decimal or hex references, raw characters."""
    out = []
    for ch in draw(st.lists(st.sampled_from(_WILD_ALPHABET if wild else _ALPHABET), max_size=max_size)):
        how = draw(st.sampled_from(["raw", "raw", "named", "dec", "hex"]))
        if how == "raw" and ch not in "&<":
            out.append(ch)
        elif how == "named" and ch in {"&": 1, "<": 1, ">": 1, '"': 1, "'": 1}:
            out.append({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}[ch])
        else:
            out.append("".join(f"&#{ord(c)};" if how != "hex" else f"&#x{ord(c):X};" for c in ch))
    return "".join(out)


def _attrs(draw, pairs: list[tuple[str, str]], wild: bool) -> str:
    pairs = draw(st.permutations(pairs))
    out = []
    for name, value in pairs:
        space = draw(st.sampled_from([" ", " ", "\n ", "\t"])) if wild else " "
        quote = draw(st.sampled_from(['"', '"', "'"])) if wild else '"'
        out.append(f"{space}{name}={quote}{value.replace(quote, '&quot;' if quote == chr(34) else '&apos;')}{quote}")
    return "".join(out)


_NUMBERS = ["0", "3", "-7", "2.5", "1E3", "44562", "1e10", "abc", " 3 ", "", "nan", "01"]


@st.composite
def _cell(draw, row: int, column: int, wild: bool) -> str:
    pairs = []
    ref = draw(st.sampled_from(["ok", "ok", "ok", "none", "lower", "other", "bad", "empty"]))
    letters = "ABCDEFGH"[column % 8]
    if ref != "none":
        pairs.append(("r", {"ok": f"{letters}{row}", "lower": f"{letters.lower()}{row}", "other": f"C{row}",
                            "bad": "1A", "empty": ""}[ref]))
    kind = draw(st.sampled_from(["s", "inlineStr", "n", "b", "e", "str", "d", None, ""]))
    if kind is not None:
        pairs.append(("t", kind))
    style = draw(st.sampled_from([None, "0", "1", "3", "x", ""]))
    if style is not None:
        pairs.append(("s", style))
    if draw(st.booleans()):
        pairs.append(("cm", "1"))
    attrs = _attrs(draw, pairs, wild)
    inner = ""
    if draw(st.integers(0, 4)) == 0:
        inner += draw(st.sampled_from(["<f>B1*2</f>", '<f t="shared" si="0"/>', "<f>A1&amp;\"x\"</f>"]))
    value = draw(st.sampled_from(["none", "number", "index", "text", "empty"] + ["long"] * wild))
    if value != "none":
        text = {"number": draw(st.sampled_from(_NUMBERS)), "index": str(draw(st.integers(-1, 6))),
                "text": draw(_text(wild)), "empty": "", "long": "x" * draw(st.integers(15, 60))}[value]
        inner += draw(st.sampled_from([f"<v>{text}</v>"] * 3 + ["<v/>"] + [f"<v>{text}</v><v>9</v>"] * wild))
    inline = draw(st.sampled_from(["none", "none", "plain", "preserve", "empty"]
                                  + ["rich", "phonetic", "two"] * wild))
    if inline != "none":
        text = draw(_text(wild, max_size=draw(st.sampled_from([8, 8, 60]))))
        inner += {"plain": f"<is><t>{text}</t></is>", "preserve": f'<is><t xml:space="preserve">{text}</t></is>',
                  "rich": f"<is><r><rPr><b/></rPr><t>{text}</t></r><r><t>b</t></r></is>",
                  "phonetic": f'<is><t>{text}</t><rPh sb="0" eb="1"><t>ヨミ</t></rPh></is>',
                  "empty": "<is/>", "two": f"<is><t>a</t><t>{text}</t></is>"}[inline]
    if wild and draw(st.integers(0, 6)) == 0:
        inner = draw(st.sampled_from([" ", "\n"])) + inner
    return f"<c{attrs}/>" if not inner and draw(st.booleans()) else f"<c{attrs}>{inner}</c>"


@st.composite
def sheets(draw) -> tuple[bytes, bool]:
    """A sheet part; half of them avoid whatever the fast path declines (then it must answer)."""
    wild = draw(st.booleans())
    rows = []
    number = 0
    for _ in range(draw(st.integers(0, 7))):
        number += draw(st.sampled_from([1, 1, 1, 2, -1]))
        pairs = []
        how = draw(st.sampled_from(["ok", "ok", "none", "float", "bad", "empty"]))
        if how != "none":
            pairs.append(("r", {"ok": str(number), "float": f"{number}.0", "bad": "x", "empty": ""}[how]))
        pairs += draw(st.lists(st.sampled_from([("spans", "1:4"), ("ht", "30"), ("customHeight", "1"),
                                                ("x14ac:dyDescent", "0.4")]), unique=True))
        attrs = _attrs(draw, pairs, wild)
        columns = draw(st.lists(st.integers(0, 7), max_size=draw(st.sampled_from([1, 2, 5]))))
        cells = "".join(draw(_cell(number, column, wild)) for column in columns)
        gap = draw(st.sampled_from(["", "", "\n"])) if wild else ""
        rows.append(f"<row{attrs}/>" if not cells and draw(st.booleans()) else f"<row{attrs}>{cells}{gap}</row>{gap}")
    before = draw(st.sampled_from(["", '<cols><col min="1" max="2" width="9"/></cols>', '<sheetPr codeName="Sheet1"/>']
                                  + ["<!-- note -->"] * wild))
    after = draw(st.sampled_from(["", '<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>',
                                  '<dataValidations><dataValidation type="list"><formula1>"a,b"</formula1>'
                                  "</dataValidation></dataValidations>"]
                                 + ["<?pi x?>", '<extLst><ext uri="x"><row/></ext></extLst>'] * wild))
    root = draw(st.sampled_from([f'<worksheet xmlns="{MAIN_NS}" xmlns:x14ac="urn:x14ac">',
                                 f'<worksheet xmlns:x14ac="urn:x14ac" xmlns="{MAIN_NS}">',
                                 f'<x:worksheet xmlns:x="{MAIN_NS}" xmlns="{MAIN_NS}" xmlns:x14ac="urn:x14ac">']
                                + ['<worksheet xmlns:x14ac="urn:x14ac">'] * wild))
    end = "</x:worksheet>" if root.startswith("<x:") else "</worksheet>"
    declaration = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', "",
                                        '<?xml version="1.0"?>']))
    xml = f"{declaration}{root}{before}<sheetData>{''.join(rows)}</sheetData>{after}{end}"
    if wild and draw(st.integers(0, 4)) == 0:  # damage it
        xml = xml[: draw(st.integers(0, len(xml)))]
    return xml.encode(), wild


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sheets(), st.sampled_from([0, 1, 2, 3, 100]), st.sampled_from([None, 3, 20, 1000]),
       st.sampled_from([None, 10, 60, 10_000]), st.booleans(), st.booleans(), st.booleans())
def test_generated_sheets_scan_the_same(sheet, stop_after, max_cell, text_budget, with_values, with_shared,
                                        date_default):
    xml, wild = sheet
    shared = array("q", [3, 0, 50, 2, 1]) if with_shared else None
    styles = DateStyles(dates=frozenset({0, 3} if date_default else {3}), durations=frozenset({1}))
    values = CellValues(["one", "", "x" * 50, "窓口", "b"], styles) if with_values else None
    taken = compare(xml, "xl/worksheets/sheet1.xml", stop_after=stop_after, shared=shared, max_cell=max_cell,
                    text_budget=text_budget, values=values)
    if not wild and (max_cell is None or max_cell >= 1000):  # nothing here for the fast path to decline
        assert taken


def _checked(data: bytes, name: str) -> str:
    from etl.workbook.check import check

    return repr(check(data, name))  # problems, plan, counts and records


@pytest.mark.parametrize("source", ["national", "template", *sorted(p.name for p in WORKBOOKS.glob("*.xls*")),
                                    *sorted(HOSTILE)])
def test_check_gives_the_same_result_through_either_path(source, monkeypatch):
    """The whole check (``scan_part`` choosing the path) is the same as with streaming only."""
    if source == "national":
        data = national_workbooks(1)[0]
    elif source == "template":
        data = template_bytes()
    elif source in HOSTILE:
        data = HOSTILE[source]()
    else:
        data = (WORKBOOKS / source).read_bytes()
    name = source if source.endswith((".xlsx", ".xlsm")) else f"{source}.xlsx"
    fast = _checked(data, name)
    monkeypatch.setattr(limits, "WHOLE_PART_BYTES", -1)  # every part streams
    assert _checked(data, name) == fast
