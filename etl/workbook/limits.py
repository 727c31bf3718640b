"""Size and safety limits, checked on the raw file in one streaming pass that also reads the cells.

An .xlsx file is a zip archive of XML parts. Before any cell is used we refuse:
- names other than .xlsx (macro-enabled .xlsm, old .xls, csv …),
- files above ``MAX_FILE_BYTES``,
- content that is not a zip archive, or not an Excel workbook,
- macros (an ``xl/vbaProject.bin`` part or a macro-enabled content type, whatever the name),
- archives that would expand beyond ``MAX_UNCOMPRESSED_BYTES`` or hold more than
  ``MAX_ZIP_MEMBERS`` parts (zip bombs; Python's zipfile never inflates a part beyond the size
  its directory states, so the stated sizes are a real bound),
- any XML part with a document type declaration (entity expansion, XXE) or that is not
  well-formed (Excel could not open it either),
- more than ``MAX_SHEETS`` sheets (each distinct sheet part is scanned once, however many
  ``<sheet>`` entries point at it),
- sheets with more than ``MAX_DATA_ROWS`` data rows, a cell longer than ``MAX_CELL_CHARS`` and
  more than ``MAX_TEXT_CHARS`` of text in all, measured by streaming the XML (``xml_scan``:
  constant memory, no cell text kept beyond the limits). The same pass notes which cells hold
  formulas and, for the sheets ``read`` asks for, reads every cell's value (``xml_scan``: as
  openpyxl's reader gave them, shared strings from the part the content types name, dates
  from the number formats of xl/styles.xml: ``date_styles``). A sheet part of at most
  ``WHOLE_PART_BYTES`` in canonical form (what Excel, openpyxl and the template writer save)
  is read whole instead, with the same result (``sheet_fast_path``, ``scan_part``).

A part the reader needs but cannot interpret (a content type list without a workbook, a shared
string part that is named but missing, a stylesheet with a non-numeric format id) makes the
workbook unreadable, with the message openpyxl's failure to open it gave.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from array import array
from dataclasses import dataclass, field
from typing import Callable
from xml.etree import ElementTree

from openpyxl.utils import get_column_letter

from etl.workbook.date_styles import STYLES_PART, date_styles, epoch_of
from etl.workbook.problems import Problems
from etl.workbook.sheet_fast_path import WHOLE_PART_BYTES, fast_scan
from etl.workbook.xml_scan import (CellValues, SheetScan, XmlRefused, check_well_formed,
                                   scan_shared_strings, scan_sheet)

__all__ = ["Package", "SheetScan", "check_name", "check_package", "MAX_FILE_BYTES", "MAX_UNCOMPRESSED_BYTES",
           "MAX_ZIP_MEMBERS", "MAX_DATA_ROWS", "MAX_CELL_CHARS", "MAX_TEXT_CHARS", "MAX_SHEETS"]

MAX_FILE_BYTES = 10 * 1024 * 1024  # 10 MB
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # 100 MB once unzipped
MAX_ZIP_MEMBERS = 1_000
MAX_DATA_ROWS = 20_000  # per sheet, header row not counted
MAX_CELL_CHARS = 32_767  # Excel's limit per cell (UTF-16 code units)
# All text of a workbook, each cell counted (a shared string once per cell that shows it): 25 times
# the largest built-in document (Tomakomai, ~200,000 characters), far below what hurt a browser.
MAX_TEXT_CHARS = 5_000_000
MAX_SHEETS = 50  # the template has 9; offices add a few of their own
MAX_REPORTED_LONG_CELLS = 20  # per workbook: enough to find them, without a wall of errors

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_FIRST_PARTS = ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")
# Content types that mark a workbook part (openpyxl's XLSX, XLSM, XLTX, XLTM).
_WORKBOOK_TYPES = {f"application/vnd.{kind}.main+xml" for kind in (
    "openxmlformats-officedocument.spreadsheetml.sheet", "ms-excel.sheet.macroEnabled",
    "openxmlformats-officedocument.spreadsheetml.template", "ms-excel.template.macroEnabled")}


@dataclass
class Package:
    """A workbook that passed every limit: its sheets in workbook order (each ``<sheet>`` whose
    part exists; a part shared by several entries is scanned once), with the cell values of
    the sheets ``check_package`` was asked to read."""

    sheets: list[tuple[str, SheetScan]] = field(default_factory=list)


class Unreadable(Exception):
    """A part the reader needs cannot be interpreted; ``name`` is the error openpyxl raised."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(name)


