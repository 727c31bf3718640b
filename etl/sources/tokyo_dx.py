"""Parser for the Tokyo DX case collection (都内区市町村 DX 取組事例集, 2024).

Glossary of the document's own words:
- 部門 (division): 行政サービス部門 (public services), 業務改善部門 (internal operations),
  DXアイデア部門 (DX ideas). A division heading applies to every entry below it.
- 取組概要 / 提案概要 (case overview / proposal overview): the line that opens one entry.
  The entry's header (title, subtitle, department) is printed just above it.
- 取組 (an implemented case) / 提案 (a proposal): the entry's 区分 (kind), decided from the
  section headings it actually has (取組内容・取組前・取組後 vs 提案内容・現状の課題・提案実現後の姿).
- Sections: 経緯・動機 (background and motive), 取組内容 / 提案内容 (what was done / proposed),
  取組前 / 取組後 (before / after), 現状の課題 (current problems), 提案実現後の姿 (the picture
  once realised), 効果 (effect), システム概要 (system outline), 職員の頑張り (staff effort),
  実現に向けたステップ 想定される課題 (steps and expected problems), PRポイント (selling points).
  Headings are printed in three forms: a line of their own (often decorated with ○/〇),
  a table cell followed by a tab and the body, or an HTML cell (<p>効果</p>) + tab + body.
- The municipality is printed in brackets after the title: 「…（墨田区） subtitle」; joint
  entries name several (「（日野市・多摩市・稲城市）」): the first leads (主体), every name goes to
  the ``tokyo_dx_municipalities`` table (the others become 共同 in initiative_municipalities). Without brackets, it is taken from the text when a sentence names it as
  the actor (「渋谷区では、…」); otherwise it stays NULL here and ``etl.attribution`` applies the
  written rule (本文 / 推定) or records why it stays NULL. ``extra["自治体の判定"]`` says which.

Each entry becomes one Initiative (level DX事例, key ``DX事例:<n>`` in document order) and one
Narrative per section. Narratives carry ``fiscal_year=None``: the collection is from 2024,
but no entry is dated as a whole.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.errors import SourceFormatError
from etl.model import Extract, Initiative, Issue, Narrative, SourceDocument
from etl.normalize import clean_text, match_key
from vocab import QualityKind

LEVEL = "DX事例"
TABLE = "tokyo_dx_municipalities"
DIVISIONS = ("行政サービス部門", "業務改善部門", "DXアイデア部門")
IDEA_DIVISION = "DXアイデア部門"
BLOCK_HEADINGS = ("取組概要", "提案概要")
CLOSING_SECTION = "PRポイント"  # every entry of this collection ends with it

# Section headings as printed (display form) keyed by their match form.
SECTIONS = ("経緯・動機", "取組内容", "取組前", "取組後", "取組前・取組後", "提案内容", "現状の課題",
            "提案実現後の姿", "効果", "システム概要", "職員の頑張り", "実現に向けたステップ 想定される課題",
            "PRポイント")
_SECTION_BY_KEY = {match_key(s): s for s in SECTIONS}
_SPLIT_HEADING = ("実現に向けたステップ", "想定される課題")  # sometimes printed on two lines
CASE_SECTIONS = {"取組内容", "取組前", "取組後", "取組前・取組後"}
PROPOSAL_SECTIONS = {"提案内容", "現状の課題", "提案実現後の姿"}

# The 62 municipalities of Tokyo (23 特別区, 26 市, 5 町, 8 村): the collection's universe.
TOKYO_MUNICIPALITIES = (
    "千代田区 中央区 港区 新宿区 文京区 台東区 墨田区 江東区 品川区 目黒区 大田区 世田谷区 渋谷区 "
    "中野区 杉並区 豊島区 北区 荒川区 板橋区 練馬区 足立区 葛飾区 江戸川区 "
    "八王子市 立川市 武蔵野市 三鷹市 青梅市 府中市 昭島市 調布市 町田市 小金井市 小平市 日野市 "
    "東村山市 国分寺市 国立市 福生市 狛江市 東大和市 清瀬市 東久留米市 武蔵村山市 多摩市 稲城市 "
    "羽村市 あきる野市 西東京市 瑞穂町 日の出町 奥多摩町 大島町 八丈町 "
    "檜原村 利島村 新島村 神津島村 三宅村 御蔵島村 青ヶ島村 小笠原村"
).split()
_MUNICIPALITY_BY_KEY = {match_key(m): m for m in TOKYO_MUNICIPALITIES}

_DECORATION = "○〇◯●"
_HTML_CELL = re.compile(r"^<(p|h[1-6])>(.*?)</\1>\s*(.*)$", re.S)
_HTML_TAG = re.compile(r"</?(?:p|ul|ol|li|h[1-6]|br|div|span)\b[^>]*>", re.I)
# Inside an HTML list the items run on one line: break before a ・ bullet that follows a space
# or a full stop, and after a full stop followed by a space.
_HTML_ITEM_BREAK = re.compile(r"\s+(?=・)|(?<=。)(?=・)|(?<=[。！!])\s+")
_BOLD = re.compile(r"\*\*")
# Title line: 「title（municipality・municipality） subtitle」; other brackets may precede it.
_BRACKET = re.compile(r"[（(]([^（）()]{1,40})[）)]")
_NAME_SHAPE = re.compile(r"^[^\s、。！？!?「」]{1,5}[区市町村]$")
_DEPARTMENT_TOKEN = re.compile(
    r"^[^\s、。！？!?「」『』（）()：:～~]{0,30}?(?:部|課|室|局|館|係|事務所|センター|担当)$")
# A municipality named as the actor of a sentence: 「渋谷区では、」「調布市は、」「武蔵村山市の学童クラブでは」.
_ACTOR_NAMES = "|".join(sorted(map(re.escape, TOKYO_MUNICIPALITIES), key=len, reverse=True))
_ACTOR = re.compile(
    rf"(?:^|(?<=[\s。、・「」（）()]))(?P<name>{_ACTOR_NAMES})(?P<verb>では|は、|は|の[^、。\s]{{1,12}}では)")


# ---------------------------------------------------------------------------
# Line classification

@dataclass(frozen=True)
class Heading:
    name: str
    inline: str  # body printed on the heading's own line (table / HTML form), "" otherwise


def _bare(text: str) -> str:
    return _BOLD.sub("", text).strip().lstrip(_DECORATION).strip()


def section_heading(line: str) -> Heading | None:
    """A section heading in any of its printed forms, or None for body text."""
    text = line.strip()
    if not text:
        return None
    html = _HTML_CELL.match(text)
    if html:
        name = _SECTION_BY_KEY.get(match_key(_bare(html.group(2))))
        return Heading(name, html.group(3).strip()) if name else None
    cell, tab, rest = text.partition("\t")
    name = _SECTION_BY_KEY.get(match_key(_bare(cell)))
    if name:
        return Heading(name, rest.strip() if tab else "")
    if text[0] in _DECORATION:  # 「○提案内容 D(Digital) J(Jibun=自分) Note」: heading + annotation
        head, _, rest = _bare(text).partition(" ")
        name = _SECTION_BY_KEY.get(match_key(head))
        if name and rest.strip():
            return Heading(name, rest.strip())
    return None


def _is_block_start(line: str) -> bool:
    return match_key(_bare(line)) in BLOCK_HEADINGS


def _division(line: str) -> str | None:
    key = match_key(_bare(line))
    return next((d for d in DIVISIONS if match_key(d) == key), None)


def body_lines(text: str) -> list[str]:
    """Display lines of one printed line: bold markers removed, HTML cells split into items."""
    text = _BOLD.sub("", text)
    if _HTML_TAG.search(text):
        pieces = []
        for part in _HTML_TAG.split(text):
            pieces.extend(_HTML_ITEM_BREAK.split(part))
    else:
        pieces = [text]
    return [c for c in (clean_text(p) for p in pieces) if c]


# ---------------------------------------------------------------------------
# Segmentation into entries

@dataclass
class Section:
    name: str
    line: int
    inline: bool
    paragraphs: list[list[tuple[int, str]]] = field(default_factory=list)
    _open: bool = False  # whether the next text line continues the last paragraph

    def add(self, number: int, text: str) -> None:
        if self._open and self.paragraphs:
            self.paragraphs[-1].append((number, text))
        else:
            self.paragraphs.append([(number, text)])
        self._open = True

    def blank(self) -> None:
        self._open = False


@dataclass
class Entry:
    line: int  # the 取組概要 / 提案概要 line
    block: str
    division: str
    header: list[tuple[int, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    preamble: list[tuple[int, str]] = field(default_factory=list)  # text before any heading


def _fail(doc: SourceDocument, line: int | None, expected: str, found: str) -> SourceFormatError:
    return SourceFormatError(doc.file, line, expected, found)


def _check_divisions(doc: SourceDocument, seen: list[tuple[int, str]]) -> None:
    """Division headings must appear once each, in the printed order (repeats are harmless)."""
    order = [name for i, (_, name) in enumerate(seen) if i == 0 or seen[i - 1][1] != name]
    if order != list(DIVISIONS):
        where = seen[len(order) - 1][0] if seen and order else (seen[0][0] if seen else None)
        raise _fail(doc, where, f"部門見出し {'→'.join(DIVISIONS)} が順に1回ずつ",
                    "→".join(order) or "部門見出しなし")


def segment(doc: SourceDocument, issues: list[Issue]) -> list[Entry]:
    """Walk the lines once: divisions carry down, entries open at 取組概要/提案概要.

    The header of an entry is printed after the previous entry's last section body, with no
    heading of its own: that section keeps its first paragraph (the body after a heading line,
    or the body printed on the heading's own line in table/HTML form, after which any further
    line starts a new paragraph); the remaining paragraphs are the next entry's header.
    """
    entries: list[Entry] = []
    divisions: list[tuple[int, str]] = []
    division: str | None = None
    current: Entry | None = None  # the entry being read (None between a division and its first entry)
    pending: list[tuple[int, str]] = []  # header candidates since the last division heading
    section: Section | None = None
    for number, raw in enumerate(doc.lines, start=1):
        text = raw.strip()
        if not text:
            if section is not None:
                section.blank()
            continue
        name = _division(text)
        if name:
            divisions.append((number, name))
            _unclaimed(pending, issues)
            division, current, section, pending = name, None, None, []
            continue
        if _is_block_start(text):
            if division is None:
                raise _fail(doc, number, "事例の前に部門見出し", text)
            header = pending
            if section is not None:  # its first paragraph is its body (inline or not)
                header = [ln for p in section.paragraphs[1:] for ln in p]
                del section.paragraphs[1:]
            current = Entry(number, match_key(_bare(text)), division, header)
            entries.append(current)
            section, pending = None, []
            continue
        if current is None:
            pending.append((number, text))
            continue
        if section is not None and _continues_split_heading(section, text):
            section.name = SECTIONS[11]
            issues.append(Issue(QualityKind.REPAIR, f"見出し「{_SPLIT_HEADING[0]}」「{_SPLIT_HEADING[1]}」が2行に分かれています",
                                (section.line, number), "1つの見出しとして結合しました"))
            continue
        heading = section_heading(text)
        if heading is None and _bare(text) == _SPLIT_HEADING[0]:
            heading = Heading(_SPLIT_HEADING[0], "")  # first half of a heading split over two lines
        if heading:
            section = Section(heading.name, number, bool(heading.inline))
            current.sections.append(section)
            if heading.inline:
                section.add(number, heading.inline)
                section.blank()
        elif section is not None:
            section.add(number, text)
        else:
            current.preamble.append((number, text))
    _check_divisions(doc, divisions)
    if not entries:
        raise _fail(doc, None, "取組概要 / 提案概要 で始まる事例", "事例なし")
    for name in DIVISIONS:
        if not any(e.division == name for e in entries):
            where = next(n for n, d in divisions if d == name)
            raise _fail(doc, where, f"{name} の事例 (取組概要 / 提案概要)", doc.line(where))
    last = entries[-1]
    if not last.sections or last.sections[-1].name != CLOSING_SECTION or not last.sections[-1].paragraphs:
        raise _fail(doc, len(doc.lines), f"最後の事例の {CLOSING_SECTION} (文書の末尾)",
                    doc.lines[-1] if doc.lines else "")
    if len(last.sections[-1].paragraphs) > 1:  # a header with no entry after it: cut off
        number, text = last.sections[-1].paragraphs[1][0]
        raise _fail(doc, number, f"表題の後の {'/'.join(BLOCK_HEADINGS)} (文書が途中で切れています)", text)
    _unclaimed(pending, issues)
    return entries


def _unclaimed(lines: list[tuple[int, str]], issues: list[Issue]) -> None:
    """Text outside every entry (before a division heading with no entry after it)."""
    for number, text in lines:
        issues.append(Issue(QualityKind.SKIPPED, f"どの事例にも属さない行です: 「{text[:60]}」", (number,),
                            "取り込みませんでした"))


def _continues_split_heading(section: Section, text: str) -> bool:
    return section.name == _SPLIT_HEADING[0] and not section.paragraphs and _bare(text) == _SPLIT_HEADING[1]


# ---------------------------------------------------------------------------
# Entry header: title, subtitle, departments, municipality

@dataclass
class Header:
    title: str = ""
    title_line: int | None = None
    title_text: str = ""  # the whole title line as printed (the 括弧 attribution's evidence)
    subtitle: str | None = None
    departments: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)  # from the brackets


def _is_department(text: str) -> bool:
    tokens = re.split(r"[・\s]+", text.strip())
    return 0 < len(text) <= 60 and all(_DEPARTMENT_TOKEN.match(t) for t in tokens if t) and any(tokens)


def _municipality(name: str) -> str | None:
    return _MUNICIPALITY_BY_KEY.get(match_key(name))


def _bracket_names(inside: str) -> list[str] | None:
    """The municipalities named in a title bracket, or None when the bracket is something else."""
    names = [n for n in re.split(r"[・、,，\s]+", inside.strip()) if n]
    if names and all(_NAME_SHAPE.match(match_key(n)) for n in names):
        return names
    return None


def read_header(key: str, lines: list[tuple[int, str]], issues: list[Issue]) -> Header:
    header = Header()
    for number, raw in lines:
        text = clean_text(_BOLD.sub("", raw))
        if _is_department(text):
            header.departments.append(text)
        elif header.title_line is None:
            _read_title_line(key, number, text, header, issues)
        elif header.subtitle is None:
            header.subtitle = text
        else:
            header.subtitle = f"{header.subtitle} {text}"
            issues.append(Issue(QualityKind.REPAIR, f"{key}: 表題の後に複数行があります: 「{text[:40]}」", (number,),
                                "副題に続けて結合しました", key))
    return header


def _read_title_line(key: str, number: int, text: str, header: Header, issues: list[Issue]) -> None:
    header.title_line = number
    header.title = header.title_text = text
    for bracket in _BRACKET.finditer(text):
        names = _bracket_names(bracket.group(1))
        if names and text[:bracket.start()].strip():
            break
    else:
        return  # no municipality bracket: the whole line is the title
    header.title = text[:bracket.start()].strip()
    rest = text[bracket.end():].strip()
    for name in names:
        known = _municipality(name)
        if known:
            header.municipalities.append(known)
        else:
            issues.append(Issue(QualityKind.UNPARSED, f"{key}: 括弧内の「{name}」は都内の区市町村名として照合できません",
                                (number,), "自治体は空欄 (NULL) のまま。誤読なら corrections.csv で訂正してください", key))
    head, _, last = rest.rpartition(" ")
    if head and _is_department(last) and not _is_department(head):
        header.departments.append(last)
        rest = head.strip()
        issues.append(Issue(QualityKind.REPAIR, f"{key}: 副題と部署名が同じ行に印字されています: 「{last}」", (number,),
                            "行末の部署名 (…部/課/室) を部署として分離しました", key))
    header.subtitle = rest or None


def municipality_from_text(sections: list[Section]) -> tuple[str, str, int] | None:
    """The first municipality named as a sentence's actor (「X市では」「X区は、」).

    Returns (municipality, the clause from the name to the next 。 (at most 60 characters), line).
    """
    for section in sections:
        for paragraph in section.paragraphs:
            for number, raw in paragraph:
                text = _BOLD.sub("", raw)
                found = _ACTOR.search(text)
                if found:
                    end = text.find("。", found.start())
                    clause = text[found.start(): end + 1 if end >= 0 else len(text)].strip()
                    if len(clause) > 60:
                        clause = clause[:59] + "…"
                    return found.group("name"), clause, number
    return None


# ---------------------------------------------------------------------------
# Records

def _kind(key: str, entry: Entry, issues: list[Issue]) -> str:
    names = {s.name for s in entry.sections}
    case, proposal = bool(names & CASE_SECTIONS), bool(names & PROPOSAL_SECTIONS)
    by_division = "提案" if entry.division == IDEA_DIVISION else "取組"
    kind = "取組" if case and not proposal else "提案" if proposal and not case else by_division
    if case == proposal:
        issues.append(Issue(QualityKind.INFO, f"{key}: 節見出しから取組/提案を判定できません", (entry.line,),
                            f"部門 ({entry.division}) から区分={kind} としました", key))
    elif kind != by_division:
        issues.append(Issue(QualityKind.INFO, f"{key}: 区分={kind} ですが部門は {entry.division} です", (entry.line,),
                            "節見出しに従いました", key))
    block_kind = entry.block[:2]
    if block_kind != kind:
        issues.append(Issue(QualityKind.INFO, f"{key}: 概要見出しは「{entry.block}」ですが、節見出しは{kind}の形式です",
                            (entry.line,), f"節見出しに従い区分={kind} としました", key))
    return kind


def _narratives(key: str, entry: Entry, issues: list[Issue]) -> list[Narrative]:
    by_name: dict[str, Narrative] = {}
    if entry.preamble:
        text = "\n".join(ln for _, t in entry.preamble for ln in body_lines(t))
        by_name[entry.block] = Narrative(key, None, entry.block, text, entry.preamble[0][0])
        issues.append(Issue(QualityKind.REPAIR, f"{key}: 見出しの前に本文があります", (entry.preamble[0][0],),
                            f"節「{entry.block}」として取り込みました", key))
    for section in entry.sections:
        text = "\n".join(ln for p in section.paragraphs for _, t in p for ln in body_lines(t))
        if not text:
            issues.append(Issue(QualityKind.INFO, f"{key}: 「{section.name}」の本文がありません", (section.line,),
                                "この節は登録していません", key))
            continue
        if section.name in by_name:
            earlier = by_name[section.name]
            earlier.text = f"{earlier.text}\n{text}"
            issues.append(Issue(QualityKind.REPAIR, f"{key}: 見出し「{section.name}」が2回あります",
                                (earlier.line, section.line), "本文を最初の節に続けて結合しました", key))
            continue
        by_name[section.name] = Narrative(key, None, section.name, text, section.line)
    return list(by_name.values())


def _initiative(n: int, entry: Entry, extract: Extract) -> None:
    key = f"{LEVEL}:{n}"
    issues = extract.issues
    header = read_header(key, entry.header, issues)
    kind = _kind(key, entry, issues)
    extra: dict = {"区分": kind, "概要見出し": entry.block}
    if header.subtitle:
        extra["副題"] = header.subtitle
    line = header.title_line or entry.line
    municipality: str | None = None
    table = extract.tables.setdefault(TABLE, [])
    if header.municipalities:
        municipality = header.municipalities[0]
        extra.update({"自治体の判定": "括弧", "自治体の根拠": header.title_text, "自治体の根拠行": line})
        if len(header.municipalities) > 1:
            extra["関係自治体"] = list(header.municipalities)
        for name in header.municipalities:
            table.append({"municipality": name, "line": line, "initiative_key": key, "basis": "括弧"})
    else:
        found = municipality_from_text(entry.sections)
        if found:
            municipality, phrase, where = found
            extra["自治体の判定"] = "本文"
            extra["自治体の根拠"] = phrase
            extra["自治体の根拠行"] = where
            table.append({"municipality": municipality, "line": where, "initiative_key": key, "basis": "本文"})
    if not header.title:
        issues.append(Issue(QualityKind.INFO, f"{key}: 表題が印字されていません", (entry.line,),
                            "表題は空欄のまま登録しました", key))
    extract.initiatives.append(Initiative(
        key=key, level=LEVEL, code=str(n), title=header.title, line=line, municipality=municipality,
        departments=header.departments, themes=[entry.division], extra=extra))
    extract.narratives.extend(_narratives(key, entry, issues))


def parse(doc: SourceDocument) -> Extract:
    extract = Extract(tables={TABLE: []})
    entries = segment(doc, extract.issues)
    for n, entry in enumerate(entries, start=1):
        _initiative(n, entry, extract)
    return extract


# ---------------------------------------------------------------------------
# Validate stage

# The template every entry of the collection follows, by 区分: each item is a section, or
# alternatives (取組前・取組後 printed as one section stands for both).
TEMPLATE: dict[str, tuple[tuple[str, ...], ...]] = {
    "取組": (("経緯・動機",), ("取組内容",), ("取組前", "取組前・取組後"), ("取組後", "取組前・取組後"),
           ("効果",), ("システム概要",), ("職員の頑張り",), ("PRポイント",)),
    "提案": (("経緯・動機",), ("提案内容",), ("現状の課題",), ("提案実現後の姿",), ("効果",),
           ("システム概要",), ("実現に向けたステップ 想定される課題",), ("PRポイント",)),
}


def cross_check(extract: Extract) -> list[Issue]:
    """What the collection implies (it states no counts): every entry has a body, follows the
    section template of its 区分, and its 区分 matches its 部門 (DXアイデア部門 = 提案)."""
    issues = []
    sections: dict[str, set[str]] = {}
    for n in extract.narratives:
        if n.text.strip():
            sections.setdefault(n.initiative_key, set()).add(n.section)
    for i in extract.initiatives:
        if i.level != LEVEL:
            continue
        have = sections.get(i.key, set())
        if not have:
            issues.append(Issue(QualityKind.MISMATCH, f"{i.key}: 本文の節が1つもありません", (i.line,),
                                "表題のみ登録しました", i.key))
        kind = i.extra.get("区分")
        missing = [alts[0] for alts in TEMPLATE.get(kind, ()) if have and not have.intersection(alts)]
        if missing:
            issues.append(Issue(QualityKind.MISMATCH, f"{i.key}: {kind}の事例の節 {'・'.join(missing)} がありません "
                                f"(ある節: {len(have)}/{len(TEMPLATE[kind])})", (i.line,),
                                "文書のとおり (欠けた節は登録していません)", i.key))
        expected = "提案" if IDEA_DIVISION in i.themes else "取組"
        if kind != expected:
            issues.append(Issue(QualityKind.MISMATCH, f"{i.key}: 区分={kind} ですが部門 {'・'.join(i.themes)} の事例は{expected}です",
                                (i.line,), "節見出しに基づく区分を採用", i.key))
    return issues
