"""Typed reading of one row's cells. A bad value becomes a Problem (with sheet, row and
column) and reads as None; nothing here raises on user input.

Accepted forms:
- years: 2021, 「2021年度」, 「R3」, 「令和3年度」, 「令和元年度」, 「H31」, full-width digits;
- numbers: numeric cells; a text cell holding a plain number (「3」, 「1,200」) is accepted
  with a warning, any other text is an error;
- lists (担当部署, テーマ): one value per line, or separated by 「、」 when the cell has no line break.
"""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any

from etl.normalize import ERA_OFFSETS, era_to_year, match_key, nfkc
from etl.model import DOCUMENT_MUNICIPALITY
from etl.workbook.layout import LIST_SEPARATOR, UNKNOWN_MUNICIPALITY
from etl.workbook.problems import Problems
from etl.workbook.reading import Row, Table
from vocab import QualityKind

FIRST_YEAR, LAST_YEAR = 1900, 2100  # anything else is a typo, not a fiscal year
MAX_ABS_YEN = 10**15  # 1,000 兆円: beyond Excel's 15 exact digits and any municipal budget
MAX_COUNT = 10**9  # counts of people: above any population, still exact in a float cell

_ERAS = "|".join(sorted(ERA_OFFSETS, key=len, reverse=True))
_YEAR_TEXT = re.compile(rf"(?:(?P<era>{_ERAS})\s*(?P<n>元|\d{{1,2}})|(?P<year>\d{{4}}))\s*(?:年度|年)?")
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_YEAR_HINT = "2021、R3、令和3年度 のように入力してください"


def number_text(value: float | int) -> str:
    """A number shown as text the way a person typed it: 5.0 -> "5", 2.25 -> "2.25"."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def parse_year(value: Any) -> int | None:
    """A cell as a Gregorian fiscal year, or None when it is not one."""
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, int):
        return value if FIRST_YEAR <= value <= LAST_YEAR else None
    if not isinstance(value, str):
        return None
    text = nfkc(value).strip().upper()
    match = _YEAR_TEXT.fullmatch(text)
    if not match:
        return None
    if match.group("year"):
        year = int(match.group("year"))
    elif match.group("n") != "元" and int(match.group("n")) == 0:
        return None
    else:
        year = era_to_year(match.group("era"), match.group("n"))
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def _finite(value: int | float | str) -> float | None:
    try:
        number = float(value)
    except OverflowError:  # an int beyond the float range
        return None
    return number if math.isfinite(number) else None


def _finite_float(text: str) -> float:
    number = _finite(text)
    if number is None:
        raise ValueError(text)
    return number


def _reject_constant(name: str) -> None:
    raise ValueError(name)


@lru_cache(maxsize=32)
def _lookup(accepted: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Spelling -> value, forgiving width and case (「Ａ」, 「a」 -> "A")."""
    return {match_key(k).upper(): v for k, v in accepted}


_SPELLINGS: dict[int, tuple[dict[str, str], dict[str, str]]] = {}


def _spellings(accepted: dict[str, str]) -> dict[str, str]:
    """``_lookup`` of a vocabulary, found by identity for the module-level vocabularies (called
    for every cell of a closed column: building the key tuple each time cost more than the
    lookup). The entry keeps ``accepted`` alive, so its id cannot be reused by another dict."""
    entry = _SPELLINGS.get(id(accepted))
    if entry is not None and entry[0] is accepted:
        return entry[1]
    lookup = _lookup(tuple(accepted.items()))
    if len(_SPELLINGS) < 64:
        _SPELLINGS[id(accepted)] = (accepted, lookup)
    return lookup


