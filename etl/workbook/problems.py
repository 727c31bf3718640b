"""What a workbook check reports: problems (with sheet, row, column) and the result."""
from __future__ import annotations

from dataclasses import dataclass, field

from etl.model import Extract, Issue
from vocab import QualityKind

ERROR = "error"  # the workbook is not imported
WARNING = "warning"  # imported; recorded in data_quality


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a workbook, located as precisely as possible.

    ``sheet``/``row``/``column`` are None when the problem concerns the whole file (or sheet,
    or row). ``row`` is the Excel row number (the header is row 1). ``column`` is the
    Japanese header. ``kind`` is the data_quality kind a warning is recorded under.
    """

    severity: str  # "error" | "warning"
    sheet: str | None
    row: int | None
    column: str | None
    message_ja: str
    kind: str = QualityKind.WORKBOOK

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def where(self, file_name: str) -> str:
        """``file:sheet!row 列「header」`` — as much of it as is known."""
        place = file_name
        if self.sheet:
            place += f":{self.sheet}"
            if self.row is not None:
                place += f"!{self.row}"
        if self.column:
            place += f" 列「{self.column}」"
        return place

    def line(self, file_name: str) -> str:
        return f"{self.where(file_name)}: {self.message_ja}"

    def as_dict(self) -> dict:
        return {"severity": self.severity, "sheet": self.sheet, "row": self.row,
                "column": self.column, "message_ja": self.message_ja}


class Problems:
    """Collects problems in the order they are found; nothing stops at the first one."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def error(self, sheet: str | None, row: int | None, column: str | None, message: str) -> None:
        self.items.append(Problem(ERROR, sheet, row, column, message))

    def warning(self, sheet: str | None, row: int | None, column: str | None, message: str,
                kind: str = QualityKind.WORKBOOK) -> None:
        self.items.append(Problem(WARNING, sheet, row, column, message, kind))

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.items)


@dataclass(frozen=True)
class PlanSummary:
    """The 計画 (plan) row: who the workbook is about. Fields are None when unreadable."""

    document_id: str
    municipality: str | None
    prefecture: str | None
    title: str | None
    start_fy: int | None
    end_fy: int | None
    population: int | None = None  # 人口 (people), optional


@dataclass
class WorkbookCheck:
    """Result of ``check``: every problem, the plan, rows per sheet, and the records when ok."""

    file_name: str
    problems: list[Problem] = field(default_factory=list)
    plan: PlanSummary | None = None
    counts: dict[str, int] = field(default_factory=dict)  # sheet -> data rows read
    extract: Extract | None = None  # set only when there are no errors

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def report(self) -> str:
        """Japanese text listing every error, then every warning, one per line."""
        lines = []
        if self.errors:
            lines.append(f"{self.file_name}: エラー {len(self.errors)} 件のため取り込みませんでした。")
            lines += [f"  {p.line(self.file_name)}" for p in self.errors]
        if self.warnings:
            lines.append(f"{self.file_name}: 注意 {len(self.warnings)} 件"
                         + ("（取り込みは止めません）" if not self.errors else ""))
            lines += [f"  {p.line(self.file_name)}" for p in self.warnings]
        return "\n".join(lines)


def warning_issue(problem: Problem, initiative_key: str | None = None) -> Issue:
    """A warning as a data_quality row located at ``file:sheet!row`` (linked to the
    initiative on that row, when the row is one)."""
    column = f"列「{problem.column}」: " if problem.column else ""
    return Issue(problem.kind, column + problem.message_ja,
                 (problem.row,) if problem.row is not None else (),
                 "そのまま取り込みました", initiative_key, problem.sheet)
