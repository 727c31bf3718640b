"""小金井市 ＣｏＣｏからチャレンジ・こがねい（改善改革運動）報告書 令和３年度版.

The staff improvement campaign report of Koganei city. Terms used below:

- 改善取組 (staff improvement initiative); 取組一覧表 (list of the year's initiatives) with
  No., 課名 (section), タイトル (title), 区分 (category marks: サービス / 業務効率 / コスト /
  その他) and 共同実施者数 (number of co-implementers). The 部 (department) is printed as a
  row of its own above its sections' rows and is carried down.
- 優秀取組等実施者 (award winners): 最優秀 (top award), 優秀 (excellence), 奨励
  (encouragement); 取組名 (initiative name), 実施者 (implementer).
- 最多取組実施部署 (sections with the most initiatives): 順位 (rank), 件数 (count),
  参加者数 (participants), 所属課 (section).
- 優秀取組等の紹介 (award write-ups): 改善前 (before), 改善後 (after), 効果 (effect),
  実施者のコメント (implementer's comment), followed by the text of a figure.
- ④ 報告取組数 (number of reported initiatives): the section that would state totals.

The document is read in the order it is printed: ④ stated counts, ⑤ award tables,
⑥ most-initiatives tables, 4 award write-ups, 5 the two yearly lists. Lists are parsed
first because awards and write-ups are linked to list rows by normalised title.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from etl.errors import SourceFormatError
from etl.model import Award, Extract, Initiative, Issue, Narrative, SourceDocument
from etl.money import narrative_effects
from etl.normalize import clean_text, era_to_year, match_key, nfkc
from etl.sources._text import tab_cells
from vocab import AWARDS, QualityKind

PROGRAM = "ＣｏＣｏからチャレンジ・こがねい"
LEVEL = "改善取組"
TOP_TABLE = "koganei_top_departments"
STATED_TABLE = "koganei_stated_counts"
MARKS = {"○", "◯", "〇", "●"}
SECTIONS = ("改善前", "改善後", "効果", "実施者のコメント")
# A comment paragraph after the first is kept only when it reads like prose; figure captions
# ("年1万枚のマル乳医療証", "混雑状況", "①") are short.
MIN_COMMENT_PARAGRAPH = 25

_ERA = r"令和(元|[0-9]{1,2})年度"
_AWARD = "|".join(AWARDS)
RE_STATED_ANCHOR = re.compile(r"^④\s*報告取組数")
RE_AWARDS_ANCHOR = re.compile(r"^⑤\s*優秀取組等について")
RE_TOP_ANCHOR = re.compile(r"^⑥\s*最多取組実施部署について")
RE_PAGES_ANCHOR = re.compile(r"^4\s*優秀取組等の紹介\s*$")
# Headings are matched on match_key() text (NFKC, no spaces), so "C o C o" and "CoCo" agree.
RE_LIST_HEADING = re.compile(rf"^{_ERA}.*取組一覧表$")
RE_AWARD_HEADING = re.compile(rf"^{_ERA}.*優秀取組等実施者$")
RE_TOP_HEADING = re.compile(rf"^{_ERA}.*最多取組実施部署$")
RE_PAGE_HEADING = re.compile(rf"^{_ERA}((?:{_AWARD})取組)?$")
RE_AWARD_WORD = re.compile(rf"^({_AWARD})取組$")
RE_AWARD_ROW = re.compile(r"取組名[：:]\s*(?P<title>.+?)\s*実施者[：:]\s*(?P<winner>.+)$")
RE_STATED_COUNT = re.compile(rf"{_ERA}\D*?([0-9]+)件")
RE_RANK = re.compile(r"^([0-9]+)位$")
RE_COUNT = re.compile(r"^([0-9]+(?:\.[0-9]+)?)件$")
RE_PEOPLE = re.compile(r"^([0-9]+)人$")
RE_INT = re.compile(r"^[0-9]+$")
RE_BOLD = re.compile(r"\*\*")
RE_BULLET = re.compile(r"^-\s+(?:✓\s*)?")


def _year(number: str) -> int:
    return era_to_year("令和", number)


def _found(doc: SourceDocument, index: int) -> str:
    return doc.lines[index] if 0 <= index < len(doc.lines) else "(文書の終わり)"


def _next_nonblank(lines: list[str]) -> list[int]:
    """For every index, the index of the next non-blank line after it (len(lines) if none)."""
    result = [len(lines)] * len(lines)
    following = len(lines)
    for i in range(len(lines) - 1, -1, -1):
        result[i] = following
        if lines[i].strip():
            following = i
    return result


class _Reader:
    """Shared state of one parse: the document, its keys and the issues found so far."""

    def __init__(self, doc: SourceDocument):
        self.doc = doc
        self.keys = [match_key(line) for line in doc.lines]
        self.next = _next_nonblank(doc.lines)
        self.issues: list[Issue] = []

    def fail(self, index: int, expected: str) -> SourceFormatError:
        return SourceFormatError(self.doc.file, min(index, len(self.doc.lines)) + 1 or 1,
                                 expected, _found(self.doc, index))

    def find(self, pattern: re.Pattern, start: int, expected: str) -> int:
        for i in range(start, len(self.doc.lines)):
            if pattern.search(self.doc.lines[i]):
                return i
        raise self.fail(start, expected)

    def issue(self, kind: str, message: str, lines: tuple[int, ...], resolution: str = "",
              key: str | None = None) -> None:
        self.issues.append(Issue(kind, message, lines, resolution, key))


# ----------------------------------------------------------------------------- lists


@dataclass
class _ListTable:
    year: int
    heading: int  # 0-based index of the heading line
    rows: list[Initiative] = field(default_factory=list)


def _list_headings(r: _Reader, start: int) -> list[tuple[int, int]]:
    found = []
    for i in range(start, len(r.keys)):
        m = RE_LIST_HEADING.match(r.keys[i])
        if m:
            found.append((i, _year(m.group(1))))
    if not found:
        raise r.fail(start, "「令和N年度 … 取組一覧表」の見出し")
    return found


def _list_header(r: _Reader, heading: int) -> tuple[int, dict[str, int], list[tuple[str, int]], int]:
    """The two header rows: column positions of No./課名/タイトル/共同実施者数 and the 区分 labels."""
    first = r.next[heading]
    if first >= len(r.doc.lines):
        raise r.fail(first, "取組一覧表の見出し行 (No. 課名 タイトル 区分 共同実施者数)")
    cells = [match_key(c) for c in tab_cells(r.doc.lines[first])]
    columns = {}
    for label, wanted in (("no", "No."), ("dept", "課名"), ("title", "タイトル"), ("count", "共同実施者数")):
        if wanted not in cells:
            raise r.fail(first, f"取組一覧表の見出し行に「{wanted}」")
        columns[label] = cells.index(wanted)
    second = r.next[first]
    if second >= len(r.doc.lines):
        raise r.fail(second, "区分の見出し行 (サービス 業務効率 コスト その他)")
    labels = [(c, i) for i, c in enumerate(tab_cells(r.doc.lines[second])) if c]
    if not labels or len(labels) > 6 or any(RE_INT.match(c) for c, _ in labels):
        raise r.fail(second, "区分の見出し行 (サービス 業務効率 コスト その他)")
    width = max(len(tab_cells(r.doc.lines[first])), max(i for _, i in labels) + 1)
    return second, columns, labels, width


def _fit_width(cells: list[str], width: int) -> tuple[list[str], str | None]:
    """Bring a data row to the header's width; the note says which rule was used (or None)."""
    if len(cells) == width:
        return cells, None
    if len(cells) > width and not any(cells[width:]):
        return cells[:width], None  # trailing empty cells only
    if len(cells) > width:
        # Inserted empty cells between the number, section and title: those three are never empty.
        head = [c for c in cells[:3 + len(cells) - width] if c]
        rest = cells[3 + len(cells) - width:]
        if len(head) == 3 and len(head) + len(rest) == width:
            return head + rest, "No.・課名・タイトルの間の空のセルを詰めました"
    return cells, f"セル数が{len(cells)} (見出しは{width}) のため区分を読み取れません"


