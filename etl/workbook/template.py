"""The blank template: every data sheet with its headers, and the 説明 sheet."""
from __future__ import annotations

from etl.workbook.layout import DATA_SHEETS
from etl.workbook.writing import workbook_bytes


def template_bytes() -> bytes:
    """A blank .xlsx template (説明 first, then 計画, 取組, 評価, 指標, 財政効果, and the
    optional 記述, 表彰, 関係自治体), ready to offer as a download."""
    return workbook_bytes([(spec, []) for spec in DATA_SHEETS])
