"""The deck basket in a URL: a list of :class:`CardRef` as one query parameter.

Format (version 1)::

    deck=v1.<item>.<item>…

Each ``<item>`` is the unpadded base64url (RFC 4648 §5: ``A–Z a–z 0–9 - _``) of the UTF-8
JSON array ``[recipe id, filter params, options]`` written with sorted keys and no spaces —
e.g. ``["trends.grades",{"m":"苫小牧市"},{"level":"実践項目","share":"件数"}]``. Filter params
use the filter bar's URL names (m, fy, t, d, g, q); option values are strings or lists of
strings. The alphabet and the ``.`` separator need no percent-encoding, the same basket
always gives the same text, and each item decodes on its own, so one damaged or unknown
item is skipped (and reported) without losing the others.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass

from cards.model import RECIPES, CardRef
from warehouse.filters import PARAMS, Filters

VERSION = "v1"
SEPARATOR = "."
MAX_ITEMS = 30
MAX_LENGTH = 30_000


def _item(ref: CardRef) -> str:
    options = {name: list(value) if isinstance(value, tuple) else value for name, value in ref.options}
    text = json.dumps([ref.recipe, ref.filters.to_params(), options], ensure_ascii=False,
                      separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def encode(refs: Sequence[CardRef]) -> str:
    """The basket as the ``deck`` parameter's value ("" for an empty basket)."""
    if not refs:
        return ""
    return SEPARATOR.join([VERSION, *(_item(ref) for ref in refs)])


@dataclass(frozen=True)
class Decoded:
    refs: tuple[CardRef, ...]
    problems: tuple[str, ...]  # Japanese, one per skipped item


def _parse(token: str) -> CardRef | str:
    """A ref, or why the item was skipped."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return "資料の項目として読めませんでした"
    if not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], dict) and isinstance(value[2], dict)):
        return "資料の項目として読めませんでした"
    recipe_id, params, options = value
    if recipe_id not in RECIPES:
        return f"「{recipe_id[:40]}」というグラフの種類はありません"
    known = set(PARAMS.values())
    params = {k: v for k, v in params.items() if k in known and isinstance(v, (str, int))}
    cleaned = {}
    for name, option in options.items():
        if isinstance(option, str):
            cleaned[str(name)] = option
        elif isinstance(option, list) and all(isinstance(v, str) for v in option):
            cleaned[str(name)] = tuple(option)
    return CardRef.of(recipe_id, Filters.from_params({k: str(v) for k, v in params.items()}), cleaned)


def decode(text: str | None) -> Decoded:
    """The refs in ``text`` (the ``deck`` parameter), skipping what cannot be read. Never raises."""
    if not text:
        return Decoded((), ())
    if len(text) > MAX_LENGTH:
        return Decoded((), ("URL の資料の指定が長すぎるため読み込めませんでした",))
    version, _, rest = text.partition(SEPARATOR)
    if version != VERSION:
        return Decoded((), ("URL の資料の指定の形式が分かりません (新しい版で作られた URL かもしれません)",))
    refs: list[CardRef] = []
    problems: list[str] = []
    for number, token in enumerate([t for t in rest.split(SEPARATOR) if t], start=1):
        if len(refs) >= MAX_ITEMS:
            problems.append(f"{number} 件目以降: 一つの資料に入れられるのは {MAX_ITEMS} 件までです")
            break
        found = _parse(token)
        if isinstance(found, str):
            problems.append(f"{number} 件目: {found}")
        else:
            refs.append(found)
    return Decoded(tuple(refs), tuple(problems))