def _parse_row(r: _Reader, table: _ListTable, index: int, columns: dict[str, int],
               labels: list[tuple[str, int]], width: int, department: str | None) -> Initiative | None:
    line = index + 1
    cells, note = _fit_width(tab_cells(r.doc.lines[index]), width)
    readable = note is None or note.startswith("No.")
    if not readable:
        # The first three cells and the last one keep their meaning when cells were lost inside.
        columns = {"no": 0, "dept": 1, "title": 2, "count": len(cells) - 1}
    if len(cells) < 3 or max(columns["no"], columns["dept"], columns["title"]) >= len(cells):
        r.issue(QualityKind.SKIPPED, f"令和{table.year - 2018}年度 取組一覧表の行を読み取れません", (line,),
                "この行は取り込みませんでした")
        return None
    code = nfkc(cells[columns["no"]])
    if not RE_INT.match(code):
        r.issue(QualityKind.SKIPPED, f"令和{table.year - 2018}年度 取組一覧表: No. の列「{code}」が番号ではありません",
                (line,), "この行は取り込みませんでした")
        return None
    dept, title = clean_text(cells[columns["dept"]]), clean_text(cells[columns["title"]])
    key = f"{LEVEL}:{table.year}:{code}"
    if not dept or not title:
        r.issue(QualityKind.SKIPPED, f"{key}: 課名またはタイトルが空です", (line,), "この行は取り込みませんでした", key)
        return None
    if note:
        r.issue(QualityKind.REPAIR, f"{key}: {note}", (line,),
                "区分は空として取り込みました" if not readable else "詰めた行として取り込みました", key)
    themes = []
    if readable:
        for label, position in labels:
            mark = cells[position] if position < len(cells) else ""
            if mark in MARKS:
                themes.append(label)
            elif mark:
                r.issue(QualityKind.SKIPPED, f"{key}: 区分「{label}」の印「{mark}」を読み取れません", (line,),
                        "印なしとして扱いました", key)
    count_text = nfkc(cells[columns["count"]]) if columns["count"] < len(cells) else ""
    count = int(count_text) if RE_INT.match(count_text) else None
    if count is None:
        r.issue(QualityKind.SKIPPED, f"{key}: 共同実施者数「{count_text}」を読み取れません", (line,),
                "共同実施者数は NULL としました", key)
    if department is None:
        r.issue(QualityKind.INFO, f"{key}: 行の上に部の行がありません", (line,), "部は NULL としました", key)
    return Initiative(key=key, level=LEVEL, code=code, title=title, line=line,
                      fiscal_year=table.year, departments=[dept], themes=themes,
                      extra={"部": department, "共同実施者数": count},
                      copy=f"令和{table.year - 2018}年度 取組一覧表", rank=0)


