"""Reconcile stage: merge the copies of tables a document prints more than once.

Rule (the same for every source): records describing the same fact are grouped — an
Initiative by ``key``, an Evaluation by (initiative, fiscal year, evaluator, criterion).
Field by field, the value of the lowest ``rank`` copy that states it wins (rank 0 is the
most detailed copy, e.g. Tomakomai's 進捗状況シート (progress sheet)). Every disagreement
between copies becomes a data-quality issue naming each copy, its line and its value,
and which one was kept; nothing is picked silently.

It also drops (and records) references that point nowhere, and scores outside the scale.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any, Iterable

from etl.model import Evaluation, Extract, Initiative, Issue
from etl.normalize import match_key
from vocab import GRADES, SCORE_RANGES, QualityKind

EVALUATORS = {"self", "committee"}
INITIATIVE_FIELDS = ("level", "code", "title", "parent_key", "fiscal_year", "start_fy",
                     "end_fy", "departments", "themes", "municipality")


def _comparable(value: Any) -> Any:
    if isinstance(value, str):
        return match_key(value)
    if isinstance(value, list):
        return tuple(match_key(v) for v in value)
    if isinstance(value, float):
        return round(value, 6)
    return value


def _stated(value: Any) -> bool:
    return value not in (None, "", [], ())


def _shown(value: Any) -> str:
    if value is None:
        return "(空欄)"
    if isinstance(value, list):
        return "、".join(value) or "(空欄)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _label(record: Any) -> str:
    return f"{record.copy or '表'} {record.line}行"


def _disagreement(field: str, subject: str, records: list, chosen: Any,
                  initiative_key: str | None) -> Issue:
    values = " / ".join(f"{_label(r)}: {_shown(getattr(r, field))}" for r in records)
    kept = next(r for r in records if _comparable(getattr(r, field)) == _comparable(chosen))
    return Issue(
        QualityKind.DISAGREEMENT,
        f"{subject} の「{FIELD_LABELS.get(field, field)}」が写しの間で異なります: {values}",
        tuple(sorted({r.line for r in records})),
        f"最も詳細な写し ({_label(kept)}) の値「{_shown(chosen)}」を採用",
        initiative_key,
    )


FIELD_LABELS = {"title": "名称", "departments": "担当部署", "themes": "テーマ", "end_fy": "取組終了",
                "start_fy": "開始年度", "parent_key": "親項目", "level": "階層", "code": "番号",
                "fiscal_year": "年度", "municipality": "自治体", "score": "点数", "grade": "評価"}


def _merge_field(records: list, field: str, subject: str, key: str | None,
                 issues: list[Issue]) -> Any:
    stated = [r for r in records if _stated(getattr(r, field))]
    if not stated:
        return getattr(records[0], field)
    chosen = getattr(stated[0], field)  # records are sorted by rank
    if len({_comparable(getattr(r, field)) for r in stated}) > 1:
        issues.append(_disagreement(field, subject, stated, chosen, key))
    return chosen


def merge_initiatives(initiatives: Iterable[Initiative], issues: list[Issue]) -> list[Initiative]:
    groups: dict[str, list[Initiative]] = defaultdict(list)
    for record in initiatives:
        groups[record.key].append(record)
    merged = []
    for key, records in groups.items():
        records.sort(key=lambda r: r.rank)
        values = {f: _merge_field(records, f, key, key, issues) for f in INITIATIVE_FIELDS}
        extra: dict[str, Any] = {}
        for r in reversed(records):  # lower rank overrides
            extra.update(r.extra)
        merged.append(replace(records[0], **values, extra=extra))
    return merged


def _copy(record: Any) -> Any:
    """A shallow copy of a dataclass record (what ``replace`` without changes gives, cheaper)."""
    clone = object.__new__(type(record))
    clone.__dict__.update(record.__dict__)
    return clone


def _evaluation_subject(e: Evaluation) -> str:
    year = "総括" if e.fiscal_year is None else f"{e.fiscal_year}年度"
    who = "自己評価" if e.evaluator == "self" else "委員評価"
    return f"{e.initiative_key} {year} {who} {e.criterion}"


def merge_evaluations(evaluations: Iterable[Evaluation], issues: list[Issue]) -> list[Evaluation]:
    groups: dict[tuple, list[Evaluation]] = defaultdict(list)
    for e in evaluations:
        groups[(e.initiative_key, e.fiscal_year, e.evaluator, e.criterion)].append(e)
    merged = []
    for records in groups.values():
        if len(records) == 1:  # the usual case (a workbook states each fact once): nothing to merge
            merged.append(_copy(records[0]))
            continue
        records.sort(key=lambda r: r.rank)
        subject = _evaluation_subject(records[0])
        score = _merge_field(records, "score", subject, records[0].initiative_key, issues)
        grade = _merge_field(records, "grade", subject, records[0].initiative_key, issues)
        merged.append(replace(records[0], score=score, grade=grade))
    return merged


def _valid_evaluation(e: Evaluation, issues: list[Issue]) -> bool:
    problem = None
    if e.evaluator not in EVALUATORS:
        problem = f"評価者「{e.evaluator}」は self / committee ではありません"
    elif e.grade is not None and e.grade not in GRADES:
        problem = f"評価「{e.grade}」は A–D ではありません"
    elif e.score is not None and e.criterion in SCORE_RANGES:
        low, high = SCORE_RANGES[e.criterion]
        if not low <= e.score <= high:
            problem = f"{e.criterion} の点数 {_shown(e.score)} が範囲 {low}–{high} の外です"
    if problem:
        issues.append(Issue(QualityKind.SKIPPED, f"{_evaluation_subject(e)}: {problem}", (e.line,),
                            "この評価は取り込みませんでした", e.initiative_key))
    return problem is None


def reconcile(extract: Extract) -> Extract:
    """A new Extract with one record per fact; ``extract.issues`` is carried over and extended."""
    issues = list(extract.issues)
    initiatives = merge_initiatives(extract.initiatives, issues)
    keys = {i.key for i in initiatives}
    for i in initiatives:
        if i.parent_key is not None and i.parent_key not in keys:
            issues.append(Issue(QualityKind.ORPHAN, f"{i.key} の親項目 {i.parent_key} が見つかりません",
                                (i.line,), "親項目なしで取り込みました", i.key))
            i.parent_key = None

    def known(key: str | None, what: str, line: int) -> bool:
        if key is None or key in keys:
            return True
        issues.append(Issue(QualityKind.SKIPPED, f"{what} が参照する取組 {key} が見つかりません", (line,),
                            "この行は取り込みませんでした", key))
        return False

    evaluations = [e for e in merge_evaluations(extract.evaluations, issues)
                   if known(e.initiative_key, "評価", e.line) and _valid_evaluation(e, issues)]
    narratives = [n for n in extract.narratives if known(n.initiative_key, "記述", n.line)]
    effects = [f for f in extract.fiscal_effects if known(f.initiative_key, "財政効果", f.line)]
    awards = []
    for a in extract.awards:
        if a.initiative_key is not None and a.initiative_key not in keys:
            known(a.initiative_key, "表彰", a.line)
            a = replace(a, initiative_key=None)
        awards.append(a)
    return Extract(initiatives, evaluations, narratives, effects, list(extract.indicators),
                   awards, issues, dict(extract.tables))
