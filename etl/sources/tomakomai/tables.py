"""苫小牧市行政創革プラン 取組の有効性に関する意見書, 本編 and lists: the tables of format ``tomakomai``.

The document evaluates the plan R2–R6 (FY2020–2024). Terms used below:

- 取組項目 (initiative group, printed "No.1".."No.22") and 実践項目 (practice item, printed
  1–70 and N1–N25, N = added later); keys ``取組項目:<n>`` and ``実践項目:<code>``.
- テーマ (theme): seven marks (○) per group; 財政 サービス 協働 施設 民活 ICT 人材 in the table
  headers, spelled out in the テーマ別・評価集計 table (健全な財政運営 …).
- 自己評価 (担当部署): the department's self-evaluation: 進捗度 (progress), 連携度 (cooperation),
  効率性 (efficiency), 創造性 (creativity), each 0–3; 合計 (total); 総合評価 (overall grade A–D).
  総括 = the plan-period summary (fiscal_year None); R2–R5 = yearly grades.
- 委員評価 / 審議会評価平均: the committee's rating (1–5) per group, with 意見 (opinions).
- 取組終了: the year an item ended; 担当部署: responsible departments, printed
  "(政)政策推進課、(財)財政課" where (政) abbreviates the 部 (directorate).
- 財政効果額: the plan's stated fiscal effect and its 主な取組 (main contributing items).

Printed copies (``copy``/``rank``): the 資料編 list 「行政創革プラン取組項目・実践項目一覧」
(rank 1 for items), the per-group detail blocks of 「I 取組項目別の評価について」 (rank 1 for
groups, rank 2 for items), the 本編 【取組項目別】 table (rank 2) and its copy in 「II 取組の
有効性について」 (rank 3), the 本編 【実践項目別】 list (rank 3). The individual progress
sheets (rank 0) are parsed by ``etl.sources.tomakomai.sheets`` and merged here.

Structural damage handled by rule (each use becomes an Issue of kind "repair"):
- group table rows with six theme cells instead of seven: the trailing 人材 cell was lost and
  the row shifted left (an empty cell reappears at the end of the row);
- list rows whose R2–R5 run holds one empty cell too many and whose 創造性 cell is lost: the
  columns are re-assigned by value type (grade A–D/-/blank vs. score 0–3);
- group detail rows with fewer than four yearly grades: the grades are right-aligned to the
  「今回」 (R6) cell and the leading year(s) are not recorded.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from etl.errors import SourceFormatError
from etl.model import Evaluation, Extract, FiscalEffect, Initiative, Issue, Narrative, SourceDocument
from etl.money import MIXED, STATED, kind_of
from etl.normalize import match_key, nfkc, yen_amounts
from etl.sources._text import TAG_RE, tab_cells, tab_cells_trimmed
from etl.sources.tomakomai.sheets import parse_sheets
from vocab import CRITERIA, QualityKind

GROUP = "取組項目"
ITEM = "実践項目"
YEARS = (2020, 2021, 2022, 2023)  # R2..R5 columns of the yearly grades
THEME_SHORT = ("財政", "サービス", "協働", "施設", "民活", "ICT", "人材")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII")

COPY_APPENDIX = "資料編 取組項目・実践項目一覧"
COPY_DETAIL = "本編 取組項目別評価"
COPY_MAIN_LIST = "本編 実践項目別一覧"
COPY_GROUP_TABLE = "本編 取組項目別一覧"
COPY_GROUP_SUMMARY = "本編 取組項目別・評価集計"
RANK_ITEM = {COPY_APPENDIX: 1, COPY_DETAIL: 2, COPY_MAIN_LIST: 3}
RANK_GROUP = {COPY_DETAIL: 1, COPY_GROUP_TABLE: 2, COPY_GROUP_SUMMARY: 3}

THEME_TABLE = "tomakomai_theme_summary"
GROUP_TABLE = "tomakomai_group_summary"

_ITEM_CODE = re.compile(r"^N?\d{1,2}$")
_GROUP_REF = re.compile(r"^No\.\s*(\d{1,2})$")
_GRADE = re.compile(r"^[A-D]$")
_SCORE = re.compile(r"^[0-3]$")
_END = re.compile(r"^R\s*(\d{1,2})$")
_DECIMAL = re.compile(r"^\d{1,2}\.\d$")
_INT = re.compile(r"^\d{1,3}$")
_DASHES = {"-", "－", "ー", "―", "‐", "—"}
_DEPT = re.compile(r"^[(（]\s*([^()（）]{1,4}?)\s*[)）]\s*(.+)$")
_HEADING = re.compile(r"^(\d{1,2})\s+(\S.*)$")
_COMMITTEE_SCORE = re.compile(r"^(\d(?:\.\d)?)\s*(?:/\s*5)?$")

# Anchors in document order: (name, pattern on the stripped line).
_ANCHORS = (
    ("fiscal", re.compile(r"^2\s*財政効果額について$")),
    ("method", re.compile(r"^3\s*評価方法について$")),
    ("group_table", re.compile(r"^行政創革プラン取組状況一覧【取組項目別】$")),
    ("main_list", re.compile(r"^行政創革プラン取組状況一覧【実践項目別】$")),
    ("detail", re.compile(r"^(?:I|Ⅰ)\s*取組項目別の評価について$")),
    ("effect", re.compile(r"^(?:II|Ⅱ)\s*取組の有効性について$")),
    ("group_summary", re.compile(r"^1\s*取組項目別・評価集計$")),
    ("theme", re.compile(r"^2\s*テーマ別・評価集計$")),
    ("appendix", re.compile(r"^【資料編】$")),
    ("appendix_list", re.compile(r"^行政創革プラン取組項目・実践項目一覧$")),
)


class _RowError(Exception):
    """A table row that cannot be read (becomes a "skipped" issue, never escapes parse)."""


@dataclass
class _Ctx:
    doc: SourceDocument
    out: Extract = field(default_factory=Extract)
    theme_names: tuple[str, ...] = ()
    # item codes seen per copy, to check that every copy lists the same items
    item_codes: dict[str, dict[str, int]] = field(default_factory=dict)
    group_numbers: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def fail(self, line: int | None, expected: str, found: str) -> SourceFormatError:
        return SourceFormatError(self.doc.file, line, expected, found)

    def issue(self, kind: str, message: str, lines: tuple[int, ...], resolution: str = "",
              key: str | None = None) -> None:
        self.out.issues.append(Issue(kind, message, lines, resolution, key))


# ---------------------------------------------------------------- helpers

def _round1(value: float) -> float:
    """Round half up to one decimal, as the document prints averages (2.75 → 2.8)."""
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _is_yearly(cell: str) -> bool:
    return cell == "" or cell in _DASHES or bool(_GRADE.match(cell))


def _end_fy(cell: str) -> int | None:
    m = _END.match(nfkc(cell))
    return 2018 + int(m.group(1)) if m else None


def _departments(cell: str) -> tuple[list[str], list[str]]:
    """「(政)政策推進課、(財)財政課」 → (["政策推進課", "財政課"], ["政", "財"]).

    A name without a (部) prefix inherits nothing; the abbreviations list holds only the
    printed ones, in order (as the progress-sheet parser does).
    """
    names, abbrs = [], []
    for part in re.split(r"[、，,]", cell):
        part = part.strip()
        if not part:
            continue
        m = _DEPT.match(part)
        if m:
            names.append(m.group(2).strip())
            abbrs.append(m.group(1).strip())
        else:
            names.append(part)
    return names, abbrs


def _yen(text: str) -> int | None:
    """A cell that is exactly one amount of money (e.g. 37億6千万円) → whole yen, else None."""
    t = nfkc(text).replace(" ", "")
    found = yen_amounts(t)
    return found[0].yen if len(found) == 1 and found[0].text == t else None


def _clean_opinion(text: str) -> str:
    """HTML list fragment → plain text, one bullet (・) per line."""
    text = html.unescape(TAG_RE.sub(" ", text))
    text = re.sub(r"[ \t\u3000]+", " ", text).strip()
    # a bullet is a ・ at the start or after a space; ・ between words is a middle dot
    return re.sub(r"(?:^|\s+)・", "\n・", text).strip()


def _is_subsequence(short: str, full: str) -> bool:
    it = iter(full)
    return all(ch in it for ch in short)


# ---------------------------------------------------------------- anchors

def _find_anchors(ctx: _Ctx) -> dict[str, int]:
    """0-based line index of each anchor, searched in document order (raises when missing)."""
    lines = ctx.doc.lines
    found: dict[str, int] = {}
    pos = 0
    for name, pattern in _ANCHORS:
        for i in range(pos, len(lines)):
            if pattern.match(lines[i].strip()):
                found[name] = i
                pos = i + 1
                break
        else:
            last = lines[-1] if lines else ""
            raise ctx.fail(len(lines) or None, f"見出し「{pattern.pattern.strip('^$')}」", last)
    return found


# ---------------------------------------------------------------- header checks

def _check_header(ctx: _Ctx, index: int, expected: dict[str, int], table: str) -> None:
    """Record (as info) header labels that do not sit over their data column."""
    cells = tab_cells(ctx.doc.lines[index])
    wrong = []
    for pos, label in enumerate(cells):
        if not label:
            continue
        want = expected.get(label)
        if want is None:
            wrong.append(f"「{label}」(対応する列なし)")
        elif want != pos:
            wrong.append(f"「{label}」(見出し{pos + 1}列目/データ{want + 1}列目)")
    missing = [label for label in expected if label not in cells]
    if missing:
        wrong.append("見出しなし: " + "・".join(missing))
    if wrong:
        ctx.issue(QualityKind.INFO, f"{table}の見出し行の列位置がデータ列と一致しません: " + "、".join(wrong),
                  (index + 1,), "見出しではなくデータの位置と値の型で列を判定")


# ---------------------------------------------------------------- theme summary table

def _parse_theme_table(ctx: _Ctx, start: int, stop: int) -> None:
    lines = ctx.doc.lines
    rows = []
    for i in range(start + 1, stop):
        cells = tab_cells_trimmed(lines[i])
        if not cells or cells[0] not in ROMAN:
            continue
        n = i + 1
        if len(cells) != 11:
            ctx.issue(QualityKind.SKIPPED, f"テーマ別・評価集計の行の列数が{len(cells)}です(期待: 11)", (n,),
                      "この行は記録していません")
            continue
        nums = cells[2:9]
        if not (_INT.match(nums[0]) and _INT.match(nums[1]) and all(_DECIMAL.match(c) for c in nums[2:])
                and _GRADE.match(cells[9]) and _DECIMAL.match(cells[10])):
            ctx.issue(QualityKind.SKIPPED, f"テーマ別・評価集計の行の値を読み取れません: {lines[i].strip()}", (n,),
                      "この行は記録していません")
            continue
        row = {"no": cells[0], "テーマ": cells[1], "取組項目数": int(nums[0]), "実践項目数": int(nums[1])}
        for crit, value in zip(CRITERIA, nums[2:6]):
            row[crit] = float(value)
        row.update({"合計": float(nums[6]), "総合評価": cells[9], "審議会評価平均": float(cells[10]),
                    "line": n})
        rows.append(row)
    by_no = {r["no"]: r for r in rows}
    if tuple(by_no) != ROMAN:
        raise ctx.fail(start + 1, "テーマ別・評価集計の7テーマ (I～VII)", " ".join(by_no) or "(行なし)")
    names = []
    for short, roman in zip(THEME_SHORT, ROMAN):
        name = by_no[roman]["テーマ"]
        if not _is_subsequence(short, name):
            raise ctx.fail(by_no[roman]["line"], f"テーマ「{short}」に対応するテーマ名", name)
        names.append(name)
    ctx.theme_names = tuple(names)
    ctx.out.tables[THEME_TABLE] = rows


# ---------------------------------------------------------------- group tables

def _header_index(ctx: _Ctx, start: int, stop: int, first_cell: str, what: str) -> int:
    for i in range(start + 1, min(stop, start + 6)):
        cells = tab_cells_trimmed(ctx.doc.lines[i])
        if cells and cells[0] == first_cell:
            return i
    raise ctx.fail(start + 2, f"{what}の見出し行(「{first_cell}」で始まる行)",
                   ctx.doc.lines[start + 1] if start + 1 < len(ctx.doc.lines) else "")


def _theme_marks(ctx: _Ctx, marks: list[str], n: int, where: str, key: str) -> list[str] | None:
    """Theme cells → theme names; a row with 6 cells lost its trailing 人材 cell."""
    if len(marks) == 6:
        ctx.issue(QualityKind.REPAIR, f"{where}: テーマ欄のセルが1つ欠落し、以降の列が左にずれています", (n,),
                  "欠落したのは末尾の「人材」列とみなし(空欄)、実践項目数以降は右端から読み取り", key)
        marks = marks + [""]
    if len(marks) != 7 or any(m not in ("", "○") for m in marks):
        ctx.issue(QualityKind.SKIPPED, f"{where}: テーマ欄を読み取れません ({'|'.join(marks)})", (n,),
                  "テーマは記録していません", key)
        return None
    return [name for name, m in zip(ctx.theme_names, marks) if m == "○"]


def _group_initiative(no: int, title: str, n: int, copy: str, themes: list[str] | None,
                      extra: dict) -> Initiative:
    return Initiative(key=f"{GROUP}:{no}", level=GROUP, code=str(no), title=title, line=n,
                      themes=themes or [], extra=extra, copy=copy, rank=RANK_GROUP[copy])


def _group_evaluations(ctx: _Ctx, no: int, n: int, copy: str, averages: list[str], total: str,
                       grade: str) -> None:
    key, rank = f"{GROUP}:{no}", RANK_GROUP[copy]
    evals = ctx.out.evaluations
    for crit, value in zip(CRITERIA, averages):
        evals.append(Evaluation(key, None, "self", crit, n, score=float(value), copy=copy, rank=rank))
    evals.append(Evaluation(key, None, "self", "合計", n, score=float(total), copy=copy, rank=rank))
    evals.append(Evaluation(key, None, "self", "総合評価", n, grade=grade, copy=copy, rank=rank))


def _parse_group_table(ctx: _Ctx, start: int, stop: int, copy: str) -> None:
    lines = ctx.doc.lines
    head = _header_index(ctx, start, stop, "No.", copy)
    if head + 1 >= stop or "財政" not in lines[head + 1]:
        raise ctx.fail(head + 2, f"{copy}のテーマ見出し行(財政 サービス …)", lines[head + 1] if head + 1 < len(lines) else "")
    expected = {short: 2 + k for k, short in enumerate(THEME_SHORT)}
    expected.update({crit: 10 + k for k, crit in enumerate(CRITERIA)})
    _check_header(ctx, head + 1, expected, copy)
    seen: list[tuple[int, int]] = []
    for i in range(head + 2, stop):
        cells = tab_cells_trimmed(lines[i])
        if not cells:
            if seen:
                break
            continue
        n = i + 1
        if not _INT.match(cells[0]):
            ctx.issue(QualityKind.UNPARSED, f"{copy}の行として読めません: {lines[i].strip()[:60]}", (n,), "無視")
            continue
        no = int(cells[0])
        seen.append((no, n))
        try:
            _group_table_row(ctx, cells, no, n, copy)
        except _RowError as error:
            ctx.issue(QualityKind.SKIPPED, f"{copy} No.{no}: {error}", (n,), "この行の値は記録していません")
    ctx.group_numbers[copy] = seen


def _group_table_row(ctx: _Ctx, cells: list[str], no: int, n: int, copy: str) -> None:
    # fixed tail, read from the right: 実践項目数, 4 averages, 合計, 総合評価, 審議会評価平均
    if len(cells) < 10:
        raise _RowError(f"列が足りません ({len(cells)}列)")
    count, *averages, total, grade, committee = cells[-8:]
    if not (_INT.match(count) and all(_DECIMAL.match(a) for a in averages) and _DECIMAL.match(total)
            and _GRADE.match(grade) and _DECIMAL.match(committee)):
        raise _RowError("実践項目数・平均値・合計・総合評価・審議会評価平均を読み取れません")
    title = cells[1]
    themes = _theme_marks(ctx, cells[2:-8], n, f"{copy} No.{no}", f"{GROUP}:{no}")
    extra = {"実践項目数": int(count)}
    if themes is not None:
        extra["テーマ略称"] = [s for s, full in zip(THEME_SHORT, ctx.theme_names) if full in themes]
    ctx.out.initiatives.append(_group_initiative(no, title, n, copy, themes, extra))
    _group_evaluations(ctx, no, n, copy, averages, total, grade)
    key, rank = f"{GROUP}:{no}", RANK_GROUP[copy]
    ctx.out.evaluations.append(Evaluation(key, None, "committee", "委員評価", n, score=float(committee),
                                          copy=copy, rank=rank))
    row = {"copy": copy, "no": no, "取組項目": title, "実践項目数": int(count), "合計": float(total),
           "総合評価": grade, "審議会評価平均": float(committee), "line": n}
    row.update({crit: float(a) for crit, a in zip(CRITERIA, averages)})
    ctx.out.tables.setdefault(GROUP_TABLE, []).append(row)


# ---------------------------------------------------------------- item lists

@dataclass
class _ItemRow:
    code: str
    title: str
    group_no: int | None
    yearly: list[str]  # 4 cells R2..R5 ('' / '-' / grade)
    scores: list[int | None]  # 進捗度 連携度 効率性 創造性 (None = lost cell)
    total: int | None
    grade: str
    end: str
    dept: str
    repairs: list[str] = field(default_factory=list)


def _split_tail(cells: list[str], head: int, has_total: bool) -> tuple[list[str], int | None, str, str, str]:
    """Read dept, 取組終了, 総合評価 (and 合計) from the right; return the middle cells too."""
    tail = 4 if has_total else 3
    if len(cells) < head + tail + 1:
        raise _RowError(f"列が足りません ({len(cells)}列)")
    dept, end, grade = cells[-1], cells[-2], cells[-3]
    if not dept or _is_yearly(dept) or _SCORE.match(dept) or _END.match(dept):
        raise _RowError(f"担当部署を読み取れません (「{dept}」)")
    if end and not _END.match(nfkc(end)):
        raise _RowError(f"取組終了を読み取れません (「{end}」)")
    if not _GRADE.match(grade):
        raise _RowError(f"総合評価を読み取れません (「{grade}」)")
    total = None
    if has_total:
        if not _INT.match(cells[-4]):
            raise _RowError(f"合計を読み取れません (「{cells[-4]}」)")
        total = int(cells[-4])
    return cells[head:len(cells) - tail], total, grade, end, dept


def _realign_scores(middle: list[str], with_years: bool) -> tuple[list[str], list[int | None], list[str]]:
    """Split R2–R5 grades and the four scores by value type, repairing a shifted row."""
    repairs: list[str] = []
    i = 0
    if with_years:
        while i < len(middle) and _is_yearly(middle[i]):
            i += 1
    years, scores = middle[:i], middle[i:]
    if not all(_SCORE.match(s) for s in scores):
        raise _RowError(f"自己評価の点数(0～3)を読み取れません ({'|'.join(scores)})")
    if len(scores) > 4:
        raise _RowError(f"自己評価の点数が{len(scores)}個あります(期待: 4)")
    if with_years:
        if len(years) > 4 and all(y == "" for y in years[:-4]):
            repairs.append(f"年度別総合評価の列に空セルが{len(years) - 4}個多く、以降の値が右にずれていました")
            years = years[-4:]
        elif len(years) != 4:
            raise _RowError(f"R2～R5の総合評価の列数が{len(years)}です(期待: 4)")
    if len(scores) < 4:
        # All four scores share one value type, so the lost cell's column cannot be told
        # (N17 in the 資料編 lost 効率性, the others 創造性): record none of them.
        repairs.append(f"総括自己評価の点数が{len(scores)}個しかなく({'|'.join(scores)})、"
                       "どの項目のセルが欠落したか判別できません")
        return years, [None] * 4, repairs
    return years, [int(s) for s in scores], repairs


def _parse_list_row(cells: list[str], has_total: bool) -> _ItemRow:
    if len(cells) < 4:
        raise _RowError("列が足りません")
    m = _GROUP_REF.match(nfkc(cells[1]))
    if not m:
        raise _RowError(f"大No.を読み取れません (「{cells[1]}」)")
    middle, total, grade, end, dept = _split_tail(cells, 4, has_total)
    years, scores, repairs = _realign_scores(middle, with_years=True)
    return _ItemRow(cells[0], cells[3], int(m.group(1)), years, scores, total, grade, end, dept, repairs)


def _parse_detail_row(cells: list[str], group_no: int | None) -> _ItemRow:
    middle, total, grade, end, dept = _split_tail(cells, 2, True)
    _, scores, repairs = _realign_scores(middle, with_years=False)
    return _ItemRow(cells[0], cells[1], group_no, [], scores, total, grade, end, dept, repairs)


def _emit_item(ctx: _Ctx, row: _ItemRow, n: int, copy: str) -> None:
    key, rank = f"{ITEM}:{row.code}", RANK_ITEM[copy]
    names, abbrs = _departments(row.dept)
    extra = {"部略称": abbrs} if abbrs else {}
    ctx.out.initiatives.append(Initiative(
        key=key, level=ITEM, code=row.code, title=row.title, line=n,
        parent_key=f"{GROUP}:{row.group_no}" if row.group_no is not None else None,
        end_fy=_end_fy(row.end), departments=names, extra=extra, copy=copy, rank=rank))
    evals = ctx.out.evaluations
    for fy, cell in zip(YEARS, row.yearly):
        if _GRADE.match(cell):  # '-' and blank: no evaluation that year
            evals.append(Evaluation(key, fy, "self", "総合評価", n, grade=cell, copy=copy, rank=rank))
    for crit, score in zip(CRITERIA, row.scores):
        if score is not None:
            evals.append(Evaluation(key, None, "self", crit, n, score=float(score), copy=copy, rank=rank))
    if row.total is not None:
        evals.append(Evaluation(key, None, "self", "合計", n, score=float(row.total), copy=copy, rank=rank))
    evals.append(Evaluation(key, None, "self", "総合評価", n, grade=row.grade, copy=copy, rank=rank))
    if row.repairs:  # one issue per repaired row
        ctx.issue(QualityKind.REPAIR, f"{copy} 実践項目{row.code}: " + "。".join(row.repairs), (n,),
                  "値の型(評価A～D・-・空欄/点数0～3)で列を再判定。点数が欠けた行は4項目の点数を記録せず"
                  "(合計・総合評価・年度別評価は記録)", key)


def _note_code(ctx: _Ctx, copy: str, code: str, n: int) -> bool:
    """Remember an item code per copy; False (with an issue) for a repeated row."""
    seen = ctx.item_codes.setdefault(copy, {})
    if code in seen:
        ctx.issue(QualityKind.SKIPPED, f"{copy}: 実践項目{code}の行が重複しています (最初は{seen[code]}行目)",
                  (seen[code], n), "最初の行を採用し、重複行は記録していません")
        return False
    seen[code] = n
    return True


def _parse_item_list(ctx: _Ctx, start: int, stop: int, copy: str, has_total: bool) -> int:
    """Parse a list (possibly continued under a repeated header); return the index after it."""
    lines = ctx.doc.lines
    head = _header_index(ctx, start, stop, "小No.", copy)
    expected = {"R2": 4, "R3": 5, "R4": 6, "R5": 7}
    expected.update({crit: 8 + k for k, crit in enumerate(CRITERIA)})
    if has_total:
        expected.update({"合計": 12, "総合評価": 13})
    else:
        expected.update({"総合評価": 12})
    i = head
    while i < stop:
        line = lines[i]
        cells = tab_cells_trimmed(line)
        n = i + 1
        if not cells:
            i += 1
            continue
        if cells[0] == "小No.":
            if i + 1 < stop and "R2" in lines[i + 1]:
                _check_header(ctx, i + 1, expected, copy)
                i += 2
            else:
                i += 1
            continue
        if not _ITEM_CODE.match(cells[0]):
            break
        if _note_code(ctx, copy, cells[0], n):
            try:
                _emit_item(ctx, _parse_list_row(cells, has_total), n, copy)
            except _RowError as error:
                ctx.issue(QualityKind.SKIPPED, f"{copy} 実践項目{cells[0]}: {error}", (n,), "この行の値は記録していません")
        i += 1
    return i


# ---------------------------------------------------------------- per-group detail blocks

@dataclass
class _Block:
    no: int
    title: str
    line: int
    expect_row: bool = False
    header_seen: bool = False
    committee_seen: bool = False


def _parse_details(ctx: _Ctx, start: int, stop: int) -> None:
    lines = ctx.doc.lines
    block: _Block | None = None
    blocks: list[tuple[int, int]] = []
    for i in range(start + 1, stop):
        raw = lines[i]
        cells = tab_cells_trimmed(raw)
        n = i + 1
        if not cells:
            continue
        m = _HEADING.match(raw.strip()) if "\t" not in raw.strip() else None
        if m:
            _close_block(ctx, block)
            block = _Block(int(m.group(1)), m.group(2).strip(), n)
            blocks.append((block.no, n))
            continue
        if block is None:
            if _ITEM_CODE.match(cells[0]) or cells[0] == "委員評価":
                ctx.issue(QualityKind.SKIPPED, f"取組項目の見出しより前の行です: {raw.strip()[:60]}", (n,),
                          "記録していません")
            continue
        _detail_line(ctx, block, cells, n)
    _close_block(ctx, block)
    ctx.group_numbers[COPY_DETAIL] = blocks


def _detail_line(ctx: _Ctx, block: _Block, cells: list[str], n: int) -> None:
    if cells[0] == "財政":
        if list(cells[:7]) != list(THEME_SHORT):
            raise ctx.fail(n, "テーマ見出し(財政 サービス 協働 施設 民活 ICT 人材)", "\t".join(cells[:7]))
        block.expect_row = True
        return
    if block.expect_row:
        block.expect_row = False
        try:
            _detail_header_row(ctx, block, tab_cells(ctx.doc.lines[n - 1]), n)
        except _RowError as error:
            ctx.issue(QualityKind.SKIPPED, f"{COPY_DETAIL} No.{block.no}: {error}", (n,), "この行の値は記録していません")
        return
    if cells[0] == "委員評価":
        _committee(ctx, block, cells, n)
        return
    if _ITEM_CODE.match(cells[0]) and len(cells) >= 6:
        if _note_code(ctx, COPY_DETAIL, cells[0], n):
            try:
                _emit_item(ctx, _parse_detail_row(cells, block.no), n, COPY_DETAIL)
            except _RowError as error:
                ctx.issue(QualityKind.SKIPPED, f"{COPY_DETAIL} 実践項目{cells[0]}: {error}", (n,),
                          "この行の値は記録していません")


def _close_block(ctx: _Ctx, block: _Block | None) -> None:
    if block is None:
        return
    if not block.header_seen:
        ctx.out.initiatives.append(_group_initiative(block.no, block.title, block.line, COPY_DETAIL, None, {}))
        ctx.issue(QualityKind.UNPARSED, f"{COPY_DETAIL} No.{block.no}: テーマ・平均値の行が見つかりません",
                  (block.line,), "見出しのみ記録")
    if not block.committee_seen:
        ctx.issue(QualityKind.UNPARSED, f"{COPY_DETAIL} No.{block.no}: 委員評価の行が見つかりません", (block.line,),
                  "委員評価・意見は記録していません")


def _detail_header_row(ctx: _Ctx, block: _Block, cells: list[str], n: int) -> None:
    """テーマ marks, four averages, 合計, 総合評価, yearly 総合評価 R2..R5, 「今回」 (R6)."""
    k = 0
    while k < len(cells) and cells[k] in ("", "○"):
        k += 1
    marks, rest = cells[:k], cells[k:]
    if len(rest) < 7 or not (all(_DECIMAL.match(c) for c in rest[:5]) and _GRADE.match(rest[5])):
        raise _RowError("平均値・合計・総合評価を読み取れません")
    if "今回" not in rest:
        raise _RowError("年度別総合評価の「今回」(R6)欄が見つかりません")
    yearly = rest[6:rest.index("今回")]
    if len(yearly) > 4 or not all(c in _DASHES or _GRADE.match(c) for c in yearly):
        raise _RowError(f"年度別総合評価を読み取れません ({'|'.join(yearly)})")
    themes = None
    if len(marks) == 7:
        themes = [name for name, m in zip(ctx.theme_names, marks) if m == "○"]
    else:
        ctx.issue(QualityKind.SKIPPED, f"{COPY_DETAIL} No.{block.no}: テーマ欄が{len(marks)}列です(期待: 7)", (n,),
                  "テーマは記録していません")
    extra = {"テーマ略称": [s for s, m in zip(THEME_SHORT, marks) if m == "○"]} if themes is not None else {}
    ctx.out.initiatives.append(_group_initiative(block.no, block.title, block.line, COPY_DETAIL, themes, extra))
    block.header_seen = True
    _group_evaluations(ctx, block.no, n, COPY_DETAIL, rest[:4], rest[4], rest[5])
    key = f"{GROUP}:{block.no}"
    if len(yearly) < 4:
        lost = "・".join(f"R{fy - 2018}" for fy in YEARS[:4 - len(yearly)])
        ctx.issue(QualityKind.REPAIR, f"{COPY_DETAIL} No.{block.no}: 年度別総合評価が{len(yearly)}年分しかなく、"
                  f"「今回」が R5 の列にずれています", (n,),
                  f"評価を「今回」(R6) の直前から右詰めで R5, R4, … に割り当て、欠落した {lost} は記録せず", key)
    for fy, cell in zip(YEARS[4 - len(yearly):], yearly):
        if _GRADE.match(cell):
            ctx.out.evaluations.append(Evaluation(key, fy, "self", "総合評価", n, grade=cell,
                                                  copy=COPY_DETAIL, rank=RANK_GROUP[COPY_DETAIL]))


def _committee(ctx: _Ctx, block: _Block, cells: list[str], n: int) -> None:
    """委員評価 x.x /5 and 意見; the cells come in varying order (「4.3 /5」, 「4.3」「/5」…)."""
    score = None
    opinion = ""
    for cell in cells[1:]:
        m = _COMMITTEE_SCORE.match(cell)
        if m and score is None:
            score = float(m.group(1))
        elif cell not in ("意見", "/5", "/ 5") and len(cell) > len(opinion):
            opinion = cell
    key = f"{GROUP}:{block.no}"
    block.committee_seen = True
    if score is None or not 1 <= score <= 5:
        ctx.issue(QualityKind.SKIPPED, f"{COPY_DETAIL} No.{block.no}: 委員評価の点数を読み取れません", (n,),
                  "委員評価は記録していません")
    else:
        ctx.out.evaluations.append(Evaluation(key, None, "committee", "委員評価", n, score=score,
                                              copy=COPY_DETAIL, rank=RANK_GROUP[COPY_DETAIL]))
    text = _clean_opinion(opinion)
    if text:
        ctx.out.narratives.append(Narrative(key, None, "委員意見", text, n))


# ---------------------------------------------------------------- fiscal effect

def _parse_fiscal(ctx: _Ctx, start: int, stop: int) -> None:
    lines = ctx.doc.lines
    body = [(i + 1, tab_cells_trimmed(lines[i])) for i in range(start + 1, stop)]
    body = [(n, c) for n, c in body if c]
    label_at = next((k for k, (_, c) in enumerate(body) if c[0] == "財政効果額"), None)
    if label_at is None or label_at + 1 >= len(body):
        raise ctx.fail(start + 2, "「財政効果額」とその金額", lines[start + 1] if start + 1 < len(lines) else "")
    n, cells = body[label_at + 1]
    total = _yen(cells[0])
    if total is None:
        raise ctx.fail(n, "財政効果額の金額(例: 37億6千万円)", lines[n - 1])
    # The plan's own figures (計画記載): the plan-period total over every kind, and its 主な取組.
    ctx.out.fiscal_effects.append(FiscalEffect(None, None, total, MIXED, "summary", f"財政効果額 {cells[0]}", n,
                                               basis=STATED, recurrence="累計"))
    titles = _item_titles(ctx)
    for n, cells in body[label_at + 2:]:
        if cells[0] == "主な取組":
            continue
        text = " ".join(cells)
        label = cells[0].lstrip("・ ").strip()
        amount = _yen(cells[-1]) if len(cells) >= 2 else None
        if not cells[0].startswith("・") or amount is None or not label:
            ctx.issue(QualityKind.SKIPPED, f"財政効果額の主な取組を読み取れません: {text}", (n,), "記録していません")
            continue
        keys = titles.get(match_key(label), set())
        key = next(iter(keys)) if len(keys) == 1 else None
        if key is None:
            ctx.issue(QualityKind.INFO, f"財政効果額の主な取組「{label}」に対応する実践項目が一意に決まりません",
                      (n,), "実践項目に紐づけずに記録")
        ctx.out.fiscal_effects.append(FiscalEffect(key, None, amount, kind_of(label), "summary",
                                                   text.replace("・ ", "・"), n, basis=STATED, recurrence="累計"))


def _item_titles(ctx: _Ctx) -> dict[str, set[str]]:
    titles: dict[str, set[str]] = {}
    for ini in ctx.out.initiatives:
        if ini.level == ITEM:
            titles.setdefault(match_key(ini.title), set()).add(ini.key)
    return titles


# ---------------------------------------------------------------- consistency of copies

def _check_copies(ctx: _Ctx, anchors: dict[str, int]) -> None:
    """Every copy must number the groups 1..N and list the same practice items."""
    counts = {}
    for copy, seen in ctx.group_numbers.items():
        numbers = [no for no, _ in seen]
        if numbers != list(range(1, len(numbers) + 1)) or not numbers:
            bad = next((n for k, (no, n) in enumerate(seen) if no != k + 1), seen[-1][1] if seen else None)
            raise ctx.fail(bad, f"{copy}: 取組項目が No.1 から連番で並ぶこと",
                           " ".join(str(x) for x in numbers[:30]))
        counts[copy] = len(numbers)
    if len(set(counts.values())) != 1:
        raise ctx.fail(anchors["group_table"] + 1, "各表の取組項目数が一致すること",
                       "、".join(f"{c}: {k}" for c, k in counts.items()))
    reference = ctx.item_codes.get(COPY_APPENDIX, {})
    for copy in (COPY_APPENDIX, COPY_DETAIL, COPY_MAIN_LIST):
        codes = ctx.item_codes.get(copy, {})
        if not codes:
            raise ctx.fail(anchors["main_list"] + 1, f"{copy}の実践項目の行", "(行なし)")
        if set(codes) != set(reference):
            missing = sorted(set(reference) - set(codes))
            extra = sorted(set(codes) - set(reference))
            where = codes[extra[0]] if extra else None
            raise ctx.fail(where, f"{copy}に{COPY_APPENDIX}と同じ実践項目が並ぶこと",
                           f"欠落: {','.join(missing)} / 余分: {','.join(extra)}")


# ---------------------------------------------------------------- entry points

def parse(doc: SourceDocument) -> Extract:
    ctx = _Ctx(doc)
    a = _find_anchors(ctx)
    _parse_theme_table(ctx, a["theme"], a["appendix"])
    _parse_group_table(ctx, a["group_table"], a["main_list"], COPY_GROUP_TABLE)
    _parse_group_table(ctx, a["group_summary"], a["theme"], COPY_GROUP_SUMMARY)
    _parse_item_list(ctx, a["main_list"], a["detail"], COPY_MAIN_LIST, has_total=True)
    _parse_details(ctx, a["detail"], a["effect"])
    _parse_item_list(ctx, a["appendix_list"], len(doc.lines), COPY_APPENDIX, has_total=False)
    _check_copies(ctx, a)
    _parse_fiscal(ctx, a["fiscal"], a["method"])
    _merge_sheets(doc, ctx.out)
    _unify_themes(ctx)
    return ctx.out


def _merge_sheets(doc: SourceDocument, out: Extract) -> None:
    """The individual progress sheets (rank 0) have their own module; merge its records."""
    out.merge(parse_sheets(doc))


def _unify_themes(ctx: _Ctx) -> None:
    """One theme vocabulary for groups and items: the テーマ名 of the テーマ別・評価集計 table.

    The progress sheets label the same seven columns 財政運営, 市民サービス, …, 人材育成; each
    label is mapped to the one theme name that contains its characters in order (財政運営 →
    健全な財政運営); the printed labels stay in extra["テーマ略称"].
    """
    names = set(ctx.theme_names)
    cache: dict[str, str | None] = {}
    for ini in ctx.out.initiatives:
        if not ini.themes or all(t in names for t in ini.themes):
            continue
        mapped = []
        for label in ini.themes:
            if label not in cache:
                hits = [name for name in ctx.theme_names if _is_subsequence(match_key(label), name)]
                cache[label] = hits[0] if len(hits) == 1 else None
                if cache[label] is None and label not in names:
                    ctx.issue(QualityKind.INFO, f"テーマ「{label}」に対応するテーマ名が一意に決まりません", (ini.line,),
                              "印刷どおりのテーマ名で記録", ini.key)
            mapped.append(cache[label] or label)
        ini.extra.setdefault("テーマ略称", list(ini.themes))
        ini.themes = mapped


# ---------------------------------------------------------------- cross-check (after reconcile)

def cross_check_tables(extract: Extract) -> list[Issue]:
    """Recompute the aggregates the 本編 tables state and report every disagreement."""
    issues: list[Issue] = []
    groups = {i.key: i for i in extract.initiatives if i.level == GROUP and i.key.startswith(f"{GROUP}:")}
    children: dict[str, list[Initiative]] = {}
    for ini in extract.initiatives:
        if ini.level == ITEM and ini.parent_key:
            children.setdefault(ini.parent_key, []).append(ini)
    final = {(e.initiative_key, e.criterion): e for e in extract.evaluations
             if e.fiscal_year is None and e.evaluator == "self"}
    committee = {e.initiative_key: e for e in extract.evaluations
                 if e.fiscal_year is None and e.evaluator == "committee" and e.criterion == "委員評価"}
    for key in sorted(groups, key=lambda k: int(k.split(":")[1]) if k.split(":")[1].isdigit() else 0):
        issues.extend(_check_group(key, children.get(key, []), final))
    issues.extend(_check_counts(extract, children))
    issues.extend(_check_themes(extract, groups, children, final, committee))
    issues.extend(_check_fiscal(extract))
    return issues


def _mean_scores(items: list[Initiative], final: dict, crit: str) -> tuple[list[float], list[str]]:
    values, missing = [], []
    for item in items:
        e = final.get((item.key, crit))
        if e is None or e.score is None:
            missing.append(item.code or item.key)
        else:
            values.append(e.score)
    return values, missing


def _check_group(key: str, items: list[Initiative], final: dict) -> list[Issue]:
    issues = []
    recomputed = {}
    item_lines = tuple(sorted(i.line for i in items))[:3]
    for crit in CRITERIA:
        values, missing = _mean_scores(items, final, crit)
        printed = final.get((key, crit))
        if missing or not values:
            issues.append(Issue(QualityKind.INFO, f"{key} の{crit}平均を再計算できません (点数のない実践項目: "
                                f"{','.join(missing) or 'なし'})", (printed.line,) if printed else (), "照合せず", key))
            continue
        recomputed[crit] = _round1(sum(values) / len(values))
        if printed and printed.score is not None and abs(printed.score - recomputed[crit]) > 0.05:
            issues.append(Issue(QualityKind.MISMATCH, f"{key} の{crit}平均: 記載 {printed.score} / 実践項目{len(values)}件"
                                f"から再計算 {recomputed[crit]}", (printed.line, *item_lines),
                                "記載値を採用", key))
    printed_total = final.get((key, "合計"))
    if len(recomputed) == 4 and printed_total and printed_total.score is not None:
        total = round(sum(recomputed.values()), 1)
        if abs(total - printed_total.score) > 0.05:
            issues.append(Issue(QualityKind.MISMATCH, f"{key} の合計: 記載 {printed_total.score} / 再計算した4項目平均の和"
                                f" {total}", (printed_total.line,), "記載値を採用", key))
    return issues


def _check_counts(extract: Extract, children: dict[str, list[Initiative]]) -> list[Issue]:
    issues = []
    seen = set()
    for row in extract.tables.get(GROUP_TABLE, []):
        key = f"{GROUP}:{row.get('no')}"
        if key in seen or "実践項目数" not in row:
            continue
        seen.add(key)
        actual = len(children.get(key, []))
        if actual != row["実践項目数"]:
            issues.append(Issue(QualityKind.MISMATCH, f"{key} の実践項目数: 記載 {row['実践項目数']} / 実践項目の件数 {actual}",
                                (row.get("line", 0),), "記載値と実践項目の一覧が食い違います", key))
    return issues


def _check_themes(extract: Extract, groups: dict[str, Initiative], children: dict, final: dict,
                  committee: dict) -> list[Issue]:
    issues = []
    for row in extract.tables.get(THEME_TABLE, []):
        theme, n = row.get("テーマ"), row.get("line", 0)
        members = [k for k, g in groups.items() if theme in g.themes]
        items = [i for k in members for i in children.get(k, [])]
        checks: list[tuple[str, float, float]] = [("取組項目数", row["取組項目数"], len(members)),
                                                  ("実践項目数", row["実践項目数"], len(items))]
        avgs = {}
        for crit in CRITERIA:
            values, missing = _mean_scores(items, final, crit)
            if values and not missing:
                avgs[crit] = _round1(sum(values) / len(values))
                checks.append((f"{crit}平均", row[crit], avgs[crit]))
        if len(avgs) == 4:
            checks.append(("合計", row["合計"], round(sum(avgs.values()), 1)))
        scores = [committee[k].score for k in members if k in committee and committee[k].score is not None]
        if scores and len(scores) == len(members):
            checks.append(("審議会評価平均", row["審議会評価平均"], _round1(sum(scores) / len(scores))))
        for label, printed, recomputed in checks:
            if abs(float(printed) - float(recomputed)) > 0.05:
                issues.append(Issue(QualityKind.MISMATCH, f"テーマ別・評価集計「{theme}」の{label}: 記載 {printed} / "
                                    f"取組項目・実践項目から再計算 {recomputed}", (n,), "記載値を採用"))
    return issues


def _check_fiscal(extract: Extract) -> list[Issue]:
    summary = [f for f in extract.fiscal_effects if f.source == "summary"]
    totals = [f for f in summary if f.initiative_key is None and f.kind == MIXED]
    items = [f for f in summary if f not in totals]
    if len(totals) != 1 or not items:
        return []
    total, part = totals[0].amount_yen, sum(f.amount_yen for f in items)
    kind = QualityKind.INFO if part <= total else QualityKind.MISMATCH
    return [Issue(kind, f"財政効果額の合計 {total:,}円 に対し、主な取組{len(items)}件の和は {part:,}円 "
                  f"(差 {total - part:,}円)", (totals[0].line, *(f.line for f in items)),
                  "主な取組は一部のみの記載のため差は他の取組分" if kind == QualityKind.INFO else "記載値を採用")]
