"""The 計画 (plan) sheet: municipality, title, plan period, document id and 人口 (population).

The plan period (開始年度..終了年度) bounds every year in the workbook; a 基準値 (baseline)
indicator may lie before it, since baselines are measured before a plan starts.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from etl.workbook.cells import Cells
from etl.workbook.layout import PLAN
from etl.workbook.problems import PlanSummary, Problems
from etl.workbook.reading import Table
from vocab import QualityKind

DOCUMENT_ID_PREFIX = "xlsx-"
MAX_DOCUMENT_ID_CHARS = 100
# "/" separates document_id from the key in initiative_id; whitespace breaks CLI use.
_DOCUMENT_ID = re.compile(r"[^\s/\\]+")


def document_id_from_file(file_name: str) -> str:
    """``xlsx-<stem>``: stable for one file name; spaces become "_" (e.g. 「架空市 計画.xlsx」
    -> ``xlsx-架空市_計画``)."""
    stem = unicodedata.normalize("NFKC", PurePath(file_name).stem)
    stem = re.sub(r"\s+", "_", stem.strip()).replace("/", "_").replace("\\", "_")
    return (DOCUMENT_ID_PREFIX + (stem or "workbook"))[:MAX_DOCUMENT_ID_CHARS]


def valid_document_id(text: str) -> bool:
    return bool(_DOCUMENT_ID.fullmatch(text)) and len(text) <= MAX_DOCUMENT_ID_CHARS


@dataclass(frozen=True)
class Period:
    """The plan period; either end may be open (blank in the workbook)."""

    start: int | None
    end: int | None

    def check(self, cells: Cells, field: str, year: int | None, earlier_ok: bool = False) -> None:
        if year is None:
            return
        too_early = self.start is not None and year < self.start and not earlier_ok
        too_late = self.end is not None and year > self.end
        if too_early or too_late:
            cells.error(field, f"年度 {year} が計画期間（{self.label()}）の外です。"
                               "計画シートの開始年度・終了年度か、この年度を直してください。")

    def label(self) -> str:
        start = "" if self.start is None else str(self.start)
        end = "" if self.end is None else str(self.end)
        return f"{start}〜{end}年度"


def read_plan(table: Table | None, file_name: str, document_id: str | None,
              problems: Problems) -> tuple[PlanSummary, Period]:
    """The one plan row; ``document_id`` (e.g. from manifest.csv) overrides the 文書ID cell."""
    fallback = document_id or document_id_from_file(file_name)
    if table is None:
        problems.error(PLAN.name, None, None, "シート「計画」がありません。テンプレートの計画シートに"
                                              "自治体・計画名・計画期間を入力してください。")
        return PlanSummary(fallback, None, None, None, None, None), Period(None, None)
    if not table.rows:
        problems.error(PLAN.name, 2, None, "計画の行がありません。2行目に自治体・計画名などを入力してください。")
        return PlanSummary(fallback, None, None, None, None, None), Period(None, None)
    for extra in table.rows[1:]:
        problems.error(PLAN.name, extra.number, None,
                       f"計画は1行だけ入力してください（{table.rows[0].number}行目の計画と2つめがあります）。")
    cells = Cells(table, table.rows[0], problems)
    cells.require_filled()
    start, end = cells.year("start_fy"), cells.year("end_fy")
    if start is not None and end is not None and start > end:
        cells.error("end_fy", f"終了年度 {end} が開始年度 {start} より前です。")
        start = end = None
    elif cells.table.has("start_fy") and (start is None or end is None) and not (
            {"start_fy", "end_fy"} & cells.row.invalid):
        cells.warning("start_fy" if start is None else "end_fy",
                      "計画期間の年度が空欄のため、各シートの年度が計画期間内かを確かめていません。", QualityKind.MISSING)
    prefecture = cells.text("prefecture")
    if prefecture is None and table.has("prefecture"):
        cells.warning("prefecture", "都道府県が空欄です。", QualityKind.MISSING)
    chosen = document_id
    stated = cells.text("document_id") if table.has("document_id") else None
    if document_id is not None and stated not in (None, document_id):
        cells.warning("document_id", f"文書ID「{stated}」ではなく manifest.csv の「{document_id}」を使います。",
                      "mismatch")
    if chosen is None:
        chosen = stated
        if chosen is not None and not valid_document_id(chosen):
            cells.error("document_id", f"文書ID「{chosen}」は使えません。空白・「/」を含まない "
                                       f"{MAX_DOCUMENT_ID_CHARS} 文字以内にしてください。")
            chosen = None
    population = cells.count("population") if table.has("population") else None
    plan = PlanSummary(chosen or fallback, cells.text("municipality"), prefecture,
                       cells.text("title"), start, end, population)
    return plan, Period(start, end)
