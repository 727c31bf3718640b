"""A fast path for sheet parts in canonical form: the same ``SheetScan`` as the streaming scan
(``xml_scan.scan_sheet``), without a Python call per XML element.

The streaming scan has expat call three Python handlers for each of the ~25,800 elements of a
generated national workbook: ~64 ms of CPU per workbook, the largest single cost of a build.
A part small enough to read whole (``WHOLE_PART_BYTES``) is instead (~39 ms for the same sheets)

1. parsed by expat once with no element handlers (``check_well_formed_bytes``: well-formedness,
   the DTD refusal and the namespace checks are still expat's), then
2. cut into tokens by one compiled regular expression whose matches must tile ``<sheetData>``
   exactly: ``<row …>``/``</row>``/``<row …/>``, whole cells
   ``<c …>[<f…>][<v>…</v>][<is><t …>…</t></is>]</c>`` or ``<c …/>``, and whitespace between rows
   and cells. Outside ``<sheetData>`` no element the scan counts may occur (row, c, v, is, t, f,
   rPh, r, si by local name), and the default namespace must be the spreadsheet's, declared on
   the root element and nowhere else before or inside ``<sheetData>``;
3. its texts decoded by expat itself (all of them in one parse: references and entities exactly
   as XML reads them), and
4. turned into the ``SheetScan`` the streaming scan gives: the same column rules, value
   conversions (``xml_scan``'s own helpers), limits, early stops and read errors.

Anything outside that form returns None and the streaming scan runs instead, so what is
refused, and where a scan stops, never depends on which path ran: a part that is not
well-formed, not UTF-8, or carries comments, CDATA, processing instructions or a carriage
return (line ends are normalised by XML); rich-text runs (``<r>``), phonetic runs (``<rPh>``),
two ``<t>`` or ``<v>`` in one cell, whitespace inside a cell; a cell text longer than the
per-cell limit (the streaming capture keeps a prefix of it) or a shared-string index longer
than 20 characters (it keeps 20); an r, s or t value holding a reference, a tab or a newline
(attribute values are normalised); "xmlns" anywhere in ``<sheetData>``; the character U+FDD0
in a text (it separates the texts in step 3).
"""
from __future__ import annotations

import re
from array import array
from operator import itemgetter
from xml.parsers import expat

from etl.workbook.date_styles import MAIN_NS
from etl.workbook.xml_scan import (_COLUMNS, _DIGITS, _UNREADABLE_CELL, CellValues, ErrorValue, SheetScan,
                                   XmlRefused, _cell_column, _column, _row_attribute, _row_number, cell_value)

WHOLE_PART_BYTES = 4 * 1024 * 1024  # larger parts keep streaming, in constant memory

_S = "[ \t\n]"  # XML whitespace (a carriage return sends the part to the streaming scan)
# Possessive quantifiers (no backtracking into them) make the tokens about a third faster; they
# can only make a match fail, never add one, and a failure means the streaming scan.
_ANY_ATTRS = f"(?:{_S}++[^ \t\n=/>]++{_S}*+={_S}*+(?:\"[^\"]*+\"|'[^']*+'))*+{_S}*+"
# Every token of <sheetData>; findall gives one tuple per token (as few groups as possible:
# each costs a string per token). A cell's "r" is caught apart when it comes first, as Excel
# and openpyxl write it; the other attributes are read from their text (``_attributes``).
_TOKEN = re.compile(
    # 1 a cell's r, 2 its other attributes, 3 <f>, 4 <v>, 5 its text, 6 <is>, 7 its <t>'s text
    f"(<c(?: r=\"([^\"&\t\n]++)\")?+({_ANY_ATTRS})(?:/>|>"
    f"(<f{_ANY_ATTRS}(?:/>|>[^<]*+</f{_S}*+>))?+"
    f"(<v{_S}*+(?:/>|>([^<]*+)</v{_S}*+>))?+"
    f"(<is{_S}*+(?:/>|>(?:<t{_ANY_ATTRS}(?:/>|>([^<]*+)</t{_S}*+>))?+</is{_S}*+>))?+"
    f"</c{_S}*+>)"
    # 8 a row's r, 9 its other attributes, 10 "/" when the row ends there too
    f"|<row(?: r=\"([^\"&\t\n]++)\")?+({_ANY_ATTRS})(/?)>"
    # the end of a row; whitespace between rows and cells
    f"|</row{_S}*+>|{_S}++)")
