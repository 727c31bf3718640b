"""The sheets that describe initiatives: 評価 (evaluations), 記述 (narratives),
財政効果 (fiscal effects), 指標 (indicators, KPI), 表彰 (awards), 関係自治体 (partner
municipalities). Each reader turns rows into etl.model records, recording every problem.
"""
from __future__ import annotations

from typing import Any

from etl.model import Award, Evaluation, FiscalEffect, Indicator, Narrative
from etl.workbook.cells import Cells, number_text
from etl.workbook.initiatives import InitiativeIndex
from etl.money import MIXED, STATED
from etl.workbook.layout import (CRITERIA, DEFAULT_FISCAL_BASIS, DEFAULT_FISCAL_SOURCE, EVALUATIONS,
                                 EVALUATORS, FISCAL_BASES, FISCAL_BOUNDS, FISCAL_KINDS, FISCAL_RECURRENCES,
                                 FISCAL_SOURCES, GRADE_CRITERION, GRADES, INDICATOR_KINDS,
                                 LEGACY_FISCAL_KINDS)
from etl.workbook.plan import Period
from etl.workbook.problems import Problems
from etl.workbook.reading import Table
from vocab import SCORE_RANGES, QualityKind

# The English codes are accepted too, so a workbook made from the warehouse views also reads.
_EVALUATOR_SPELLINGS = {**EVALUATORS, **{v: v for v in EVALUATORS.values()}}
_INDICATOR_SPELLINGS = {**INDICATOR_KINDS, **{v: v for v in INDICATOR_KINDS.values()}}
_SOURCE_SPELLINGS = {**FISCAL_SOURCES, **{v: v for v in FISCAL_SOURCES.values()}}
_KIND_SPELLINGS = {**{k: k for k in FISCAL_KINDS}, **LEGACY_FISCAL_KINDS}
_BASIS_SPELLINGS = {b: b for b in FISCAL_BASES}
_RECURRENCE_SPELLINGS = {r: r for r in FISCAL_RECURRENCES}
_BOUND_SPELLINGS = {**FISCAL_BOUNDS, "exact": "exact"}
_CRITERION_SPELLINGS = {c: c for c in CRITERIA}
_GRADE_SPELLINGS = {g: g for g in GRADES}


def _rows(table: Table | None, problems: Problems):
    for row in table.rows if table is not None else ():
        cells = Cells(table, row, problems)
        cells.require_filled()
        yield cells


def _check_score_and_grade(cells: Cells, criterion: str | None, score: float | None,
                           grade: str | None) -> None:
    if criterion is None or "criterion" in cells.row.invalid:
        return
    if criterion == GRADE_CRITERION:
        if grade is None and "grade" not in cells.row.invalid:
            cells.error("grade", "総合評価には評価 (A–D) が必要です（空欄です）。")
        if score is not None:
            cells.error("score", "総合評価は点数ではなく評価 (A–D) で入力してください（点数は空欄に）。")
        return
    if grade is not None:
        cells.error("grade", f"評価 (A–D) は総合評価だけに入力します（{criterion} は点数で）。")
    if score is None:
        if not {"score"} & cells.row.invalid:
            cells.error("score", f"{criterion} の点数が空欄です。")
        return
    low, high = SCORE_RANGES[criterion]
    if not low <= score <= high:
        cells.error("score", f"{criterion} の点数 {number_text(score)} が範囲 {low}–{high} の外です。")


def read_evaluations(table: Table | None, index: InitiativeIndex, period: Period,
                     problems: Problems) -> list[Evaluation]:
    records: list[Evaluation] = []
    seen: dict[tuple, int] = {}
    for cells in _rows(table, problems):
        key = index.resolve(cells, "number", "initiative_id", required=True)
        year = cells.year("fiscal_year")
        period.check(cells, "fiscal_year", year)
        evaluator = cells.choice("evaluator", _EVALUATOR_SPELLINGS)
        criterion = cells.choice("criterion", _CRITERION_SPELLINGS)
        score = cells.number_value("score")
        grade = cells.choice("grade", _GRADE_SPELLINGS)
        _check_score_and_grade(cells, criterion, score, grade)
        if key is None or evaluator is None or criterion is None:
            continue
        identity = (key, year, evaluator, criterion)
        if identity in seen:
            cells.error(None, f"同じ取組・年度・評価者・評価項目の評価が2つあります（{seen[identity]}行目と同じ）。")
            continue
        seen[identity] = cells.number
        records.append(Evaluation(key, year, evaluator, criterion, cells.number, score, grade,
                                  copy=EVALUATIONS.name))
    return records


