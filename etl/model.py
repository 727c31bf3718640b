"""Typed records that parsers produce, one list per public view.

Every record carries ``line`` (1-based line in its source file) so each figure in the
warehouse can be traced back. ``copy`` names which printed copy of a table the record came
from, and ``rank`` orders copies when the same fact is printed more than once: the
reconcile stage keeps the lowest rank (the most detailed copy, e.g. 進捗状況シート = 0)
and records every disagreement in ``data_quality``.

Initiatives are referred to by ``key``, unique within one document (for example
``実践項目:N23``); the loader turns it into ``initiative_id = "<document_id>/<key>"``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Default for ``municipality`` fields: the loader substitutes the document's municipality
# from the manifest. ``None`` means NULL: the document does not say (never guess).
DOCUMENT_MUNICIPALITY = "<document>"


@dataclass
class Initiative:
    key: str
    level: str  # 施策, 方向性, 基本事業, 取組項目, 実践項目, 改善取組, DX事例, WG
    code: str | None  # the number as printed, without decoration: "17", "N23", "05"
    title: str
    line: int
    municipality: str | None = DOCUMENT_MUNICIPALITY
    parent_key: str | None = None
    fiscal_year: int | None = None
    start_fy: int | None = None
    end_fy: int | None = None  # 取組終了 (the year the initiative ended)
    departments: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    copy: str = ""
    rank: int = 0
    # The common reform taxonomy (etl.categories); a template row may state them, else the dictionary decides.
    categories: list[str] = field(default_factory=list)


@dataclass
class Evaluation:
    initiative_key: str
    fiscal_year: int | None  # None: plan-period summary (総括, final committee rating)
    evaluator: str  # "self" | "committee"
    criterion: str  # 進捗度 連携度 効率性 創造性 合計 総合評価 委員評価
    line: int
    score: float | None = None
    grade: str | None = None  # A-D, only for 総合評価
    copy: str = ""
    rank: int = 0


@dataclass
class Narrative:
    initiative_key: str
    fiscal_year: int | None
    section: str  # the document's own heading: 取組内容, 効果, 意見, 改善前 ...
    text: str
    line: int


@dataclass
class FiscalEffect:
    """One stated amount of money; its meaning in the vocabularies of ``etl.money``.

    Whether it enters 財政効果額 is not a parser's choice: ``etl.money.decide`` decides it
    for every document at load time (``counted`` / ``excluded_reason`` in the warehouse).
    """

    initiative_key: str | None  # None: a figure for the whole plan (its stated total)
    fiscal_year: int | None
    amount_yen: int  # the amount; the lower end of a range
    kind: str  # etl.money.KINDS: 売却収入, 寄附, 経費削減, 費用 … (never an item title or 合計)
    source: str  # "summary" | "sheet" | "workbook"
    evidence: str  # the sentence the amount came from (with the multiplication, if any)
    line: int  # 1-based line (text) or Excel row (workbook, see ``sheet``)
    municipality: str | None = DOCUMENT_MUNICIPALITY
    amount_max_yen: int | None = None  # upper end of a range (500万～1千万円), else None
    basis: str = "実績"  # etl.money.BASES: 実績 見込 予算 目標 計画記載
    recurrence: str = "単年度"  # etl.money.RECURRENCES: 単年度 毎年度 累計 月額換算済
    bound: str = "exact"  # etl.money.BOUNDS: exact 約 以上 以下
    sheet: str | None = None  # workbook sources: the sheet the row is on


@dataclass
class Indicator:
    indicator_no: str
    name: str
    unit: str | None
    fiscal_year: int | None
    kind: str  # baseline | actual | target
    value: float | None
    line: int
    note: str | None = None  # footnote marks, bracketed alternatives, 以下/以上, reason for NULL


@dataclass
class Award:
    program: str
    fiscal_year: int | None
    award: str  # 最優秀, 優秀, 奨励 ...
    title: str
    line: int
    initiative_key: str | None = None
    winner: str | None = None


@dataclass
class Issue:
    """A data-quality note: a correction, repair, disagreement, skipped row, mismatch …"""

    kind: str  # one of vocab.QualityKind
    message: str  # Japanese, names the field and values
    lines: tuple[int, ...] = ()  # one line, or both places when two copies disagree
    resolution: str = ""
    initiative_key: str | None = None  # the affected initiative, when there is one
    sheet: str | None = None  # workbook sources: the sheet the lines (= Excel rows) are on


@dataclass
class Extract:
    """Everything one parser read from one document."""

    initiatives: list[Initiative] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    narratives: list[Narrative] = field(default_factory=list)
    fiscal_effects: list[FiscalEffect] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    # Source-specific tables that have no public view (e.g. a published ranking), loaded as
    # src_<name>. name -> rows; every row is a flat dict and should include "line".
    # A table named *_municipalities adds its "municipality" values to the municipalities view.
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def merge(self, other: "Extract") -> "Extract":
        for name in ("initiatives", "evaluations", "narratives", "fiscal_effects",
                     "indicators", "awards", "issues"):
            getattr(self, name).extend(getattr(other, name))
        for name, rows in other.tables.items():
            self.tables.setdefault(name, []).extend(rows)
        return self


@dataclass
class SourceDocument:
    """A document as parsers see it: corrections already applied, lines without newlines."""

    document_id: str
    file: str  # path under data/raw, used in error messages and data_quality locations
    municipality: str
    title: str
    lines: list[str]

    def line(self, number: int) -> str:
        return self.lines[number - 1]
