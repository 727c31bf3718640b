"""``check``: the whole validation of one workbook, before anything is written anywhere."""
from __future__ import annotations

from etl.model import Extract
from etl.workbook.facts import (read_awards, read_evaluations, read_fiscal_effects,
                                read_indicators, read_narratives, read_partners)
from etl.workbook.initiatives import read_initiatives
from etl.workbook.layout import (AWARDS, EVALUATIONS, FISCAL_EFFECTS, INDICATORS,
                                 INITIATIVES, NARRATIVES, PARTNERS, PLAN)
from etl.workbook.limits import check_name, check_package
from etl.workbook.plan import document_id_from_file, read_plan
from etl.workbook.problems import PlanSummary, Problems, WorkbookCheck, warning_issue
from etl.workbook.reading import Table, is_template_sheet, read_tables
from vocab import QualityKind

PARTNERS_TABLE = "workbook_municipalities"  # -> src_workbook_municipalities


def _extract(tables: dict[str, Table], file_name: str, document_id: str | None,
             problems: Problems) -> tuple[Extract, PlanSummary]:
    for name in (EVALUATIONS.name, INDICATORS.name, FISCAL_EFFECTS.name):  # 計画, 取組: see readers
        if name not in tables:
            problems.warning(name, None, None, f"シート「{name}」がありません（{name}なしとして取り込みます）。",
                             QualityKind.MISSING)
    plan, period = read_plan(tables.get(PLAN.name), file_name, document_id, problems)
    initiatives, index = read_initiatives(tables.get(INITIATIVES.name), period, problems)
    extract = Extract(
        initiatives=initiatives,
        evaluations=read_evaluations(tables.get(EVALUATIONS.name), index, period, problems),
        narratives=read_narratives(tables.get(NARRATIVES.name), index, period, problems),
        fiscal_effects=read_fiscal_effects(tables.get(FISCAL_EFFECTS.name), index, period, problems),
        indicators=read_indicators(tables.get(INDICATORS.name), period, problems),
        awards=read_awards(tables.get(AWARDS.name), index, period, problems),
    )
    partners = read_partners(tables.get(PARTNERS.name), index, problems)
    if partners:
        extract.tables[PARTNERS_TABLE] = partners
    return extract, plan


def check(data: bytes, file_name: str, document_id: str | None = None) -> WorkbookCheck:
    """Validate a workbook completely; never raises on bad input.

    ``file_name`` is used for the name checks, messages and the default document id;
    ``document_id`` (e.g. from manifest.csv) overrides the 計画 sheet's 文書ID.
    """
    problems = Problems()
    result = WorkbookCheck(file_name)
    check_name(file_name, problems)
    tables = None
    if not problems.has_errors:
        package = check_package(data, problems, read=is_template_sheet)
        if package is not None:
            tables = read_tables(package, problems)
    if tables is None:
        result.plan = PlanSummary(document_id or document_id_from_file(file_name),
                                  None, None, None, None, None)
    else:
        result.counts = {name: len(table.rows) for name, table in tables.items()}
        extract, result.plan = _extract(tables, file_name, document_id, problems)
        if not problems.has_errors:
            key_on_row = {i.line: i.key for i in extract.initiatives}
            extract.issues = [warning_issue(p, key_on_row.get(p.row) if p.sheet == INITIATIVES.name else None)
                              for p in problems.items]
            result.extract = extract
    result.problems = list(problems.items)
    return result
