"""Pure summaries computed from query results (no SQL, no Streamlit)."""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class GradeMovement:
    """Grade shares (A–D, %) in the latest fiscal year and the year before."""

    latest_year: int | None
    previous_year: int | None
    latest: dict[str, float]
    previous: dict[str, float]
    latest_count: int

    def delta(self, grade: str) -> float | None:
        if self.previous_year is None:
            return None
        return self.latest.get(grade, 0.0) - self.previous.get(grade, 0.0)


def _shares(frame: pl.DataFrame) -> dict[str, float]:
    total = frame["count"].sum()
    return {g: 100.0 * c / total for g, c in zip(frame["grade"], frame["count"])} if total else {}


def grade_movement(distribution: pl.DataFrame) -> GradeMovement:
    """From (fiscal_year, grade, count) rows: latest yearly grades vs the previous year.

    Plan-period summaries (fiscal_year NULL, 総括) are not a year and are left out here.
    """
    yearly = distribution.filter(pl.col("fiscal_year").is_not_null())
    yearly = yearly.group_by("fiscal_year", "grade").agg(pl.col("count").sum())
    years = sorted(yearly["fiscal_year"].unique().to_list())
    if not years:
        return GradeMovement(None, None, {}, {}, 0)
    latest = yearly.filter(pl.col("fiscal_year") == years[-1])
    previous = yearly.filter(pl.col("fiscal_year") == years[-2]) if len(years) > 1 else None
    return GradeMovement(years[-1], years[-2] if len(years) > 1 else None, _shares(latest),
                         _shares(previous) if previous is not None else {}, int(latest["count"].sum()))