_DECLARATION = re.compile(rb"<\?xml[ \t\n][^?>]*\?>")
_ENCODING = re.compile(rb"encoding[ \t\n]*=[ \t\n]*[\"']([A-Za-z0-9._-]+)[\"']")
_ROOT = re.compile(f"{_S}*<[^ \t\n/>]+({_ANY_ATTRS})/?>")
_ATTR = re.compile(f"([^ \t\n=/>]+){_S}*={_S}*(?:\"([^\"]*)\"|'([^']*)')")
_START_TAG = re.compile("<([^ \t\n/>!?]+)")
_DEFAULT_NS = re.compile(f"xmlns{_S}*=")
_SHEET_DATA = re.compile(f"<sheetData{_S}*(/?)>")
_SHEET_DATA_END = re.compile(f"</sheetData{_S}*>")
_COUNTED = {"c", "v", "row", "f", "is", "t", "rPh", "r", "si"}  # the elements the scan looks at
_SEPARATOR = "\ufdd0"  # a noncharacter: legal in XML text, and in no real cell
_INDEX_CHARS = 20  # the streaming scan keeps this much of a shared-string index


def _texts(raw: list[str]) -> list[str] | None:
    """The texts as XML reads them (references and entities decoded), by expat itself: all of
    them in one element, apart by ``_SEPARATOR``; None if one of them holds that character."""
    joined = _SEPARATOR.join(raw)
    if "&" not in joined:
        return raw
    pieces: list[str] = []
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16  # a few calls in all, not one per reference
    parser.CharacterDataHandler = pieces.append
    try:
        parser.Parse(f"<x>{joined}</x>".encode(), True)
    except expat.ExpatError:  # cannot happen: the texts come from a well-formed part
        return None
    texts = "".join(pieces).split(_SEPARATOR)
    return texts if len(texts) == len(raw) else None


def _utf16(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) >> 1


def _decode(data: bytes) -> str | None:
    """The part as text when it is UTF-8 without anything the tokens would misread."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data[:1] != b"<":  # another byte order mark, UTF-16 without one, leading whitespace …
        return None
    declaration = _DECLARATION.match(data)
    if declaration is not None:
        encoding = _ENCODING.search(declaration[0])
        if encoding is not None and encoding[1].lower() != b"utf-8":
            return None
    # Comments, CDATA, a DTD, processing instructions and carriage returns: the streaming scan.
    if b"\r" in data or b"<!" in data or data.count(b"<?") != (declaration is not None):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text[declaration.end():] if declaration is not None else text


def _sheet_data(text: str) -> tuple[int, int] | None:
    """Where the content of ``<sheetData>`` starts and ends, when every element the scan counts
    is inside it and its default namespace is the spreadsheet's, declared on the root only."""
    start = _SHEET_DATA.search(text)
    if start is None:
        begin = end = after = len(text)
    else:
        begin = start.end()
        if start[1]:
            end = after = begin
        else:
            close = _SHEET_DATA_END.search(text, begin)
            if close is None:
                return None
            end, after = close.start(), close.end()
    for outside in (text[:begin], text[after:]):
        for name in _START_TAG.findall(outside):
            if name.rpartition(":")[2] in _COUNTED:
                return None
    if begin == end:
        return begin, end
    root = _ROOT.match(text)
    if root is None:
        return None
    declared = [double or single for name, double, single in _ATTR.findall(root[1]) if name == "xmlns"]
    # No namespace declared anywhere else before or in <sheetData> (a cell's own, or an
    # element's around it); "xmlns" in a text or value is just as rare, and only costs speed.
    if declared != [MAIN_NS] or _DEFAULT_NS.search(text, root.end(), begin) or text.find("xmlns", begin, end) >= 0:
        return None
    return begin, end


