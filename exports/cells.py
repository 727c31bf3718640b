"""Cell-level rules shared by the table exports (xlsx and CSV).

A dashboard table arrives as a Polars frame whose column names are already the
Japanese headers the user sees.  This module turns each column into plain
Python cell values plus a *kind* that decides the number format:

========  ============  ==================================================
kind      number format  used for
========  ============  ==================================================
``yen``   ``#,##0``      money, e.g. 財政効果額(円) (fiscal effect in yen)
``score`` ``0.0``        evaluation scores, e.g. 進捗度 (progress), 委員評価
``int``   ``0``          counts and codes stored as integers
``year``  ``0``          fiscal years (2021, never "2,021")
``float`` ``0.0``        other decimals
``text``  (General)      everything else; lists are joined with 「、」
``date``  ``yyyy-mm-dd``
``datetime`` ``yyyy-mm-dd hh:mm``
========  ============  ==================================================

Text rules (decided once here so both file formats agree):

* Characters XML cannot carry (C0 controls except tab/LF/CR, U+FFFE/U+FFFF,
  lone surrogates) are replaced with U+FFFD, the standard replacement
  character, so the loss is visible instead of silently crashing openpyxl.
* Text longer than Excel's per-cell limit (32,767 UTF-16 units) is cut and
  ends with 「…」.
* Text that a spreadsheet could read as a formula or error value - starting
  with ``= + - @``, their full-width forms ``＝ ＋ － ＠`` (Japanese Excel
  accepts those as formula input), tab or CR, or equal to an error literal
  such as ``#N/A`` - is "guarded": xlsx stores it as a string cell with the
  quote-prefix style (visible text unchanged, stays text even after editing);
  CSV prefixes it with an apostrophe.
* Booleans become 「○」 for true and an empty cell for false/None: the
  marker Japanese administrative tables use (e.g. 取組終了 = initiative ended),
  and it filters cleanly in Excel.
* None, NaN and infinities become empty cells (Excel has no NaN).
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import polars as pl

from rowwise import rowwise

NUMBER_FORMATS: dict[str, str | None] = {
    "yen": "#,##0",
    "score": "0.0",
    "int": "0",
    "year": "0",
    "float": "0.0",
    "text": None,
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
HINT_KINDS = frozenset({"yen", "score", "int", "text", "year"})
NUMERIC_KINDS = frozenset({"yen", "score", "int", "year", "float"})

LIST_SEPARATOR = "、"
TRUE_MARK = "○"
EXCEL_CELL_LIMIT = 32_767  # UTF-16 code units per cell
MIN_WIDTH, MAX_WIDTH = 6, 60
# The auto-filter drop-down button covers about two characters of the header.
FILTER_BUTTON_WIDTH = 2
CELL_PADDING = 2

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Same class for Polars (Rust regex); Polars strings cannot hold surrogates.
_ILLEGAL_XML_POLARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{FFFE}\x{FFFF}]"
_FORMULA_LEADS = frozenset("=+-@\t\r＝＋－＠")
_ERROR_LITERALS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)


@dataclass(frozen=True)
class Column:
    """One export column: header, kind and ready-to-write cell values."""

    name: str
    kind: str
    values: list[Any]

    @property
    def number_format(self) -> str | None:
        return NUMBER_FORMATS[self.kind]


# --- text -----------------------------------------------------------------


def truncate_utf16(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` UTF-16 units (Excel counts those)."""
    if len(text) <= limit // 2:  # fast path: cannot exceed even if all astral
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def clean_text(text: str) -> str:
    """Replace XML-illegal characters with U+FFFD and fit Excel's cell limit."""
    if _ILLEGAL_XML.search(text):
        text = _ILLEGAL_XML.sub("\ufffd", text)
    if len(text) > EXCEL_CELL_LIMIT // 2:
        cut = truncate_utf16(text, EXCEL_CELL_LIMIT - 1)
        if cut != text:
            text = cut + "…"
    return text


def needs_guard(text: str) -> bool:
    """True when a spreadsheet could evaluate ``text`` as a formula or error."""
    return bool(text) and (text[0] in _FORMULA_LEADS or text.strip() in _ERROR_LITERALS)


def csv_text(text: str) -> str:
    """Text as written to CSV: guarded texts get a leading apostrophe."""
    return "'" + text if needs_guard(text) else text


def char_width(char: str) -> int:
    """Display width of one character: wide, full-width and ambiguous count 2.

    Ambiguous characters (○, ①, Greek, …) are drawn full-width by Japanese
    fonts, which is what council members' Excel uses.
    """
    if char.isascii():
        return 1
    return 2 if unicodedata.east_asian_width(char) in ("W", "F", "A") else 1


def display_width(text: str) -> int:
    """Width of the widest line of ``text`` in half-width character units."""
    return max((sum(map(char_width, line)) for line in text.splitlines()), default=0)


# --- columns ----------------------------------------------------------------


def infer_kind(name: str, dtype: pl.DataType) -> str:
    """Default kind from dtype, refined by the header's own words (円, 年度)."""
    if dtype.is_integer():
        if "円" in name:
            return "yen"
        return "year" if "年度" in name else "int"
    if dtype.is_float() or dtype.is_decimal():
        return "yen" if "円" in name else "float"
    if dtype == pl.Date:
        return "date"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    return "text"


