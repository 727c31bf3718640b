"""One parser per document format: text in, typed records out (``etl.model.Extract``).

Parsers never touch the database. Each module exposes ``parse(doc: SourceDocument) -> Extract``
and raises ``etl.errors.SourceFormatError`` when the document's structure is not what it expects.
The manifest's ``format`` column names the parser.
"""
from __future__ import annotations

import importlib
from typing import Callable

from etl.model import Extract, SourceDocument

FORMATS = ("koganei", "komae", "tokyo_dx", "maebashi", "tomakomai")


def parser_for(format_name: str) -> Callable[[SourceDocument], Extract]:
    if format_name not in FORMATS:
        raise KeyError(format_name)
    return importlib.import_module(f"etl.sources.{format_name}").parse
