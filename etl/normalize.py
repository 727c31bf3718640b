"""Text and number normalisation shared by all parsers.

- 和暦 (Japanese era years) -> Gregorian fiscal year: 令和3年度 / R3 -> 2021, 平成30年度 / H30 -> 2018.
- ``match_key``: the normalised form used for matching and search (NFKC, unified dashes,
  no internal spaces). Display text is kept as printed (after corrections).
- ``yen_amounts``: money written as 1,234千円, 約3億円, 5万円, 500万～1千万円 ... -> whole yen.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

ERA_OFFSETS = {"令和": 2018, "平成": 1988, "昭和": 1925, "R": 2018, "H": 1988, "S": 1925}

_DASHES = "‐‑‒–—―−ー－─━"  # hyphen-likes; ー only matters inside digits, see match_key

_ERA_RE = re.compile(r"(令和|平成|昭和|[RHS])\s*(元|\d{1,2})\s*(?:年度|年)?")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


_DASH_RE = re.compile(f"[{re.escape(_DASHES.replace('ー', ''))}]")
_SPACE_RE = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)  # the same few spellings repeat in every row of a workbook
def match_key(text: str) -> str:
    """Normalised form for matching: NFKC, one dash, no whitespace at all."""
    return _SPACE_RE.sub("", _DASH_RE.sub("-", nfkc(text)))


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
    """One amount of money as written, in whole yen.

    ``yen`` is the amount (the lower end of a range; a monthly amount multiplied out when the
    text multiplies it: 月額22,000円×12か月 → 264,000). ``high`` is the upper end of a range
    (500万～1千万円), ``bound`` how the text qualifies the amount (exact, 約, 以上, 以下),
    ``monthly``/``months`` the multiplication, ``note`` which reading was needed.
    """

    yen: int
    text: str  # the matched text (NFKC), e.g. "約1,200千円"
    start: int
    end: int
    approximate: bool
    high: int | None = None
    bound: str = "exact"  # exact | 約 | 以上 | 以下
    monthly: int | None = None  # 月額 before multiplying
    months: int | None = None
    note: str = ""


_NUM = r"\d[\d,]*(?:\.\d+)?"
_UNIT = r"(?:千万|百万|十万|兆|億|万|千|百)"
_BODY = rf"(?:{_NUM}\s*{_UNIT}?)+"
_BIG_UNITS = {"兆": 10**12, "億": 10**8, "万": 10**4}
_SMALL_UNITS = {"千": 1000, "百": 100, "十": 10}
# Nouns that show a bare 億/万 amount is money although 円 is left out ("約2億の寄附").
_BARE_CONTEXT = r"(?:程度?|ほど)?の?(?:寄附|寄付|収入|歳入|財政効果|経費|削減)"
_AMOUNT_RE = re.compile(
    rf"(?<![\d.,])(?P<sign>[▲△])?(?P<approx>約|およそ|概ね|概算で)?\s*"
    rf"(?:(?P<low>{_BODY})\s*円?\s*(?P<sep>[~〜～]|から)\s*(?:約|およそ)?\s*)?"
    rf"(?P<body>{_BODY})\s*(?:(?P<yen>円)|(?={_BARE_CONTEXT}))"
)
_MONTHS_RE = re.compile(r"\s*[×xX✕]\s*(\d{1,3})\s*(?:か月|ヶ月|カ月|ケ月|箇月|月)")
_MONTHLY_BEFORE = re.compile(r"(?:月額|月々|毎月|1か月あたり|月)\s*$")
_ABOUT_AFTER = re.compile(r"^\s*(?:程度|程|ほど|余り|強|弱)")
_ABOVE_AFTER = re.compile(r"^\s*(?:以上|超|を超え)")
_BELOW_AFTER = re.compile(r"^\s*(?:以下|未満|以内)")
_BELOW_BEFORE = re.compile(r"(?:最大|上限額?は?|限度額は?)\s*$")


def yen_value(body: str, unit: str | None = None) -> int | None:
    """The one reading of an amount's digits and units (without 円) in whole yen, else None.

    '3億5,000万' -> 350000000; '37億6千万' -> 3760000000; '1,234千' -> 1234000; '12.5万' -> 125000;
    '2千3百万' -> 23000000. Small units (千百十) multiply the number before them; a big unit
    (兆億万) closes a group, so 6千万 = 6 × 1000 × 10000. ``unit`` is the unit a bare number
    takes from its context: the lower end of a range printed 5~10万円 is yen_value('5', '万').
    """
    rest = body.replace(",", "").replace(" ", "")
    if unit and rest and not re.search(r"[兆億万千百十]", rest):
        rest += unit
    parts = re.findall(r"(\d+(?:\.\d+)?)([千百十]?)([兆億万]?)", rest)
    if not parts or "".join(n + small + big for n, small, big in parts) != rest:
        return None
    total, pending = 0.0, 0.0
    for number, small, big in parts:
        pending += float(number) * _SMALL_UNITS.get(small, 1)
        if big:
            total += pending * _BIG_UNITS[big]
            pending = 0.0
    return round(total + pending)


def yen_amounts(text: str) -> list[YenAmount]:
    """Every yen amount in ``text`` normalised to whole yen: the one money reader of the ETL.

    Reads 1,234千円, 約3億円, 37億6千万円, 4万5千円, 3百万円, full-width digits, ▲/△ negatives,
    ranges (5~10万円, 500万円から1千万円: ``yen`` the lower end, ``high`` the upper end, the
    upper end's unit carried over), 億/万 amounts whose 円 is left out before a money noun
    (約2億の寄附), the bound the text puts on it (約・概ね・程度 → 約; 以上; 以下・最大・上限 → 以下)
    and a monthly amount multiplied out (月額22,000円×12か月 → 264,000).

    >>> [a.yen for a in yen_amounts("約1,200千円の削減と3億5,000万円、50円、37億6千万円、4万5千円")]
    [1200000, 350000000, 50, 3760000000, 45000]
    >>> [(a.yen, a.high, a.bound) for a in yen_amounts("概ね500万円から1千万円程度の経費削減")]
    [(5000000, 10000000, '約')]
    """
    t = nfkc(text)
    found: list[YenAmount] = []
    if "円" not in t and "億" not in t and "万" not in t:
        return found
    for m in _AMOUNT_RE.finditer(t):
        body, low = m.group("body"), m.group("low")
        notes = []
        units = re.findall(_UNIT, body)
        if not m.group("yen"):
            if not any(u in ("兆", "億", "千万", "百万", "万") for u in units):
                continue  # "10万本" is not money; bare amounts need a large unit
            notes.append("「円」の省略を補完")
        value = yen_value(body)
        if value is None:
            continue
        high = None
        end = m.end()
        if low:
            after = t[m.end():m.end() + 1]
            if m.group("sep") == "から" and after in ("に", "へ"):
                # 「1,000円から500円に」 is a change, not a range: read the two amounts apart
                first = yen_value(low)
                if first is not None and "円" in t[m.start("low"):m.start("sep")]:
                    found.append(YenAmount(first, t[m.start("low"):m.start("sep")].strip(), m.start("low"),
                                           m.start("sep"), False))
                found.append(YenAmount(value, t[m.start("body"):m.end()].strip(), m.start("body"), m.end(), False))
                continue
            hi_unit = units[-1] if units and body.rstrip()[-1:] in "兆億万千百" else None
            high, value = value, yen_value(low, hi_unit)
            if value is None:
                continue
            notes.append(f"範囲 {value:,}円～{high:,}円")
        sign = -1 if m.group("sign") else 1
        if sign < 0:
            notes.append("▲/△ は負数")
        before, after = t[:m.start()], t[m.end():]
        monthly = months = None
        times = _MONTHS_RE.match(after)
        if times and _MONTHLY_BEFORE.search(before) and high is None:
            monthly, months = value, int(times.group(1))
            value *= months
            end = m.end() + times.end()
            notes.append(f"月額{monthly:,}円×{months}か月 = {value:,}円")
        approx = bool(m.group("approx"))
        if approx or _ABOUT_AFTER.match(after):
            bound = "約"
        elif _ABOVE_AFTER.match(after):
            bound = "以上"
        elif _BELOW_AFTER.match(after) or _BELOW_BEFORE.search(before):
            bound = "以下"
        else:
            bound = "exact"
        found.append(YenAmount(sign * value, t[m.start():end].strip(), m.start(), end, approx,
                               None if high is None else sign * high, bound, monthly, months, "; ".join(notes)))
    return found


def split_sentences(text: str) -> list[str]:
    """Split Japanese prose at 。 and line-level bullets, keeping the delimiter."""
    parts = re.split(r"(?<=。)|\n|(?=・)|(?=▶)", text)
    return [p.strip() for p in parts if p and p.strip()]