def fast_scan(data: bytes, part: str, *, stop_after: int, shared: array | None = None,
              max_cell: int | None = None, text_budget: int | None = None,
              values: CellValues | None = None) -> SheetScan | None:
    """``scan_sheet``'s result for the part ``data``, or None when the part is not in the form
    this path reads (then the streaming scan must run)."""
    try:
        check_well_formed_bytes(data, part)
    except XmlRefused:
        return None  # the streaming scan refuses it, or stops before the damage, as before
    text = _decode(data)
    if text is None:
        return None
    bounds = _sheet_data(text)
    if bounds is None:
        return None
    begin, end = bounds
    return _scan_tokens(text[begin:end], stop_after=stop_after, shared=shared, max_cell=max_cell,
                        text_budget=text_budget, values=values)


def check_well_formed_bytes(data: bytes, part: str) -> None:
    """``check_well_formed`` on bytes in hand: one expat pass without element handlers."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse_dtd(*_args) -> None:
        raise XmlRefused(part, "dtd", parser.CurrentLineNumber)

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise XmlRefused(part, "syntax", error.lineno) from None


_NO_ATTRIBUTES = (None, None, None)
_ATTRIBUTES: dict[str, tuple[str | None, str | None, str | None] | None] = {"": _NO_ATTRIBUTES}


def _attributes(text: str) -> tuple[str | None, str | None, str | None] | None:
    """r, s and t (None when absent) of an element's attribute text, as expat reports them; None
    when one of them would not read as written (a reference, a tab or newline that XML turns
    into a space) or a default namespace is declared. Attribute texts without "r" repeat
    (` t="inlineStr"`): they are worked out once."""
    known = _ATTRIBUTES.get(text, False)
    if known is not False:
        return known
    found = {}
    for name, double, single in _ATTR.findall(text):
        value = double or single
        if name == "xmlns" or (name in ("r", "s", "t") and ("&" in value or "\t" in value or "\n" in value)):
            found = None
            break
        found[name] = value
    result = None if found is None else (found.get("r"), found.get("s"), found.get("t"))
    if len(_ATTRIBUTES) < 1000 and (result is None or result[0] is None):  # not one per cell
        _ATTRIBUTES[text] = result
    return result


def _scan_tokens(body: str, *, stop_after: int, shared: array | None, max_cell: int | None,
                 text_budget: int | None, values: CellValues | None) -> SheetScan | None:
    tokens = _TOKEN.findall(body)
    if sum(map(len, map(itemgetter(0), tokens))) != len(body):
        return None  # something the tokens do not cover
    v_texts = _texts(list(map(itemgetter(5), tokens)))
    t_texts = _texts(list(map(itemgetter(7), tokens)))
    if v_texts is None or t_texts is None:
        return None
    # Lengths in UTF-16 units are lengths in characters unless a character lies beyond the BMP.
    bmp = all(text.isascii() or len(text.encode("utf-16-le")) == 2 * len(text)
              for text in (_SEPARATOR.join(v_texts), _SEPARATOR.join(t_texts)))
    scan = SheetScan()
    collect = values is not None
    rows = scan.rows = [] if collect else None
    # No limit is written as one no text reaches (the part is at most WHOLE_PART_BYTES).
    never = 1 << 62
    limit = never if max_cell is None else max_cell
    budget = never if text_budget is None else text_budget
    default_is_date = values is not None and 0 in values.styles.dates
    style_numbers: dict[str, int] = {}
    formulas = scan.formulas
    columns_known = _COLUMNS
    known_attributes = _ATTRIBUTES
    # The limits' numbering (row, column from the "r" attributes since the row began) …
    row = column = data_rows = units = 0
    refs: list[str | None] = []
    has_value = in_row = False
    # … and the values' (openpyxl's).
    value_row = value_column = 0
    cells: list = []
    columns: list[int] | None = None
    for (whole, r, rest, f, v, _, inline, _, row_r, row_rest, closed), v_text, t_text in zip(tokens, v_texts, t_texts):
        second = whole[1:2]
        if second == "c":
            if not in_row:
                return None
            if rest:
                attributes = known_attributes.get(rest) or _attributes(rest)
                if attributes is None:
                    return None
                r_, s, t = attributes
                if r_ is not None:  # r written after another attribute, or empty
                    r = r_
            else:
                s = t = None
            # The limits: the cell's formula, its text and length (texts are "" when absent).
            refs.append(r)
            if f:
                for reference in refs:
                    column = _column(reference, column)
                refs.clear()
                formulas.add((row, column))
            if v or inline:
                has_value = True
            v_length, t_length = len(v_text), len(t_text)
            if v_length > limit or t_length > limit:
                return None  # the streaming scan keeps a prefix of such a text
            if t == "s":
                if v_length > _INDEX_CHARS:
                    return None
                number = v_text.strip()
                try:
                    length = shared[int(number)] if shared is not None and number.isdigit() \
                        and int(number) < len(shared) else 0
                except ValueError:  # "²" is a digit int() refuses: the streaming scan raises it
                    return None
            elif bmp:
                length = v_length if v_length > t_length else t_length
            else:
                v_length, t_length = _utf16(v_text), _utf16(t_text)
                length = v_length if v_length > t_length else t_length
            if collect:  # the value's column and style are read where the cell starts: before
                try:       # the limits end the scan at its end (a read error comes first)
                    if r:
                        letters = r.rstrip(_DIGITS)
                        number = columns_known.get(letters)
                        value_column = _cell_column(r) if number is None or len(letters) == len(r) else number
                    else:
                        value_column += 1
                    if s:
                        style = style_numbers.get(s)
                        if style is None:
                            style = style_numbers[s] = int(s)
                    else:
                        style = 0 if s is None else s  # s="" stays "", as attrs.get("s", 0) gave it
                except _UNREADABLE_CELL as error:
                    scan.read_error, collect = error, False
            units += length
            if length > limit:
                for reference in refs:
                    column = _column(reference, column)
                refs.clear()
                scan.long_cells.append((row, column, length))
            if units > budget:
                scan.stopped_for_text = True
                break
            if not collect:
                continue
            # The value, as openpyxl's reader gave it (where the cell ends).
            if t == "inlineStr":
                value = t_text if inline else None
            elif v_text:
                try:
                    value = cell_value("n" if t is None else t, v_text, style, values, default_is_date)
                except _UNREADABLE_CELL as error:
                    scan.read_error, collect = error, False
                    continue
            else:
                value = ErrorValue(None) if t == "e" else None
            if columns is not None:
                columns.append(value_column)
            elif value_column != len(cells) + 1:
                columns = [*range(1, len(cells) + 1), value_column]
            cells.append(value)
            continue
        if second == "r":  # a row starts (and, self-closing, ends)
            if in_row:
                return None
            row_r = row_r or None  # the group is empty when r is not written first (or at all)
            if row_rest:
                attributes = _attributes(row_rest)
                if attributes is None:
                    return None
                if attributes[0] is not None:  # r written after another attribute, or empty
                    row_r = attributes[0]
            row = _row_number(row_r, row)
            column, has_value = 0, False
            refs.clear()
            if collect:
                try:
                    value_row = value_row + 1 if row_r is None else _row_attribute(row_r)
                except ValueError as error:
                    scan.read_error, collect = error, False
                value_column = 0
                cells, columns = [], None
            if not closed:
                in_row = True
                continue
        elif second == "/":  # a row ends
            if not in_row:
                return None
            in_row = False
        else:  # whitespace between rows and cells
            continue
        data_rows += has_value
        if data_rows > stop_after:
            break
        if collect:
            rows.append((value_row, cells, columns))
    else:
        if in_row:
            return None
    scan.data_rows, scan.text_units = data_rows, units
    return scan
