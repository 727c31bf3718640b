"""Which municipalities the warehouse has, how the filter names one, and what to call it.

A municipality is keyed by its 全国地方公共団体コード (6 digits; ``municipalities.code``) —
names repeat (府中市 of 東京都 and of 広島県). The filter's value (``Filters.municipality``, the
URL's ``m``) is that code, or the name for a municipality the national list does not have (its
code is NULL). Screens, export 条件 sheets and slides show ``label``: the name, or
「府中市（東京都）」 when the name is shared nationally.
"""
from __future__ import annotations

from dataclasses import dataclass

from warehouse.connection import WarehouseMissing, query
from warehouse.filters import is_code
from warehouse.queries import cached


@dataclass(frozen=True)
class Place:
    key: str  # the filter value: code, or name when there is no code
    name: str
    prefecture: str | None
    code: str | None
    label: str
    has_initiatives: bool  # an initiative names it (as lead or partner): offered in the picker


@cached
def places() -> tuple[Place, ...]:
    """Every row of ``municipalities``, in code order (names without a code last)."""
    rows = query("""
        SELECT m.municipality, m.prefecture, m.code, m.label,
               EXISTS (SELECT 1 FROM initiative_municipalities x WHERE x.municipality_code = m.code
                       OR (m.code IS NULL AND x.municipality_code IS NULL AND x.municipality = m.municipality))
                   AS has_initiatives
        FROM municipalities m ORDER BY m.code NULLS LAST, m.municipality""")
    return tuple(Place(r["code"] or r["municipality"], r["municipality"], r["prefecture"], r["code"],
                       r["label"] or r["municipality"], bool(r["has_initiatives"]))
                 for r in rows.iter_rows(named=True))


@cached
def _by_key() -> dict[str, Place]:
    return {p.key: p for p in places()}


@cached
def _keys_by_name() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for p in places():
        out.setdefault(p.name, []).append(p.key)
    return {name: tuple(keys) for name, keys in out.items()}


def label_of(key: str | None) -> str | None:
    """「府中市（東京都）」 / 「苫小牧市」 for a filter value; the value itself when the warehouse
    does not know it (or is not there: export builders run without one in tests)."""
    if key is None:
        return None
    try:
        place = _by_key().get(key)
    except WarehouseMissing:
        return key
    return place.label if place is not None else key


def key_for(value: str | None) -> str | None:
    """A URL's ``m`` as a filter value: a code or known key as is; an old bookmark's name
    (``?m=苫小牧市``) becomes its code when the warehouse has one municipality of that name;
    a name two of them share (府中市 ×2) or nothing known -> None (the filter is ignored)."""
    if not value:
        return None
    try:
        if value in _by_key():
            return value
        keys = _keys_by_name().get(value, ())
    except WarehouseMissing:
        return value
    return keys[0] if len(keys) == 1 else None


def municipality_key(name: str | None, prefecture: str | None) -> str | None:
    """The filter value of the municipality ``name`` of ``prefecture`` (an imported plan's)."""
    if not name:
        return None
    found = [p.key for p in places() if p.name == name and (not prefecture or p.prefecture in (prefecture, None))]
    return found[0] if len(found) == 1 else key_for(name)


def link_key(name_or_code: str | None) -> str | None:
    """What a link (``explorer_url``) carries for a row's municipality: its code when the row's
    name means one municipality of the warehouse, else the value as given."""
    if not name_or_code or is_code(name_or_code):
        return name_or_code
    try:
        keys = _keys_by_name().get(name_or_code, ())
    except WarehouseMissing:
        return name_or_code
    return keys[0] if len(keys) == 1 else name_or_code


def prefectures() -> tuple[str, ...]:
    """The prefectures of the municipalities the picker offers, in code order."""
    return tuple(dict.fromkeys(p.prefecture or "" for p in places() if p.has_initiatives and p.prefecture))


def picker_places(prefecture: str | None) -> tuple[Place, ...]:
    """The municipalities the picker offers (those with initiatives), of one prefecture or all."""
    return tuple(p for p in places() if p.has_initiatives and (prefecture is None or p.prefecture == prefecture))
