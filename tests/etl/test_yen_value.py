"""One reading of printed amounts (etl.normalize.yen_value), used by yen_amounts for every document."""
from __future__ import annotations

import pytest

from etl.normalize import yen_amounts, yen_value


@pytest.mark.parametrize(("body", "unit", "yen"), [
    ("3億5,000万", None, 350_000_000),
    ("37億6千万", None, 3_760_000_000),
    ("1,234千", None, 1_234_000),
    ("12.5万", None, 125_000),
    ("2千3百万", None, 23_000_000),  # 千 and 百 both multiply inside the 万 group
    ("4万5千", None, 45_000),
    ("5", "万", 50_000),  # the lower end of 5~10万円
    ("5", "千万", 50_000_000),
    ("5万3", "億", 50_003),  # a number with its own unit takes none from the context
    ("1億円", None, None),  # digits and units only
])
def test_yen_value(body, unit, yen):
    assert yen_value(body, unit) == yen


def test_compound_units_and_ranges_in_text():
    text = "1億2千万円と2千3百万円"
    assert [a.yen for a in yen_amounts(text)] == [120_000_000, 23_000_000]
    assert [a.yen for a in yen_amounts("5~10万円の寄附")] == [50_000]  # a range counts its lower end
