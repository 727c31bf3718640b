"""Text and number normalisation shared by all parsers.

- 和暦 (Japanese era years) -> Gregorian fiscal year: 令和3年度 / R3 -> 2021, 平成30年度 / H30 -> 2018.
- ``match_key``: the normalised form used for matching and search (NFKC, unified dashes,
  no internal spaces). Display text is kept as printed (after corrections).
- ``yen_amounts``: money written as 1,234千円, 約3億円, 5万円 ... -> whole yen.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

ERA_OFFSETS = {"令和": 2018, "平成": 1988, "昭和": 1925, "R": 2018, "H": 1988, "S": 1925}

_DASHES = "‐‑‒–—―−ー－─━"  # hyphen-likes; ー only matters inside digits, see match_key

_ERA_RE = re.compile(r"(令和|平成|昭和|[RHS])\s*(元|\d{1,2})\s*(?:年度|年)?")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def match_key(text: str) -> str:
    """Normalised form for matching: NFKC, one dash, no whitespace at all."""
    text = nfkc(text)
    text = re.sub(f"[{re.escape(_DASHES.replace('ー', ''))}]", "-", text)
    return re.sub(r"\s+", "", text)


def match_keys(text: "pl.Expr") -> "pl.Expr":
    """``match_key`` as a vectorised Polars expression (the read side may not hand Polars a
    Python function: see ``rowwise``)."""
    dashes = re.escape(_DASHES.replace("ー", ""))
    return text.str.normalize("NFKC").str.replace_all(f"[{dashes}]", "-").str.replace_all(r"\s+", "")


def clean_text(text: str) -> str:
    """Display text: NFKC-free, but with runs of whitespace collapsed and ends trimmed."""
    return re.sub(r"[ \t\u3000]+", " ", text).strip()


def era_to_year(era: str, number: str | int) -> int:
    """令和/平成/昭和 or R/H/S + year number (元 = 1) -> Gregorian year (fiscal year start)."""
    n = 1 if number == "元" else int(number)
    return ERA_OFFSETS[era] + n


def fiscal_year(text: str) -> int | None:
    """First era year in ``text`` as a Gregorian fiscal year, or a bare 4-digit year.

    >>> fiscal_year("令和3年度"), fiscal_year("R3"), fiscal_year("Ｈ３０"), fiscal_year("2021年度")
    (2021, 2021, 2018, 2021)
    """
    t = nfkc(text)
    m = _ERA_RE.search(t)
    if m:
        return era_to_year(m.group(1), m.group(2))
    m = re.search(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", t)
    return int(m.group(1)) if m else None


def parse_number(text: str) -> float | None:
    """'1,234.5' / '１２３' / '-' -> float or None (None for dashes and blanks)."""
    t = nfkc(text).replace(",", "").replace("，", "").strip()
    if t in {"", "-", "−", "―", "ー", "—"}:
        return None
    try:
        return float(t)
    except ValueError:
        return None


@dataclass(frozen=True)
class YenAmount:
    yen: int
    text: str  # the matched text, e.g. "約1,200千円"
    start: int
    end: int
    approximate: bool


_BIG_UNITS = {"兆": 10**12, "億": 10**8, "万": 10**4}
_SMALL_UNITS = {"千": 1000, "百": 100, "十": 10}
_UNIT_CHARS_RE = re.compile(r"[兆億万千百十]")
_YEN_RE = re.compile(
    r"(?P<approx>約|およそ)?\s*"
    r"(?P<body>\d[\d,]*(?:\.\d+)?(?:\s*[兆億万千百十]+\s*(?:\d[\d,]*(?:\.\d+)?)?)*)\s*"
    r"円"
)


def yen_value(body: str, unit: str | None = None) -> int | None:
    """The one reading of an amount's digits and units (without 円) in whole yen, else None.

    '3億5,000万' -> 350000000; '37億6千万' -> 3760000000; '1,234千' -> 1234000; '12.5万' -> 125000;
    '2千3百万' -> 23000000. Small units (千百十) multiply the number before them; a big unit
    (兆億万) closes a group, so 6千万 = 6 × 1000 × 10000. ``unit`` is the unit a bare number
    takes from its context: the lower end of a range printed 5~10万円 is yen_value('5', '万').
    """
    rest = body.replace(",", "").replace(" ", "")
    if unit and rest and not _UNIT_CHARS_RE.search(rest):
        rest += unit
    parts = re.findall(r"(\d+(?:\.\d+)?)([千百十]?)([兆億万]?)", rest)
    if not parts or "".join(n + s + b for n, s, b in parts) != rest:
        return None
    total, pending = 0.0, 0.0
    for number, small, big in parts:
        pending += float(number) * _SMALL_UNITS.get(small, 1)
        if big:
            total += pending * _BIG_UNITS[big]
            pending = 0.0
    return round(total + pending)


def yen_amounts(text: str) -> list[YenAmount]:
    """Every yen amount in ``text`` normalised to whole yen.

    >>> [a.yen for a in yen_amounts("約1,200千円の削減と3億5,000万円、50円、37億6千万円、4万5千円")]
    [1200000, 350000000, 50, 3760000000, 45000]
    """
    t = nfkc(text)
    found = []
    for m in _YEN_RE.finditer(t):
        yen = yen_value(m.group("body"))
        if yen is None:
            continue
        found.append(YenAmount(yen, m.group(0).strip(), m.start(), m.end(), bool(m.group("approx"))))
    return found


def split_sentences(text: str) -> list[str]:
    """Split Japanese prose at 。 and line-level bullets, keeping the delimiter."""
    parts = re.split(r"(?<=。)|\n|(?=・)|(?=▶)", text)
    return [p.strip() for p in parts if p and p.strip()]