def _parse_list(r: _Reader, heading: int, year: int, end: int) -> _ListTable:
    table = _ListTable(year, heading)
    body, columns, labels, width = _list_header(r, heading)
    department: str | None = None
    for i in range(body + 1, end):
        cells = tab_cells(r.doc.lines[i])
        if not any(cells):
            continue
        if RE_INT.match(nfkc(cells[0])):
            row = _parse_row(r, table, i, columns, labels, width, department)
            if row is not None:
                table.rows.append(row)
        elif cells[0] and not any(cells[1:]):
            department = clean_text(cells[0])  # a 部 row: applies to the rows below it
        else:
            r.issue(QualityKind.SKIPPED, f"令和{year - 2018}年度 取組一覧表: 取組の行でも部の行でもありません",
                    (i + 1,), "この行は取り込みませんでした")
    _check_numbering(r, table)
    return table


def _check_numbering(r: _Reader, table: _ListTable) -> None:
    if not table.rows:
        raise r.fail(table.heading, f"令和{table.year - 2018}年度 取組一覧表の取組の行")
    seen: dict[str, int] = {}
    for row in table.rows:
        if row.code in seen:
            # Keys must be unique: a repeated No. means the table itself is garbled.
            raise r.fail(row.line - 1, f"取組一覧表で一度だけ現れる No. {row.code}")
        seen[row.code] = row.line
    # Rows are numbered 1..N; compare against the row count (linear, whatever the numbers say).
    numbers = {int(c) for c in seen}
    expected = set(range(1, len(numbers) + 1))
    missing, unexpected = sorted(expected - numbers), sorted(numbers - expected)
    if missing or unexpected:
        r.issue(QualityKind.INFO, f"令和{table.year - 2018}年度 取組一覧表の No. が 1〜{len(numbers)} の連番ではありません "
                f"(欠番: {', '.join(map(str, missing)) or 'なし'} / 範囲外: {', '.join(map(str, unexpected)) or 'なし'})",
                (table.heading + 1,), "印刷されている行だけを取り込みました")


