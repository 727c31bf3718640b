"""One yen formatter (yen.yen_text) for screen, Excel notes, slides and 発表モード."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.normalize import yen_amounts
from yen import yen_text

MAX_YEN = 10**16  # 1京: beyond any municipal budget


@pytest.mark.parametrize(("amount", "text"), [
    (3_760_000_000, "37.6億円"),  # 苫小牧市's stated 財政効果額
    (3_765_000_000, "37.7億円"),  # half up
    (4_205_000_000, "42.1億円"),  # three significant figures (not 42.05億円)
    (420_500_000, "4.21億円"),
    (1_000_000_000, "10億円"),
    (123_456_000_000, "1,235億円"),  # never fewer than the whole number
    (999_960_000, "10億円"),
    (99_996_000, "1億円"),  # 9,999.6万 carries into the next unit (not 10,000万円)
    (999_995_000_000, "1兆円"),
    (1_200_000_000_000, "1.2兆円"),  # not 12,000億円
    (12_340_000, "1,234万円"),
    (10_372_000, "1,037万円"),
    (22_000, "2万円"),
    (9_999.5, "1万円"),
    (5_000, "5,000円"),
    (500, "500円"),
    (0, "0円"),
    (-0.4, "0円"),
    (-250_000_000, "−2.5億円"),  # the minus sign, not a hyphen
    (None, "—"),
])
def test_yen_text(amount, text):
    assert yen_text(amount) == text


def _read_back(text: str) -> int:
    """The amount a reader takes from the text (the ETL's own reader of printed amounts)."""
    negative = text.startswith("−")
    (found,) = yen_amounts(text.lstrip("−"))
    return -found.yen if negative else found.yen


@given(st.integers(min_value=0, max_value=MAX_YEN), st.integers(min_value=0, max_value=MAX_YEN))
def test_larger_amounts_never_read_smaller(a, b):
    low, high = sorted((a, b))
    assert _read_back(yen_text(low)) <= _read_back(yen_text(high))


@given(st.integers(min_value=-MAX_YEN, max_value=MAX_YEN))
def test_shown_number_stays_below_the_next_unit_and_close_to_the_amount(amount):
    text = yen_text(amount)
    number = text.lstrip("−").rstrip("円").rstrip("万億兆").replace(",", "")
    assert float(number) < 10_000 or text.endswith("兆円")  # carried: never 10,000万円 or 10,000億円
    assert text.startswith("−") == (amount < 0 and text != "0円")
    shown = _read_back(text)
    if abs(amount) >= 10**8:  # three significant figures: within half a unit in the third digit
        assert abs(shown - amount) <= abs(amount) * 0.005 + 1
    else:  # whole 万 (or 円)
        assert abs(shown - amount) <= 5_000
