"""Tomakomai 資料編: one 進捗状況シート (progress sheet) per 実践項目 (practice item).

Called by ``etl.sources.tomakomai.tables`` (which merges the Extract) and checked by
``etl.sources.tomakomai.cross_check``.

Glossary (the Japanese labels the sheets print):
- 実践項目 (practice item, printed 1–70 and N1–N25), grouped under 取組項目 No.1–22 (group).
- 担当部署 (responsible departments), テーマ (the seven theme columns, marked ○).
- 工程表 (schedule), 取組内容 (activities): rows of 【取組予定・今後の取組予定】 (plan) and
  【取組結果・評価につながる活動指標(効果)】 (result), numbered ①② and labelled by year R2..R6.
- 取組終了の場合記入 → 令和7年3月取組終了 (end of the item; March belongs to the previous FY).
- 取組に対する自己評価 (self-evaluation): 進捗度 (progress), 連携度 (cooperation),
  効率性 (efficiency), 創造性 (creativity) scored 0–3 for R2..R5 and 総括 (plan-period
  summary), then 総合評価 (overall grade A–D); each row ends with 【評価の理由】 (reason).
- page ② header ``No.<group>\\t<number>\\t<title>\\t確認時期\\t令和6年度末``; the number loses the
  ``N`` of N-items, so codes are resolved against the 資料編 index table 取組項目・実践項目一覧.
- 取組上の課題 (issues): 課題・問題点／今後の想定される課題等 (problem) and 左記の解決方法
  (solution) per year; 【上記のうち、特記すべき事項】 and 特記事項 総括 (notable points).

Money: every yen amount in the sheet text (read by ``etl.normalize.yen_amounts``) becomes a
FiscalEffect (source="sheet") described by ``etl.money.describe`` from the words around it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from etl.errors import SourceFormatError
from etl.model import Evaluation, Extract, FiscalEffect, Initiative, Issue, Narrative, SourceDocument
from etl.money import describe, evidence_with_working
from etl.normalize import clean_text, match_key, nfkc, split_sentences, yen_amounts
from etl.sources._text import TAG_RE, filled, tab_cells
from vocab import CRITERIA, QualityKind

COPY = "進捗状況シート"
RANK = 0
DERIVED_TOTAL_COPY = "進捗状況シート (4観点の和)"
DERIVED_TOTAL_RANK = 9

COLUMNS = (2020, 2021, 2022, 2023, None)  # R2..R5, 総括 (None = plan period)
MAX_MISSING_SHEETS = 2  # more sheets missing than this = truncated/garbled document

SEC_PLAN = "取組予定・今後の取組予定"
SEC_RESULT = "取組結果・評価につながる活動指標(効果)"
SEC_REASON = "評価の理由"
SEC_PROBLEM = "課題・問題点/今後の想定される課題等"
SEC_SOLUTION = "左記の解決方法"
SEC_NOTABLE = "特記すべき事項"
SEC_SUMMARY = "特記事項(総括)"
SEC_SCHEDULE = "工程表"

# ---------------------------------------------------------------- regexes (compiled once)
_INDEX_TITLE_RE = re.compile(r"取組項目・実践項目一覧")
_INDEX_ROW_RE = re.compile(r"^\s*(N?\d{1,2})\t+No\.?\s*(\d{1,2})\t+[^\t]*\t+([^\t]+)")
_GROUP_HEADING_RE = re.compile(r"^No\.\s*(\d{1,2})[ \u3000]+([^\t]+?)\s*$")
_PAGE2_RE = re.compile(r"^No\.\s*(\d{1,2})\t+(\d{1,2})\t+([^\t]*)\t+確認時期\t*([^\t]*)")
_SEPARATOR_RE = re.compile(r"^-+$")
_YEAR_CELL_RE = re.compile(r"^R\s*([2-6])$")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_NUMBER_CELL_RE = re.compile(rf"^([{_CIRCLED}])(?:\s+(.*))?$")
_SCORE_RE = re.compile(r"^[0-3]$")
_GRADE_RE = re.compile(r"^[A-D]$")
_END_RE = re.compile(r"令和\s*(\d{1,2})\s*年\s*(\d{1,2})\s*月")
_MARK_RE = re.compile(r"【(R\d[^】]*)】")
_DEPT_PREFIX_RE = re.compile(r"^[(（]([^)）]{1,3})[)）]\s*")
_WRAP_SPACE_RE = re.compile(r"(?<=[\u3041-\u30ff\u4e00-\u9fff、]) (?=[\u3041-\u30ff\u4e00-\u9fff])")

# ---------------------------------------------------------------- small helpers


def _plain(text: str) -> str:
    """Display text of a cell: HTML tags dropped, whitespace collapsed."""
    return clean_text(TAG_RE.sub(" ", text))


def _year_of(cell: str) -> int | None:
    if not cell or cell[0] not in "RＲ" or len(cell) > 4:
        return None
    m = _YEAR_CELL_RE.match(nfkc(cell).strip())
    return 2018 + int(m.group(1)) if m else None


def _title_key(title: str) -> str:
    # A 【R5内容変更】 mark does not make a different item.
    return match_key(_MARK_RE.sub("", title))


def _numeric(code: str) -> str:
    return code[1:] if code.startswith("N") else code


@dataclass
class IndexEntry:
    code: str
    group: int
    title: str
    line: int


@dataclass
class Row:
    line: int
    year: int | None
    number: str | None
    first: str
    second: str


@dataclass
class Sheet:
    """Lines of one sheet and what the first pass found in them."""

    start: int  # 1-based line of the sheet's first line
    group: int | None = None
    title: str | None = None
    title_line: int | None = None
    page2: list[tuple[int, int, int, str, str]] = field(default_factory=list)  # line, group, no, title, 確認時期
    lines: list[tuple[int, str, list[str]]] = field(default_factory=list)  # line, text, cells
    seen_summary: bool = False


# ---------------------------------------------------------------- index table


def _read_index(doc: SourceDocument) -> tuple[list[IndexEntry], int]:
    """The 資料編 list (line ~812) of every practice item: code, group, title, in sheet order."""
    lines = doc.lines
    start = next((i for i, l in enumerate(lines) if _INDEX_TITLE_RE.search(l)), None)
    if start is None:
        raise SourceFormatError(doc.file, None, "資料編の「行政創革プラン取組項目・実践項目一覧」", "見つかりません")
    entries: list[IndexEntry] = []
    seen: set[str] = set()
    i = start + 1
    while i < len(lines) and not _GROUP_HEADING_RE.match(lines[i]):
        m = _INDEX_ROW_RE.match(lines[i])
        if m and m.group(1) not in seen:
            seen.add(m.group(1))
            entries.append(IndexEntry(m.group(1), int(m.group(2)), m.group(3).strip(), i + 1))
        i += 1
    if len(entries) < 50:
        raise SourceFormatError(doc.file, start + 1, "実践項目一覧の行 (95 行程度)",
                                f"{len(entries)} 行しか読めません")
    if i >= len(lines):
        raise SourceFormatError(doc.file, len(lines), "一覧の後に進捗状況シート (No.1 …)", "文書の終わり")
    return entries, i


# ---------------------------------------------------------------- segmentation


def _segment(doc: SourceDocument, first: int, index: list[IndexEntry]) -> list[Sheet]:
    """Split the sheet pages into sheets: a group heading starts one, so does a page ② header
    of a different item (a sheet whose page ① is missing)."""
    by_title = {_title_key(e.title): e for e in index}
    sheets: list[Sheet] = []
    current: Sheet | None = None
    for i in range(first, len(doc.lines)):
        line, number = doc.lines[i], i + 1
        heading = _GROUP_HEADING_RE.match(line) if line.startswith("No") else None
        page2 = _PAGE2_RE.match(line) if line.startswith("No") else None
        all_cells = tab_cells(line)
        cells = filled(all_cells)
        is_title = bool(cells) and cells[0] == "実践項目"
        if heading:
            current = Sheet(start=number, group=int(heading.group(1)))
            sheets.append(current)
            continue
        if current is None:
            current = Sheet(start=number)
            sheets.append(current)
        if is_title and current.title is not None:
            current = Sheet(start=number, group=current.group)  # heading lost: next sheet
            sheets.append(current)
        if page2:
            g, n = int(page2.group(1)), int(page2.group(2))
            if _page2_starts_new_sheet(current, g, n, by_title):
                current = Sheet(start=number, group=g)
                sheets.append(current)
            current.page2.append((number, g, n, page2.group(3).strip(), page2.group(4).strip()))
            continue
        if is_title:
            current.title = cells[1] if len(cells) > 1 else ""
            current.title_line = number
        if cells and cells[0] == "特記事項":
            current.seen_summary = True
        current.lines.append((number, line, all_cells))
    return sheets


def _page2_starts_new_sheet(sheet: Sheet, g: int, n: int, by_title: dict[str, IndexEntry]) -> bool:
    if any((pg, pn) != (g, n) for _, pg, pn, _, _ in sheet.page2):
        return True
    if sheet.seen_summary:
        return True  # page ② of this sheet already ended with 特記事項
    entry = by_title.get(_title_key(sheet.title)) if sheet.title else None
    return entry is not None and (entry.group, _numeric(entry.code)) != (g, str(n))


# ---------------------------------------------------------------- code resolution


def _resolve_codes(sheets: list[Sheet], index: list[IndexEntry], doc: SourceDocument,
                   issues: list[Issue]) -> list[tuple[Sheet, IndexEntry]]:
    by_title = {_title_key(e.title): e for e in index}
    by_number: dict[tuple[int, str], list[IndexEntry]] = {}
    for e in index:
        by_number.setdefault((e.group, _numeric(e.code)), []).append(e)
    position = {e.code: k for k, e in enumerate(index)}
    resolved: list[tuple[Sheet, IndexEntry]] = []
    used: set[str] = set()
    cursor = 0  # index position after the last resolved sheet
    for sheet in sheets:
        where = sheet.title_line or sheet.start
        if sheet.title is None and not sheet.page2:
            if any(filled(c) and not _SEPARATOR_RE.match(filled(c)[0]) for _, _, c in sheet.lines):
                issues.append(Issue(QualityKind.SKIPPED, f"実践項目名も②ページ見出しもないシート断片 (行 {sheet.start}–)",
                                    (sheet.start,), "取り込みませんでした"))
            continue
        by_t = by_title.get(_title_key(sheet.title)) if sheet.title else None
        by_n = _by_page2(sheet, by_number, index[cursor] if cursor < len(index) else None, by_t)
        entry, how = by_t or by_n, "名称" if by_t else "②ページの番号"
        if by_t and by_n and by_t is not by_n:
            issues.append(Issue(QualityKind.DISAGREEMENT,
                                f"シートの実践項目名は {by_t.code}、②ページの番号は {by_n.code} を指します",
                                (where, sheet.page2[0][0]), f"名称に基づき {by_t.code} としました"))
        if entry is None and cursor < len(index) and (sheet.group is None or index[cursor].group == sheet.group):
            entry, how = index[cursor], "一覧の順序"
            issues.append(Issue(QualityKind.INFO, f"シート「{sheet.title}」の実践項目番号を一覧の順序から {entry.code} と判定",
                                (where,), "名称・②ページ番号が一覧と一致しないため"))
        if entry is None:
            issues.append(Issue(QualityKind.SKIPPED, f"シート「{sheet.title}」の実践項目番号を特定できません", (where,),
                                "取り込みませんでした"))
            continue
        if entry.code in used:
            issues.append(Issue(QualityKind.SKIPPED, f"実践項目 {entry.code} のシートが重複しています ({how}で判定)",
                                (where,), "2つ目以降を取り込みませんでした"))
            continue
        used.add(entry.code)
        cursor = position[entry.code] + 1
        resolved.append((sheet, entry))
    missing = [e for e in index if e.code not in used]
    for e in missing:
        issues.append(Issue(QualityKind.MISSING, f"実践項目 {e.code}「{e.title}」の進捗状況シートがありません",
                            (e.line,), "一覧の行のみ", f"実践項目:{e.code}"))
    if len(missing) > MAX_MISSING_SHEETS:
        last = len(doc.lines)
        raise SourceFormatError(doc.file, last, f"実践項目 {len(index)} 件分の進捗状況シート",
                                f"{len(missing)} 件のシートが見つかりません (例: {missing[0].code})")
    return resolved


def _by_page2(sheet: Sheet, by_number: dict[tuple[int, str], list[IndexEntry]],
              expected: IndexEntry | None, by_title: IndexEntry | None) -> IndexEntry | None:
    """The item a page ② header names. Its number drops the N of N-items, so "No.1 1" is
    either 1 or N1: prefer the one the title names, then the next one in list order."""
    for _, g, n, _, _ in sheet.page2:
        candidates = by_number.get((g, str(n)), [])
        for preferred in (by_title, expected):
            if preferred in candidates:
                return preferred
        plain = [e for e in candidates if not e.code.startswith("N")]
        if plain or candidates:
            return (plain or candidates)[0]
    return None


# ---------------------------------------------------------------- one sheet


class SheetParser:
    """Reads one sheet's lines with a small state machine (the region each line belongs to)."""

    def __init__(self, doc: SourceDocument, sheet: Sheet, entry: IndexEntry, out: Extract):
        self.doc, self.sheet, self.entry, self.out = doc, sheet, entry, out
        self.key = f"実践項目:{entry.code}"
        self.state = "head"
        self.schedule: list[tuple[int, str]] = []
        self.rows: list[Row] = []
        self.year: int | None = None
        self.eval_rows: list[tuple[int, str | None, list[str | None], str]] = []  # line, label, values, reason
        self.header_label: str | None = None
        self.grade_row: tuple[int, list[str | None], str] | None = None
        self.problems: list[Row] = []
        self.notable: list[tuple[int, str]] = []
        self.summary: tuple[int, str] | None = None
        self.departments: list[str] = []
        self.prefixes: list[str] = []
        self.themes: list[str] = []
        self.theme_labels: list[str] = []  # the header's labels, in column order
        self.theme_slots: list[int] = []  # which of them carry ○
        self.theme_line: int | None = None
        self.theme_header: list[str] | None = None
        self.end_fy: int | None = None
        self.end_text: str | None = None
        self.end_pending = False
        self.seen: set[str] = set()

    # -- issues
    def issue(self, kind: str, message: str, line: int, resolution: str = "") -> None:
        self.out.issues.append(Issue(kind, f"{self.key}: {message}", (line,), resolution, self.key))

    # -- driver
    def run(self) -> None:
        for number, line, cells in self.sheet.lines:
            self.feed(number, line, cells)
        self.emit()

    def feed(self, number: int, line: str, cells: list[str]) -> None:
        ne = filled(cells)
        if not ne or all(_SEPARATOR_RE.match(c) for c in ne) or ne[0].startswith("【行政創革プラン進捗状況シート"):
            return
        head = ne[0].replace(" ", "").replace("\u3000", "")
        if head == "実践項目":
            self.seen.add("title")
            return
        if head == "担当部署":
            self.read_departments(ne[1:], number)
            return
        if head == "テーマ":
            self.theme_header = cells
            self.state = "themes"
            return
        if self.state == "themes":
            self.theme_line = number
            self.read_themes(cells)
            self.state = "schedule"
            return
        if "【取組予定" in line or "【取組結果" in line:
            self.state, self.year = "acts", None
            self.seen.add("acts")
            return
        if "取組終了の場合記入" in line or (self.end_pending and "月取組終了" in line):
            self.read_end(ne, number)
            self.state = "after"
            return
        if "自己評価" in line or self.is_eval_header(ne):
            self.state = "eval"
            self.seen.add("eval")
            self.read_eval_line(cells, number, header=True)
            return
        if head == "総合評価" or head in CRITERIA:
            self.state = "eval"
            self.read_eval_line(cells, number, header=False)
            return
        if "【これまでの取組" in line or head.startswith("取組上の") or "課題・問題点" in line:
            self.state = "problems"
            self.seen.add("problems")
            self.read_problem(cells, number)  # some header lines carry a first row
            return
        if "【上記のうち" in line:
            self.state = "notable"
            rest = [c for c in ne if "【上記のうち" not in c]
            if rest:
                self.notable.append((number, _plain(" ".join(rest))))
            return
        if head == "特記事項":
            self.read_summary(ne, number)
            self.state = "after"
            return
        if "工程表" in head or (self.state in ("head", "schedule") and "R2年度" in line):
            self.state = "schedule"
        handler = {"schedule": self.read_schedule, "acts": self.read_activity,
                   "eval": self.read_eval_row, "problems": self.read_problem,
                   "notable": self.read_notable}.get(self.state)
        if handler is None:
            self.issue(QualityKind.SKIPPED, f"どの欄にも属さない行: 「{_plain(line)[:60]}」", number, "取り込みませんでした")
            return
        handler(cells, number)

    # -- header fields
    def read_departments(self, cells: list[str], number: int) -> None:
        for part in re.split(r"[、,，]", _plain(" ".join(cells))):
            part = part.strip()
            m = _DEPT_PREFIX_RE.match(part)
            if m:  # "(政) 政策推進課": the 部 abbreviation goes to extra, the 課 to departments
                prefix, part = m.group(1), part[m.end():].strip()
                if prefix not in self.prefixes:
                    self.prefixes.append(prefix)
            if part:
                self.departments.append(part.replace(" ", ""))
        if not self.departments:
            self.issue(QualityKind.MISSING, "担当部署が空欄", number, "担当部署なしで記録")

    def read_themes(self, marks: list[str]) -> None:
        header = self.theme_header or []
        labels = [(k, label) for k, label in enumerate(header) if label and label != "テーマ"]
        self.theme_labels = [label for _, label in labels]
        for slot, (k, label) in enumerate(labels):
            if k < len(marks) and marks[k] in ("○", "〇", "◯"):
                self.themes.append(label)
                self.theme_slots.append(slot)

    def read_schedule(self, cells: list[str], number: int) -> None:
        # Schedule cells are narrow: the PDF wrapped words inside them ("利活 用の検 討").
        text = " / ".join(_WRAP_SPACE_RE.sub("", _plain(c)) for c in cells if c and not c.startswith("工程表"))
        if text:
            self.schedule.append((number, text))

    def read_end(self, ne: list[str], number: int) -> None:
        joined = nfkc("".join(ne))
        m = _END_RE.search(joined)
        if self.end_pending and "取組終了の場合記入" not in "".join(ne):
            self.issue(QualityKind.REPAIR, "「取組終了の場合記入」の欄が次の行に分かれています", number,
                       "次の行の年月を取組終了として読みました")
        self.end_pending = m is None and "月取組終了" not in joined
        if m:
            year, month = 2018 + int(m.group(1)), int(m.group(2))
            self.end_fy = year - 1 if month <= 3 else year
            self.end_text = f"令和{m.group(1)}年{m.group(2)}月"

    # -- 取組内容 rows
    def read_activity(self, cells: list[str], number: int) -> None:
        ne = filled(cells)
        lost_lead = bool(cells) and cells[0] != "" and cells[0] != "取組内容"
        if ne and ne[0] == "取組内容":
            ne = ne[1:]
        year = _year_of(ne[0]) if ne else None
        if year is not None:
            ne = ne[1:]
            self.year = year
        number_mark = None
        if ne:
            m = _NUMBER_CELL_RE.match(ne[0])
            if m:
                number_mark = m.group(1)
                ne = ([m.group(2)] if m.group(2) else []) + ne[1:]
        if lost_lead and (year is not None or number_mark):
            self.issue(QualityKind.REPAIR, "取組内容の行の先頭セルが欠落し左にずれています", number,
                       "年度・番号をセルの内容で判定し、年度は直前の行から引き継ぎました")
        if self.year is None and ne:
            self.issue(QualityKind.INFO, "取組内容の行の年度を特定できません", number, "年度なしで記録")
        first = _plain(ne[0]) if ne else ""
        second = _plain(" ".join(ne[1:])) if len(ne) > 1 else ""
        if first or second:
            self.rows.append(Row(number, self.year, number_mark, first, second))

    # -- 自己評価
    @staticmethod
    def is_eval_header(ne: list[str]) -> bool:
        return sum(1 for c in ne if _year_of(c)) >= 3 and any(c.startswith("総括") or "評価の理由" in c for c in ne)

    def read_eval_row(self, cells: list[str], number: int) -> None:
        self.read_eval_line(cells, number, header=False)

    def read_eval_line(self, cells: list[str], number: int, header: bool) -> None:
        labels = [(k, c.replace(" ", "")) for k, c in enumerate(cells)
                  if c.replace(" ", "") in CRITERIA or c == "総合評価" or c.replace(" ", "").endswith("自己評価")]
        if any(_year_of(c) for c in cells) or (header and not self.has_values(cells, labels)):
            for _, label in labels:  # a criterion printed in the header row (label shifted up)
                if label in CRITERIA:
                    self.header_label = label
            return
        marker = next((k for k, c in enumerate(cells) if c.startswith("総括") and k > (labels[-1][0] if labels else -1)), None)
        start = labels[-1][0] + 1 if labels else 0
        if marker is None:
            end = start
            while end < len(cells) and (cells[end] == "" or _SCORE_RE.match(nfkc(cells[end])) or
                                        _GRADE_RE.match(cells[end]) or cells[end] in "-−―"):
                end += 1
            values, reason = cells[start:end], " ".join(c for c in cells[end:] if c)
        else:
            values = cells[start:marker]
            reason = " ".join([cells[marker][2:].strip()] + [c for c in cells[marker + 1:] if c])
        if not any(values):
            if "【評価の理由】" not in " ".join(cells):
                self.issue(QualityKind.SKIPPED, f"自己評価の行に値がありません: 「{_plain(' '.join(cells))[:60]}」", number,
                           "取り込みませんでした")
            return
        values = self.fit_columns(values, number)
        label = next((l for _, l in reversed(labels) if l in CRITERIA or l == "総合評価"), None)
        if label == "総合評価":
            self.grade_row = (number, values, _plain(reason))
            self.state = "after"
        else:
            self.eval_rows.append((number, label, values, _plain(reason)))

    @staticmethod
    def has_values(cells: list[str], labels: list[tuple[int, str]]) -> bool:
        start = labels[-1][0] + 1 if labels else 0
        return any(_SCORE_RE.match(nfkc(c)) or _GRADE_RE.match(c) for c in cells[start:])

    def fit_columns(self, values: list[str], number: int) -> list[str | None]:
        """Align a row's value cells to R2, R3, R4, R5, 総括 by the 総括 column (right)."""
        values = list(values)
        while len(values) > len(COLUMNS) and values[0] == "":
            values.pop(0)
        if len(values) > len(COLUMNS):
            self.issue(QualityKind.REPAIR, f"評価の値が {len(values)} 個あります (5 列)", number, "右端 5 個を R2–R5・総括 としました")
            values = values[-len(COLUMNS):]
        elif len(values) < len(COLUMNS):
            self.issue(QualityKind.REPAIR, f"評価の行のセルが欠落しています (値 {len(values)} 個 / 5 列)", number,
                       "総括列を基準に右詰めで R2–R5・総括 に割り当てました")
            values = [""] * (len(COLUMNS) - len(values)) + values
        return [v or None for v in values]

    # -- 課題 rows
    def read_problem(self, cells: list[str], number: int) -> None:
        ne = [c for c in filled(cells) if not c.startswith("取組上の") and "【これまでの取組" not in c]
        if not ne or "課題・問題点" in " ".join(ne) or ne[0] == "年度":
            return
        year = _year_of(ne[0])
        if year is None:
            if self.problems:
                last = self.problems[-1]
                last.second = clean_text(f"{last.second} {_plain(' '.join(ne))}")
                self.issue(QualityKind.REPAIR, "課題の行が複数行に分かれています", number, f"{last.line} 行目の解決方法に結合しました")
            else:
                self.issue(QualityKind.SKIPPED, f"年度のない課題の行: 「{_plain(' '.join(ne))[:60]}」", number, "取り込みませんでした")
            return
        first = _plain(ne[1]) if len(ne) > 1 else ""
        second = _plain(" ".join(ne[2:])) if len(ne) > 2 else ""
        if first or second:
            self.problems.append(Row(number, year, None, first, second))

    def read_notable(self, cells: list[str], number: int) -> None:
        text = _plain(" ".join(filled(cells)))
        if text:
            self.notable.append((number, text))

    def read_summary(self, ne: list[str], number: int) -> None:
        rest = ne[1:]
        if rest and rest[0] == "総括":
            rest = rest[1:]
        text = _plain(" ".join(rest))
        self.seen.add("summary")
        if text:
            self.summary = (number, text)
        else:
            self.issue(QualityKind.MISSING, "特記事項(総括) が空欄", number, "記述なし")

    # ------------------------------------------------------------ records
    def emit(self) -> None:
        self.emit_initiative()
        self.emit_evaluations()
        self.emit_narratives()
        self.report_missing_parts()

    def emit_initiative(self) -> None:
        sheet, entry = self.sheet, self.entry
        title = sheet.title if sheet.title is not None else (sheet.page2[0][3] if sheet.page2 else "")
        marks = _MARK_RE.findall(title)
        display = clean_text(_MARK_RE.sub("", title))
        line = sheet.title_line or (sheet.page2[0][0] if sheet.page2 else sheet.start)
        for number, _, _, title2, _ in sheet.page2:
            shown2 = clean_text(_MARK_RE.sub("", title2))
            if sheet.title is not None and shown2 not in ("", "-") and match_key(shown2) != match_key(display):
                self.issue(QualityKind.DISAGREEMENT, f"①ページの名称「{display}」と②ページの名称「{shown2}」が異なります",
                           number, "①ページの名称を採用")
        if display in ("", "-", "－", "―"):
            self.issue(QualityKind.INFO, f"シートの実践項目名が「{display}」", line, f"一覧の名称「{entry.title}」を使用")
            display = entry.title
        group = sheet.group if sheet.group is not None else (sheet.page2[0][1] if sheet.page2 else entry.group)
        if group != entry.group:
            self.issue(QualityKind.DISAGREEMENT, f"シートの取組項目 No.{group} と一覧の No.{entry.group} が異なります",
                       line, "一覧の取組項目を採用")
        extra: dict = {}
        if marks:
            extra["変更区分"] = marks
        if self.prefixes:
            extra["部略称"] = self.prefixes
        if sheet.page2 and sheet.page2[0][4]:
            extra["確認時期"] = sheet.page2[0][4]
        if self.end_text:
            extra["取組終了"] = self.end_text
        years = [r.year for r in self.rows if r.year is not None]
        self.out.initiatives.append(Initiative(
            key=self.key, level="実践項目", code=entry.code, title=display, line=line,
            parent_key=f"取組項目:{entry.group}", start_fy=min(years) if years else None,
            end_fy=self.end_fy, departments=self.departments, themes=self.themes, extra=extra,
            copy=COPY, rank=RANK))

    def assign_criteria(self) -> list[tuple[int, str, list[str | None], str]]:
        rows = self.eval_rows
        labels = [r[1] for r in rows]
        if all(labels) and len(set(labels)) == len(labels):
            return list(rows)
        if len(rows) == len(CRITERIA):
            where = rows[0][0]
            shown = "・".join(l or "(なし)" for l in labels)
            self.issue(QualityKind.REPAIR, f"自己評価の行見出しがずれています ({shown}"
                       + (f"; 見出し行に「{self.header_label}」" if self.header_label else "") + ")",
                       where, "4 行を上から 進捗度・連携度・効率性・創造性 としました")
            return [(n, CRITERIA[k], v, r) for k, (n, _, v, r) in enumerate(rows)]
        kept, used = [], set()
        for n, l, v, r in rows:
            if l and l not in used:
                used.add(l)
                kept.append((n, l, v, r))
            else:
                self.issue(QualityKind.SKIPPED, f"評価項目を特定できない自己評価の行 (見出し {l or 'なし'})", n, "取り込みませんでした")
        return kept

    def emit_evaluations(self) -> None:
        totals: dict[int, list[float]] = {}
        for number, criterion, values, reason in self.assign_criteria():
            for k, (fy, value) in enumerate(zip(COLUMNS, values)):
                score = self.score(value, number, criterion)
                if score is None:
                    continue
                self.out.evaluations.append(Evaluation(self.key, fy, "self", criterion, number, score=score,
                                                       copy=COPY, rank=RANK))
                totals.setdefault(k, []).append(score)
            if reason:
                self.narrative(None, f"{SEC_REASON}({criterion})", reason, number)
            else:
                self.issue(QualityKind.MISSING, f"評価の理由({criterion}) が空欄", number, "理由なしで点数のみ記録")
        for k, scores in totals.items():
            if len(scores) == len(CRITERIA):
                # The sheets print no 合計 (total); this derived one ranks below every printed
                # copy, so printed totals win and any disagreement with them is recorded.
                self.out.evaluations.append(Evaluation(self.key, COLUMNS[k], "self", "合計",
                                                       self.eval_rows[-1][0], score=sum(scores),
                                                       copy=DERIVED_TOTAL_COPY, rank=DERIVED_TOTAL_RANK))
        if self.grade_row:
            number, values, reason = self.grade_row
            for fy, value in zip(COLUMNS, values):
                if value is None or value in "-−―":
                    continue
                grade = nfkc(value).upper()
                if not _GRADE_RE.match(grade):
                    self.issue(QualityKind.SKIPPED, f"総合評価の値「{value}」は A–D ではありません", number, "取り込みませんでした")
                    continue
                self.out.evaluations.append(Evaluation(self.key, fy, "self", "総合評価", number, grade=grade,
                                                       copy=COPY, rank=RANK))
            if reason:
                self.narrative(None, f"{SEC_REASON}(総合評価)", reason, number)

    def score(self, value: str | None, number: int, criterion: str) -> float | None:
        if value is None or value in "-−―":
            return None
        v = nfkc(value)
        if _SCORE_RE.match(v):
            return float(v)
        self.issue(QualityKind.SKIPPED, f"{criterion} の値「{value}」は 0–3 ではありません", number, "取り込みませんでした")
        return None

    def narrative(self, fy: int | None, section: str, text: str, line: int) -> None:
        self.out.narratives.append(Narrative(self.key, fy, section, text, line))
        self.amounts(fy, text, line, section)

    def emit_narratives(self) -> None:
        if self.schedule:
            self.out.narratives.append(Narrative(self.key, None, SEC_SCHEDULE,
                                                 "\n".join(t for _, t in self.schedule), self.schedule[0][0]))
        self.emit_rows(self.rows, SEC_PLAN, SEC_RESULT, numbered=True)
        self.emit_rows(self.problems, SEC_PROBLEM, SEC_SOLUTION, numbered=False)
        if self.notable:
            self.narrative(None, SEC_NOTABLE, "\n".join(t for _, t in self.notable), self.notable[0][0])
        if self.summary:
            self.narrative(None, SEC_SUMMARY, self.summary[1], self.summary[0])

    def emit_rows(self, rows: list[Row], first_section: str, second_section: str, numbered: bool) -> None:
        """One narrative per (section, year): the rows of that year joined line by line.
        Amounts are read row by row so each keeps its own line and the row's context."""
        grouped: dict[tuple[str, int | None], list[tuple[int, str]]] = {}
        for row in rows:
            prefix = (row.number or "") if numbered else ""
            for section, text, other in ((first_section, row.first, row.second),
                                         (second_section, row.second, row.first)):
                if not text:
                    continue
                grouped.setdefault((section, row.year), []).append((row.line, f"{prefix}{text}"))
                self.amounts(row.year, text, row.line, section, other)
        for (section, fy), items in grouped.items():
            self.out.narratives.append(Narrative(self.key, fy, section, "\n".join(t for _, t in items), items[0][0]))

    def amounts(self, fy: int | None, text: str, line: int, section: str, other: str = "") -> None:
        sentences = split_sentences(text)
        for k, sentence in enumerate(sentences):
            found = yen_amounts(sentence)
            for amount in found:
                evidence = sentence
                rest = re.sub(r"[\s()（）。、※約]", "", nfkc(sentence).replace(amount.text, ""))
                if not rest and k > 0:  # "(877,902千円)" alone: the sentence before says what it is
                    evidence = f"{sentences[k - 1]}{sentence}"
                meaning = describe(evidence, _shifted(amount, evidence, sentence), yen_amounts(evidence), other,
                                   self.entry.title, fiscal_year=fy)
                self.out.fiscal_effects.append(FiscalEffect(
                    self.key, fy, amount.yen, meaning.kind, "sheet", evidence_with_working(evidence, amount), line,
                    amount_max_yen=amount.high, basis=meaning.basis, recurrence=meaning.recurrence,
                    bound=meaning.bound))
                if amount.note:
                    self.issue(QualityKind.INFO, f"金額「{amount.text}」: {amount.note}", line, f"{amount.yen} 円として記録")
                if fy is None:
                    self.issue(QualityKind.INFO, f"金額「{amount.text}」({section}) の年度を特定できません", line,
                               "年度なし (計画期間全体) として記録")

    def report_missing_parts(self) -> None:
        sheet = self.sheet
        line = sheet.title_line or (sheet.page2[0][0] if sheet.page2 else sheet.start)
        parts = (("title", "①ページ (実践項目・取組内容)"), ("acts", "取組内容"), ("eval", "自己評価"),
                 ("problems", "取組上の課題"), ("summary", "特記事項"))
        lacking = [name for key, name in parts if key not in self.seen]
        if "title" in lacking:
            lacking = [n for n in lacking if n not in ("取組内容",)]
        if not self.eval_rows and not self.grade_row and "自己評価" not in lacking:
            lacking.append("自己評価の値")
        if lacking:
            self.issue(QualityKind.MISSING, f"進捗状況シートの {'・'.join(lacking)} がありません", line,
                       "残りの部分のみ取り込みました")


