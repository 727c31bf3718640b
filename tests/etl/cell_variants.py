"""Workbooks whose cells take every form the reader must tell apart, built from the valid golden
workbook by rewriting single ``<c>`` elements of its XML: numbers written as text or with an
exponent, dates by number format (built-in, custom, time, duration, 1904 calendar) and ISO
``t="d"``, booleans, error values, formula results, rich-text and phonetic inline strings,
shared strings (rich text, phonetic runs, 「x005F_」), cells without or out of column order,
rows out of order, and damaged cells (a bad shared-string index, number, style or row number).

``test_workbook_cell_variants`` holds the expected ``check`` result of each, recorded from
openpyxl's reader (the reader before this one), to which the current one must stay equal.
"""
from __future__ import annotations

import re

from tests.etl import hostile

SHEET = hostile.INITIATIVES_PART  # 取組: row 3 holds initiative 1-1 (D3 取組名, G3 開始年度)
EVALUATIONS = "xl/worksheets/sheet4.xml"  # 評価: E2 holds a score 3
# Styles appended to cellXfs: 10 built-in date (14), 11 custom date (164), 12 time (h:mm, 20),
# 13 duration ([h]:mm, 46), 14 custom text-looking format (165 "0.0").
_NUM_FMTS = (b'<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy/mm/dd"/>'
             b'<numFmt numFmtId="165" formatCode="0.0"/></numFmts>')
_EXTRA_XFS = b"".join(b'<xf numFmtId="%d" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" xfId="0"/>' % n
                      for n in (14, 164, 20, 46, 165))


def _styles(body: bytes) -> bytes:
    body = re.sub(rb"<numFmts[^>]*?(/>|>.*?</numFmts>)", _NUM_FMTS, body, count=1, flags=re.S)
    count = int(re.search(rb'<cellXfs count="(\d+)"', body).group(1))
    assert count == 10, count  # the styles below are numbered from 10
    body = body.replace(b'<cellXfs count="10">', b'<cellXfs count="15">')
    return body.replace(b"</cellXfs>", _EXTRA_XFS + b"</cellXfs>")


def cells(changes: dict[str, bytes], part: str = SHEET, date1904: bool = False,
          styles_change=None, rows_change=None) -> bytes:
    """The golden workbook with cells ``ref -> raw <c>`` of ``part`` replaced."""
    def change(name: str, body: bytes) -> bytes:
        if name == part:
            for ref, cell in changes.items():
                body = hostile.set_cell(body, ref, cell)
            if rows_change is not None:
                body = rows_change(body)
        elif name == "xl/styles.xml":
            body = (styles_change or _styles)(body)
        elif name == "xl/workbook.xml" and date1904:
            body = body.replace(b"<workbookPr/>", b'<workbookPr date1904="1"/>')
            assert b"date1904" in body
        return body
    return hostile.rezip(change)


def _c(ref: str, inner: bytes = b"", attrs: bytes = b"") -> bytes:
    return b'<c r="' + ref.encode() + b'"' + attrs + (b">" + inner + b"</c>" if inner else b"/>")


def _shared(strings: list[bytes], cells_: dict[str, int]) -> bytes:
    return hostile.with_shared_strings(strings, cells_)


def _swap_rows(body: bytes) -> bytes:
    """Rows 4 and 5 of the sheet written in the order 5, 4 (openpyxl skipped the late one)."""
    four = re.search(rb'<row r="4".*?</row>', body, re.S).group(0)
    five = re.search(rb'<row r="5".*?</row>', body, re.S).group(0)
    return body.replace(four, b"\x00").replace(five, four).replace(b"\x00", five)


def _unnumbered_rows(body: bytes) -> bytes:
    return body.replace(b'<row r="4">', b"<row>").replace(b'<row r="5">', b'<row r="5.0">')


def _cells_without_refs(body: bytes) -> bytes:
    return re.sub(rb'(<row r="4">.*?</row>)', lambda m: re.sub(rb' r="[A-Z]+4"', b"", m.group(1)), body,
                  count=1, flags=re.S)


def _reversed_cells(body: bytes) -> bytes:
    row = re.search(rb'<row r="4">(.*?)</row>', body, re.S)
    cells_ = re.findall(rb"<c .*?(?:/>|</c>)", row.group(1), re.S)
    return body.replace(row.group(1), b"".join(reversed(cells_)))


