"""Hostile workbooks, built from the valid golden workbook by changing its XML parts the way an
attacker would (the checker must refuse each before openpyxl sees it)."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Callable

WORKBOOKS = Path(__file__).parent / "workbooks"
VALID = WORKBOOKS / "kakuu-city-plan.xlsx"
INITIATIVES_PART = "xl/worksheets/sheet3.xml"  # the 取組 sheet; D3 holds 「窓口業務の委託」
SHARED_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

Change = Callable[[str, bytes], bytes | None]


def rezip(change: Change, extra: dict[str, bytes] | None = None, base: bytes | None = None) -> bytes:
    """The valid workbook with every part passed through ``change`` (None drops it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base or VALID.read_bytes())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = change(info.filename, src.read(info.filename))
            if body is not None:
                dst.writestr(info.filename, body)
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def set_cell(sheet_xml: bytes, ref: str, cell: bytes) -> bytes:
    """Replace cell ``ref`` (e.g. D3) with the raw ``<c>`` element ``cell``."""
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(/>|>.*?</c>)', re.S)
    assert pattern.search(sheet_xml), ref
    return pattern.sub(lambda _: cell, sheet_xml, count=1)


def inline_text_cell(ref: str, text: bytes) -> bytes:
    return b'<c r="' + ref.encode() + b'" t="inlineStr"><is><t>' + text + b"</t></is></c>"


def with_shared_strings(strings: list[bytes], cells: dict[str, int], extra_rows: int = 0) -> bytes:
    """A sharedStrings part holding ``strings``; the 取組 sheet's ``cells`` (ref -> index) name
    them, and ``extra_rows`` rows appended to it show string 0 in column D."""
    table = b"".join(b"<si><t>" + s + b"</t></si>" for s in strings)
    shared = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="'
              + str(len(strings)).encode() + b'">' + table + b"</sst>")

    def change(name: str, body: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return body.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
                                + SHARED_TYPE.encode() + b'"/></Types>')
        if name == INITIATIVES_PART:
            for ref, index in cells.items():
                body = set_cell(body, ref, b'<c r="' + ref.encode() + b'" t="s"><v>'
                                + str(index).encode() + b"</v></c>")
            rows = b"".join(b'<row r="%d"><c r="D%d" t="s"><v>0</v></c></row>' % (n, n)
                            for n in range(100, 100 + extra_rows))
            body = body.replace(b"</sheetData>", rows + b"</sheetData>")
        return body

    return rezip(change, {"xl/sharedStrings.xml": shared})


def huge_inline_cell(chars: int) -> bytes:
    """取組!D3 holds ``chars`` characters (compresses to a few kilobytes)."""
    return rezip(lambda name, body: set_cell(body, "D3", inline_text_cell("D3", b"A" * chars))
                 if name == INITIATIVES_PART else body)


def many_sheet_entries(count: int) -> bytes:
    """``count`` extra ``<sheet>`` entries in xl/workbook.xml, all pointing at the 取組 part."""
    entries = b"".join(b'<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
                       b'name="copy' + str(n).encode() + b'" sheetId="' + str(100 + n).encode()
                       + b'" r:id="rId3"/>' for n in range(count))
    return rezip(lambda name, body: body.replace(b"</sheets>", entries + b"</sheets>")
                 if name == "xl/workbook.xml" else body)


def damaged_part(part: str) -> bytes:
    """``part`` cut off in the middle of a tag."""
    return rezip(lambda name, body: body[: len(body) // 2] if name == part else body)


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
                  + b"".join(b"<!ENTITY " + bytes([98 + i]) + b' "' + (b"&" + bytes([97 + i]) + b";") * 10 + b'">'
                             for i in range(8))
                  + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&i;</t></si></sst>')


def entity_expansion() -> bytes:
    base = with_shared_strings([b"x"], {"D3": 0})
    return rezip(lambda name, body: BILLION_LAUGHS if name == "xl/sharedStrings.xml" else body, base=base)


def external_entity() -> bytes:
    """XXE: the 取組 sheet includes /etc/passwd through an external entity."""
    def change(name: str, body: bytes) -> bytes:
        if name != INITIATIVES_PART:
            return body
        body = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + body
        return set_cell(body, "D3", inline_text_cell("D3", b"&x;"))
    return rezip(change)


def zip_bomb(megabytes: int = 120) -> bytes:
    """A part that inflates to ``megabytes`` of zeros (about 0.1 % of that on disk)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(VALID.read_bytes())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        with dst.open("xl/media/padding.bin", "w") as part:
            block = bytes(1024 * 1024)
            for _ in range(megabytes):
                part.write(block)
    return out.getvalue()


# ---- markdown and HTML in every free-text field (for the screens) ----

ATTACKER = "attacker.invalid"  # .invalid never resolves: a leaked request fails, and is seen


def payload(field: str) -> str:
    """Markdown and HTML that would fetch from or link to the attacker if rendered."""
    return (f"![x](http://{ATTACKER}/{field}.png)<img src=http://{ATTACKER}/h-{field}.png>"
            f"[リンク](http://{ATTACKER}/a-{field}) http://{ATTACKER}/auto **太字** :red[赤] $x^2$")


# (sheet, header) of the template's free-text columns; codes, years and closed vocabularies
# keep their values so the workbook still imports.
TEXT_FIELDS = [("計画", "自治体"), ("計画", "計画名"), ("取組", "取組名"), ("取組", "担当部署"), ("取組", "テーマ"),
               ("指標", "指標名"), ("指標", "単位"), ("指標", "備考"), ("財政効果", "根拠"), ("記述", "項目"),
               ("記述", "本文"), ("表彰", "表彰名"), ("表彰", "題名"), ("表彰", "受賞者"),
               ("関係自治体", "自治体")]


def markdown_workbook() -> bytes:
    """The valid golden workbook with ``payload`` appended to every free-text cell."""
    import copy
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_workbooks", WORKBOOKS / "make_workbooks.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    data = copy.deepcopy(make.DATA)
    for sheet, header in TEXT_FIELDS:
        for row in data[sheet]:
            if row.get(header) is not None or header == "備考":
                row[header] = f"{row.get(header) or ''}{payload(f'{sheet}-{header}')}"
    make.DATA = data
    return make.saved(make.filled())