def _shifted(amount, evidence: str, sentence: str):
    """The amount's match as found again in ``evidence`` (the sentence with its predecessor)."""
    if evidence == sentence:
        return amount
    offset = len(nfkc(evidence)) - len(nfkc(sentence))
    return replace(amount, start=amount.start + offset, end=amount.end + offset)


# ---------------------------------------------------------------- cross-check (after reconcile)

# The sheets print no rule linking the four scores to the grade; every sheet column but one
# follows: A = total ≥ 10 with no criterion below 2, B = total ≥ 8 otherwise, C (or D) = total
# ≤ 7 (303 of 304 columns). A column that breaks it is reported; nothing is changed.
GRADE_RULE = "A: 合計10以上かつ全項目2以上, B: 合計8以上, C・D: 合計7以下"


def expected_grades(scores: list[float]) -> set[str]:
    total = sum(scores)
    if total >= 10 and min(scores) >= 2:
        return {"A"}
    return {"B"} if total >= 8 else {"C", "D"}


def cross_check_sheets(extract: Extract) -> list[Issue]:
    """Sheet grade (総合評価) against the total of the four criteria of the same column.

    Works on the reconciled records: the total is recomputed from the four criteria (it is
    not printed on the sheets) and compared with the printed grade's band."""
    scores: dict[tuple[str, int | None], dict[str, Evaluation]] = {}
    grades: dict[tuple[str, int | None], Evaluation] = {}
    for e in extract.evaluations:
        if e.evaluator != "self" or not e.initiative_key or not e.initiative_key.startswith("実践項目:"):
            continue
        k = (e.initiative_key, e.fiscal_year)
        if e.criterion in CRITERIA and e.score is not None:
            scores.setdefault(k, {})[e.criterion] = e
        elif e.criterion == "総合評価" and e.grade:
            grades[k] = e
    issues = []
    for k, grade in grades.items():
        row = scores.get(k, {})
        if len(row) != len(CRITERIA):
            continue
        total = sum(e.score for e in row.values())
        if grade.grade not in expected_grades([e.score for e in row.values()]):
            year = "総括" if k[1] is None else f"{k[1]}年度"
            shown = "・".join(f"{c}{int(row[c].score)}" for c in CRITERIA)
            issues.append(Issue(QualityKind.MISMATCH, f"{k[0]} {year}: 総合評価 {grade.grade} と4項目の合計 {total:g} "
                                f"({shown}) が他のシートの基準 ({GRADE_RULE}) と合いません",
                                tuple(sorted({grade.line, *(e.line for e in row.values())})),
                                "記載どおり取り込みました", k[0]))
    return issues


