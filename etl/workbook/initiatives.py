"""The 取組 (initiatives) sheet, and how the other sheets name an initiative.

Each row's key (unique within the workbook) is its 取組ID when given, otherwise its 番号
(number); the warehouse's initiative_id is ``<document_id>/<key>``. Printed numbers repeat in
real documents (one list per year, the same number on several levels), which is why the
optional 取組ID exists: the round-trip export fills it, a hand-filled workbook usually does not.

Other sheets (and 親番号, parent number) name an initiative by 取組ID if given, else by a
番号 that exactly one initiative has.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from etl.model import Initiative
from etl.normalize import match_key
from etl.workbook.cells import Cells
from etl.workbook.layout import INITIATIVES, LEVELS
from etl.workbook.plan import Period
from etl.workbook.problems import Problems
from etl.workbook.reading import Table
from vocab import QualityKind


@dataclass
class InitiativeIndex:
    """Keys and numbers of the 取組 sheet, to resolve references from any sheet."""

    code_of: dict[str, str | None] = field(default_factory=dict)  # key -> 番号
    row_of: dict[str, int] = field(default_factory=dict)  # key -> Excel row
    keys_by_code: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, key: str, code: str | None, row: int) -> None:
        self.code_of[key] = code
        self.row_of[key] = row
        if code is not None:
            self.keys_by_code[match_key(code)].append(key)

    def resolve(self, cells: Cells, number_field: str, id_field: str,
                required: bool) -> str | None:
        """The key a row refers to, or None (blank, or a problem was recorded)."""
        ident = cells.text(id_field) if cells.table.has(id_field) else None
        number = cells.text(number_field) if cells.table.has(number_field) else None
        if ident is not None:
            if ident not in self.code_of:
                cells.error(id_field, f"取組ID「{ident}」の取組が取組シートにありません。")
                return None
            code = self.code_of[ident]
            if number is not None and (code is None or match_key(code) != match_key(number)):
                cells.error(number_field, f"番号「{number}」と取組ID「{ident}」（番号「{code or ''}」）が"
                                          "別の取組を指しています。どちらかを直してください。")
            return ident
        if number is None:
            if required and number_field not in cells.row.invalid:
                cells.error(number_field, "取組の番号は必須です（空欄です）。")
            return None
        matches = self.keys_by_code.get(match_key(number), [])
        if not matches and number in self.code_of:  # a 取組ID typed into the 番号 column
            matches = [number]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            cells.error(number_field, f"番号「{number}」の取組が取組シートにありません。")
        else:
            rows = "、".join(str(self.row_of[k]) for k in matches)
            cells.error(number_field, f"番号「{number}」の取組が複数あります（取組シート {rows}行目）。"
                                      "取組ID 列で取組を指定してください。")
        return None


_LEVEL_SPELLINGS = {v: v for v in LEVELS}


def _read_row(cells: Cells, period: Period) -> Initiative:
    level = cells.choice("level", _LEVEL_SPELLINGS)
    code = cells.text("code")
    title = cells.text("title")
    if title is None and "title" not in cells.row.invalid:
        cells.warning("title", "取組名が空欄です。", QualityKind.MISSING)
    departments = cells.items("departments")
    if not departments and "departments" not in cells.row.invalid:
        cells.warning("departments", "担当部署が空欄です。", QualityKind.MISSING)
    years = {}
    for name in ("fiscal_year", "start_fy", "end_fy"):
        years[name] = cells.year(name) if cells.table.has(name) else None
        period.check(cells, name, years[name])
    if years["start_fy"] is not None and years["end_fy"] is not None and years["start_fy"] > years["end_fy"]:
        cells.error("end_fy", f"終了年度 {years['end_fy']} が開始年度 {years['start_fy']} より前です。")
    extra = cells.json_object("extra") if cells.table.has("extra") else {}
    categories = cells.items("categories") if cells.table.has("categories") else []
    return Initiative(key="", level=level or "", code=code, title=title or "", line=cells.number,
                      municipality=cells.municipality(), departments=departments,
                      themes=cells.items("themes"), extra=extra, copy=INITIATIVES.name,
                      categories=categories, **years)


def _key(cells: Cells, code: str | None, seen: dict[str, int]) -> str | None:
    ident = cells.text("key") if cells.table.has("key") else None
    key = ident if ident is not None else code
    if key is None:
        if not {"code", "key"} & cells.row.invalid:
            cells.error("code", "番号は必須です（空欄です）。取組ID を使う場合は取組ID を入力してください。")
        return None
    if key in seen:
        if ident is not None:
            cells.error("key", f"取組ID「{key}」が重複しています（{seen[key]}行目と同じ）。")
        else:
            cells.error("code", f"番号「{key}」が重複しています（{seen[key]}行目と同じ）。"
                                "同じ番号を使うときは取組ID 列で区別してください。")
        return None
    seen[key] = cells.number
    return key


def _check_cycles(initiatives: list[Initiative], problems: Problems) -> None:
    parent = {i.key: i.parent_key for i in initiatives}
    for initiative in initiatives:
        seen, current = set(), initiative.parent_key
        while current is not None and current not in seen:
            if current == initiative.key:
                problems.error(INITIATIVES.name, initiative.line, "親番号",
                               f"取組「{initiative.key}」の親をたどると自分に戻ります（親子関係が循環しています）。")
                break
            seen.add(current)
            current = parent.get(current)


def read_initiatives(table: Table | None, period: Period,
                     problems: Problems) -> tuple[list[Initiative], InitiativeIndex]:
    index = InitiativeIndex()
    if table is None:
        problems.error(INITIATIVES.name, None, None, "シート「取組」がありません。取組を1行以上入力してください。")
        return [], index
    seen: dict[str, int] = {}
    rows = []
    for row in table.rows:
        cells = Cells(table, row, problems)
        cells.require_filled()
        record = _read_row(cells, period)
        key = _key(cells, record.code, seen)
        if key is not None:
            record.key = key
            index.add(key, record.code, row.number)
            rows.append((cells, record))
    for cells, record in rows:
        parent = index.resolve(cells, "parent_code", "parent_key", required=False)
        if parent == record.key:
            cells.error("parent_code", "親に自分自身を指定しています。")
            parent = None
        record.parent_key = parent
    initiatives = [record for _, record in rows]
    _check_cycles(initiatives, problems)
    if not table.rows:
        problems.warning(INITIATIVES.name, None, None, "取組が1行もありません。", QualityKind.MISSING)
    return initiatives, index
