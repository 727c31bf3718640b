"""Size and safety limits, checked on the raw file before any sheet is parsed.

An .xlsx file is a zip archive of XML parts. Before openpyxl sees it we refuse:
- names other than .xlsx (macro-enabled .xlsm, old .xls, csv …),
- files above ``MAX_FILE_BYTES``,
- content that is not a zip archive, or not an Excel workbook,
- macros (an ``xl/vbaProject.bin`` part or a macro-enabled content type, whatever the name),
- archives that would expand beyond ``MAX_UNCOMPRESSED_BYTES`` or hold more than
  ``MAX_ZIP_MEMBERS`` parts (zip bombs; Python's zipfile never inflates a part beyond the size
  its directory states, so the stated sizes are a real bound),
- sheets with more than ``MAX_DATA_ROWS`` data rows, counted by streaming the sheet XML
  (constant memory, no cell values kept). The same pass notes which cells hold formulas.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree import ElementTree

from openpyxl.utils import column_index_from_string

from etl.workbook.problems import Problems

MAX_FILE_BYTES = 10 * 1024 * 1024  # 10 MB
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # 100 MB once unzipped
MAX_ZIP_MEMBERS = 1_000
MAX_DATA_ROWS = 20_000  # per sheet, header row not counted
MAX_CELL_CHARS = 32_767  # Excel's limit per cell (UTF-16 code units)

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"([A-Z]{1,3})\d+$")


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


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> XML part name, from xl/workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels_name = "xl/_rels/workbook.xml.rels"
    targets = {}
    if rels_name in archive.namelist():
        for rel in ElementTree.fromstring(archive.read(rels_name)).iter(f"{_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            # Targets are relative to xl/ unless absolute ("/xl/worksheets/sheet1.xml").
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            targets[rel.get("Id")] = part
    parts = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        part = targets.get(sheet.get(f"{_REL}id"))
        if part:
            parts[sheet.get("name", "")] = part
    return parts


@dataclass
class SheetScan:
    data_rows: int = 0  # rows holding at least one value, header included
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column), 1-based


def _cell_position(reference: str | None, previous: int) -> int:
    match = _CELL_REF.match(reference or "")
    return column_index_from_string(match.group(1)) if match else previous + 1


def scan_sheet(stream, stop_after: int) -> SheetScan:
    """Count rows with values and note formula cells, streaming (stops past ``stop_after``).

    Formula cells are found here, in the XML, because openpyxl's cached-value mode
    (``data_only``) cannot tell a formula's result from a typed value.
    """
    scan = SheetScan()
    row_number = 0
    for _, element in ElementTree.iterparse(stream, events=("end",)):
        if element.tag != f"{_MAIN}row":
            continue
        row_number = int(element.get("r", row_number + 1))
        column, has_value = 0, False
        for cell in element:
            column = _cell_position(cell.get("r"), column)
            if cell.find(f"{_MAIN}f") is not None:
                scan.formulas.add((row_number, column))
            if cell.find(f"{_MAIN}v") is not None or cell.find(f"{_MAIN}is") is not None:
                has_value = True
        scan.data_rows += has_value
        element.clear()
        if scan.data_rows > stop_after:
            break
    return scan


def check_package(data: bytes, problems: Problems) -> dict[str, SheetScan] | None:
    """Every limit above; the scan of each sheet when the file may be handed to openpyxl."""
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
            return _check_archive(archive, problems)
    except (zipfile.BadZipFile, zlib.error, ElementTree.ParseError, KeyError, OSError, ValueError,
            NotImplementedError, EOFError) as error:
        # A damaged archive can fail in any of these ways; all mean "cannot read this file".
        problems.error(None, None, None, f"ブックが壊れているため読めません（{type(error).__name__}）。")
        return None


def _check_archive(archive: zipfile.ZipFile, problems: Problems) -> dict[str, SheetScan] | None:
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
    scans: dict[str, SheetScan] = {}
    for sheet, part in _sheet_parts(archive).items():
        if part not in names:
            continue
        with archive.open(part) as stream:
            scans[sheet] = scan_sheet(stream, MAX_DATA_ROWS + 1)
        if scans[sheet].data_rows - 1 > MAX_DATA_ROWS:  # the header row is not data
            problems.error(sheet, None, None, f"データ行が多すぎます（{MAX_DATA_ROWS:,} 行を超えています）。"
                                              f"1シートの上限は {MAX_DATA_ROWS:,} 行です。")
    return None if problems.has_errors else scans
