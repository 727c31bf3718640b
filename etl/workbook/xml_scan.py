"""Streaming scans of a workbook's XML parts (expat): constant memory, no cell text kept
beyond what the limits allow — and, in the same pass, the cells' values.

A cell's length is counted before its text is built, because building first is what hurt:
openpyxl, which read the cells before, materialised a 116 KB workbook whose one cell holds 95
million characters into 1.8 GB. Expat hands character data over in pieces no longer than the
chunk fed to it, so a cell's length is counted as the pieces arrive, and its text is kept only
up to the per-cell limit (a longer cell is refused anyway).

The values are read as openpyxl's read-only reader (``data_only``) gave them, so every rule
downstream sees the same types: see ``scan_sheet``, ``scan_shared_strings`` and
``date_styles`` (which cell styles are dates). openpyxl's small conversion helpers are used for
that (``from_excel``, ``from_ISO8601``, ``coordinate_to_tuple``), not its reader.

A sheet part small enough to read whole and in canonical form is scanned by
``sheet_fast_path`` instead (one expat pass without handlers, then regular expressions: about half
the CPU), which gives exactly ``scan_sheet``'s result and leaves every other part to it.

Every part is refused when it carries a document type declaration (``<!DOCTYPE``): Excel never
writes one, and it is what entity-expansion ("billion laughs") and external-entity (XXE) attacks
need. A part that is not well-formed XML is refused here too (Excel would not open it).
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import IO, Any, Callable
from xml.parsers import expat

from openpyxl.utils import column_index_from_string
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.utils.exceptions import CellCoordinatesException

from etl.workbook.date_styles import MAIN_NS, DateStyles

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


_DIGITS = "0123456789"
# Element kinds, by local name; ``_MAIN`` is added when the element is in the spreadsheet
# namespace. Limits count by local name (a sheet without the namespace still counts); values
# are read from namespaced elements only, as openpyxl did (it saw no rows in such a sheet).
_C, _V, _ROW, _F, _IS, _T, _RPH, _R, _SI = range(1, 10)
_MAIN = 16
_KINDS = {"c": _C, "v": _V, "row": _ROW, "f": _F, "is": _IS, "t": _T, "rPh": _RPH, "r": _R, "si": _SI}


def _kind(name: str) -> int:
    uri, _, local = name.rpartition(_SEPARATOR)
    return _KINDS.get(local, 0) | (_MAIN if uri == MAIN_NS else 0)


class _StringText:
    """The text of one string element (``<si>`` or ``<is>``) as openpyxl's ``Text.content``
    gives it: the last direct ``<t>``, then each run's (``<r>``) last ``<t>``, in order; phonetic
    runs (``<rPh>``, furigana) and formatting are left out. A ``<t>``'s text is what precedes
    its first child element (ElementTree's ``.text``). Elements match by local name, as in
    openpyxl. ``limit``: characters kept per string (a longer one is refused by the limits)."""

    __slots__ = ("depth", "plain", "runs", "run_depth", "run_text", "capture", "capture_depth",
                 "capture_run", "kept", "limit")

    def __init__(self, depth: int, limit: int | None) -> None:
        self.depth, self.limit = depth, limit
        self.plain: str | None = None
        self.runs: list[str] = []
        self.run_depth = -1
        self.run_text: str | None = None
        self.capture: list[str] | None = None
        self.capture_depth = -1
        self.capture_run = False
        self.kept = 0

    def start(self, kind: int, depth: int) -> None:
        if self.capture is not None:
            self._close()
        kind &= ~_MAIN
        if depth == self.depth + 1:
            if kind == _T:
                self.capture, self.capture_depth, self.capture_run = [], depth, False
            elif kind == _R:
                self.run_depth, self.run_text = depth, None
        elif depth == self.run_depth + 1 and kind == _T:
            self.capture, self.capture_depth, self.capture_run = [], depth, True

    def end(self, depth: int) -> None:
        if self.capture is not None and depth == self.capture_depth:
            self._close()
        if depth == self.run_depth:
            if self.run_text is not None:
                self.runs.append(self.run_text)
            self.run_depth = -1

    def data(self, chunk: str) -> None:
        if self.capture is not None:
            self.kept += len(chunk)
            if self.limit is None or self.kept <= self.limit:
                self.capture.append(chunk)

    def _close(self) -> None:
        text = "".join(self.capture)
        if self.capture_run:
            self.run_text = text
        else:
            self.plain = text
        self.capture = None

    def content(self) -> str:
        return (self.plain or "") + "".join(self.runs)


def scan_shared_strings(stream: IO[bytes], part: str, keep_units: int | None = None) -> tuple[array, list[str]]:
    """Length (UTF-16 units) of every shared string, in index order, and the strings
    themselves (``<si>`` in the spreadsheet namespace, ``_StringText``, 「x005F_」 removed, as
    openpyxl read them). The whole part is read (its size is bounded by the archive limits) so
    that the cells naming an overlong string can be located in the sheets. Strings stop being
    kept once their total passes ``keep_units``: such a workbook is refused anyway."""
    lengths = array("q")
    strings: list[str] = []
    counter = _TextCounter()
    kinds: dict[str, int] = {}
    names: dict[str, str] = {}  # element name -> local name, worked out once
    depth = 0
    total = 0
    string: _StringText | None = None

    def start(name: str, _attrs) -> None:
        nonlocal depth, string
        depth += 1
        local = names.get(name) or names.setdefault(name, _local(name))
        if local == "si":
            counter.count = 0
        counter.start(local)
        kind = kinds.get(name) or kinds.setdefault(name, _kind(name))
        if string is not None:
            string.start(kind, depth)
        elif kind == _SI | _MAIN:
            string = _StringText(depth, keep_units)

    def end(name: str) -> None:
        nonlocal depth, string, total
        local = names.get(name) or names.setdefault(name, _local(name))
        counter.end(local)
        if local == "si":
            lengths.append(counter.count)
            total += counter.count
        if string is not None:
            if depth == string.depth:
                if keep_units is None or total <= keep_units:
                    strings.append(string.content().replace("x005F_", ""))
                string = None
            else:
                string.end(depth)
        depth -= 1

    def data(chunk: str) -> None:
        counter.data(chunk)
        if string is not None:
            string.data(chunk)

    def setup(parser) -> None:
        parser.StartElementHandler, parser.EndElementHandler = start, end
        parser.CharacterDataHandler = data

    _parse(stream, part, setup)
    return lengths, strings


class ErrorValue:
    """A cell Excel shows as an error: ``t="e"`` (#N/A, #DIV/0! …; ``value`` is its text, or
    None when the cell stores none), or a date-styled number beyond the calendar (#VALUE!)."""

    __slots__ = ("value",)

    def __init__(self, value: str | None) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ErrorValue) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"ErrorValue({self.value!r})"


@dataclass(frozen=True)
class CellValues:
    """What turning a sheet's ``<c>`` elements into values needs besides the sheet."""

    strings: list[str]  # the shared strings
    styles: DateStyles


@dataclass
class SheetScan:
    data_rows: int = 0  # rows holding at least one value, header included
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column), 1-based
    long_cells: list[tuple[int, int, int]] = field(default_factory=list)  # (row, column, length)
    text_units: int = 0  # characters (UTF-16 units) of every cell value, shared strings resolved
    stopped_for_text: bool = False  # the scan ended because ``text_budget`` ran out
    # With ``values``: each ``<row>`` as (row number, values, columns): one value per child
    # element, numbered and valued as openpyxl's reader did, up to the first row it could not
    # read; ``columns`` is None when the cells are A, B, C … in order (the usual case), else each
    # value's column. ``read_error`` is what openpyxl raised there (unreadable from that row).
    rows: list[tuple[int, list[Any], list[int] | None]] | None = None
    read_error: Exception | None = None


