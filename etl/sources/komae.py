"""Parser for 狛江市第6次行財政改革推進計画 令和3年度進捗状況報告書 (Komae progress report, FY2021).

Glossary (Japanese terms used below, glossed once):
- 施策 (policy), 方向性 (direction), 基本事業 (basic programme), 取組項目 (action item, 01–65):
  the plan hierarchy, top to bottom.
- 推進部署 (responsible departments), 関係各課 (the sections concerned; a generic label).
- 取組項目一覧 (list of action items, section 4): the whole hierarchy with page references.
- 主な取組状況 (main progress, section 6): the same hierarchy again, with departments, the
  description of each 方向性/基本事業 and the year's progress text (R3年度の取組状況).
- 指標 (indicator, section 5): 7 KPIs with 平成30年度末時点値 (baseline), 令和2/3年度末現状値
  (actuals) and 令和6年度末目標値 (target); 【関連基本事業】 lists the 基本事業 each one measures.
- 体系図 (hierarchy chart, section 3): a figure; its text was not extracted (reported).
- 再掲 (reposted: an item printed again under a second 基本事業).

Keys: ``施策:1``, ``方向性:1-2``, ``基本事業:1-2-3`` (施策-方向性-基本事業), ``取組項目:05``.
Copies: 主な取組状況 (rank 0, most detailed) and 取組項目一覧 (rank 1).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from etl.errors import SourceFormatError
from etl.model import Extract, Indicator, Initiative, Issue, Narrative, SourceDocument
from etl.money import narrative_effects
from etl.normalize import fiscal_year, match_key, nfkc
from etl.sources._text import TAG_RE, filled_tab_cells
from vocab import QualityKind

COPY_STATUS = "主な取組状況"
COPY_LIST = "取組項目一覧"
RANK_STATUS, RANK_LIST = 0, 1
SECTION = "R3年度の取組状況"  # the document's heading, spacing removed
GENERIC_DEPARTMENTS = {"関係各課", "各施設所管課"}
EXPECTED_ITEMS = 65  # 取組項目 are numbered 01–65 (取組項目一覧 ends at 65)

_BLOCK_END_RE = re.compile(r"</p>|</li>|<br\s*/?>|</td>|</tr>", re.I)
_DECOR_RE = re.compile(r"^[#*\s\-]+|[*\s]+$")

_H_TAIKEI = re.compile(r"^#*\s*3\s*[.．]\s*体系図\s*$")
_H_LIST = re.compile(r"^#*\s*4\s*[.．]\s*取組項目一覧\s*$")
_H_INDICATORS = re.compile(r"^#*\s*5\s*[.．]\s*指標\s*$")
_H_STATUS = re.compile(r"^#*\s*6\s*[.．]\s*令和\s*(\d+|元)\s*年度の主な取組状況\s*$")
_END = re.compile(r"^登録番号")
_STATED_COUNTS = re.compile(r"(\d+)つの施策及び(\d+)つの方向性")

_SHISAKU = re.compile(r"^施策\s*(\d+)\s*(.*)$")
_HOUKOUSEI = re.compile(r"^方向性\s*(\d+)\s*(.+)$")
_KIHON = re.compile(r"^基本事業\s*(\d+)\s*(.+?)(?:\s*指標\s*N[oO0]\s*[.．]?\s*([\d・,、]+))?$")
_SHIHYO = re.compile(r"^指標\s*N[oO0]\s*[.．]?\s*([\d・,、]+)$")
_ITEM = re.compile(r"^取組項目\s*(\d{1,2})\s*(.*)$")
_PAGE = re.compile(r"^P\s*[.．]?\s*(\d+)$")
_DEPT = re.compile(r"^推進部署\s*(.*)$")
_PAGE_TITLE = re.compile(r"^(まちの姿|狛江市総合基本計画)")
_TABLE_CELL = re.compile(r"<td>(.*?)</td>", re.S)

# The body heading "R3年度の取組状況", printed with stray spaces, without 年, or cut short.
_BODY_HEAD = re.compile(r"(?<![A-Za-z0-9])R\s*3\s*年?\s*度\s*の?\s*取\s*組(?:\s*状\s*況)?")
# One character of the vertically printed heading, alone or in front of a text line.
_VERTICAL = re.compile(r"^(R\s*3|年|度|の|取|組|状|況)(?:\s+(.*))?$")
# A paragraph that is only a leftover piece of that heading ("年度の取組状況", "取組状況").
_HEAD_FRAGMENT = re.compile(r"^(?:R\s*3)?\s*年?\s*度?\s*の?\s*取?\s*組?\s*状?\s*況?$")
_SEPARATOR = re.compile(r"^-{2,}[\s\-]*$")
_DEPT_ONLY = re.compile(r"^[^。、，,\s]{1,20}(?:[／/][^。、，,\s]{1,20})*$")

_IND_HEADER = re.compile(r"時点値|目標値")
_IND_UNIT = re.compile(r"\s*[（(]([^（）()]{1,8})[）)]\s*$")
_FOOTNOTE = re.compile(r"^※\s*(\d+)\s*(.*)$")
_MARK = re.compile(r"※\s*(\d+)")
_BRACKET = re.compile(r"[（(]\s*([-+]?\d[\d,]*(?:\.\d+)?)\s*[）)]")
_DIRECTION = re.compile(r"(以下|以上|未満|超)")
_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?")
_MISSING = {"—", "－", "-", "―", "ー", "‐", "−", "─"}
_REL_TOKEN = re.compile(r"(方向性|基本事業)\s*(\d+)")
_REL_HEAD = re.compile(r"^施策\s*(\d+)$")


# ---------------------------------------------------------------- small helpers

def _plain(text: str) -> str:
    """Cell text without HTML tags, markdown decoration or surrounding blanks."""
    text = html.unescape(TAG_RE.sub(" ", text)).replace("**", " ")
    return re.sub(r"\s+", " ", _DECOR_RE.sub("", text)).strip()


def _num(text: str) -> int:
    return int(nfkc(text))  # callers pass a \d+ match only


def _nos(text: str) -> list[str]:
    return [str(_num(n)) for n in re.findall(r"\d+", nfkc(text or ""))]


def split_departments(text: str) -> tuple[list[str], list[str]]:
    """'政策室／関係各課（情報政策課／課税課）' -> (['政策室', '情報政策課', '課税課'], ['関係各課'])."""
    parts = [p for p in re.split(r"[／/（）()、,，\s]+", text) if p]
    named = [p for p in parts if p not in GENERIC_DEPARTMENTS]
    generic = [p for p in parts if p in GENERIC_DEPARTMENTS]
    return list(dict.fromkeys(named)), list(dict.fromkeys(generic))


def _key(level: str, *numbers: int) -> str:
    if level == "取組項目":
        return f"取組項目:{numbers[0]:02d}"
    return f"{level}:" + "-".join(str(n) for n in numbers)


@dataclass
class _Anchors:
    taikei: int | None
    item_list: int
    indicators: int
    status: int
    end: int
    fiscal_year: int


def _find_anchors(doc: SourceDocument) -> _Anchors:
    found: dict[str, int] = {}
    year = None
    for i, raw in enumerate(doc.lines):
        line = raw.strip()
        for name, pattern in (("taikei", _H_TAIKEI), ("list", _H_LIST),
                              ("indicators", _H_INDICATORS), ("status", _H_STATUS)):
            if name not in found and pattern.match(line):
                found[name] = i
                if name == "status":
                    year = fiscal_year(line)
        if "end" not in found and "status" in found and _END.match(line):
            found["end"] = i
    expected = [("list", "「4. 取組項目一覧」の見出し"), ("indicators", "「5. 指標」の見出し"),
                ("status", "「6. 令和3年度の主な取組状況」の見出し"),
                ("end", "奥付の「登録番号」(文書の末尾)")]
    for name, label in expected:
        if name not in found:
            last = doc.lines[-1] if doc.lines else ""
            raise SourceFormatError(doc.file, len(doc.lines) or None, label, last)
    order = [found["list"], found["indicators"], found["status"], found["end"]]
    if order != sorted(order):
        raise SourceFormatError(doc.file, found["indicators"] + 1,
                                "取組項目一覧 → 指標 → 主な取組状況 の順の見出し",
                                doc.lines[found["indicators"]])
    return _Anchors(found.get("taikei"), found["list"], found["indicators"], found["status"],
                    found["end"], year or 2021)


# ---------------------------------------------------------------- 取組項目一覧 (section 4)

def _parse_item_list(doc: SourceDocument, start: int, stop: int, ex: Extract) -> dict[int, str]:
    """The list copy of the hierarchy; returns {施策 number: title} for recognising page headers."""
    shisaku_titles: dict[int, str] = {}
    s = h = k = None
    seen: set[str] = set()

    def emit(record: Initiative) -> None:
        if record.key in seen:
            ex.issues.append(Issue(QualityKind.SKIPPED, f"{COPY_LIST}: {record.key} が重複しています",
                                   (record.line,), "2回目の行は取り込みませんでした", record.key))
            return
        seen.add(record.key)
        ex.initiatives.append(record)

    for i in range(start + 1, stop):
        cells = filled_tab_cells(doc.lines[i], _plain)
        if not cells:
            continue
        n = i + 1
        head = cells[0]
        if m := _SHISAKU.match(head):
            if not m.group(2):
                _skip(ex, n, doc.lines[i], "施策の名称がありません")
                continue
            s, h, k = _num(m.group(1)), None, None
            shisaku_titles[s] = m.group(2)
            emit(Initiative(_key("施策", s), "施策", m.group(1), m.group(2), n,
                            copy=COPY_LIST, rank=RANK_LIST))
        elif m := _HOUKOUSEI.match(head):
            if s is None:
                _skip(ex, n, doc.lines[i], "方向性の上位の施策が分かりません")
                continue
            h, k = _num(m.group(1)), None
            emit(Initiative(_key("方向性", s, h), "方向性", m.group(1), m.group(2), n,
                            parent_key=_key("施策", s), copy=COPY_LIST, rank=RANK_LIST))
        elif m := _KIHON.match(head):
            if s is None or h is None:
                _skip(ex, n, doc.lines[i], "基本事業の上位の方向性が分かりません")
                continue
            k = _num(m.group(1))
            emit(Initiative(_key("基本事業", s, h, k), "基本事業", m.group(1), m.group(2), n,
                            parent_key=_key("方向性", s, h), copy=COPY_LIST, rank=RANK_LIST))
        elif (m := _ITEM.match(head)) and (m.group(2) or len(cells) > 1):
            title = m.group(2) or cells[1]
            rest = cells[1:] if m.group(2) else cells[2:]
            pages = [p.group(1) for c in rest if (p := _PAGE.match(nfkc(c)))]
            extra = {"page": _num(pages[0])} if pages else {}
            if "再掲" in title:
                extra["再掲"] = True
            parent = _key("基本事業", s, h, k) if None not in (s, h, k) else None
            if parent is None:
                ex.issues.append(Issue(QualityKind.ORPHAN, f"{COPY_LIST}: 取組項目{m.group(1)} の上位の基本事業が分かりません",
                                       (n,), "親項目なしで取り込みました"))
            emit(Initiative(_key("取組項目", _num(m.group(1))), "取組項目", m.group(1), title, n,
                            parent_key=parent, extra=extra, copy=COPY_LIST, rank=RANK_LIST))
        else:
            _skip(ex, n, doc.lines[i], "取組項目一覧の行として読めません")
    return shisaku_titles


def _skip(ex: Extract, line: int, text: str, why: str) -> None:
    shown = text.strip()
    shown = shown if len(shown) <= 60 else shown[:57] + "…"
    ex.issues.append(Issue(QualityKind.SKIPPED, f"{why}: 「{shown}」", (line,), "この行は取り込みませんでした"))


# ---------------------------------------------------------------- 指標 (section 5)

@dataclass
class _Cell:
    value: float | None
    note_parts: list[str]
    direction: str | None


def _parse_value_cell(text: str | None, footnotes: dict[str, str]) -> _Cell:
    if text is None or not _plain(text):
        return _Cell(None, ["値の欄がありません"], None)
    cell = _plain(text)
    notes: list[str] = []
    marks = _MARK.findall(cell)
    rest = _MARK.sub(" ", cell)
    alternatives = _BRACKET.findall(rest)
    rest = _BRACKET.sub(" ", rest)
    direction = (d.group(1) if (d := _DIRECTION.search(rest)) else None)
    rest = _DIRECTION.sub(" ", rest).strip()
    value = None
    if rest in _MISSING or not rest:
        notes.append(f"値なし（「{rest or '空欄'}」と記載）")
    elif (num := _NUMBER.fullmatch(nfkc(rest))):
        value = float(num.group(0).replace(",", ""))
    else:
        notes.append(f"数値として読めません: 「{cell}」")
    notes.extend(f"括弧内の値: {a}" for a in alternatives)
    for mark in marks:
        text_of = footnotes.get(mark)
        notes.append(f"※{mark}: {text_of}" if text_of else f"※{mark}")
    if direction:
        notes.append(f"方向: {direction}")
    return _Cell(value, notes, direction)


def _header_columns(line: str) -> list[tuple[int, int, str, str]]:
    """(column, fiscal year, kind, label) for each year label of a 時点値/現状値/目標値 header."""
    columns = []
    for index, cell in enumerate(line.split("\t")):
        label = _plain(cell)
        year = fiscal_year(label) if "年度" in label else None
        if year is None:
            continue
        kind = "target" if "目標" in label else "baseline" if "時点" in label else "actual"
        columns.append((index, year, kind, label))
    return columns


def _related_keys(doc: SourceDocument, start: int, stop: int, ex: Extract, no: str) -> list[str]:
    """【関連基本事業】 rows: cells under 施策1/施策2/施策3 columns -> 基本事業 keys."""
    keys: list[str] = []
    column_shisaku: dict[int, int] = {}
    for i in range(start, stop):
        raw = doc.lines[i]
        cells = [_plain(c) for c in raw.split("\t")]
        heads = {j: _num(m.group(1)) for j, c in enumerate(cells) if (m := _REL_HEAD.match(c))}
        if heads:
            column_shisaku = heads
            last = max(heads)
            data = [(j, c) for j, c in enumerate(cells) if j > last and c]
            if data:  # a data row glued onto the header row: attribute it to the last column
                ex.issues.append(Issue(
                    QualityKind.REPAIR, f"指標No.{no} の関連基本事業「{data[0][1]}」が見出し行の右端に続いて印字されています",
                    (i + 1,), f"見出しの最後の列 (施策{heads[last]}) の値として読みました"))
                for _, c in data:
                    keys.extend(_tokens_to_keys(heads[last], c))
            continue
        if not column_shisaku:
            continue
        for j, c in enumerate(cells):
            if c and _REL_TOKEN.search(c):
                if j not in column_shisaku:
                    _skip(ex, i + 1, raw, f"指標No.{no} の関連基本事業の列が分かりません")
                    continue
                keys.extend(_tokens_to_keys(column_shisaku[j], c))
    return list(dict.fromkeys(keys))


def _tokens_to_keys(shisaku: int, text: str) -> list[str]:
    keys, houkousei = [], None
    for kind, number in _REL_TOKEN.findall(text):
        if kind == "方向性":
            houkousei = _num(number)
        elif houkousei is not None:
            keys.append(_key("基本事業", shisaku, houkousei, _num(number)))
    return keys


def _parse_indicators(doc: SourceDocument, start: int, stop: int, ex: Extract) -> None:
    footnotes: dict[str, str] = {}
    first_footnote = stop
    for i in range(start + 1, stop):
        if m := _FOOTNOTE.match(doc.lines[i].strip()):
            footnotes.setdefault(m.group(1), m.group(2).strip())
            first_footnote = min(first_footnote, i)
    headers = [i for i in range(start + 1, first_footnote) if _IND_HEADER.search(doc.lines[i])]
    if not headers:
        raise SourceFormatError(doc.file, start + 1, "指標表の見出し行 (平成30年度末時点値 …)",
                                doc.lines[start])
    blocks = []
    for h in headers:
        explain = _previous_nonblank(doc, h, start)
        name_at = _previous_nonblank(doc, explain, start) if explain is not None else None
        if explain is None or name_at is None or "説明" not in doc.lines[explain]:
            _skip(ex, h + 1, doc.lines[h], "指標の名称と説明の行が見つかりません")
            continue
        blocks.append((name_at, explain, h))
    meta = ex.tables.setdefault("komae_indicator_meta", [])
    seen: set[str] = set()
    for index, (name_at, explain, h) in enumerate(blocks):
        region_end = blocks[index + 1][0] if index + 1 < len(blocks) else first_footnote
        no = _indicator_no(doc, name_at, region_end, index, ex)
        if no in seen:
            _skip(ex, name_at + 1, doc.lines[name_at], f"指標No.{no} が重複しています")
            continue
        seen.add(no)
        name, unit = _indicator_name(doc, name_at, no, ex)
        description = _plain(doc.lines[explain].split("説明", 1)[-1])
        own_marks = _MARK.findall(description)
        own_notes = [f"※{m}（説明）: {footnotes[m]}" if m in footnotes else f"※{m}（説明）"
                     for m in own_marks]
        value_at = _next_nonblank(doc, h, region_end)
        values = doc.lines[value_at].split("\t") if value_at is not None else []
        direction = None
        marks: list[str] = list(own_marks)
        for column, year, kind, label in _header_columns(doc.lines[h]):
            raw = values[column] if column < len(values) else None
            cell = _parse_value_cell(raw, footnotes)
            direction = direction or cell.direction
            marks.extend(_MARK.findall(raw or ""))
            note = "; ".join(cell.note_parts + own_notes) or None
            ex.indicators.append(Indicator(no, name, unit, year, kind, cell.value,
                                           (value_at if value_at is not None else h) + 1, note))
        related = _related_keys(doc, h + 1, region_end, ex, no)
        meta.append({
            "indicator_no": no, "name": name, "unit": unit, "direction": direction,
            "direction_inferred": None, "description": _MARK.sub("", description).strip(),
            "footnotes": "; ".join(f"※{m}: {footnotes.get(m, '(注記なし)')}"
                                   for m in dict.fromkeys(marks)) or None,
            "related_kihon": ",".join(related) or None, "line": name_at + 1,
        })
        _infer_direction(meta[-1], ex.indicators)
    if len(seen) != 7:
        ex.issues.append(Issue(QualityKind.MISMATCH, f"指標は7件のはずですが {len(seen)} 件読み取りました",
                               (start + 1,), "読み取れた指標のみ取り込みました"))


def _infer_direction(row: dict, indicators: list[Indicator]) -> None:
    """Where the target does not say 以上/以下, derive it from baseline vs target (marked as derived)."""
    if row["direction"]:
        return
    mine = [k for k in indicators if k.indicator_no == row["indicator_no"] and k.value is not None]
    base = next((k.value for k in mine if k.kind == "baseline"), None)
    target = next((k.value for k in mine if k.kind == "target"), None)
    if base is not None and target is not None and base != target:
        row["direction_inferred"] = "以上" if target > base else "以下"


def _indicator_no(doc: SourceDocument, start: int, stop: int, index: int, ex: Extract) -> str:
    numbers = []
    for i in range(start, stop):
        first = doc.lines[i].split("\t", 1)[0].strip()
        if re.fullmatch(r"\d{1,2}", first):
            numbers.append(str(_num(first)))
    if len(set(numbers)) == 1:
        return numbers[0]
    guess = str(index + 1)
    ex.issues.append(Issue(QualityKind.REPAIR, f"指標のNo.欄が読めません (候補: {numbers or 'なし'})", (start + 1,),
                           f"表の中の順番から No.{guess} としました"))
    return guess


def _indicator_name(doc: SourceDocument, at: int, no: str, ex: Extract) -> tuple[str, str | None]:
    cells = filled_tab_cells(doc.lines[at], _plain)
    text = cells[0] if cells else ""
    if re.fullmatch(r"\d{1,2}", text) and len(cells) > 1:
        text = cells[1]
    unit = None
    if m := _IND_UNIT.search(text):
        unit, text = nfkc(m.group(1)).strip(), text[: m.start()].strip()
    elif text.endswith("割合"):
        unit = "%"
        ex.issues.append(Issue(QualityKind.REPAIR, f"指標No.{no}「{text}」に単位の記載がありません", (at + 1,),
                               "同じ文書で「割合」の指標は % で示されているため、単位を % としました"))
    return text, unit


def _previous_nonblank(doc: SourceDocument, i: int, floor: int) -> int | None:
    j = i - 1
    while j > floor and not doc.lines[j].strip():
        j -= 1
    return j if j > floor else None


def _next_nonblank(doc: SourceDocument, i: int, ceiling: int) -> int | None:
    j = i + 1
    while j < ceiling and not doc.lines[j].strip():
        j += 1
    return j if j < ceiling else None


# ---------------------------------------------------------------- 主な取組状況 (section 6)

@dataclass
class _Item:
    code: str
    title: str
    line: int
    parent: str | None
    departments_text: str | None = None
    departments_pending: bool = False  # "推進部署" label printed at the end of the item line
    body: list[tuple[int, str]] = field(default_factory=list)
    from_table: bool = False


class _StatusParser:
    """State machine over section 6: page headers, 方向性/基本事業 headings, items and bodies."""

    def __init__(self, doc: SourceDocument, ex: Extract, year: int, titles: dict[int, str]):
        self.doc, self.ex, self.year = doc, ex, year
        self.known_titles = {match_key(t): n for n, t in titles.items()}
        self.s = self.h = self.k = None
        self.item: _Item | None = None
        self.described: Initiative | None = None  # the 方向性/基本事業 whose description follows
        self.seen: set[str] = set()
        self.tables: dict[str, _Item] = {}  # HTML-table renderings awaiting their plain copy

    # -- records
    def emit(self, record: Initiative) -> bool:
        if record.key in self.seen:
            self.ex.issues.append(Issue(QualityKind.SKIPPED, f"{COPY_STATUS}: {record.key} が重複しています",
                                        (record.line,), "2回目の記載は取り込みませんでした", record.key))
            return False
        self.seen.add(record.key)
        self.ex.initiatives.append(record)
        return True

    def run(self, start: int, stop: int) -> None:
        lines = self.doc.lines
        for i in range(start + 1, stop):
            raw = lines[i]
            if "<table" in raw:
                self.table(i, raw)
                continue
            cells = filled_tab_cells(raw, _plain)
            if not cells:
                continue
            head = cells[0]
            if (m := _SHISAKU.match(head)) and (not m.group(2) or len(cells) == 1):
                self.shisaku(i, m)
            elif match_key(_plain(raw)) in self.known_titles:
                continue  # the 施策 title of a page header
            elif m := _HOUKOUSEI.match(head):
                self.houkousei(i, m)
            elif m := _KIHON.match(nfkc(" ".join(cells))):
                self.kihon(i, m)
            elif m := _SHIHYO.match(nfkc(" ".join(cells))):
                self.shihyo(i, m)
            elif (m := _ITEM.match(head)) and (m.group(2) or len(cells) > 1):
                self.start_item(i, m, cells)
            elif (m := _DEPT.match(head)) and self.item is not None and self.item.departments_text is None:
                self.item.departments_text = m.group(1) or (cells[1] if len(cells) > 1 else "")
            elif _PAGE_TITLE.match(head) and self.s is None:
                continue  # the report's running title above the first 施策
            elif self.item is not None:
                self.item.body.append((i + 1, raw))
            elif self.described is not None:
                self.describe(raw)
            else:
                _skip(self.ex, i + 1, raw, "主な取組状況のどの項目に属するか分かりません")
        self.finish_item()
        for code, pending in self.tables.items():
            self.ex.issues.append(Issue(QualityKind.REPAIR, f"取組項目{code} は HTML 表の形でのみ記載されています",
                                        (pending.line,), "HTML 表の内容から取り込みました",
                                        _key("取組項目", _num(code))))
            self.item = pending
            self.finish_item()

    # -- hierarchy headings
    def shisaku(self, i: int, m: re.Match) -> None:
        number = _num(m.group(1))
        if number == self.s:
            return  # page header repeating the current 施策
        self.finish_item()
        self.s, self.h, self.k, self.described = number, None, None, None
        title = m.group(2) or self._adjacent_title(i)
        if not title:
            _skip(self.ex, i + 1, self.doc.lines[i], "施策の名称が見つかりません")
            return
        self.emit(Initiative(_key("施策", number), "施策", m.group(1), title, i + 1,
                             copy=COPY_STATUS, rank=RANK_STATUS))

    def _adjacent_title(self, i: int) -> str | None:
        lines = self.doc.lines
        after = next((j for j in range(i + 1, min(i + 4, len(lines))) if lines[j].strip()), None)
        before = next((j for j in range(i - 1, max(i - 4, 0), -1) if lines[j].strip()), None)
        for j in (after, before):
            if j is not None and match_key(_plain(lines[j])) in self.known_titles:
                return _plain(lines[j])
        if after is not None:
            text = _plain(lines[after])
            structural = (_HOUKOUSEI, _KIHON, _ITEM, _SHIHYO, _DEPT, _SHISAKU)
            if text and len(text) <= 30 and not any(p.match(text) for p in structural):
                return text
        return None

    def houkousei(self, i: int, m: re.Match) -> None:
        self.finish_item()
        self.described = None
        if self.s is None:
            _skip(self.ex, i + 1, self.doc.lines[i], "方向性の上位の施策が分かりません")
            return
        self.h, self.k = _num(m.group(1)), None
        record = Initiative(_key("方向性", self.s, self.h), "方向性", m.group(1), m.group(2), i + 1,
                            parent_key=_key("施策", self.s), copy=COPY_STATUS, rank=RANK_STATUS)
        if self.emit(record):
            self.described = record

    def kihon(self, i: int, m: re.Match) -> None:
        self.finish_item()
        self.described = None
        if self.s is None or self.h is None:
            _skip(self.ex, i + 1, self.doc.lines[i], "基本事業の上位の方向性が分かりません")
            return
        self.k = _num(m.group(1))
        extra = {"indicator_nos": _nos(m.group(3))} if m.group(3) else {}
        record = Initiative(_key("基本事業", self.s, self.h, self.k), "基本事業", m.group(1),
                            m.group(2).strip(), i + 1, parent_key=_key("方向性", self.s, self.h),
                            extra=extra, copy=COPY_STATUS, rank=RANK_STATUS)
        if self.emit(record):
            self.described = record

    def shihyo(self, i: int, m: re.Match) -> None:
        target = self.described
        if self.item is None and target is not None and target.level == "基本事業" \
                and "indicator_nos" not in target.extra:
            target.extra["indicator_nos"] = _nos(m.group(1))
        else:
            _skip(self.ex, i + 1, self.doc.lines[i], "指標No. がどの基本事業のものか分かりません")

    def describe(self, raw: str) -> None:
        text = "\n".join(_paragraphs(raw))
        if not text:
            return
        record = self.described
        old = record.extra.get("description")
        record.extra["description"] = f"{old}\n{text}" if old else text

    # -- items
    def _parent(self) -> str | None:
        if None in (self.s, self.h, self.k):
            return None
        return _key("基本事業", self.s, self.h, self.k)

    def start_item(self, i: int, m: re.Match, cells: list[str]) -> None:
        self.finish_item()
        self.described = None
        title = m.group(2) or cells[1]
        rest = cells[1:] if m.group(2) else cells[2:]
        item = _Item(m.group(1), title, i + 1, self._parent())
        if rest and _DEPT.match(rest[0]):
            dept = _DEPT.match(rest[0]).group(1) or (rest[1] if len(rest) > 1 else "")
            if dept:
                item.departments_text = dept
            else:
                item.departments_pending = True
        self.item = item

    def table(self, i: int, raw: str) -> None:
        """A progress table printed as HTML; the same rows usually follow as plain lines."""
        self.finish_item()
        cells = [c.strip() for c in _TABLE_CELL.findall(raw)]
        m = _ITEM.match(_plain(cells[0])) if cells else None
        if m is None or len(cells) < 2:
            _skip(self.ex, i + 1, raw, "HTML 表の取組項目が読めません")
            return
        item = _Item(m.group(1), m.group(2) or _plain(cells[1]), i + 1, self._parent(), from_table=True)
        plain = [_plain(c) for c in cells]
        if "推進部署" in plain:
            at = plain.index("推進部署")
            item.departments_text = plain[at + 1] if at + 1 < len(plain) else None
            item.body = [(i + 1, c) for c in cells[at + 2:] if _plain(c)]
        self.tables[str(_num(m.group(1))).zfill(2)] = item

    def finish_item(self) -> None:
        item, self.item = self.item, None
        if item is None:
            return
        key = _key("取組項目", _num(item.code))
        code2 = key.split(":", 1)[1]
        text, heading_line, repairs = self._body_text(item)
        twin = self.tables.pop(code2, None) if not item.from_table else None
        if twin is not None:
            self._compare_twin(key, item, text, twin)
        departments, generic = split_departments(item.departments_text or "")
        extra = {}
        if item.departments_text:
            extra["推進部署"] = item.departments_text
        if generic:
            extra["推進部署_総称"] = generic
        if "再掲" in item.title:
            extra["再掲"] = True
        if item.parent is None:
            self.ex.issues.append(Issue(QualityKind.ORPHAN, f"{COPY_STATUS}: 取組項目{item.code} の上位の基本事業が分かりません",
                                        (item.line,), "親項目なしで取り込みました", key))
        if not item.departments_text:
            self.ex.issues.append(Issue(QualityKind.MISSING, f"取組項目{item.code} の推進部署が記載されていません",
                                        (item.line,), "担当部署なしで取り込みました", key))
        if not self.emit(Initiative(key, "取組項目", item.code, item.title, item.line, parent_key=item.parent,
                                    departments=departments, extra=extra, copy=COPY_STATUS,
                                    rank=RANK_STATUS)):
            return
        for rule, line in repairs:
            self.ex.issues.append(Issue(QualityKind.REPAIR, f"取組項目{item.code}: {rule}", (line,),
                                        "規則に従い修復して取り込みました", key))
        if text:
            first = item.body[0][0] if item.body else item.line
            self.ex.narratives.append(Narrative(key, self.year, SECTION, text, heading_line or first))
        else:
            lines = (heading_line,) if heading_line else (item.line,)
            self.ex.issues.append(Issue(QualityKind.MISSING, f"取組項目{item.code} の「{SECTION}」の本文がありません"
                                        + ("（見出しのみ印字）" if heading_line else ""),
                                        lines, "記述なしで取り込みました", key))

    def _body_text(self, item: _Item) -> tuple[str, int | None, list[tuple[str, int]]]:
        paragraphs: list[str] = []
        heading_line = None
        repairs: list[tuple[str, int]] = []
        vertical_noted = False
        for line, raw in item.body:
            text = re.sub(r"^-\s+", "", raw.strip())  # markdown bullet, not a ---- rule
            if _SEPARATOR.match(text):
                continue
            if h := _BODY_HEAD.match(text):
                heading_line = heading_line or line
                text = text[h.end():]
            elif v := _VERTICAL.match(text.strip()):
                heading_line = heading_line or line
                text = v.group(2) or ""
                if text and not vertical_noted:
                    vertical_noted = True
                    repairs.append(("縦書きの見出し「R3年度の取組状況」の文字が本文の行頭に混入していたため除きました", line))
            text = text.strip()
            if item.departments_pending and item.departments_text is None and text:
                if _DEPT_ONLY.match(text) and re.search(r"[課室館]$", text):
                    item.departments_text = text
                    repairs.append((f"推進部署「{text}」が見出し「{SECTION}」の右の欄にずれて印字されていたため、推進部署として読みました", line))
                    continue
            parts = _BODY_HEAD.split(text)
            if len(parts) > 1:
                heading_line = heading_line or line
            for part in parts:
                paragraphs.extend(_paragraphs(part))
        return "\n".join(paragraphs), heading_line, repairs

    def _compare_twin(self, key: str, item: _Item, text: str, twin: _Item) -> None:
        twin_text, _, _ = self._body_text(twin)
        same = (match_key(item.title) == match_key(twin.title)
                and match_key(item.departments_text or "") == match_key(twin.departments_text or "")
                and match_key(text) == match_key(twin_text))
        if same:
            self.ex.issues.append(Issue(
                QualityKind.INFO, f"取組項目{item.code} は HTML 表 (とその平文化) と通常の行で同じ内容が重複出力されています",
                (twin.line, item.line), "通常の行の方を取り込みました (内容は一致)", key))
        else:
            self.ex.issues.append(Issue(
                QualityKind.DISAGREEMENT, f"取組項目{item.code} の HTML 表と通常の行で内容が異なります",
                (twin.line, item.line), "通常の行の方を取り込みました", key))


def _paragraphs(text: str) -> list[str]:
    """HTML/markdown cell text -> paragraphs, without leftover pieces of the body heading."""
    text = html.unescape(TAG_RE.sub(" ", _BLOCK_END_RE.sub("\n", text)))
    out = []
    for part in re.split(r"\n|\t| {2,}|\u3000{2,}", text):
        part = re.sub(r"^[\s\-■]+(?=\S)", "", part).strip()
        if part and not _HEAD_FRAGMENT.match(part) and not _SEPARATOR.match(part):
            out.append(part)
    return out


# ---------------------------------------------------------------- document level

def _stated_counts(doc: SourceDocument, stop: int, ex: Extract) -> None:
    rows = ex.tables.setdefault("komae_stated_counts", [])
    for i in range(stop):
        if m := _STATED_COUNTS.search(doc.lines[i]):
            rows.append({"level": "施策", "count": _num(m.group(1)), "line": i + 1})
            rows.append({"level": "方向性", "count": _num(m.group(2)), "line": i + 1})
            return


def _check_taikei(doc: SourceDocument, anchors: _Anchors, ex: Extract) -> None:
    if anchors.taikei is None or anchors.taikei > anchors.item_list:
        return
    body = [line for line in doc.lines[anchors.taikei + 1: anchors.item_list] if line.strip()]
    if not body:
        ex.issues.append(Issue(QualityKind.MISSING, "「3. 体系図」の本文がありません (図のため文字が抽出されていません)",
                               (anchors.taikei + 1,), "体系は取組項目一覧と主な取組状況から取り込みました"))


def _require(doc: SourceDocument, ex: Extract, copy: str, line: int) -> None:
    items = [i for i in ex.initiatives if i.copy == copy and i.level == "取組項目"]
    if not items:
        raise SourceFormatError(doc.file, line + 1, f"{copy}の取組項目", doc.lines[line])


def parse(doc: SourceDocument) -> Extract:
    anchors = _find_anchors(doc)
    ex = Extract()
    _stated_counts(doc, anchors.item_list, ex)
    _check_taikei(doc, anchors, ex)
    titles = _parse_item_list(doc, anchors.item_list, anchors.indicators, ex)
    _require(doc, ex, COPY_LIST, anchors.item_list)
    _parse_indicators(doc, anchors.indicators, anchors.status, ex)
    _StatusParser(doc, ex, anchors.fiscal_year, titles).run(anchors.status, anchors.end)
    _require(doc, ex, COPY_STATUS, anchors.status)
    # amounts in the 取組状況 text (売却実績, ロケ収入, 交付金の増額 …), each with its sentence
    ex.fiscal_effects.extend(narrative_effects(doc, ex.narratives, {i.key: i.title for i in ex.initiatives}))
    return ex


# ---------------------------------------------------------------- validate stage

def cross_check(extract: Extract) -> list[Issue]:
    """Recompute what the document states: counts of 施策/方向性, items 01–max complete,
    every item linked upwards, and 指標 ↔ 基本事業 links printed in two places."""
    issues: list[Issue] = []
    by_level: dict[str, list[Initiative]] = {}
    for i in extract.initiatives:
        by_level.setdefault(i.level, []).append(i)
    for row in extract.tables.get("komae_stated_counts", []):
        actual = len(by_level.get(row["level"], []))
        if actual != row["count"]:
            issues.append(Issue(QualityKind.MISMATCH, f"{row['level']}の数: 本文では {row['count']} / 読み取った体系では {actual}",
                                (row["line"],), "読み取った体系をそのまま取り込みました"))
    keys = {i.key for i in extract.initiatives}
    items = by_level.get("取組項目", [])
    numbers = {_num(i.code) for i in items if i.code and i.code.isdigit()}
    last = max(numbers | {EXPECTED_ITEMS})
    for missing in sorted(set(range(1, last + 1)) - numbers):
        issues.append(Issue(QualityKind.MISMATCH, f"取組項目{missing:02d} がありません (01–{last:02d} の連番に欠番)",
                            (), "欠番のまま取り込みました", None))
    for i in [*items, *by_level.get("基本事業", []), *by_level.get("方向性", [])]:
        if i.parent_key is None or i.parent_key not in keys:
            issues.append(Issue(QualityKind.MISMATCH, f"{i.key} に上位項目がありません", (i.line,),
                                "親項目なしで取り込みました", i.key))
    issues.extend(_check_indicator_links(extract, by_level.get("基本事業", [])))
    return issues


def _check_indicator_links(extract: Extract, kihon: list[Initiative]) -> list[Issue]:
    """指標の【関連基本事業】 (section 5) against the 指標No. printed beside each 基本事業 (section 6)."""
    issues = []
    meta = {r["indicator_no"]: r for r in extract.tables.get("komae_indicator_meta", [])}
    related = {no: set(filter(None, (r.get("related_kihon") or "").split(","))) for no, r in meta.items()}
    for k in kihon:
        stated = k.extra.get("indicator_nos")
        if stated is None:
            continue
        for no in stated:
            if no in related and k.key not in related[no]:
                issues.append(Issue(QualityKind.MISMATCH, f"{k.key} に 指標No.{no} とありますが、指標No.{no} の関連基本事業に含まれていません",
                                    (k.line, meta[no]["line"]), "両方の記載をそのまま取り込みました", k.key))
    labelled = {(no, k.key) for k in kihon for no in k.extra.get("indicator_nos", [])}
    kihon_keys = {k.key for k in kihon}
    for no, keys in related.items():
        for key in sorted(keys):
            if key in kihon_keys and (no, key) not in labelled:
                line = next(k.line for k in kihon if k.key == key)
                issues.append(Issue(QualityKind.MISMATCH, f"指標No.{no} の関連基本事業に {key} がありますが、その基本事業には 指標No.{no} の記載がありません",
                                    (meta[no]["line"], line), "両方の記載をそのまま取り込みました", key))
    return issues
