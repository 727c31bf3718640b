"""Opening a workbook with openpyxl, its strings read without openpyxl's object tree.

openpyxl reads every shared string (``<si>``) and every inline string (``<is>``) into a ``Text``
object through its generic descriptor machinery and then takes ``.content``: a fifth of
checking a template workbook. A string element that holds nothing but ``<t>`` elements (what
Excel and openpyxl write for plain text) gives the same string read directly: the last
``<t>``'s text. Any other (rich-text runs, phonetic guides, attributes) goes through openpyxl's
own ``Text``, so its result — or its error on a damaged part — is unchanged.

Inline strings are read by openpyxl's worksheet reader, which names ``Text`` as a module
global; ``_PlainFirstText`` takes that name there (same results, by the rule above).
"""
from __future__ import annotations

from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet import _reader as worksheet_reader
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

_SI = f"{{{SHEET_MAIN_NS}}}si"
_T = f"{{{SHEET_MAIN_NS}}}t"


def _plain(node) -> str | None:
    """The string of an ``<si>`` made of ``<t>`` elements only, else None (openpyxl decides)."""
    if node.attrib:
        return None
    text = None
    for child in node:
        if child.tag != _T:
            return None
        text = child.text  # openpyxl keeps the last <t>
    return "" if text is None else text


class _Content:
    __slots__ = ("content",)

    def __init__(self, content: str):
        self.content = content


class _PlainFirstText(Text):
    """``Text`` whose ``from_tree`` skips building the object tree for a plain string."""

    @classmethod
    def from_tree(cls, node):
        text = _plain(node)
        return Text.from_tree(node) if text is None else _Content(text)


if worksheet_reader.Text is Text:
    worksheet_reader.Text = _PlainFirstText


def read_string_table(source) -> list[str]:
    """What ``openpyxl.reader.strings.read_string_table`` returns for ``source``."""
    strings = []
    for _, node in iterparse(source):
        if node.tag == _SI:
            text = _plain(node)
            if text is None:
                text = Text.from_tree(node).content
            strings.append(text.replace("x005F_", ""))
            node.clear()
    return strings


class _Reader(ExcelReader):
    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                self.shared_strings = read_string_table(source)


def load_workbook(source, *, read_only: bool, data_only: bool):
    """``openpyxl.load_workbook`` with the shared strings read by ``read_string_table``."""
    reader = _Reader(source, read_only=read_only, data_only=data_only)
    reader.read()
    return reader.wb