# ---------------------------------------------------------------- entry point


def parse_sheets(doc: SourceDocument) -> Extract:
    """All progress sheets of the Tomakomai document as one Extract (keys 実践項目:<code>)."""
    out = Extract()
    index, first = _read_index(doc)
    sheets = _segment(doc, first, index)
    parsers = []
    for sheet, entry in _resolve_codes(sheets, index, doc, out.issues):
        parser = SheetParser(doc, sheet, entry, out)
        parser.run()
        parsers.append(parser)
    _repair_shifted_theme_marks(parsers, out)
    return out


def _repair_shifted_theme_marks(parsers: list[SheetParser], out: Extract) -> None:
    """Every sheet of a group carries the group's theme marks. A sheet whose ○ row is the
    group's common pattern moved by exactly one column lost (or gained) a leading cell:
    take the common pattern. Any other difference is only reported."""
    by_group: dict[int, list[SheetParser]] = {}
    for p in parsers:
        if p.theme_labels:
            by_group.setdefault(p.entry.group, []).append(p)
    for group, members in by_group.items():
        patterns: dict[tuple[int, ...], int] = {}
        for p in members:
            patterns[tuple(p.theme_slots)] = patterns.get(tuple(p.theme_slots), 0) + 1
        common, count = max(patterns.items(), key=lambda kv: kv[1])
        if count < 2 or count * 2 <= len(members):
            continue
        for p in members:
            slots = tuple(p.theme_slots)
            if slots == common:
                continue
            ini = next((i for i in out.initiatives if i.key == p.key and i.copy == COPY), None)
            line = p.theme_line or p.sheet.start
            shifted = any(tuple(s + d for s in slots) == common for d in (-1, 1))
            if shifted and ini is not None and all(s < len(p.theme_labels) for s in common):
                ini.themes = [p.theme_labels[s] for s in common]
                p.issue(QualityKind.REPAIR, f"テーマの○の行が1列ずれています (印刷: {'・'.join(p.themes) or 'なし'})", line,
                        f"取組項目 No.{group} の他のシートと同じ {'・'.join(ini.themes)} としました")
            else:
                p.issue(QualityKind.INFO, f"テーマ ({'・'.join(p.themes) or 'なし'}) が取組項目 No.{group} の他のシートと異なります",
                        line, "印刷どおり記録")
