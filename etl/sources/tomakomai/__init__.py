"""Format ``tomakomai``: 苫小牧市行政創革プラン 取組の有効性に関する意見書, one document read by two parsers.

- ``tables``: the 本編 tables, the per-group detail blocks, the lists and the fiscal effect;
  its ``parse`` also merges the sheets' records and then unifies the theme names of both.
- ``sheets``: the 資料編 進捗状況シート (one progress sheet per 実践項目).
"""
from __future__ import annotations

from etl.model import Extract, Issue
from etl.sources.tomakomai.sheets import cross_check_sheets
from etl.sources.tomakomai.tables import cross_check_tables, parse


def cross_check(extract: Extract) -> list[Issue]:
    """The tables' aggregate checks, then the sheets' (grade against total)."""
    return cross_check_tables(extract) + cross_check_sheets(extract)


__all__ = ["parse", "cross_check"]