def unreadable_message(name: str) -> str:
    return f"ブックを読めません（{name}）。Excel で開けるか確かめ、.xlsx で保存し直してください。"


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def check_name(file_name: str, problems: Problems) -> None:
    lower = file_name.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlsb")):
        problems.error(None, None, None, "マクロ付き・バイナリ形式のブックは取り込めません。"
                                         "Excel で「Excel ブック (*.xlsx)」として保存し直してください。")
    elif not lower.endswith(".xlsx"):
        problems.error(None, None, None, "取り込めるのは Excel ブック (.xlsx) だけです。"
                                         "テンプレートに入力して .xlsx で保存してください。")


def _sheet_parts(workbook: ElementTree.Element, archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, XML part name) per ``<sheet>`` of xl/workbook.xml, in order (the parts read
    here were checked first: well-formed, no DTD)."""
    rels_name = "xl/_rels/workbook.xml.rels"
    targets = {}
    if rels_name in archive.namelist():
        for rel in ElementTree.fromstring(archive.read(rels_name)).iter(f"{_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            # Targets are relative to xl/ unless absolute ("/xl/worksheets/sheet1.xml").
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            targets[rel.get("Id")] = part
    parts = []
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        part = targets.get(sheet.get(f"{_REL}id"))
        if part:
            parts.append((sheet.get("name", ""), part))
    return parts


def _shared_strings_part(types: ElementTree.Element | None, names: set[str]) -> str | None:
    """The part whose lengths count: the content-type override, else the default."""
    for override in types.iter(f"{_CT}Override") if types is not None else ():
        if override.get("ContentType") == _SHARED_STRINGS_TYPE:
            part = override.get("PartName", "").lstrip("/")
            if part in names:
                return part
    return "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else None


def _string_table_part(types: ElementTree.Element | None, names: set[str]) -> str | None:
    """The part cell values take shared strings from (openpyxl's rule: the first content-type
    override of that type, without a default); ``Unreadable`` when the part does not exist."""
    if types is None:
        raise Unreadable("KeyError")  # no [Content_Types].xml: openpyxl could not start
    if not any(o.get("ContentType") in _WORKBOOK_TYPES for o in types.iter(f"{_CT}Override")) and \
            not any(d.get("ContentType") in _WORKBOOK_TYPES for d in types.iter(f"{_CT}Default")):
        raise Unreadable("OSError")  # "File contains no valid workbook part"
    for override in types.iter(f"{_CT}Override"):
        if override.get("ContentType") == _SHARED_STRINGS_TYPE:
            part = override.get("PartName", "")[1:]
            if part not in names:
                raise Unreadable("KeyError")
            return part
    return None


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _refused_part(error: XmlRefused, problems: Problems) -> None:
    if error.reason == "dtd":
        problems.error(None, None, None, f"ブックの一部（{error.part}）に文書型宣言 (<!DOCTYPE>) があります。"
                                         "Excel が保存するブックにはないもので、外部参照や実体展開に使われるため取り込みません。"
                                         "Excel で開いて .xlsx で保存し直してください。")
    else:
        where = f"{error.line} 行目" if error.line else "XML"
        problems.error(None, None, None, f"ブックの一部（{error.part} の {where}）が壊れているため読めません。"
                                         "Excel で開けるか確かめ、.xlsx で保存し直してください。")


def _too_much_text(problems: Problems) -> None:
    problems.error(None, None, None, f"ブックの文字数が多すぎます（合計 {MAX_TEXT_CHARS:,} 文字を超えています）。"
                                     f"1つのブックに入れられる文字は合計 {MAX_TEXT_CHARS:,} 文字までです。")


def check_package(data: bytes, problems: Problems,
                  read: Callable[[str], bool] = lambda sheet: False) -> Package | None:
    """Every limit above; the scan of each sheet when the file may be read, with the values of
    the sheets whose name ``read`` accepts. None (and an error in ``problems``) otherwise."""
    if len(data) > MAX_FILE_BYTES:
        problems.error(None, None, None, f"ファイルが大きすぎます（{_megabytes(len(data))}）。"
                                         f"上限は {_megabytes(MAX_FILE_BYTES)} です。")
        return None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        problems.error(None, None, None, "Excel ブック (.xlsx) として読めません（zip 形式ではありません）。"
                                         "Excel で .xlsx として保存し直してください。")
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _check_archive(archive, problems, read)
    except XmlRefused as error:
        _refused_part(error, problems)
        return None
    except Unreadable as error:
        problems.error(None, None, None, unreadable_message(error.name))
        return None
    except (zipfile.BadZipFile, zlib.error, ElementTree.ParseError, KeyError, OSError, ValueError,
            NotImplementedError, EOFError) as error:
        # A damaged archive can fail in any of these ways; all mean "cannot read this file".
        problems.error(None, None, None, f"ブックが壊れているため読めません（{type(error).__name__}）。")
        return None


def _check_archive(archive: zipfile.ZipFile, problems: Problems,
                   read: Callable[[str], bool]) -> Package | None:
    infos = archive.infolist()
    names = {i.filename for i in infos}
    if len(infos) > MAX_ZIP_MEMBERS:
        problems.error(None, None, None, f"ブックの構成要素が多すぎます（{len(infos)} 個、上限 {MAX_ZIP_MEMBERS}）。")
        return None
    expanded = sum(i.file_size for i in infos)
    if expanded > MAX_UNCOMPRESSED_BYTES:
        problems.error(None, None, None, f"ブックを展開すると大きすぎます（{_megabytes(expanded)}、"
                                         f"上限 {_megabytes(MAX_UNCOMPRESSED_BYTES)}）。")
        return None
    content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace") \
        if "[Content_Types].xml" in names else ""
    if any(n.lower().endswith("vbaproject.bin") for n in names) or "macroEnabled" in content_types:
        problems.error(None, None, None, "マクロを含むブックは取り込めません。"
                                         "マクロを削除し「Excel ブック (*.xlsx)」として保存し直してください。")
        return None
    if "xl/workbook.xml" not in names:
        problems.error(None, None, None, "Excel ブックではありません（xl/workbook.xml がありません）。")
        return None
    for name in _FIRST_PARTS:
        if name in names:
            with archive.open(name) as stream:
                check_well_formed(stream, name)
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = _sheet_parts(workbook, archive)
    if len(sheets) > MAX_SHEETS:
        problems.error(None, None, None, f"シートが多すぎます（{len(sheets):,} 枚、上限 {MAX_SHEETS} 枚）。"
                                         "テンプレートのシートだけを残して保存し直してください。")
        return None
    types = ElementTree.fromstring(archive.read("[Content_Types].xml")) if content_types else None
    shared_part = _shared_strings_part(types, names)
    scanned = {*_FIRST_PARTS, shared_part, *(part for _, part in sheets)}
    for name in sorted(n for n in names if _is_xml(n) and n not in scanned):
        with archive.open(name) as stream:
            check_well_formed(stream, name)  # Excel would not open a workbook with a damaged part
    shared, strings = array("q"), []
    if shared_part is not None:
        with archive.open(shared_part) as stream:
            shared, strings = scan_shared_strings(stream, shared_part, keep_units=MAX_TEXT_CHARS)
    if sum(shared) > MAX_TEXT_CHARS:  # every shared string is read, shown or not
        _too_much_text(problems)
        return None
    try:
        values, unreadable = _cell_values(archive, names, types, workbook, shared_part, strings), None
    except Unreadable as error:  # reported once the limits found nothing (as when openpyxl opened it)
        values, unreadable = None, error
    package = _scan_sheets(archive, names, sheets, shared, problems, values, read)
    if package is not None and unreadable is not None:
        raise unreadable
    return package


def _cell_values(archive: zipfile.ZipFile, names: set[str], types: ElementTree.Element | None,
                 workbook: ElementTree.Element, shared_part: str | None, strings: list[str]) -> CellValues:
    """Shared strings and date styles, as openpyxl would have found them."""
    table_part = _string_table_part(types, names)
    if table_part is None:
        strings = []
    elif table_part != shared_part:  # a second string part: only its lengths were not needed
        with archive.open(table_part) as stream:
            _, strings = scan_shared_strings(stream, table_part, keep_units=MAX_TEXT_CHARS)
    try:
        styles = date_styles(archive.read(STYLES_PART) if STYLES_PART in names else None, epoch_of(workbook))
    except (ValueError, TypeError):  # e.g. numFmtId="x": openpyxl's typed attributes raised TypeError
        raise Unreadable("TypeError") from None
    return CellValues(strings, styles)


def scan_part(archive: zipfile.ZipFile, part: str, **options) -> SheetScan:
    """``scan_sheet`` of one sheet part: through the fast path (``sheet_fast_path``) when the
    part is small enough to read whole and in the form it reads, else streaming."""
    if archive.getinfo(part).file_size <= WHOLE_PART_BYTES:
        try:
            data = archive.read(part)
        except Exception:  # noqa: BLE001 - a damaged member: streaming it fails (or stops first) as before
            data = None
        if data is not None:
            scan = fast_scan(data, part, **options)
            return scan if scan is not None else scan_sheet(io.BytesIO(data), part, **options)
    with archive.open(part) as stream:
        return scan_sheet(stream, part, **options)


def _scan_sheets(archive: zipfile.ZipFile, names: set[str], sheets: list[tuple[str, str]],
                 shared: array, problems: Problems, values: CellValues | None,
                 read: Callable[[str], bool]) -> Package | None:
    """Rows, formulas and text of every sheet; each distinct part is scanned once, however
    many ``<sheet>`` entries point at it (2,000 entries for one part took minutes before),
    with its values when any of its entries is a sheet to ``read``."""
    by_part: dict[str, SheetScan] = {}
    package = Package()
    wanted = {part for sheet, part in sheets if read(sheet)}
    budget = MAX_TEXT_CHARS
    long_cells = 0
    for sheet, part in sheets:
        if part not in names:
            continue
        if part not in by_part:
            scan = scan_part(archive, part, stop_after=MAX_DATA_ROWS + 1, shared=shared,
                             max_cell=MAX_CELL_CHARS, text_budget=budget,
                             values=values if part in wanted else None)
            by_part[part] = scan
            budget -= scan.text_units
            for row, column, length in scan.long_cells[:max(0, MAX_REPORTED_LONG_CELLS - long_cells)]:
                problems.error(sheet, row, None, f"{get_column_letter(column)}列のセルの文字数が多すぎます"
                                                 f"（{length:,} 文字、1セルの上限 {MAX_CELL_CHARS:,} 文字）。"
                                                 "文章を短くしてください。")
            long_cells += len(scan.long_cells)
            if scan.stopped_for_text:
                _too_much_text(problems)
                return None
        package.sheets.append((sheet, by_part[part]))
        if by_part[part].data_rows - 1 > MAX_DATA_ROWS:  # the header row is not data
            problems.error(sheet, None, None, f"データ行が多すぎます（{MAX_DATA_ROWS:,} 行を超えています）。"
                                              f"1シートの上限は {MAX_DATA_ROWS:,} 行です。")
    if not long_cells and any(length > MAX_CELL_CHARS for length in shared):
        # The string is still read even though no cell shows it.
        problems.error(None, None, None, f"ブックに1セルの上限（{MAX_CELL_CHARS:,} 文字）を超える文字列があります"
                                         f"（{max(shared):,} 文字）。文章を短くしてください。")
    return None if problems.has_errors else package