def _parse_lists(r: _Reader, start: int) -> list[_ListTable]:
    headings = _list_headings(r, start)
    tables = []
    for n, (index, year) in enumerate(headings):
        end = headings[n + 1][0] if n + 1 < len(headings) else len(r.doc.lines)
        if any(t.year == year for t in tables):
            raise r.fail(index, f"令和{year - 2018}年度の取組一覧表は一つだけ")
        tables.append(_parse_list(r, index, year, end))
    return tables


# ----------------------------------------------------------------------------- awards


def _parse_award_tables(r: _Reader, start: int, end: int,
                        titles: dict[int, dict[str, Initiative]]) -> tuple[list[Award], set[int]]:
    awards: list[Award] = []
    years: set[int] = set()
    year: int | None = None
    award: str | None = None
    for i in range(start, end):
        text = r.doc.lines[i].strip()
        if not text:
            continue
        m = RE_AWARD_HEADING.match(r.keys[i])
        if m:
            year, award = _year(m.group(1)), None
            if year in years:
                raise r.fail(i, f"令和{year - 2018}年度の優秀取組等実施者の表は一つだけ")
            years.add(year)
            continue
        cells = tab_cells(r.doc.lines[i])
        if match_key(cells[0]) == "種別":
            continue  # header row
        kind = RE_AWARD_WORD.match(match_key(cells[0]))
        row = RE_AWARD_ROW.search("\t".join(cells[1:]).strip())
        if year is None or row is None or (cells[0] and kind is None):
            r.issue(QualityKind.SKIPPED, "優秀取組等実施者の表: 行を読み取れません", (i + 1,), "この行は取り込みませんでした")
            continue
        if kind:
            award = kind.group(1)
        if award is None:
            r.issue(QualityKind.SKIPPED, "優秀取組等実施者の表: 種別が空欄で上の行もありません", (i + 1,),
                    "この行は取り込みませんでした")
            continue
        title, winner = clean_text(row.group("title")), clean_text(row.group("winner"))
        awards.append(_link_award(r, Award(PROGRAM, year, award, title, i + 1, None, winner), titles))
    return awards, years


