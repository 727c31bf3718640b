"""A long list of choices cut to what one selectbox should hold, found by a search.

At national scale a list of municipalities' documents or initiatives runs to thousands; a
selectbox that lists them all is slow to draw and hard to use. ``narrowed`` keeps the items
whose text contains the search (in normalised form: NFKC, no spaces, see ``match_key``) and
at most ``limit`` of them.
"""
from __future__ import annotations

from typing import Callable, Sequence, TypeVar

from etl.normalize import match_key

T = TypeVar("T")

LIMIT = 200


def narrowed(items: Sequence[T], text: str | None, words: Callable[[T], str],
             limit: int | None = None) -> tuple[list[T], int]:
    """(the first ``limit`` items matching ``text``, how many match); every item without a search."""
    limit = LIMIT if limit is None else limit
    key = match_key(text) if text else ""
    found = [item for item in items if key in match_key(words(item))] if key else list(items)
    return found[:limit], len(found)


def cut_note(shown: int, matches: int, searched: bool) -> str | None:
    """「合う 1,234 件のうち 200 件を表示しています。…」 when the list was cut, else None."""
    if matches <= shown:
        return None
    return (f"{'合う' if searched else '全'} {matches:,} 件のうち {shown:,} 件を表示しています。"
            "名前で探して絞り込んでください。")
