"""The cards' takeaway sentences (cards.wording): rounding, comparisons, missing data."""
from __future__ import annotations

import polars as pl

from cards.wording import takeaway_for_grades, takeaway_for_total

GRADES_FRAME = pl.DataFrame(
    {  # R4: 4 of 8 are A (50%); R5: 5 of 8 are A (62.5%); 総括 must not count as a year
        "fiscal_year": [2022, 2022, 2022, 2023, 2023, 2023, None],
        "grade": ["A", "B", "C", "A", "B", "D", "A"],
        "count": [4, 3, 1, 5, 2, 1, 9],
    }
)


def test_grade_takeaway_rounds_half_up_and_compares_with_previous_year():
    assert takeaway_for_grades(GRADES_FRAME) == "A評価の割合は R5 (2023) で 63% (前年比 +13pt)"


def test_grade_takeaway_change_is_difference_of_shown_percentages():
    frame = pl.DataFrame({"fiscal_year": [2022, 2022, 2023, 2023], "grade": ["A", "B", "A", "B"],
                          "count": [1, 2, 2, 1]})  # 33.3% → 66.7%: shown 33% → 67%
    assert takeaway_for_grades(frame) == "A評価の割合は R5 (2023) で 67% (前年比 +34pt)"


def test_grade_takeaway_other_grade_negative_change_and_gap_years():
    frame = pl.DataFrame({"fiscal_year": [2020, 2020, 2023, 2023], "grade": ["B", "A", "B", "A"],
                          "count": [3, 1, 1, 3]})
    assert takeaway_for_grades(frame, "B") == "B評価の割合は R5 (2023) で 25% (R2 (2020) 比 -50pt)"
    same = pl.DataFrame({"fiscal_year": [2022, 2023], "grade": ["A", "A"], "count": [2, 5]})
    assert takeaway_for_grades(same) == "A評価の割合は R5 (2023) で 100% (前年比 ±0pt)"


def test_grade_takeaway_one_year_summary_only_and_no_data():
    one = pl.DataFrame({"fiscal_year": [2019, 2019, None], "grade": ["A", "C", "A"], "count": [1, 3, 5]})
    assert takeaway_for_grades(one) == "A評価の割合は R1 (2019) で 25%"
    summary = pl.DataFrame({"fiscal_year": [None, None], "grade": ["A", "B"], "count": [2, 3]},
                           schema={"fiscal_year": pl.Int64, "grade": pl.String, "count": pl.Int64})
    assert takeaway_for_grades(summary) == "A評価の割合は 総括 で 40%"
    empty = pl.DataFrame(schema={"fiscal_year": pl.Int64, "grade": pl.String, "count": pl.Int64})
    assert takeaway_for_grades(empty) == "評価データがありません"
    ungraded = pl.DataFrame({"fiscal_year": [2023], "grade": ["未評価"], "count": [4]})
    assert takeaway_for_grades(ungraded) == "評価データがありません"


def test_grade_takeaway_ignores_grades_outside_a_to_d():
    frame = pl.DataFrame({"fiscal_year": [2023, 2023, 2023], "grade": ["A", "B", "-"], "count": [1, 1, 8]})
    assert takeaway_for_grades(frame) == "A評価の割合は R5 (2023) で 50%"


def test_total_takeaway():
    assert takeaway_for_total("財政効果額", 3_760_000_000) == "財政効果額の合計は 37.6億円"
    assert takeaway_for_total("財政効果額", None) == "財政効果額のデータがありません"
