"""Which cell styles show a number as a date, and from which day a workbook counts dates.

Excel stores a date as a plain number (days since 1899-12-30, or since 1904-01-01 when the
workbook says ``date1904``); only the cell's style (``s=``, an index into xl/styles.xml
``<cellXfs>``) tells that the number is shown as a date. The reader (``xml_scan``) reports such
a cell as a date, as openpyxl did: the format test itself is openpyxl's
(``openpyxl.styles.numbers.is_date_format``, ``is_timedelta_format``, ``BUILTIN_FORMATS``), only
openpyxl's whole stylesheet object model is left out (fonts, fills, borders are not needed).

The parts were checked before (well-formed, no DTD: ``limits``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from xml.etree import ElementTree

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_M = f"{{{MAIN_NS}}}"
STYLES_PART = "xl/styles.xml"  # openpyxl reads the stylesheet from this fixed name


@dataclass(frozen=True)
class DateStyles:
    """Style indexes (``s=``) whose number format is a date (or a duration, a subset)."""

    dates: frozenset[int] = field(default_factory=frozenset)
    durations: frozenset[int] = field(default_factory=frozenset)
    epoch: dt.datetime = WINDOWS_EPOCH


def epoch_of(workbook: ElementTree.Element) -> dt.datetime:
    """``<workbookPr date1904="…">`` as openpyxl's Bool reads it: any text but "", "false",
    "f" and "0" is true."""
    properties = workbook.find(f"{_M}workbookPr")
    flag = properties.get("date1904") if properties is not None else None
    return MAC_EPOCH if flag and flag not in ("false", "f", "0") else WINDOWS_EPOCH


def date_styles(styles_xml: bytes | None, epoch: dt.datetime) -> DateStyles:
    """The date styles of a stylesheet (None: the workbook has none, so no cell is a date).
    A style's format is its custom ``<numFmt>`` when one has its numFmtId, else the built-in
    format of that id."""
    if styles_xml is None:
        return DateStyles(epoch=epoch)
    root = ElementTree.fromstring(styles_xml)
    custom = {}
    formats = root.find(f"{_M}numFmts")
    for number_format in formats.iter(f"{_M}numFmt") if formats is not None else ():
        custom[int(number_format.get("numFmtId"))] = number_format.get("formatCode")
    dates, durations = set(), set()
    cell_xfs = root.find(f"{_M}cellXfs")
    for index, xf in enumerate(cell_xfs.iter(f"{_M}xf") if cell_xfs is not None else ()):
        number_id = int(xf.get("numFmtId", 0))
        code = custom[number_id] if number_id in custom else BUILTIN_FORMATS.get(number_id)
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return DateStyles(frozenset(dates), frozenset(durations), epoch)
