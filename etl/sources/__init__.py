"""One parser per document format: text in, typed records out (``etl.model.Extract``).

Parsers never touch the database. ``SOURCES`` maps the manifest's ``format`` column to a
``Source``: ``parse(doc) -> Extract`` raises ``etl.errors.SourceFormatError`` when the document's
structure is not what it expects; ``cross_check(extract) -> list[Issue]`` recomputes the
aggregates the document states (after reconcile) and reports each disagreement. A new format
is one module with those two functions and one entry here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from etl.model import Extract, Issue, SourceDocument
from etl.sources import koganei, komae, maebashi, tokyo_dx, tomakomai


@dataclass(frozen=True)
class Source:
    parse: Callable[[SourceDocument], Extract]
    cross_check: Callable[[Extract], list[Issue]]


SOURCES: dict[str, Source] = {
    "koganei": Source(koganei.parse, koganei.cross_check),
    "komae": Source(komae.parse, komae.cross_check),
    "tokyo_dx": Source(tokyo_dx.parse, tokyo_dx.cross_check),
    "maebashi": Source(maebashi.parse, maebashi.cross_check),
    "tomakomai": Source(tomakomai.parse, tomakomai.cross_check),
}
FORMATS = tuple(SOURCES)