def prepare_columns(
    frame: pl.DataFrame, column_formats: dict[str, str] | None = None
) -> list[Column]:
    """Turn every frame column into a :class:`Column`.

    ``column_formats`` maps header -> ``yen|score|int|text|year``; headers not
    in the frame are ignored (pages pass one map for several column choices).
    A numeric hint on a non-numeric column is ignored and the column is
    written as text: casting would silently drop values such as 「約100」,
    and a shared hint map must not break a download.  An unknown kind raises
    ``ValueError`` (a typo in code, not user data).
    """
    formats = column_formats or {}
    unknown = {kind for kind in formats.values() if kind not in HINT_KINDS}
    if unknown:
        raise ValueError(f"unknown column format(s) {sorted(unknown)}; use {sorted(HINT_KINDS)}")
    return [_prepare(frame.get_column(name), formats.get(name)) for name in frame.columns]


def _prepare(series: pl.Series, hint: str | None) -> Column:
    dtype = series.dtype
    kind = hint or infer_kind(series.name, dtype)
    if kind in NUMERIC_KINDS and (dtype.is_numeric() or dtype == pl.Null):
        return Column(series.name, kind, _numbers(series))
    if kind == "date" or kind == "datetime":
        return Column(series.name, kind, _temporal(series))
    return Column(series.name, "text", _texts(series))


def _numbers(series: pl.Series) -> list[int | float | None]:
    if series.dtype.is_integer() or series.dtype == pl.Null:
        return series.to_list()
    values = series.cast(pl.Float64).to_list()
    return [v if v is None or math.isfinite(v) else None for v in values]


def _temporal(series: pl.Series) -> list[dt.date | None]:
    # Excel has no time zones: keep the wall-clock time the frame shows.
    return [
        v.replace(tzinfo=None) if isinstance(v, dt.datetime) and v.tzinfo else v
        for v in series.to_list()
    ]


def _texts(series: pl.Series) -> list[str | None]:
    """Cleaned cell texts of a column, vectorised for the common dtypes."""
    text = _as_string_series(series)
    if text is None:  # nested lists, structs, objects, times: rare, go slow
        return [_text_value(v) for v in series.to_list()]
    text = text.str.replace_all(_ILLEGAL_XML_POLARS, "\ufffd")
    if (text.str.len_chars().max() or 0) > EXCEL_CELL_LIMIT // 2:
        text = rowwise(text, clean_text, skip_nulls=True)
    return [value or None for value in text.to_list()]


def _as_string_series(series: pl.Series) -> pl.Series | None:
    dtype = series.dtype
    if dtype == pl.Boolean:
        return series.replace_strict({True: TRUE_MARK, False: None}, return_dtype=pl.String)
    if isinstance(dtype, (pl.List, pl.Array)) and not dtype.inner.is_nested():
        return series.cast(pl.List(dtype.inner)).list.eval(pl.element().cast(pl.String)).list.join(
            LIST_SEPARATOR, ignore_nulls=True
        )
    if dtype.is_numeric() or dtype in (pl.String, pl.Categorical, pl.Date) or isinstance(dtype, pl.Enum):
        return series.cast(pl.String)
    return None


def _text_value(value: Any) -> str | None:
    """Any Python value from a frame -> cleaned cell text, None for empty."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = TRUE_MARK if value else ""
    elif isinstance(value, (list, tuple)):
        text = LIST_SEPARATOR.join(_text_value(v) or "" for v in value if v is not None)
    elif isinstance(value, float) and not math.isfinite(value):
        return None
    else:
        text = str(value)
    return clean_text(text) or None


def column_width(column: Column) -> float:
    """Excel column width estimated from header and content, clamped 6..60."""
    widest = display_width(column.name) + FILTER_BUTTON_WIDTH
    if column.kind == "text":
        widest = max(widest, _widest_text(column.values, widest))
    else:
        widest = max([widest, *(len(_shown(v, column.kind)) for v in _extremes(column.values))])
    return float(min(MAX_WIDTH, max(MIN_WIDTH, widest + CELL_PADDING)))


def _widest_text(values: list[str | None], floor: int) -> int:
    """Exact widest display width, measuring only values that could win.

    A text of n characters is n..2n wide, so longer texts are measured first
    and the scan stops once no remaining text can beat the best so far; this
    keeps 10,000-row exports fast.
    """
    best = floor
    for text in sorted({v for v in values if v}, key=len, reverse=True):
        if 2 * len(text) <= best or best >= MAX_WIDTH:
            break
        best = max(best, display_width(text[: MAX_WIDTH + 1]))
    return best


def _extremes(values: list[Any]) -> list[Any]:
    present = [v for v in values if v is not None]
    if not present:
        return []
    if isinstance(present[0], (int, float)):
        return [min(present), max(present)]
    return present[:1]


def _shown(value: Any, kind: str) -> str:
    """The text Excel displays for a number or date under the kind's format."""
    if kind == "yen":
        return f"{value:,.0f}"
    if kind in ("score", "float"):
        return f"{value:.1f}"
    if kind == "datetime":
        return "0000-00-00 00:00"
    if kind == "date":
        return "0000-00-00"
    return str(value)


def csv_values(column: Column) -> list[str]:
    """A column's values as CSV text: plain numbers, ISO dates, guarded text."""
    values = column.values
    if column.kind == "text":
        return ["" if v is None else csv_text(v) for v in values]
    if column.kind == "datetime":
        return ["" if v is None else v.strftime("%Y-%m-%d %H:%M:%S") for v in values]
    if column.kind == "date":
        return ["" if v is None else v.isoformat() for v in values]
    return ["" if v is None else repr(v) for v in values]