def split_items(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = text.split("\n") if "\n" in text else text.split(LIST_SEPARATOR)
    return [p.strip() for p in parts if p.strip()]


class Cells:
    """Typed access to one row of one table; problems are recorded, values come back None."""

    def __init__(self, table: Table, row: Row, problems: Problems):
        self.table, self.row, self.problems = table, row, problems

    @property
    def number(self) -> int:
        return self.row.number

    def header(self, field: str) -> str:
        return self.table.spec.column(field).header

    def raw(self, field: str) -> Any:
        return self.row.values.get(field)

    def has(self, field: str) -> bool:
        return self.raw(field) is not None

    def error(self, field: str | None, message: str) -> None:
        """Record an error; the field then counts as reported, so no rule complains about it
        a second time (e.g. "missing grade" after "grade E is not allowed")."""
        self.problems.error(self.table.spec.name, self.row.number,
                            self.header(field) if field else None, message)
        if field:
            self.row.invalid.add(field)

    def warning(self, field: str | None, message: str, kind: str = QualityKind.WORKBOOK) -> None:
        self.problems.warning(self.table.spec.name, self.row.number,
                              self.header(field) if field else None, message, kind)

    def text(self, field: str) -> str | None:
        value = self.row.values.get(field)
        if type(value) is str:  # the usual cell, checked first
            return value.strip() or None
        if value is None:
            return None
        if isinstance(value, (int, float)):
            return number_text(value)
        return str(value).strip() or None

    def year(self, field: str) -> int | None:
        value = self.raw(field)
        if value is None:
            return None
        year = parse_year(value)
        if year is None:
            shown = number_text(value) if isinstance(value, (int, float)) else value
            self.error(field, f"「{shown}」を年度として読めません。{_YEAR_HINT}。")
        return year

    def number_value(self, field: str) -> float | None:
        value = self.raw(field)
        if value is None:
            return None
        if isinstance(value, (int, float)):
            number = _finite(value)
            if number is None:
                self.error(field, f"数値「{number_text(value)[:30]}」は大きすぎて使えません。")
            return number
        text = nfkc(str(value)).replace(",", "").strip()
        if _NUMBER_TEXT.fullmatch(text):
            number = _finite(text)
            if number is None:
                self.error(field, f"数値「{value}」は大きすぎて使えません。")
                return None
            self.warning(field, f"文字列「{value}」を数値として読みました（セルを数値にしてください）。",
                         "number_text")
            return number
        self.error(field, f"数値の列に文字列「{value}」が入っています。数値を入力してください。")
        return None

    def yen(self, field: str) -> int | None:
        value = self.number_value(field)
        if value is None:
            return None
        raw = self.raw(field)
        if not value.is_integer():
            self.error(field, f"金額「{number_text(value)}」は円単位の整数で入力してください。")
            return None
        if abs(value) > MAX_ABS_YEN:
            self.error(field, f"金額「{number_text(value)}」が大きすぎます（上限 {MAX_ABS_YEN:,} 円）。")
            return None
        # An int cell keeps its exact digits; a float is exact here because |value| < 2**53.
        return raw if isinstance(raw, int) else int(value)

    def count(self, field: str) -> int | None:
        """A positive whole number (e.g. 人口, people); anything else is an error."""
        value = self.number_value(field)
        if value is None:
            return None
        if not value.is_integer() or value <= 0:
            self.error(field, f"「{number_text(value)}」は使えません。正の整数を入力してください。")
            return None
        if value > MAX_COUNT:
            self.error(field, f"「{number_text(value)}」が大きすぎます（上限 {MAX_COUNT:,}）。")
            return None
        return int(value)

    def items(self, field: str) -> list[str]:
        text = self.text(field)
        return split_items(text) if text else []

    def choice(self, field: str, accepted: dict[str, str]) -> str | None:
        """The canonical value for a closed vocabulary; ``accepted`` maps spelling -> value."""
        text = self.text(field)
        if text is None:
            return None
        value = _spellings(accepted).get(match_key(text).upper())
        if value is None:
            shown = self.table.spec.column(field).choices or tuple(accepted)
            self.error(field, f"「{text}」は使えません。使える値: {'、'.join(shown)}")
        return value

    def municipality(self) -> str | None:
        """A row's 自治体 cell: blank = the plan's municipality, 「不明」 = not stated (NULL)."""
        text = self.text("municipality") if self.table.has("municipality") else None
        if text is None:
            return DOCUMENT_MUNICIPALITY
        return None if text == UNKNOWN_MUNICIPALITY else text

    def json_object(self, field: str) -> dict[str, Any]:
        text = self.text(field)
        if text is None:
            return {}
        try:
            value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
            json.dumps(value, ensure_ascii=False).encode("utf-8")  # lone surrogates ("\ud800")
        except json.JSONDecodeError as error:
            self.error(field, f"JSON として読めません（{error.msg}、{error.pos + 1} 文字目）。")
            return {}
        except (ValueError, RecursionError):
            # NaN/Infinity/too large numbers, unencodable text, or absurd nesting: none of them
            # would survive the warehouse's JSON column.
            self.error(field, "JSON に使えない値（NaN、Infinity、大きすぎる数、不正な文字、深すぎる入れ子）があります。")
            return {}
        if not isinstance(value, dict):
            self.error(field, '{"項目": 値} の形の JSON オブジェクトを入力してください。')
            return {}
        return value

    def require_filled(self) -> None:
        """Every ``needed`` column present in the sheet must be filled in this row."""
        for field_name, column in self.table.columns.items():
            if column.needed and self.raw(field_name) is None and field_name not in self.row.invalid:
                self.error(field_name, f"「{column.header}」は必須です（空欄です）。")