def _link_award(r: _Reader, award: Award, titles: dict[int, dict[str, Initiative]]) -> Award:
    row = titles.get(award.fiscal_year or 0, {}).get(match_key(award.title))
    where = f"令和{(award.fiscal_year or 0) - 2018}年度 {award.award}取組「{award.title}」"
    if row is None:
        r.issue(QualityKind.UNMATCHED, f"{where}に一致する取組一覧表の行がありません", (award.line,),
                "取組に結び付けずに取り込みました")
        return award
    award.initiative_key = row.key
    winner_dept = (award.winner or "").removesuffix("職員")
    if winner_dept and winner_dept not in row.departments:
        r.issue(QualityKind.DISAGREEMENT,
                f"{where}の実施者が表彰の表では「{award.winner}」、取組一覧表では「{'、'.join(row.departments)}」です",
                (award.line, row.line), "どちらも印字のまま保持しました (取組の課は取組一覧表の値)", row.key)
    return award


# ----------------------------------------------------------------------------- top departments


def _top_row(cells: list[str]) -> dict | None:
    """Cells are recognised by their suffix (位, 件, 人), so a misaligned header does not matter."""
    row: dict = {}
    for cell in cells:
        c = nfkc(cell).strip()
        if (m := RE_RANK.match(c)) and "rank" not in row:
            row["rank"] = int(m.group(1))
        elif (m := RE_COUNT.match(c)) and "count" not in row:
            row["count"] = float(m.group(1))
        elif (m := RE_PEOPLE.match(c)) and "participants" not in row:
            row["participants"] = int(m.group(1))
        elif c and "department" not in row:
            row["department"] = clean_text(cell)
        elif c:
            return None
    return row if len(row) == 4 else None


def _parse_top_tables(r: _Reader, start: int, end: int) -> tuple[list[dict], set[int]]:
    rows: list[dict] = []
    years: set[int] = set()
    year: int | None = None
    for i in range(start, end):
        text = r.doc.lines[i].strip()
        if not text or text.startswith("※"):
            continue  # blank, or the tie-break note used by cross_check
        m = RE_TOP_HEADING.match(r.keys[i])
        if m:
            year = _year(m.group(1))
            if year in years:
                raise r.fail(i, f"令和{year - 2018}年度の最多取組実施部署の表は一つだけ")
            years.add(year)
            continue
        cells = tab_cells(r.doc.lines[i])
        if match_key(cells[0]) == "順位":
            continue  # header row
        row = _top_row(cells)
        if year is None or row is None:
            r.issue(QualityKind.SKIPPED, "最多取組実施部署の表: 行を読み取れません", (i + 1,), "この行は取り込みませんでした")
            continue
        rows.append({"fiscal_year": year, "rank": row["rank"], "department": row["department"],
                     "count": row["count"], "participants": row["participants"], "line": i + 1})
    return rows, years


# ----------------------------------------------------------------------------- stated counts


def _parse_stated_counts(r: _Reader, start: int, end: int) -> list[dict]:
    rows = []
    body = [i for i in range(start, end) if r.doc.lines[i].strip()]
    for i in body:
        for m in RE_STATED_COUNT.finditer(r.keys[i]):
            rows.append({"fiscal_year": _year(m.group(1)), "label": clean_text(r.doc.lines[i]),
                         "count": int(m.group(2)), "line": i + 1})
    if not body:
        r.issue(QualityKind.INFO, "「④ 報告取組数、優秀取組等の選考について」の本文が文書にありません", (start,),
                "報告取組数は照合できませんでした")
    return rows


# ----------------------------------------------------------------------------- award write-ups


@dataclass
class _Page:
    initiative: Initiative
    award: str | None
    line: int  # title line
    # (heading, heading line, [(line, text), ...])
    sections: list[tuple[str, int, list[tuple[int, str]]]] = field(default_factory=list)
    state: str = "sections"  # sections | comment | comment_gap | figure
    figure: list[int] = field(default_factory=list)


def _section_of(key: str) -> str | None:
    if key.startswith("実施者のコメント"):
        return "実施者のコメント"
    return key if key in SECTIONS else None


def _display(text: str) -> str:
    return RE_BULLET.sub("", RE_BOLD.sub("", text)).strip()