def _column(reference: str | None, previous: int) -> int:
    letters = "".join(ch for ch in (reference or "") if ch.isalpha())
    if letters and len(letters) <= 3:
        try:
            return column_index_from_string(letters.upper())
        except ValueError:
            pass
    return previous + 1


_COLUMNS: dict[str, int] = {}  # column letters already checked -> column number


def _cell_column(reference: str) -> int:
    """openpyxl's ``coordinate_to_tuple(reference)[1]``, with the same errors."""
    letters = reference.rstrip(_DIGITS)
    column = _COLUMNS.get(letters)
    if column is None or len(letters) == len(reference):
        column = coordinate_to_tuple(reference)[1]
        if letters.isascii() and letters.isalpha():
            _COLUMNS[letters] = column
    return column


def _row_attribute(value: str) -> int:
    """openpyxl's reading of ``<row r="…">``: an integer, or a float that is one."""
    try:
        return int(value)
    except ValueError:
        number = float(value)
        if number.is_integer():
            return int(number)
        raise ValueError(f"{value} is not a valid row number") from None


def _number(text: str) -> int | float:
    """openpyxl's ``_cast_number``: a float when the text has a point or an exponent."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def _value(cell_type: str, text: str | None, style: int | str, values: CellValues) -> Any:
    """A ``<c>``'s value from its ``<v>`` text, as openpyxl's reader (cached values) gives it."""
    if cell_type == "n":
        number = _number(text)
        styles = values.styles
        if style in styles.dates:
            try:
                return from_excel(number, styles.epoch, timedelta=style in styles.durations)
            except (OverflowError, ValueError):
                return ErrorValue("#VALUE!")
        return number
    if cell_type == "s":
        return values.strings[int(text)]
    if cell_type == "b":
        return bool(int(text))
    if cell_type == "d":
        return from_ISO8601(text)
    if cell_type == "e":
        return ErrorValue(text)
    return text  # "str" (a formula's text result) and any other type: the text


def cell_value(cell_type: str, text: str, style: int | str, values: CellValues, default_is_date: bool) -> Any:
    """``_value``, its most frequent case first: a number without a style where no default
    style is a date (most cells of a sheet; both scans call this for every cell with a value)."""
    if cell_type == "n" and not style and not default_is_date:
        return _number(text)
    return _value(cell_type, text, style, values)


# What turning a cell into a value can raise on a damaged sheet (a bad number, shared string
# index or date): openpyxl raised the same and the workbook could not be read.
_UNREADABLE_CELL = (ValueError, IndexError, TypeError, OverflowError, CellCoordinatesException)


def scan_sheet(stream: IO[bytes], part: str, *, stop_after: int, shared: array | None = None,
               max_cell: int | None = None, text_budget: int | None = None,
               values: CellValues | None = None) -> SheetScan:
    """Count rows with values, note formula cells and measure every cell's text, streaming;
    with ``values``, also read every cell's value in the same pass (``SheetScan.rows``).

    Stops once more than ``stop_after`` rows hold values, or once the sheet's text exceeds
    ``text_budget``. A cell ``t="s"`` counts as the length of the shared string it names
    (``shared``); any other cell as its inline string (``<is>``) or its value (``<v>``).
    Cells longer than ``max_cell`` are listed in ``long_cells`` (their text is not kept beyond
    that). Formula cells are found here: a formula's cached result is its ``<v>``, like a value.

    Values follow openpyxl's read-only reader (``data_only``): every child of a ``<row>`` is a
    cell at its ``r`` column (else the next one); ``t="s"`` names a shared string, ``inlineStr``
    holds ``<is>``, ``b`` is a bool, ``e`` an ``ErrorValue``, ``d`` an ISO date, ``str`` and
    others the text; a number is an int unless it has a point or an exponent, and a date (or
    time, or duration) when its style (``s=``) has a date format.
    """
    scan = SheetScan()
    # Plain closure variables and a cache of element kinds: this runs for every element of
    # every sheet a build checks, so each handler does as little as it can. A cell's column for
    # the limits is worked out only when it is needed (a formula, an overlong cell): its "r"
    # attributes since the row began are kept and folded then, which gives what reading each
    # one would.
    row = column = v_units = text_count = phonetic = data_rows = units = 0
    refs: list[str | None] = []
    has_value = in_v = in_is = in_t = False
    cell_type: str | None = None
    index = ""
    kinds: dict[str, int] = {}
    # Values, numbered as openpyxl did (differently from the limits only on damaged sheets).
    # ``depth`` is the element depth; the other depths say where the open row, cell, inline
    # string (``<is>``), run (``<r>``) and captured text started (-1: none open).
    collect = values is not None
    if values is not None:
        scan.rows = []
    rows = scan.rows
    style_numbers: dict[str, int] = {}
    cells: list[Any] = []
    columns: list[int] | None = None
    depth = 0
    row_depth = cell_depth = is_depth = run_depth = capture_depth = -1
    value_row = value_column = kept = 0
    value_type = "n"
    style: int | str = 0
    v_seen = is_seen = False
    v_text: str | None = None
    plain: str | None = None
    run_text: str | None = None
    runs: list[str] | None = None
    inline_text: str | None = None
    capture: list[str] | None = None
    capture_kind = 0  # what the captured text is: 0 <v>, 1 <is><t>, 2 <is><r><t>
    limit = max_cell
    default_is_date = values is not None and 0 in values.styles.dates  # a cell without s= is a date

    def current_column() -> int:
        nonlocal column
        for reference in refs:
            column = _column(reference, column)
        refs.clear()
        return column

    def close_capture() -> None:
        """A captured element's text ends at its end or at its first child (ElementTree's .text)."""
        nonlocal capture, v_text, plain, run_text
        text = "".join(capture)
        if capture_kind == 0:
            v_text = text
        elif capture_kind == 1:
            plain = text
        else:
            run_text = text
        capture = None

    def start(name: str, attrs: dict) -> None:
        nonlocal row, column, has_value, cell_type, v_units, index, in_v, in_is, in_t, text_count, phonetic
        nonlocal depth, row_depth, cell_depth, is_depth, run_depth, capture_depth, value_row, value_column
        nonlocal value_type, style, v_seen, is_seen, v_text, plain, run_text, runs, inline_text, capture
        nonlocal capture_kind, kept, cells, columns, collect
        kind = kinds.get(name)
        if kind is None:
            kind = kinds[name] = _kind(name)
        local = kind & 15
        # The limits, by local name (most frequent first: a text cell is <c><is><t>).
        if local == _C:
            refs.append(attrs.get("r"))
            cell_type = attrs.get("t")
            v_units = text_count = 0
            index = ""
        elif local == _T:
            if in_is and not phonetic:  # text of an inline string, not of its furigana
                in_t = True
        elif local == _IS:
            in_is = has_value = True
        elif local == _V:
            in_v = has_value = True
        elif local == _ROW:
            row = _row_number(attrs.get("r"), row)
            column, has_value = 0, False
            refs.clear()
        elif local == _F:
            scan.formulas.add((row, current_column()))
        elif local == _RPH and in_is:
            phonetic += 1
        if not collect:
            return
        depth += 1
        if capture is not None:
            close_capture()
        if is_depth >= 0:  # inside an inline string: openpyxl's Text, by local names
            if depth == is_depth + 1:
                if local == _T:
                    capture, capture_kind, capture_depth, kept = [], 1, depth, 0
                elif local == _R:
                    run_depth, run_text = depth, None
            elif depth == run_depth + 1 and local == _T:
                capture, capture_kind, capture_depth, kept = [], 2, depth, 0
        elif depth == cell_depth + 1:
            if kind == _V | _MAIN:
                if not v_seen:
                    v_seen = True
                    if value_type != "inlineStr":
                        capture, capture_kind, capture_depth, kept = [], 0, depth, 0
            elif kind == _IS | _MAIN and not is_seen:
                is_seen = True
                if value_type == "inlineStr":
                    is_depth, plain, runs = depth, None, None
        elif depth == row_depth + 1:  # openpyxl reads every child of a row as a cell
            reference = attrs.get("r")
            try:
                if reference:
                    letters = reference.rstrip(_DIGITS)
                    number = _COLUMNS.get(letters)
                    value_column = _cell_column(reference) if number is None or len(letters) == len(reference) \
                        else number
                else:
                    value_column += 1
                style = attrs.get("s", 0)
                if style:
                    number = style_numbers.get(style)
                    if number is None:
                        number = style_numbers[style] = int(style)
                    style = number
            except _UNREADABLE_CELL as error:
                scan.read_error, collect = error, False
                return
            value_type = attrs.get("t", "n")
            cell_depth = depth
            v_seen = is_seen = False
            v_text = inline_text = None
        elif kind == _ROW | _MAIN and row_depth < 0:
            reference = attrs.get("r")
            try:
                value_row = value_row + 1 if reference is None else _row_attribute(reference)
            except ValueError as error:
                scan.read_error, collect = error, False
                return
            value_column = 0
            cells, columns = [], None
            row_depth = depth

    def end(name: str) -> None:
        nonlocal in_v, in_is, in_t, phonetic, depth, row_depth, cell_depth, is_depth, run_depth, runs
        nonlocal inline_text, collect, data_rows, units, columns, capture, v_text, plain, run_text
        local = kinds[name] & 15
        if local == _T:
            if in_is:
                in_t = False
        elif local == _RPH:
            if in_is:
                phonetic -= 1
        elif local == _C:
            if cell_type == "s":
                number = index.strip()
                length = shared[int(number)] if shared is not None and number.isdigit() \
                    and int(number) < len(shared) else 0
            else:
                length = v_units if v_units > text_count else text_count
            units += length
            if max_cell is not None and length > max_cell:
                scan.long_cells.append((row, current_column(), length))
            if text_budget is not None and units > text_budget:
                scan.stopped_for_text = True
                raise _Stop
        elif local == _V:
            in_v = False
        elif local == _IS:
            in_is = False
        elif local == _ROW:
            data_rows += has_value
            if data_rows > stop_after:
                raise _Stop
        if not collect:
            return
        if capture is not None and depth == capture_depth:
            # close_capture(), inlined: this runs at the end of every element of every sheet
            text = capture[0] if len(capture) == 1 else "".join(capture)  # usually one piece
            if capture_kind == 0:
                v_text = text
            elif capture_kind == 1:
                plain = text
            else:
                run_text = text
            capture = None
        if is_depth >= 0:
            if depth == is_depth:
                inline_text = (plain or "") + "".join(runs) if runs else (plain or "")
                is_depth = -1
            elif depth == run_depth:
                if run_text is not None:
                    if runs is None:
                        runs = []
                    runs.append(run_text)
                run_depth = -1
        elif depth == cell_depth:
            cell_depth = -1
            if value_type == "inlineStr":
                value = inline_text
            elif v_text:
                try:
                    value = cell_value(value_type, v_text, style, values, default_is_date)
                except _UNREADABLE_CELL as error:
                    scan.read_error, collect = error, False
                    return
            else:
                value = ErrorValue(None) if value_type == "e" else None
            if columns is not None:
                columns.append(value_column)
            elif value_column != len(cells) + 1:  # not the next column: keep every cell's
                columns = [*range(1, len(cells) + 1), value_column]
            cells.append(value)
        elif depth == row_depth:
            row_depth = -1
            rows.append((value_row, cells, columns))
        depth -= 1

    def data(chunk: str) -> None:
        nonlocal index, v_units, text_count, kept
        if in_v:
            if cell_type == "s":
                if len(index) < 20:  # an index is short; never keep more
                    index += chunk[:20]
            else:
                v_units += len(chunk) if chunk.isascii() else len(chunk.encode("utf-16-le")) >> 1
        elif in_t:
            text_count += len(chunk) if chunk.isascii() else len(chunk.encode("utf-16-le")) >> 1
        if capture is not None:
            kept += len(chunk)
            if limit is None or kept <= limit:
                capture.append(chunk)

    def setup(parser) -> None:
        parser.StartElementHandler, parser.EndElementHandler = start, end
        parser.CharacterDataHandler = data

    try:
        _parse(stream, part, setup)
    finally:
        scan.data_rows, scan.text_units = data_rows, units
    return scan


def _row_number(value: str | None, previous: int) -> int:
    try:
        return int(value) if value is not None else previous + 1
    except ValueError:
        return previous + 1