VARIANTS = {
    # values a column may hold in another form
    "number_as_text": lambda: cells({"G3": _c("G3", b"<is><t>2021</t></is>", b' t="inlineStr"')}),
    "float_year": lambda: cells({"G3": _c("G3", b"<v>2021.0</v>")}),
    "exponent_year": lambda: cells({"G3": _c("G3", b"<v>2.021E3</v>")}),
    "spaced_number": lambda: cells({"E2": _c("E2", b"<v> 3 </v>", b' t="n"')}, part=EVALUATIONS),
    "float_score": lambda: cells({"E2": _c("E2", b"<v>2.5</v>")}, part=EVALUATIONS),
    "text_score": lambda: cells({"E2": _c("E2", b"<is><t>\xef\xbc\x93</t></is>", b' t="inlineStr"')},
                                part=EVALUATIONS),
    # types no column accepts
    "boolean": lambda: cells({"D3": _c("D3", b"<v>1</v>", b' t="b"')}),
    "error_value": lambda: cells({"D3": _c("D3", b"<v>#N/A</v>", b' t="e"')}),
    "error_without_text": lambda: cells({"D3": _c("D3", b"", b' t="e"')}),
    "date_builtin": lambda: cells({"D3": _c("D3", b"<v>44562</v>", b' s="10"')}),
    "date_custom": lambda: cells({"D3": _c("D3", b"<v>44562.5</v>", b' s="11"')}),
    "time": lambda: cells({"D3": _c("D3", b"<v>0.75</v>", b' s="12"')}),
    "duration": lambda: cells({"D3": _c("D3", b"<v>1.25</v>", b' s="13"')}),
    "date_before_march_1900": lambda: cells({"D3": _c("D3", b"<v>59</v>", b' s="10"')}),
    "date_1904": lambda: cells({"D3": _c("D3", b"<v>1</v>", b' s="10"')}, date1904=True),
    "date_out_of_range": lambda: cells({"D3": _c("D3", b"<v>1E10</v>", b' s="10"')}),
    "number_format_not_a_date": lambda: cells({"G3": _c("G3", b"<v>2021</v>", b' s="14"')}),
    "iso_date": lambda: cells({"D3": _c("D3", b"<v>2022-01-02T03:04:05Z</v>", b' t="d"')}),
    "iso_date_only": lambda: cells({"D3": _c("D3", b"<v>2022-01-02</v>", b' t="d"')}),
    # formulas: their saved result is the value
    "formula_text": lambda: cells({"D3": _c("D3", b'<f>"a"&amp;"b"</f><v>ab</v>', b' t="str"')}),
    "formula_number": lambda: cells({"G3": _c("G3", b"<f>2020+1</f><v>2021</v>")}),
    "formula_without_result": lambda: cells({"D3": _c("D3", b"<f>A1</f>")}),
    "formula_error": lambda: cells({"D3": _c("D3", b"<f>1/0</f><v>#DIV/0!</v>", b' t="e"')}),
    # strings
    "rich_inline": lambda: cells({"D3": _c("D3", b"<is><r><rPr><b/></rPr><t>\xe7\xaa\x93\xe5\x8f\xa3</t></r>"
                                                b"<r><t xml:space=\"preserve\"> \xe5\xa7\x94\xe8\xa8\x97</t></r></is>",
                                          b' t="inlineStr"')}),
    "phonetic_inline": lambda: cells({"D3": _c("D3", b'<is><t>\xe7\xaa\x93\xe5\x8f\xa3</t><rPh sb="0" eb="2">'
                                                     b"<t>\xe3\x83\x9e\xe3\x83\x89</t></rPh>"
                                                     b'<phoneticPr fontId="1"/></is>', b' t="inlineStr"')}),
    "two_plain_texts": lambda: cells({"D3": _c("D3", b"<is><t>a</t><t>b</t></is>", b' t="inlineStr"')}),
    "inline_without_is": lambda: cells({"D3": _c("D3", b"", b' t="inlineStr"')}),
    "inline_ignored_without_type": lambda: cells({"D3": _c("D3", b"<is><t>x</t></is>")}),
    "blank_text": lambda: cells({"D3": _c("D3", b"<is><t>   </t></is>", b' t="inlineStr"')}),
    "empty_value": lambda: cells({"G3": _c("G3", b"<v></v>")}),
    "shared": lambda: _shared([b"\xe7\xaa\x93\xe5\x8f\xa3\xe6\xa5\xad\xe5\x8b\x99", b"x005F_x000D_y"],
                              {"D3": 0, "D4": 1}),
    "shared_rich_phonetic": lambda: _shared([b'a</t></si><si><r><t>b</t></r><r><t>c</t></r>'
                                             b'<rPh sb="0" eb="1"><t>d</t></rPh><t>e'], {"D3": 1}),
    "shared_negative_index": lambda: _shared([b"first", b"last"], {"D3": -1}),
    # layout of rows and cells
    "rows_out_of_order": lambda: cells({}, rows_change=_swap_rows),
    "rows_without_numbers": lambda: cells({}, rows_change=_unnumbered_rows),
    "cells_without_refs": lambda: cells({}, rows_change=_cells_without_refs),
    "cells_in_reverse": lambda: cells({}, rows_change=_reversed_cells),
    "lower_case_ref": lambda: cells({"D3": b'<c r="d3" t="inlineStr"><is><t>x</t></is></c>'}),
    "data_without_header": lambda: cells({}, rows_change=lambda b: b.replace(
        b'<row r="3">', b'<row r="3"><c r="Z3" t="inlineStr"><is><t>stray</t></is></c>', 1)),
    # damaged cells: the workbook cannot be read from that row
    "shared_index_out_of_range": lambda: _shared([b"only"], {"D3": 0, "D4": 5}),
    "not_a_number": lambda: cells({"G3": _c("G3", b"<v>abc</v>")}),
    "not_an_index": lambda: cells({"D3": _c("D3", b"<v>x</v>", b' t="s"')}),
    "bad_style": lambda: cells({"D3": _c("D3", b"<v>1</v>", b' s="x"')}),
    "bad_boolean": lambda: cells({"D3": _c("D3", b"<v>yes</v>", b' t="b"')}),
    "bad_iso_date": lambda: cells({"D3": _c("D3", b"<v>someday</v>", b' t="d"')}),
    "bad_row_number": lambda: cells({}, rows_change=lambda b: b.replace(b'<row r="4">', b'<row r="4.5">')),
    "bad_reference": lambda: cells({"D3": b'<c r="3D" t="inlineStr"><is><t>x</t></is></c>'}),
    "default_style_is_date": lambda: cells({}, styles_change=lambda b: _styles(b).replace(
        b'<cellXfs count="15"><xf numFmtId="0"', b'<cellXfs count="15"><xf numFmtId="14"', 1)),
    "bad_number_format_id": lambda: cells({}, styles_change=lambda b: _styles(b).replace(
        b'numFmtId="164" formatCode', b'numFmtId="x" formatCode')),
}