def _page_heading(r: _Reader, i: int, skip: set[int]) -> tuple[int, str | None] | None:
    m = RE_PAGE_HEADING.match(r.keys[i])
    if not m:
        return None
    award = m.group(2)
    following = r.next[i]
    if award is None and following < len(r.keys) and (w := RE_AWARD_WORD.match(r.keys[following])):
        award = w.group(0)
        skip.add(following)
        r.issue(QualityKind.REPAIR, f"見出し「{r.doc.lines[i].strip()}」と「{award}」が別の行に分かれています",
                (i + 1, following + 1), "一つの見出しとして読みました")
    return _year(m.group(1)), award.removesuffix("取組") if award else None


def _feed(page: _Page, i: int, text: str, key: str) -> None:
    """One line of a write-up: section headings in order, then the comment, then the figure."""
    section = _section_of(key)
    order = SECTIONS.index(page.sections[-1][0]) if page.sections else -1
    if page.state == "sections" and section and SECTIONS.index(section) > order:
        page.sections.append((section, i + 1, []))
        page.state = "comment" if section == "実施者のコメント" else "sections"
    elif page.state == "sections":
        if text and page.sections:
            page.sections[-1][2].append((i + 1, _display(text)))
    elif page.state == "comment":
        if text:
            page.sections[-1][2].append((i + 1, _display(text)))
        elif page.sections[-1][2]:
            page.state = "comment_gap"
    elif page.state == "comment_gap" and text:
        if section is None and len(text) >= MIN_COMMENT_PARAGRAPH:
            page.sections[-1][2].append((i + 1, _display(text)))
            page.state = "comment"
        else:
            page.state = "figure"
            page.figure.append(i + 1)
    elif page.state == "figure" and text:
        page.figure.append(i + 1)


def _finish(r: _Reader, page: _Page, out: list[Narrative]) -> None:
    init = page.initiative
    found = {name for name, _, texts in page.sections if texts}
    for name, _, texts in page.sections:
        if texts:
            out.append(Narrative(init.key, init.fiscal_year, name, "\n".join(t for _, t in texts),
                                 texts[0][0]))
    missing = [s for s in SECTIONS if s not in found]
    if missing:
        r.issue(QualityKind.INFO, f"{init.key}「{init.title}」の紹介に「{'」「'.join(missing)}」の本文がありません",
                (page.line,), "ある見出しだけを取り込みました", init.key)
    if page.figure:
        r.issue(QualityKind.SKIPPED, f"{init.key} の紹介ページの図版の文字 {len(page.figure)} 行 "
                f"({page.figure[0]}–{page.figure[-1]}行) は記述として取り込んでいません",
                (page.figure[0], page.figure[-1]), "図の中の文字のため対象外", init.key)


def _parse_pages(r: _Reader, start: int, end: int, titles: dict[int, dict[str, Initiative]],
                 awards: list[Award]) -> list[Narrative]:
    narratives: list[Narrative] = []
    awarded = {a.initiative_key: a for a in awards if a.initiative_key}
    shown: set[str] = set()
    year: int | None = None
    award: str | None = None
    page: _Page | None = None
    stray: list[int] = []
    skip: set[int] = set()
    for i in range(start, end):
        if i in skip:
            continue
        text, key = r.doc.lines[i].strip(), r.keys[i]
        heading = _page_heading(r, i, skip)
        if heading:
            if page:
                _finish(r, page, narratives)
            page, (year, award) = None, heading
            continue
        row = titles.get(year or 0, {}).get(key) if key else None
        if row and r.next[i] < end and r.keys[r.next[i]] == "改善前":
            if page:
                _finish(r, page, narratives)
            page = _page_start(r, row, award, i, awarded, shown)
        elif page:
            _feed(page, i, text, key)
        elif text:
            stray.append(i + 1)
    if page:
        _finish(r, page, narratives)
    if stray:
        r.issue(QualityKind.SKIPPED, f"優秀取組等の紹介: 取組名の見出しに属さない {len(stray)} 行があります",
                (stray[0], stray[-1]), "取り込みませんでした")
    for a in awards:
        if a.initiative_key and a.initiative_key not in shown:
            r.issue(QualityKind.INFO, f"{a.initiative_key}「{a.title}」の紹介ページがありません", (a.line,),
                    "表彰の記録だけを取り込みました", a.initiative_key)
    return narratives


