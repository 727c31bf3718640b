"""Parser for 前橋市 【参考】 R3年度のWG活動実績 (R4.3.22 庁議報告資料を集約), ``maebashi-wg-r3``.

Japanese terms used below, glossed once:
WG (ワーキンググループ, a working group of the city's DX programme), WG活動一覧 (index of the
WGs), 目指す未来 (the future a WG aims at: the index's one-line goal), 該当頁 (pages of the
original slide deck), 詳細頁 (a WG's detail page), 項目/内容 (item/content: the header of the
detail table), the eight fields 実現したい未来 (desired future), 背景・現状 (background and
current state), 課題 (problem), 原因 (cause), 解決策 (solution), 得られる効果（予測） (expected
effect), R3年度の取り組み (FY2021 activities), 今後の展開（スケジュール） (next steps), and
活動実績 (activity record: the slides that follow each WG's detail table). Figures found in the
slides: 出張申請 (off-site application desks for the My Number card), 交付 (card issuance),
事業所 (business establishments), 係長決裁 (approval by a sub-section chief instead of the
division head), 講座 (course).

Layout of the text: a title line, the heading "13のWG活動一覧" and the index table
(WG名 / 目指す未来 / 該当頁, one row per WG numbered ①..⑬); then for every WG a detail page
"WG名<TAB>⑨…WG" with a two-column table of the eight fields ①..⑧, followed by that WG's
activity slides (free text, sticky notes, a few tab-separated tables) up to the next detail page.

Records: one Initiative per WG from the index (rank 0: its names are the ones the rest of the
document uses, e.g. 「財務・文書システムWG」 l.293, 「ABW（新議会棟）WG」 l.1551) and one from the
detail page (rank 1); reconcile reports where the two names disagree. One Narrative per field
and one 活動実績 Narrative per WG with the slide text. Tabulated figures go to ``Extract.tables``
(``src_maebashi_*`` in the warehouse) with the aggregates the document states, which
``cross_check`` recomputes.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from etl.errors import SourceFormatError
from etl.model import Extract, FiscalEffect, Initiative, Issue, Narrative, SourceDocument
from etl.money import describe, evidence_with_working
from etl.normalize import clean_text, fiscal_year, match_key, nfkc, parse_number, yen_amounts
from etl.sources._text import TAG_RE, filled_tab_cells, tab_cells
from vocab import QualityKind

LEVEL = "WG"
INDEX_COPY = "13のWG活動一覧"
DETAIL_COPY = "WG詳細頁"
ACTIVITY_SECTION = "活動実績"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# Canonical section per field number: the document's own label in its most frequent wording.
SECTIONS = {1: "実現したい未来", 2: "背景・現状", 3: "課題", 4: "原因", 5: "解決策",
            6: "得られる効果（予測）", 7: "R3年度の取り組み", 8: "今後の展開（スケジュール）"}
FIELD_COUNT = len(SECTIONS)

_TITLE_RE = re.compile(r"R\s*\d+\s*年度の\s*WG活動実績")
_INDEX_HEADING_RE = re.compile(r"^\s*(\d+)\s*のWG活動一覧")
_INDEX_HEADER = ["WG名", "目指す未来", "該当頁"]
_INDEX_ROW_RE = re.compile(rf"^\s*([{CIRCLED}])(.*)$")
_DETAIL_RE = re.compile(rf"^WG名\t\s*([{CIRCLED}])(.*?)\s*$")
_FIELD_RE = re.compile(r"^\s*([①②③④⑤⑥⑦⑧])([^\t]*)\t(.*)$")
_SEPARATOR_RE = re.compile(r"^[\s\-]*$")
_FIELD_HEADER_KEYS = {"項目内容"}
_SMALL_RE = re.compile(r"<small>(.*?)(?:</small>|$)", re.S)
_PAGES_RE = re.compile(r"^(\d+)\s*[-‐－ー~～]\s*(\d+)$")
# Letter-spaced Latin capitals ("B P R") and a space between Japanese text and "WG": both are
# PDF layout artefacts in the WG names (the detail pages print the same names without them).
_SPACED_CAPS_RE = re.compile(r"(?<![A-Za-z])[A-Z](?: [A-Z])+(?![A-Za-z])")
_SPACE_BEFORE_WG_RE = re.compile(r"(?<=[^\x00-\x7f])[ \u3000]+(?=WG)")
_NOTE_RE = re.compile(r"\s+(※.*)$")
# Lines an image-captioning step injected into the text (English descriptions of a photo of
# sticky notes), not the document's own words.
_IMAGE_CAPTION_RE = re.compile(r"\bNotes include\b|^The (?:board|image|slide|photo) ")
_LIST_ITEM_RE = re.compile(r"\s+(?=・)")
_LIST_NUMBER_RE = re.compile(rf"\s+(?=[{CIRCLED}])")
_BOLD_RE = re.compile(r"\*\*")
_DASH_ITEM_RE = re.compile(r"^-\s+")
_CARD_PHASE_RE = re.compile(r"^(Before|After)\s*[（(](.+?)[）)]")
_COUNT_RATE_RE = re.compile(r"^([\d,]+)\s*件\s*[（(]\s*([\d.]+)\s*%\s*[）)]$")
_RATIO_RE = re.compile(r"(約)?\s*([\d.]+)\s*%\s*[（(]\s*([\d,]+)\s*[／/]\s*([\d,]+)\s*件?\s*[）)]")
_COURSE_TOTAL_RE = re.compile(r"計\s*([\d,]+)\s*講座\s*[（(]\s*([\d,]+)\s*名\s*[）)]")
_COURSE_PART_RE = re.compile(r"(?<!計)(?<![\d,])([\d,]+)\s*講座\s*[（(]\s*([\d,]+)\s*名\s*[）)]")
_VALUE_UNIT_RE = re.compile(r"([\d,]+(?:\.\d+)?)\s*([^\d\s.,]*)\s*$")
_SAVING_RE = re.compile(r"[^\s、。：]{0,2}削減")


def _circled(ch: str) -> int:
    return CIRCLED.index(ch) + 1


def _key(number: int) -> str:
    return f"WG:{number}"


def _fix_spacing(text: str) -> str:
    text = _SPACED_CAPS_RE.sub(lambda m: m.group(0).replace(" ", ""), text)
    return _SPACE_BEFORE_WG_RE.sub("", text)


def _html_to_text(text: str) -> str:
    """Inline HTML list/paragraph fragments -> one item per line, tags removed."""
    text = re.sub(r"</p>\s*<p>", "\n", text)
    head, sep, tail = text.partition("<ul")
    if sep:  # items after a <ul> start with ・ or a circled number
        tail = _LIST_NUMBER_RE.sub("\n", TAG_RE.sub(" ", sep + tail))
        text = head + "\n" + tail
    text = _LIST_ITEM_RE.sub("\n", TAG_RE.sub(" ", text))
    lines = [clean_text(line).replace("・ ", "・") for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


class _Page:
    """One WG detail page: heading line, fields and the range of its activity slides."""

    def __init__(self, number: int, line: int, raw_title: str):
        self.number, self.line, self.raw_title = number, line, raw_title
        self.fields: dict[int, tuple[int, str, str]] = {}  # no -> (line, printed label, text)
        self.activity: tuple[int, int] = (0, 0)  # 0-based [start, end) in doc.lines
        self.last_field_index = line - 1  # 0-based index of the last table line read


class _Parser:
    def __init__(self, doc: SourceDocument):
        self.doc = doc
        self.lines = doc.lines
        self.out = Extract()
        self.tables: dict[str, list[dict[str, Any]]] = defaultdict(list)

    # -- helpers ------------------------------------------------------------------------
    def fail(self, index: int | None, expected: str) -> SourceFormatError:
        inside = index is not None and 0 <= index < len(self.lines)
        found = self.lines[index] if inside else "(文書の終わり)"
        line = index + 1 if inside else (len(self.lines) or None)
        return SourceFormatError(self.doc.file, line, expected, found.strip())

    def issue(self, kind: str, message: str, lines: tuple[int, ...], resolution: str = "",
              key: str | None = None) -> None:
        self.out.issues.append(Issue(kind, message, lines, resolution, key))

    # -- structure ------------------------------------------------------------------------
    def run(self) -> Extract:
        year, title_index = self.find_title()
        heading_index, stated = self.find_index_heading(title_index)
        pages_start = self.read_index(heading_index, stated, year)
        pages = self.find_pages(pages_start, stated)
        for page in pages:
            self.read_page(page, year)
        self.out.tables = dict(self.tables)
        return self.out

    def find_title(self) -> tuple[int, int]:
        for i, line in enumerate(self.lines[:20]):
            text = nfkc(line)
            if _TITLE_RE.search(text):
                year = fiscal_year(text)
                if year is None:
                    break
                return year, i
        raise self.fail(0, "表題「R3年度のWG活動実績」")

    def find_index_heading(self, start: int) -> tuple[int, int]:
        for i in range(start, min(start + 20, len(self.lines))):
            m = _INDEX_HEADING_RE.match(nfkc(self.lines[i]))
            if m:
                return i, int(m.group(1))
        raise self.fail(start, "見出し「13のWG活動一覧」")

    def read_index(self, heading: int, stated: int, year: int) -> int:
        """Index rows after the header; returns where the detail pages start."""
        i = heading + 1
        while i < len(self.lines) and not self.lines[i].strip():
            i += 1
        if i >= len(self.lines) or [match_key(c) for c in self.lines[i].split("\t")] != _INDEX_HEADER:
            raise self.fail(i, "WG活動一覧の見出し行 (WG名 / 目指す未来 / 該当頁)")
        self.tables["maebashi_wg_pages"].append(self.page_row(None, "見出し", heading + 1, stated=stated))
        seen: set[int] = set()
        i += 1
        while i < len(self.lines):
            raw = self.lines[i]
            if not raw.strip() or raw.startswith("WG名"):
                break
            self.read_index_row(i, raw, year, seen)
            i += 1
        if not seen:
            raise self.fail(i, "WG活動一覧の行 (①…)")
        return i

    def page_row(self, number: int | None, copy: str, line: int, stated: int | None = None,
                 pages: tuple[int | None, int | None] = (None, None)) -> dict[str, Any]:
        return {"wg": number, "copy": copy, "line": line, "stated_count": stated,
                "page_from": pages[0], "page_to": pages[1]}

    def read_index_row(self, i: int, raw: str, year: int, seen: set[int]) -> None:
        line = i + 1
        m = _INDEX_ROW_RE.match(raw)
        cells = tab_cells(m.group(2)) if m else []
        while cells and not cells[-1]:
            cells.pop()
        if not m or len(cells) != 3 or not cells[0]:
            self.issue(QualityKind.SKIPPED, f"WG活動一覧の行を読み取れません: 「{raw.strip()}」", (line,),
                       "この行は取り込みませんでした")
            return
        number = _circled(m.group(1))
        if number in seen:
            self.issue(QualityKind.SKIPPED, f"WG活動一覧で {m.group(1)} が重複しています: 「{raw.strip()}」",
                       (line,), "最初の行を採用し、この行は取り込みませんでした", _key(number))
            return
        seen.add(number)
        name_cell, goal, pages = cells
        small = _SMALL_RE.search(name_cell)
        english = clean_text(TAG_RE.sub(" ", small.group(1))) if small else ""
        printed_name = clean_text(TAG_RE.sub(" ", _SMALL_RE.sub(" ", name_cell)))
        title = self.fixed(printed_name, "WG名", line, _key(number))
        goal = self.fixed(clean_text(goal), "目指す未来", line, _key(number))
        extra: dict[str, Any] = {"目指す未来": goal, "該当頁": pages}
        if english:
            extra["英語表記"] = english
        page_match = _PAGES_RE.match(nfkc(pages))
        span = (int(page_match.group(1)), int(page_match.group(2))) if page_match else (None, None)
        if not page_match:
            self.issue(QualityKind.UNPARSED, f"{_key(number)} の該当頁「{pages}」を頁範囲として読めません", (line,),
                       "該当頁は表記のまま extra に保存", _key(number))
        self.tables["maebashi_wg_pages"].append(self.page_row(number, "index", line, pages=span))
        self.out.initiatives.append(Initiative(
            key=_key(number), level=LEVEL, code=str(number), title=title, line=line,
            fiscal_year=year, extra=extra, copy=INDEX_COPY, rank=0))

    def fixed(self, printed: str, what: str, line: int, key: str) -> str:
        fixed = _fix_spacing(printed)
        if fixed != printed:
            self.issue(QualityKind.REPAIR, f"{key} の{what}の字間の空白を詰めました: 「{printed}」→「{fixed}」", (line,),
                       "規則: 1字ずつ空白で区切られた英大文字を連結し、和文と「WG」の間の空白を除去", key)
        return fixed

    def find_pages(self, start: int, stated: int) -> list[_Page]:
        pages: list[_Page] = []
        for i in range(start, len(self.lines)):
            m = _DETAIL_RE.match(self.lines[i])
            if not m:
                continue
            number = _circled(m.group(1))
            if pages and number <= pages[-1].number:
                raise self.fail(i, f"{CIRCLED[pages[-1].number - 1]}より後の番号のWG詳細頁 (順序の乱れ・重複)")
            pages.append(_Page(number, i + 1, m.group(2)))
        if not pages:
            raise self.fail(start, "WG詳細頁 (「WG名<TAB>①…」の行)")
        if pages[-1].number != stated:
            raise self.fail(len(self.lines) - 1,
                            f"最後のWG詳細頁 {CIRCLED[min(stated, len(CIRCLED)) - 1]} (文書が途中で切れています)")
        for page, following in zip(pages, pages[1:] + [None]):
            end = following.line - 1 if following else len(self.lines)
            self.read_fields(page, end)
            page.activity = (page.last_field_index + 1, end)
        last = pages[-1]
        if max(last.fields, default=0) < FIELD_COUNT and not any(
                self.lines[j].strip() for j in range(*last.activity)):
            raise self.fail(len(self.lines) - 1, "最後のWG詳細頁の8項目 (文書が途中で切れています)")
        return pages

    def read_fields(self, page: _Page, end: int) -> None:
        """The two-column table of ①..⑧ right after the heading; blanks/separators allowed."""
        i = page.line  # 0-based index of the line after the heading
        while i < end:
            raw = self.lines[i]
            if _SEPARATOR_RE.match(raw) or match_key(raw) in _FIELD_HEADER_KEYS:
                i += 1
                continue
            m = _FIELD_RE.match(raw)
            if not m:
                break
            number = _circled(m.group(1))
            if page.fields and number <= max(page.fields):
                self.issue(QualityKind.SKIPPED, f"{_key(page.number)} の項目 {m.group(1)} が順序どおりでありません: "
                                      f"「{raw.strip()[:60]}」", (i + 1,),
                           "この行は取り込みませんでした", _key(page.number))
            else:
                page.fields[number] = (i + 1, m.group(2), m.group(3))
            page.last_field_index = i
            i += 1
            if number == FIELD_COUNT:
                break

    # -- records --------------------------------------------------------------------------
    def read_page(self, page: _Page, year: int) -> None:
        key = _key(page.number)
        title = clean_text(page.raw_title)
        extra: dict[str, Any] = {}
        note = _NOTE_RE.search(title)
        if note:
            extra["注記"] = note.group(1)
            title = title[: note.start()].strip()
        title = self.fixed(title, "WG名 (詳細頁)", page.line, key)
        self.tables["maebashi_wg_pages"].append(self.page_row(page.number, "detail", page.line))
        self.out.initiatives.append(Initiative(
            key=key, level=LEVEL, code=str(page.number), title=title, line=page.line,
            fiscal_year=year, extra=extra, copy=DETAIL_COPY, rank=1))
        for number, (line, label, text) in sorted(page.fields.items()):
            self.read_field(key, number, line, label, text, year)
        self.read_activity(page, key, year)

    def read_field(self, key: str, number: int, line: int, label: str, raw: str, year: int) -> None:
        section = SECTIONS[number]
        printed = clean_text(label)
        if match_key(printed) != match_key(section):
            self.issue(QualityKind.INFO, f"{key} の項目見出し「{CIRCLED[number - 1]}{printed}」を「{section}」として読みました",
                       (line,), "見出しの表記ゆれを統一", key)
        text = _html_to_text(raw)
        if not text:
            return  # reported by cross_check as a missing field
        self.out.narratives.append(Narrative(key, year, section, text, line))
        self.fiscal_effects(key, number, line, text)
        self.ratios(key, line, text)
        if number == 7:
            self.courses(key, line, text)

    def fiscal_effects(self, key: str, number: int, line: int, text: str) -> None:
        """Yen amounts in the WG's own fields that the sentence calls a saving (削減)."""
        for clause in re.split(r"\s+|\n", text):
            saving = _SAVING_RE.search(clause)
            found = yen_amounts(clause)
            for amount in found:
                if not saving:
                    self.issue(QualityKind.INFO, f"{key} の金額「{amount.text}」は効果額と明示されていません: 「{clause}」",
                               (line,), "財政効果には計上せず本文として保存", key)
                    continue
                # ⑥得られる効果 is the effect the WG expects, not one achieved
                meaning = describe(clause, amount, found, basis="見込" if number == 6 else None)
                self.out.fiscal_effects.append(FiscalEffect(
                    key, None, amount.yen, meaning.kind, "sheet", evidence_with_working(clause, amount), line,
                    amount_max_yen=amount.high, basis=meaning.basis, recurrence=meaning.recurrence,
                    bound=meaning.bound))

    def ratios(self, key: str, line: int, text: str) -> None:
        for m in _RATIO_RE.finditer(nfkc(text)):
            percent = parse_number(m.group(2))
            if percent is None:
                continue
            self.tables["maebashi_ratios"].append({
                "initiative_key": key, "line": line, "text": m.group(0).strip(),
                "percent": percent, "numerator": parse_number(m.group(3)),
                "denominator": parse_number(m.group(4)), "approximate": bool(m.group(1))})

    def courses(self, key: str, line: int, text: str) -> None:
        for item in text.split("\n"):
            # \d and the bracket classes accept full-width forms, so match the printed text
            total = _COURSE_TOTAL_RE.search(item)
            parts = [] if total else list(_COURSE_PART_RE.finditer(item))
            for m, is_total in ([(total, True)] if total else [(p, False) for p in parts]):
                label = clean_text(item[: m.start()]).rstrip("：: ")
                self.tables["maebashi_courses"].append({
                    "initiative_key": key, "line": line, "label": label, "is_total": is_total,
                    "courses": parse_number(m.group(1)), "participants": parse_number(m.group(2))})

    def read_activity(self, page: _Page, key: str, year: int) -> None:
        start, end = page.activity
        kept: list[str] = []
        first = None
        caption_run: list[int] = []
        for i in range(start, end):
            raw = self.lines[i]
            if _IMAGE_CAPTION_RE.search(raw):
                caption_run.append(i + 1)
                continue
            text = self.activity_line(raw)
            if not text:
                continue
            if first is None:
                first = i + 1
            kept.append(text)
        if caption_run:
            self.issue(QualityKind.SKIPPED, f"{key} の活動実績に画像の英語説明文 (抽出時の生成物) が{len(caption_run)}行あります",
                       (caption_run[0], caption_run[-1]), "本文に含めませんでした", key)
        if kept and first is not None:
            self.out.narratives.append(Narrative(key, year, ACTIVITY_SECTION, "\n".join(kept), first))
        block = (start, end, key)
        self.card_status(*block)
        self.desk_applications(*block)
        self.establishments(*block)
        self.approval_estimate(*block)

    @staticmethod
    def activity_line(raw: str) -> str:
        raw = _BOLD_RE.sub("", raw)
        cells = [(_html_to_text(c).replace("\n", " ") if "<" in c else clean_text(c)) for c in raw.split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        return _DASH_ITEM_RE.sub("", " | ".join(cells).strip())

    # -- tables in the activity slides ----------------------------------------------------------
    def rows_after(self, header: int, end: int) -> list[tuple[int, list[str]]]:
        rows = []
        for i in range(header + 1, end):
            if not self.lines[i].strip():
                break
            rows.append((i, tab_cells(self.lines[i])))
        return rows

    def card_status(self, start: int, end: int, key: str) -> None:
        """Before/After table of My Number card applications and issuance (A, B, A-B)."""
        for i in range(start, end):
            m = _CARD_PHASE_RE.match(self.lines[i].strip())
            if not m or "\t" not in self.lines[i]:
                continue
            values = self.rows_after(i, end)
            cells = [c for c in values[0][1] if c] if values else []
            parsed = [_COUNT_RATE_RE.match(nfkc(c)) for c in cells]
            if len(parsed) != 3 or not all(parsed):
                self.issue(QualityKind.SKIPPED, f"{key} の交付状況表 ({m.group(1)}) の数値行を読み取れません",
                           (i + 1,), "本文 (活動実績) としてのみ保存", key)
                continue
            nums = [(parse_number(p.group(1)), parse_number(p.group(2))) for p in parsed if p]
            if any(None in pair for pair in nums):
                self.issue(QualityKind.SKIPPED, f"{key} の交付状況表 ({m.group(1)}) の数値を読み取れません",
                           (values[0][0] + 1,), "本文 (活動実績) としてのみ保存", key)
                continue
            self.tables["maebashi_card_status"].append({
                "initiative_key": key, "line": values[0][0] + 1, "phase": m.group(1),
                "as_of": m.group(2), "applied": nums[0][0], "applied_rate": nums[0][1],
                "issued": nums[1][0], "issued_rate": nums[1][1],
                "unissued": nums[2][0], "unissued_rate": nums[2][1]})

    def desk_applications(self, start: int, end: int, key: str) -> None:
        """Off-site application desks: per venue and half-year counts A-D, daily sum, venue sum."""
        for i in range(start, end):
            if not nfkc(self.lines[i][:8]).lstrip().startswith("日付"):  # cheap test first
                continue
            cells = [match_key(c) for c in self.lines[i].split("\t")]
            if cells[:2] != ["日付", "場所"] or len(cells) < 8:
                continue
            venue = ""
            for j, row in self.rows_after(i, end):
                numbers = [parse_number(c) for c in row[2:8]]
                if len(row) < 7 or any(n is None for n in numbers[:5]):
                    self.issue(QualityKind.SKIPPED, f"{key} の出張申請受付表の行を読み取れません: 「{self.lines[j].strip()}」",
                               (j + 1,), "本文 (活動実績) としてのみ保存", key)
                    continue
                is_total = match_key(row[0]) == "合計"
                venue = "" if is_total else (clean_text(row[1]).replace(" ", "") or venue)
                numbers += [None] * (6 - len(numbers))
                self.tables["maebashi_desk_applications"].append({
                    "initiative_key": key, "line": j + 1, "period": row[0], "venue": venue,
                    "is_total": is_total, "applications_a": numbers[0], "support_b": numbers[1],
                    "mytaku_applications_c": numbers[2], "mytaku_registrations_d": numbers[3],
                    "daily_sum": numbers[4], "venue_sum": numbers[5]})

    def establishments(self, start: int, end: int, key: str) -> None:
        """Establishments by number of employees (H28 economic census) with a 総数 row."""
        for i in range(start, end):
            if not nfkc(self.lines[i][:10]).lstrip().startswith("従業員規模"):  # cheap test first
                continue
            cells = [match_key(c) for c in self.lines[i].split("\t")]
            if cells[:1] != ["従業員規模"] or len(cells) != 5:
                continue
            for j, row in self.rows_after(i, end):
                row = (row + [""] * 5)[:5]
                share = self.percent(row[2], key, j, "事業所の割合")
                self.tables["maebashi_establishments"].append({
                    "initiative_key": key, "line": j + 1, "size": row[0], "is_total": row[0] == "総数",
                    "establishments": parse_number(row[1]), "establishments_share": share,
                    "employees": parse_number(row[3]),
                    "employees_share": self.percent(row[4], key, j, "従業員の割合", blank_ok=True),
                    "raw": "\t".join(row)})

    def percent(self, cell: str, key: str, j: int, what: str, blank_ok: bool = False) -> float | None:
        text = nfkc(cell).strip()
        if text.endswith("%") and parse_number(text[:-1]) is not None:
            return parse_number(text[:-1])
        if not (blank_ok and not text):
            self.issue(QualityKind.UNPARSED, f"{key} の表の{what}「{cell}」が百分率ではありません", (j + 1,),
                       "空欄として取り込み、原文は raw 列に保存", key)
        return None

    def approval_estimate(self, start: int, end: int, key: str) -> None:
        """係長決裁 estimate: stated saving (削減額) and the label/value rows that derive it."""
        for i in range(start, end):
            text = clean_text(self.lines[i])
            if text.startswith("削減額"):
                for amount in yen_amounts(text):
                    self.estimate_row(key, i, "削減額", text, float(amount.yen), "円")
            if not text.startswith("支出命令の件数"):
                continue
            for j in range(i, end):
                cells = filled_tab_cells(self.lines[j])
                if len(cells) != 2:
                    break
                m = _VALUE_UNIT_RE.search(nfkc(cells[1]))
                self.estimate_row(key, j, cells[0], cells[1], parse_number(m.group(1)) if m else None,
                                  m.group(2) if m else None)

    def estimate_row(self, key: str, index: int, label: str, raw: str, value: float | None,
                     unit: str | None) -> None:
        self.tables["maebashi_approval_estimate"].append({
            "initiative_key": key, "line": index + 1, "label": label, "raw": raw,
            "value": value, "unit": unit})


def parse(doc: SourceDocument) -> Extract:
    return _Parser(doc).run()


# -- validate stage -------------------------------------------------------------------------------
def _close(stated: float, computed: float, tolerance: float) -> bool:
    return abs(stated - computed) <= tolerance + 1e-9


def _half_unit(value: float) -> float:
    """Half of the last printed decimal place: 1.8 -> 0.05, 42.24 -> 0.005, 7 -> 0.5."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10 ** -decimals


def _fmt(value: float | None) -> str:
    if value is None:
        return "(空欄)"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _mismatch(what: str, stated: float | None, computed: float, lines: tuple[int, ...],
              key: str | None) -> Issue:
    return Issue(QualityKind.MISMATCH, f"{what}: 記載 {_fmt(stated)} / 再計算 {_fmt(computed)}",
                 tuple(sorted(set(lines))), "記載値のまま取り込み (原文を確認してください)", key)


def _check_pages(extract: Extract) -> list[Issue]:
    rows = extract.tables.get("maebashi_wg_pages", [])
    heading = next((r for r in rows if r["copy"] == "見出し"), None)
    index = {r["wg"]: r for r in rows if r["copy"] == "index"}
    detail = {r["wg"]: r for r in rows if r["copy"] == "detail"}
    issues = []
    if heading is not None:
        for copy, found in (("WG活動一覧の行数", index), ("WG詳細頁の数", detail)):
            if len(found) != heading["stated_count"]:
                issues.append(_mismatch(f"{copy} (見出し「{heading['stated_count']}のWG活動一覧」)",
                                        heading["stated_count"], len(found), (heading["line"],), None))
    for number in sorted(set(index) - set(detail)):
        issues.append(Issue(QualityKind.MISSING, f"{_key(number)} はWG活動一覧にありますが詳細頁がありません",
                            (index[number]["line"],), "8項目は取り込めませんでした", _key(number)))
    for number in sorted(set(detail) - set(index)):
        issues.append(Issue(QualityKind.MISSING, f"{_key(number)} は詳細頁がありますがWG活動一覧にありません",
                            (detail[number]["line"],), "目指す未来・該当頁なしで取り込み", _key(number)))
    spans = sorted((r for r in index.values() if r["page_from"] is not None), key=lambda r: r["wg"])
    for before, after in zip(spans, spans[1:]):
        if after["page_from"] != before["page_to"] + 1:
            issues.append(_mismatch(f"{_key(after['wg'])} の該当頁の開始 ({_key(before['wg'])} の終了頁 "
                                    f"{before['page_to']} の次頁のはず)", after["page_from"],
                                    before["page_to"] + 1, (before["line"], after["line"]), _key(after["wg"])))
    have = {(n.initiative_key, n.section) for n in extract.narratives}
    for number, row in sorted(detail.items()):
        for field_no, section in SECTIONS.items():
            if (_key(number), section) not in have:
                issues.append(Issue(QualityKind.MISSING, f"{_key(number)} の項目「{CIRCLED[field_no - 1]}{section}」がありません",
                                    (row["line"],), "この項目は空欄のまま", _key(number)))
    return issues


def _check_desk_applications(rows: list[dict[str, Any]]) -> list[Issue]:
    issues = []
    body = [r for r in rows if not r["is_total"]]
    for r in body:
        parts = (r["applications_a"], r["support_b"], r["mytaku_registrations_d"])
        if r["daily_sum"] is not None and None not in parts and sum(parts) != r["daily_sum"]:
            issues.append(_mismatch(f"出張申請 {r['venue']} {r['period']} の日計 (A+B+D)", r["daily_sum"],
                                    sum(parts), (r["line"],), r["initiative_key"]))
    by_venue: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in body:
        by_venue[r["venue"]].append(r)
    for venue, group in by_venue.items():
        stated = next((r for r in group if r["venue_sum"] is not None), None)
        if stated is not None:
            computed = sum(r["daily_sum"] or 0 for r in group)
            if computed != stated["venue_sum"]:
                issues.append(_mismatch(f"出張申請 {venue} の会場別件数", stated["venue_sum"], computed,
                                        tuple(r["line"] for r in group), stated["initiative_key"]))
    columns = {"applications_a": "申請時受付件数(A)", "support_b": "申請サポート(B)",
               "mytaku_applications_c": "マイタク受付件数(C)", "mytaku_registrations_d": "マイタク登録件数(D)",
               "daily_sum": "日計(A+B+D)", "venue_sum": "会場別件数"}
    for total in (r for r in rows if r["is_total"]):
        for column, label in columns.items():
            computed = sum(r[column] or 0 for r in body)
            if total[column] is not None and computed != total[column]:
                issues.append(_mismatch(f"出張申請 合計行の{label}", total[column], computed,
                                        (total["line"],), total["initiative_key"]))
    return issues


def _check_card_status(rows: list[dict[str, Any]]) -> list[Issue]:
    issues = []
    for r in rows:
        if None not in (r["applied"], r["issued"], r["unissued"]) and r["applied"] - r["issued"] != r["unissued"]:
            issues.append(_mismatch(f"交付状況 {r['phase']} ({r['as_of']}) の未交付数 (A-B)", r["unissued"],
                                    r["applied"] - r["issued"], (r["line"],), r["initiative_key"]))
        computed = r["applied_rate"] - r["issued_rate"]
        if not _close(r["unissued_rate"], computed, 0.01):
            issues.append(_mismatch(f"交付状況 {r['phase']} ({r['as_of']}) の未交付率 (A-B, %)",
                                    r["unissued_rate"], computed, (r["line"],), r["initiative_key"]))
    return issues


def _check_establishments(rows: list[dict[str, Any]]) -> list[Issue]:
    issues = []
    body = [r for r in rows if not r["is_total"]]
    for total in (r for r in rows if r["is_total"]):
        for column, label in (("establishments", "事業所数"), ("employees", "従業員数")):
            computed = sum(r[column] or 0 for r in body)
            if body and total[column] is not None and computed != total[column]:
                issues.append(_mismatch(
                    f"従業員規模別表 総数行の{label} ({body[0]['line']}–{body[-1]['line']}行の合計, "
                    f"差 {_fmt(computed - total[column])})", total[column], computed,
                    (total["line"],), total["initiative_key"]))
    return issues


def _check_ratios(rows: list[dict[str, Any]]) -> list[Issue]:
    issues = []
    for r in rows:
        if not r["denominator"] or r["numerator"] is None:
            continue
        computed = r["numerator"] / r["denominator"] * 100
        if not _close(r["percent"], computed, _half_unit(r["percent"])):
            issues.append(_mismatch(f"比率「{r['text']}」(%)", r["percent"], round(computed, 2),
                                    (r["line"],), r["initiative_key"]))
    return issues


def _check_courses(rows: list[dict[str, Any]]) -> list[Issue]:
    issues = []
    by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_key[r["initiative_key"]].append(r)
    for key, group in by_key.items():
        parts = [r for r in group if not r["is_total"]]
        for total in (r for r in group if r["is_total"]):
            for column, label in (("courses", "講座数"), ("participants", "参加者数")):
                computed = sum(r[column] or 0 for r in parts)
                if parts and total[column] is not None and computed != total[column]:
                    issues.append(_mismatch(f"スマホ講座の計 ({label})", total[column], computed,
                                            (total["line"],), key))
    return issues


def _check_approval(extract: Extract) -> list[Issue]:
    rows = extract.tables.get("maebashi_approval_estimate", [])
    issues = []
    by_label = {match_key(r["label"]): r for r in rows}
    count, per_item = by_label.get("支出命令の件数(10万円未満)"), by_label.get("決裁所要時間")
    annual = by_label.get("年間の決裁所要時間")
    if count and per_item and annual and None not in (count["value"], per_item["value"], annual["value"]):
        computed = count["value"] * per_item["value"]
        if computed != annual["value"]:
            issues.append(_mismatch("係長決裁試算 年間の決裁所要時間 (件数 × 1件あたり分)", annual["value"],
                                    computed, (count["line"], per_item["line"], annual["line"]),
                                    annual["initiative_key"]))
    saving = by_label.get("削減額")
    for effect in extract.fiscal_effects:
        if saving and effect.initiative_key == saving["initiative_key"] and effect.amount_yen != saving["value"]:
            issues.append(_mismatch("係長決裁の削減額 (得られる効果の記載と活動実績の記載)", saving["value"],
                                    effect.amount_yen, (effect.line, saving["line"]), effect.initiative_key))
    return issues


def cross_check(extract: Extract) -> list[Issue]:
    """Recompute the counts and sums the document states; one Issue per disagreement."""
    tables = extract.tables
    return (_check_pages(extract)
            + _check_desk_applications(tables.get("maebashi_desk_applications", []))
            + _check_card_status(tables.get("maebashi_card_status", []))
            + _check_establishments(tables.get("maebashi_establishments", []))
            + _check_ratios(tables.get("maebashi_ratios", []))
            + _check_courses(tables.get("maebashi_courses", []))
            + _check_approval(extract))
