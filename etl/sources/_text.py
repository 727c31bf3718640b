"""Table cells and markup of the extracted text, shared by the source parsers.

The documents are text extracted from PDFs: a table row is one line with tab-separated cells,
and some cells still carry HTML (``<p>``, ``<br>``, ``<td>``). Parsers read a row in one of
three ways, chosen by what their tables need:

- ``tab_cells``: every cell, stripped; empty cells kept, so a column keeps its index
  (fixed-column tables: koganei, maebashi, the Tomakomai progress sheets).
- ``tab_cells_trimmed``: the same without the trailing empty cells (PDF rows often end in
  tabs), so ``len`` counts the printed columns (the Tomakomai 本編 tables).
- ``filled_tab_cells``: only the cells with text, each cleaned by ``plain`` (rows whose empty
  cells carry no meaning; komae passes its own HTML/markdown cleaner).
"""
from __future__ import annotations

import re
from typing import Callable

TAG_RE = re.compile(r"<[^>]*>")


def tab_cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t")]


def tab_cells_trimmed(line: str) -> list[str]:
    cells = tab_cells(line)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def filled(cells: list[str]) -> list[str]:
    """The cells with text, in order."""
    return [c for c in cells if c]


def filled_tab_cells(line: str, plain: Callable[[str], str] = str.strip) -> list[str]:
    return filled([plain(cell) for cell in line.split("\t")])