def _page_start(r: _Reader, row: Initiative, award: str | None, i: int,
                awarded: dict[str, Award], shown: set[str]) -> _Page:
    shown.add(row.key)
    listed = awarded.get(row.key)
    if listed is None:
        r.issue(QualityKind.INFO, f"{row.key}「{row.title}」は紹介ページにありますが表彰の表にありません",
                (i + 1,), "記述だけを取り込みました", row.key)
    elif award and listed.award != award:
        r.issue(QualityKind.DISAGREEMENT, f"{row.key} の表彰の種別が表では「{listed.award}」、紹介ページでは「{award}」です",
                (listed.line, i + 1), "表の値を採用しました", row.key)
    return _Page(row, award, i + 1)


# ----------------------------------------------------------------------------- entry points


def parse(doc: SourceDocument) -> Extract:
    r = _Reader(doc)
    stated = r.find(RE_STATED_ANCHOR, 0, "見出し「④ 報告取組数、優秀取組等の選考について」")
    awards_at = r.find(RE_AWARDS_ANCHOR, stated + 1, "見出し「⑤ 優秀取組等について」")
    top_at = r.find(RE_TOP_ANCHOR, awards_at + 1, "見出し「⑥ 最多取組実施部署について」")
    pages_at = r.find(RE_PAGES_ANCHOR, top_at + 1, "見出し「4 優秀取組等の紹介」")
    lists = _parse_lists(r, pages_at + 1)
    years = {t.year for t in lists}
    titles: dict[int, dict[str, Initiative]] = defaultdict(dict)
    for t in lists:
        for row in t.rows:
            titles[t.year].setdefault(match_key(row.title), row)
    stated_rows = _parse_stated_counts(r, stated + 1, awards_at)
    awards, award_years = _parse_award_tables(r, awards_at + 1, top_at, titles)
    top_rows, top_years = _parse_top_tables(r, top_at + 1, pages_at)
    for found, what, at in ((award_years, "優秀取組等実施者の表", awards_at),
                            (top_years, "最多取組実施部署の表", top_at)):
        if found != years:
            wanted = "・".join(f"令和{y - 2018}年度" for y in sorted(years))
            raise r.fail(at, f"{wanted}の{what} (取組一覧表と同じ年度)")
    narratives = _parse_pages(r, pages_at + 1, lists[0].heading, titles, awards)
    tables = {TOP_TABLE: top_rows}
    if stated_rows:  # the document's ④ section is empty; keep the table only when it says something
        tables[STATED_TABLE] = stated_rows
    initiatives = [row for t in lists for row in t.rows]
    # amounts in the award pages' text (「概ね500万円から1千万円程度の経費削減」), with their sentence
    effects = narrative_effects(doc, narratives, {i.key: i.title for i in initiatives})
    return Extract(initiatives=initiatives, narratives=narratives, fiscal_effects=effects,
                   awards=awards, issues=r.issues, tables=tables)


