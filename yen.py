"""Yen as people read it in Japanese reports: one rule for the screen, Excel notes, slides and
発表モード (presentation mode), so one amount never reads two ways on one screen.

The rule (``yen_text``):
- below 1万: whole 円 with thousands separators (5,000円);
- below 1億: whole 万円 (1,037万円);
- from 1億: 億円, then from 1兆 兆円, with three significant figures but never fewer than the
  whole number (37.6億円, 4.21億円, 1,235億円, 1.2兆円), trailing zeros dropped;
- rounding is half up (as on paper, 62.5 → 63) and carries into the next unit when the rounded
  number reaches it (99,996,000 円 → 1億円, not 10,000万円);
- a negative amount takes the minus sign − (U+2212), as typeset Japanese text does;
- None (no amount) is 「—」.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from vocab import NO_VALUE

MINUS = "−"
NO_AMOUNT = NO_VALUE
# (size of the unit in yen, unit, significant figures or None for whole units)
UNITS = ((1, "円", None), (10**4, "万円", None), (10**8, "億円", 3), (10**12, "兆円", 3))
STEP = 10**4  # each unit is 10,000 of the one below


def round_half_up(value: float | Decimal, digits: int = 0) -> Decimal:
    """Round as people do on paper (62.5 → 63); Python's round() would give 62."""
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _shown(value: Decimal, figures: int | None) -> Decimal:
    """``value`` in its unit, rounded: whole, or to ``figures`` significant figures (never
    rounding away whole digits: 1,234.6 stays 1,235)."""
    if figures is None:
        return round_half_up(value)
    whole_digits = len(str(int(value))) if value >= 1 else 1
    return round_half_up(value, max(0, figures - whole_digits))


def yen_text(amount: float | int | None) -> str:
    """3,760,000,000 → 「37.6億円」, 10,372,000 → 「1,037万円」, −250,000,000 → 「−2.5億円」."""
    if amount is None:
        return NO_AMOUNT
    sign = MINUS if amount < 0 else ""
    value = abs(Decimal(repr(float(amount))) if isinstance(amount, float) else Decimal(int(amount)))
    index = max(i for i, (size, _, _) in enumerate(UNITS) if value >= size or i == 0)
    size, unit, figures = UNITS[index]
    number = _shown(value / size, figures)
    if number >= STEP and index + 1 < len(UNITS):  # 9,999.6万 is shown as 1億
        size, unit, figures = UNITS[index + 1]
        number = _shown(value / size, figures)
    text = f"{number:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{sign}{text}{unit}" if number else f"0{unit}"