def read_narratives(table: Table | None, index: InitiativeIndex, period: Period,
                    problems: Problems) -> list[Narrative]:
    records = []
    for cells in _rows(table, problems):
        key = index.resolve(cells, "number", "initiative_id", required=True)
        year = cells.year("fiscal_year")
        period.check(cells, "fiscal_year", year)
        section, text = cells.text("section"), cells.text("text")
        if key is not None and section is not None and text is not None:
            records.append(Narrative(key, year, section, text, cells.number))
    return records


def read_fiscal_effects(table: Table | None, index: InitiativeIndex, period: Period,
                        problems: Problems) -> list[FiscalEffect]:
    records = []
    for cells in _rows(table, problems):
        key = index.resolve(cells, "number", "initiative_id", required=False)  # blank: plan total
        year = cells.year("fiscal_year")
        period.check(cells, "fiscal_year", year)
        amount = cells.yen("amount_yen")
        printed_kind = cells.text("kind")
        kind = cells.choice("kind", _KIND_SPELLINGS)
        evidence = cells.text("evidence")
        if evidence is None and "evidence" not in cells.row.invalid:
            cells.warning("evidence", "根拠が空欄です。金額の根拠となる文を書くと画面に表示されます。", QualityKind.MISSING)
        source = (cells.choice("source", _SOURCE_SPELLINGS) if cells.table.has("source") else None)
        basis = cells.choice("basis", _BASIS_SPELLINGS) if cells.table.has("basis") else None
        recurrence = cells.choice("recurrence", _RECURRENCE_SPELLINGS) if cells.table.has("recurrence") else None
        bound = cells.choice("bound", _BOUND_SPELLINGS) if cells.table.has("bound") else None
        high = cells.yen("amount_max_yen") if cells.table.has("amount_max_yen") else None
        if printed_kind == "合計" and kind == MIXED:  # an older workbook's stated total
            basis, recurrence = basis or STATED, recurrence or "累計"
        if amount is not None and kind is not None:
            records.append(FiscalEffect(key, year, amount, kind, source or DEFAULT_FISCAL_SOURCE,
                                        evidence or "", cells.number, cells.municipality(),
                                        amount_max_yen=high, basis=basis or DEFAULT_FISCAL_BASIS,
                                        recurrence=recurrence or "単年度", bound=bound or "exact",
                                        sheet=table.spec.name))
    return records


def read_indicators(table: Table | None, period: Period, problems: Problems) -> list[Indicator]:
    records = []
    seen: dict[tuple, int] = {}
    described: dict[str, tuple[str | None, str | None, int]] = {}
    for cells in _rows(table, problems):
        number, name, unit = cells.text("indicator_no"), cells.text("name"), cells.text("unit")
        kind = cells.choice("kind", _INDICATOR_SPELLINGS)
        year = cells.year("fiscal_year")
        period.check(cells, "fiscal_year", year, earlier_ok=kind == "baseline")
        value = cells.number_value("value")
        if value is None and "value" not in cells.row.invalid:
            cells.warning("value", "値が空欄です（値なしとして取り込みます）。", QualityKind.MISSING)
        if number is None or name is None or kind is None:
            continue
        first = described.setdefault(number, (name, unit, cells.number))
        if first[:2] != (name, unit):
            cells.warning("name", f"指標番号「{number}」の指標名・単位が{first[2]}行目と異なります。", "mismatch")
        identity = (number, year, kind)
        if identity in seen:
            cells.error(None, f"指標番号「{number}」の同じ年度・区分の値が2つあります（{seen[identity]}行目と同じ）。")
            continue
        seen[identity] = cells.number
        records.append(Indicator(number, name, unit, year, kind, value, cells.number, cells.text("note")))
    return records


def read_awards(table: Table | None, index: InitiativeIndex, period: Period,
                problems: Problems) -> list[Award]:
    records = []
    for cells in _rows(table, problems):
        key = index.resolve(cells, "number", "initiative_id", required=False)
        year = cells.year("fiscal_year")
        period.check(cells, "fiscal_year", year)
        program, award, title = cells.text("program"), cells.text("award"), cells.text("title")
        if program is not None and award is not None and title is not None:
            records.append(Award(program, year, award, title, cells.number, key, cells.text("winner")))
    return records


def read_partners(table: Table | None, index: InitiativeIndex,
                  problems: Problems) -> list[dict[str, Any]]:
    """関係自治体 rows as a source table (``src_workbook_municipalities``): the loader adds
    each to the municipalities view."""
    rows = []
    for cells in _rows(table, problems):
        key = index.resolve(cells, "number", "initiative_id", required=False)
        name = cells.text("municipality")
        if name is not None:
            rows.append({"municipality": name, "initiative_key": key, "line": cells.number})
    return rows