def _shown(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def cross_check(extract: Extract) -> list[Issue]:
    """Recompute the document's stated aggregates from the (reconciled) lists.

    - 最多取組実施部署: 件数 = rows per 課 and year; 参加者数 = Σ (1 implementer + 共同実施者数),
      the reading that reproduces the published figures; no unpublished 課 may have more
      initiatives than the last published one; the published order follows the ※ rule
      (more initiatives first, ties: more participants first).
    - ④ 報告取組数 (when stated): rows per year.
    """
    rows_by: dict[tuple[int, str], list[Initiative]] = defaultdict(list)
    per_year: dict[int, int] = defaultdict(int)
    for i in extract.initiatives:
        if i.level == LEVEL and i.fiscal_year is not None and i.departments:
            rows_by[(i.fiscal_year, i.departments[0])].append(i)
            per_year[i.fiscal_year] += 1
    issues: list[Issue] = []
    top = extract.tables.get(TOP_TABLE, [])
    for row in top:
        issues.extend(_check_top_row(row, rows_by.get((row["fiscal_year"], row["department"]), [])))
    issues.extend(_check_top_order(top, rows_by))
    for row in extract.tables.get(STATED_TABLE, []):
        actual = per_year.get(row["fiscal_year"], 0)
        if actual != row["count"]:
            issues.append(Issue(QualityKind.MISMATCH, f"令和{row['fiscal_year'] - 2018}年度 報告取組数: 文書では "
                                f"{row['count']}件、取組一覧表の行数は {actual}件", (row["line"],),
                                "取組一覧表の行をそのまま取り込みました"))
    return issues


def _check_top_row(row: dict, rows: list[Initiative]) -> list[Issue]:
    where = f"令和{row['fiscal_year'] - 2018}年度 最多取組実施部署 {row['rank']}位 {row['department']}"
    listed = ", ".join(f"No.{i.code}" for i in rows) or "該当なし"
    lines = (row["line"], *(i.line for i in rows))
    issues = []
    if len(rows) != row["count"]:
        issues.append(Issue(QualityKind.MISMATCH, f"{where}: 公表の件数 {_shown(row['count'])}件、取組一覧表からの再集計 "
                            f"{len(rows)}件 ({listed})", lines, "公表値と一覧表の行をどちらもそのまま保持しました"))
    counts = [i.extra.get("共同実施者数") for i in rows]
    if rows and all(isinstance(c, int) for c in counts):
        people = sum(1 + c for c in counts)
        if people != row["participants"]:
            issues.append(Issue(QualityKind.MISMATCH, f"{where}: 公表の参加者数 {row['participants']}人、取組一覧表からの再集計 "
                                f"{people}人 (取組ごとに実施者1人＋共同実施者数)", lines,
                                "公表値と一覧表の行をどちらもそのまま保持しました"))
    return issues


def _check_top_order(top: list[dict], rows_by: dict[tuple[int, str], list[Initiative]]) -> list[Issue]:
    issues = []
    by_year: dict[int, list[dict]] = defaultdict(list)
    for row in top:
        by_year[row["fiscal_year"]].append(row)
    for year, rows in by_year.items():
        rows.sort(key=lambda x: x["rank"])
        for upper, lower in zip(rows, rows[1:]):
            if (lower["count"], lower["participants"]) > (upper["count"], upper["participants"]):
                issues.append(Issue(QualityKind.MISMATCH, f"令和{year - 2018}年度 最多取組実施部署: {lower['rank']}位 "
                                    f"{lower['department']} が {upper['rank']}位 {upper['department']} より"
                                    "件数・参加者数で上回っています (※ の順位付けの規則と合いません)",
                                    (upper["line"], lower["line"]), "公表の順位をそのまま保持しました"))
        published = {row["department"] for row in rows}
        floor = min(row["count"] for row in rows)
        for (fy, dept), listed in sorted(rows_by.items()):
            if fy == year and dept not in published and len(listed) > floor:
                issues.append(Issue(QualityKind.MISMATCH, f"令和{year - 2018}年度 最多取組実施部署: 表にない {dept} の取組が "
                                    f"{len(listed)}件あり、公表の最下位 ({_shown(floor)}件) を上回ります",
                                    (rows[-1]["line"], *(i.line for i in listed)),
                                    "公表の表をそのまま保持しました"))
    return issues
