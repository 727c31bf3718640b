"""Streaming scans of a workbook's XML parts (expat): constant memory, no cell text kept.

Everything here runs before openpyxl sees the file, because openpyxl materialises every shared
string and every inline string as one Python string: a 116 KB workbook whose one cell holds
95 million characters took 1.8 GB. Expat hands character data over in pieces no longer than
the chunk fed to it, so a cell's length is counted without ever building the cell's text.

Every part is refused when it carries a document type declaration (``<!DOCTYPE``): Excel never
writes one, and it is what entity-expansion ("billion laughs") and external-entity (XXE) attacks
need. A part that is not well-formed XML is refused here too (lxml, which openpyxl uses for
docProps/core.xml and styles.xml, would raise ``XMLSyntaxError`` later).
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import IO, Callable
from xml.parsers import expat

from openpyxl.utils import column_index_from_string

CHUNK = 64 * 1024  # bytes fed to expat at a time, and the longest text piece a handler sees
_SEPARATOR = " "  # expat's namespace separator: element names arrive as "uri local"


class XmlRefused(Exception):
    """A part that must not be parsed further: not well-formed, or with a DTD."""

    def __init__(self, part: str, reason: str, line: int | None = None):
        self.part, self.reason, self.line = part, reason, line
        super().__init__(f"{part}: {reason}")


class _Stop(Exception):
    """Raised by a handler to end a scan early (enough has been seen)."""


def _local(name: str) -> str:
    return name.rsplit(_SEPARATOR, 1)[-1]


def utf16_units(text: str) -> int:
    """Length as Excel counts it (UTF-16 code units): characters beyond the BMP count twice."""
    return len(text.encode("utf-16-le")) // 2


def _parse(stream: IO[bytes], part: str, setup: Callable[[expat.XMLParserType], None]) -> None:
    parser = expat.ParserCreate(namespace_separator=_SEPARATOR)
    # Text arrives in one call per run of text (at most CHUNK characters), not one per
    # character reference: openpyxl writes every Japanese character as &#NNNNN;.
    parser.buffer_text = True
    parser.buffer_size = CHUNK

    def refuse_dtd(*_args) -> None:
        raise XmlRefused(part, "dtd", parser.CurrentLineNumber)

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    setup(parser)
    try:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Stop:
        return
    except expat.ExpatError as error:
        raise XmlRefused(part, "syntax", error.lineno) from None


def check_well_formed(stream: IO[bytes], part: str) -> None:
    """Raise ``XmlRefused`` unless the part is well-formed XML without a DTD."""
    _parse(stream, part, lambda parser: None)


class _TextCounter:
    """Counts the characters inside ``<t>`` elements, leaving out phonetic runs (``<rPh>``,
    the furigana Excel stores beside Japanese text), which openpyxl does not read either."""

    def __init__(self) -> None:
        self.in_text = False
        self.phonetic = 0
        self.count = 0

    def start(self, local: str) -> None:
        if local == "rPh":
            self.phonetic += 1
        elif local == "t" and not self.phonetic:
            self.in_text = True

    def end(self, local: str) -> None:
        if local == "rPh":
            self.phonetic -= 1
        elif local == "t":
            self.in_text = False

    def data(self, text: str) -> None:
        if self.in_text:
            self.count += utf16_units(text)


def scan_shared_strings(stream: IO[bytes], part: str) -> array:
    """Length (UTF-16 units) of every shared string, in index order. The whole part is read
    (its size is bounded by the archive limits) so that the cells naming an overlong string
    can be located in the sheets."""
    lengths = array("q")
    counter = _TextCounter()
    names: dict[str, str] = {}  # element name -> local name, worked out once

    def start(name: str, _attrs) -> None:
        local = names.get(name) or names.setdefault(name, _local(name))
        if local == "si":
            counter.count = 0
        counter.start(local)

    def end(name: str) -> None:
        local = names.get(name) or names.setdefault(name, _local(name))
        counter.end(local)
        if local == "si":
            lengths.append(counter.count)

    def setup(parser) -> None:
        parser.StartElementHandler, parser.EndElementHandler = start, end
        parser.CharacterDataHandler = counter.data

    _parse(stream, part, setup)
    return lengths


@dataclass
class SheetScan:
    data_rows: int = 0  # rows holding at least one value, header included
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column), 1-based
    long_cells: list[tuple[int, int, int]] = field(default_factory=list)  # (row, column, length)
    text_units: int = 0  # characters (UTF-16 units) of every cell value, shared strings resolved
    stopped_for_text: bool = False  # the scan ended because ``text_budget`` ran out


def _column(reference: str | None, previous: int) -> int:
    letters = "".join(ch for ch in (reference or "") if ch.isalpha())
    if letters and len(letters) <= 3:
        try:
            return column_index_from_string(letters.upper())
        except ValueError:
            pass
    return previous + 1


def scan_sheet(stream: IO[bytes], part: str, *, stop_after: int, shared: array | None = None,
               max_cell: int | None = None, text_budget: int | None = None) -> SheetScan:
    """Count rows with values, note formula cells and measure every cell's text, streaming.

    Stops once more than ``stop_after`` rows hold values, or once the sheet's text exceeds
    ``text_budget``. A cell ``t="s"`` counts as the length of the shared string it names
    (``shared``); any other cell as its inline string (``<is>``) or its value (``<v>``).
    Cells longer than ``max_cell`` are listed in ``long_cells``. Formula cells are found here,
    in the XML, because openpyxl's cached-value mode cannot tell a formula's result from a value.
    """
    scan = SheetScan()
    text = _TextCounter()
    # Plain closure variables and a cache of element names: this runs for every cell of every
    # workbook a build checks, so each handler does as little as it can. A cell's column is
    # worked out only when it is needed (a formula, an overlong cell): its "r" attributes since
    # the row began are kept and folded then, which gives what reading each one would.
    row = column = v_units = 0
    refs: list[str | None] = []
    has_value = in_v = in_is = False
    cell_type: str | None = None
    index = ""
    names: dict[str, str] = {}

    def local_of(name: str) -> str:
        local = names.get(name)
        if local is None:
            local = names[name] = _local(name)
        return local

    def current_column() -> int:
        nonlocal column
        for reference in refs:
            column = _column(reference, column)
        refs.clear()
        return column

    def start(name: str, attrs: dict) -> None:
        nonlocal row, column, has_value, cell_type, v_units, index, in_v, in_is
        local = names.get(name) or local_of(name)
        if local == "c":
            refs.append(attrs.get("r"))
            cell_type = attrs.get("t")
            v_units, index = 0, ""
            text.count = 0
        elif local == "v":
            in_v = has_value = True
        elif local == "row":
            row = _row_number(attrs.get("r"), row)
            column, has_value = 0, False
            refs.clear()
        elif local == "f":
            scan.formulas.add((row, current_column()))
        elif local == "is":
            in_is = has_value = True
        if in_is:
            text.start(local)

    def end(name: str) -> None:
        nonlocal in_v, in_is
        local = names.get(name) or local_of(name)
        if in_is:
            text.end(local)
        if local == "v":
            in_v = False
        elif local == "c":
            _finish_cell()
        elif local == "is":
            in_is = False
        elif local == "row":
            scan.data_rows += has_value
            if scan.data_rows > stop_after:
                raise _Stop

    def _finish_cell() -> None:
        if cell_type == "s":
            number = index.strip()
            length = shared[int(number)] if shared is not None and number.isdigit() and int(number) < len(shared) else 0
        else:
            length = max(v_units, text.count)
        scan.text_units += length
        if max_cell is not None and length > max_cell:
            scan.long_cells.append((row, current_column(), length))
        if text_budget is not None and scan.text_units > text_budget:
            scan.stopped_for_text = True
            raise _Stop

    def data(chunk: str) -> None:
        nonlocal index, v_units
        if in_v:
            if cell_type == "s":
                if len(index) < 20:  # an index is short; never keep more
                    index += chunk[:20]
            else:
                v_units += utf16_units(chunk)
        elif in_is:
            text.data(chunk)

    def setup(parser) -> None:
        parser.StartElementHandler, parser.EndElementHandler = start, end
        parser.CharacterDataHandler = data

    _parse(stream, part, setup)
    return scan


def _row_number(value: str | None, previous: int) -> int:
    try:
        return int(value) if value is not None else previous + 1
    except ValueError:
        return previous + 1
