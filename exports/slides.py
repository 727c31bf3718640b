"""庁議 (executive meeting) slide decks: chart PNGs, a key table and sources in, .pptx bytes out.

Pure builder, no Streamlit: a page collects a :class:`Deck` (``exports.slide_content``: charts
already rendered with :func:`charts.png.chart_to_png`, or via :func:`chart_slide`) and calls
:func:`build_deck`. Only this module loads python-pptx; the content types live apart so that a
page can describe its charts without loading it.

The deck is 16:9 (13.333 in × 7.5 in) and is meant to be projected in a meeting room, so:

* every run has an explicit size of at least :data:`MIN_FONT_PT` (14 pt);
* every run names the Japanese font in both the Latin and the East-Asian slot — python-pptx's
  ``run.font.name`` sets only ``<a:latin>``, and PowerPoint then draws kana/kanji with whatever
  East-Asian font the viewer's theme picks (often a serif 明朝 face, or tofu);
* nothing is placed outside the slide and text is never left to overflow its box: sizes and
  line counts are estimated from character widths (full-width = 1 em), long text is shrunk
  down to a floor, then wrapped, then cut with 「…」; long tables and source lists are paged.

Slide order: title (自治体 (municipality), plan, fiscal years, filter conditions, date) →
one slide per chart (title, one-line takeaway, picture) → the key table, at most 12 rows per
slide with 「(1/3)」 in the title → sources (出典資料) and data-quality notes (データ品質).

A chart slide's one-line takeaway comes with the card (``cards.wording``).
"""
from __future__ import annotations

import datetime as dt
import io
import math
import struct
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from charts.theme import FONT, MUTED_COLOR, TEXT_COLOR
from exports.cells import NUMERIC_KINDS, Column, clean_text, prepare_columns
from exports.slide_content import (ROWS_PER_SLIDE, ChartSlide, Deck, PageChart, TableSlide,
                                   chart_slide)
from vocab import fy_label
from yen import round_half_up

__all__ = [
    "MIN_FONT_PT",
    "ROWS_PER_SLIDE",
    "SLIDE_HEIGHT",
    "SLIDE_WIDTH",
    "ChartSlide",
    "Deck",
    "TableSlide",
    "build_deck",
    "chart_slide",
]

# --- geometry and type scale ------------------------------------------------------

SLIDE_WIDTH = Emu(12_192_000)  # 13.333 in
SLIDE_HEIGHT = Emu(6_858_000)  # 7.5 in
MARGIN = Inches(0.5)
CONTENT_WIDTH = SLIDE_WIDTH - 2 * MARGIN

MIN_FONT_PT = 14
TITLE_PT, TITLE_MIN_PT = 32, 24
DECK_TITLE_PT, DECK_TITLE_MIN_PT = 40, 28
SUBTITLE_PT = 24
TAKEAWAY_PT, TAKEAWAY_MIN_PT = 20, 16
BODY_PT = 18
TABLE_PT = 14
SMALL_PT = 14  # footers and notes: the floor, never below

# Exact line spacing (in em) so heights can be predicted: Noto Sans CJK's own metrics give
# ~1.45 em lines, which would make tables taller than estimated.
LINE_SPACING = 1.3
# Average advance of a half-width glyph in Noto Sans CJK JP, slightly generous so estimates
# err towards more lines, never fewer.
HALF_WIDTH_EM = 0.6
BOLD_FACTOR = 1.05
# Character-based wrapping ignores word breaks in Latin text; keep some slack.
WRAP_SLACK = 0.94

TEXT_INSET_X, TEXT_INSET_Y = Inches(0.1), Inches(0.05)
CELL_INSET_X, CELL_INSET_Y = Inches(0.08), Inches(0.04)

TITLE_TOP, TITLE_HEIGHT = Inches(0.3), Inches(0.8)
TAKEAWAY_TOP, TAKEAWAY_HEIGHT = Inches(1.1), Inches(0.7)
FOOTER_HEIGHT = Inches(0.4)
FOOTER_TOP = SLIDE_HEIGHT - FOOTER_HEIGHT - Inches(0.1)
BODY_TOP = Inches(1.3)  # below a slide title when there is no takeaway
PICTURE_TOP = Inches(1.9)
NOTE_HEIGHT = Inches(0.45)
GAP = Inches(0.1)

ACCENT = "#2C7BB6"  # grade A blue, the dashboard's anchor colour
HEADER_FILL = "#1F4E79"
BAND_FILL = "#EEF3F8"
WHITE = "#FFFFFF"

CREATOR = "行革ダッシュボード"
MAX_CELL_LINES = 3
MAX_ITEM_LINES = 4


# --- text measurement ---------------------------------------------------------------


def _char_em(char: str) -> float:
    if char.isascii():
        return HALF_WIDTH_EM
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F", "A") else HALF_WIDTH_EM


def _text_em(text: str, bold: bool = False) -> float:
    """Width of the widest line, in em."""
    widest = max((sum(map(_char_em, line)) for line in text.split("\n")), default=0.0)
    return widest * (BOLD_FACTOR if bold else 1.0)


def _line_count(text: str, width: int, size: float, bold: bool = False) -> int:
    """Lines ``text`` takes in a box ``width`` EMU wide (inner width) at ``size`` pt."""
    usable = max(Emu(width).pt * WRAP_SLACK, 1.0)
    return sum(max(1, math.ceil(_text_em(line, bold) * size / usable)) for line in text.split("\n"))


def _truncate(text: str, width: int, size: float, max_lines: int, bold: bool = False) -> str:
    """``text`` cut with 「…」 so it takes at most ``max_lines`` lines."""
    if _line_count(text, width, size, bold) <= max_lines:
        return text
    budget = Emu(width).pt * WRAP_SLACK * max_lines / size / (BOLD_FACTOR if bold else 1.0) - 1.0
    flat, used = text.replace("\n", " "), 0.0
    for index, char in enumerate(flat):
        used += _char_em(char)
        if used > budget:
            return flat[:index].rstrip() + "…"
    return flat


def _fit(text: str, width: int, max_pt: int, min_pt: int, max_lines: int, bold: bool = False) -> tuple[int, str]:
    """Largest size from ``max_pt`` down to ``min_pt`` that shows ``text`` in one line, else
    ``min_pt`` with up to ``max_lines`` lines (cut with 「…」 beyond)."""
    text = text.replace("\n", " ")
    for size in range(max_pt, min_pt - 1, -2):
        if _line_count(text, width, size, bold) == 1:
            return size, text
    return min_pt, _truncate(text, width, min_pt, max_lines, bold)


def _line_height(size: float) -> int:
    return Pt(size * LINE_SPACING)


def _box_height(lines: int, size: float) -> int:
    return lines * _line_height(size) + 2 * TEXT_INSET_Y


# --- runs and fonts -------------------------------------------------------------------


def _rgb(hex_color: str) -> RGBColor:
    return RGBColor.from_string(hex_color.lstrip("#").upper())


def _set_fonts(run, typeface: str = FONT) -> None:
    """Name ``typeface`` in the Latin and East-Asian slots of ``run`` (python-pptx sets only Latin)."""
    rPr = run._r.get_or_add_rPr()
    rPr.set("lang", "ja-JP")
    rPr.set("altLang", "en-US")
    latin = rPr.get_or_add_latin()
    latin.set("typeface", typeface)
    for old in rPr.findall(qn("a:ea")):
        rPr.remove(old)
    # Schema order is latin, ea, cs, sym: the East-Asian slot goes right after latin.
    ea = etree.SubElement(rPr, qn("a:ea"))
    ea.set("typeface", typeface)
    latin.addnext(ea)


def _add_run(paragraph, text: str, size: float, *, bold: bool = False, color: str = TEXT_COLOR) -> None:
    if size < MIN_FONT_PT:
        raise ValueError(f"font size {size} pt is below the {MIN_FONT_PT} pt floor")
    run = paragraph.add_run()
    run.text = clean_text(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = _rgb(color)
    _set_fonts(run)


def _paragraph(frame, first: bool, size: float, align=PP_ALIGN.LEFT, space_before: float = 0):
    paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
    paragraph.alignment = align
    paragraph.line_spacing = Pt(size * LINE_SPACING)
    if space_before:
        paragraph.space_before = Pt(space_before)
    return paragraph


def _textbox(slide, left: int, top: int, width: int, height: int, anchor=MSO_ANCHOR.TOP):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = None
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = TEXT_INSET_X
    frame.margin_top = frame.margin_bottom = TEXT_INSET_Y
    return frame


def _text_shape(slide, text: str, left: int, top: int, width: int, height: int, size: float, *,
                bold: bool = False, color: str = TEXT_COLOR, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP) -> None:
    frame = _textbox(slide, left, top, width, height, anchor)
    _add_run(_paragraph(frame, True, size, align), text, size, bold=bold, color=color)


def _inner(width: int, inset: int = TEXT_INSET_X) -> int:
    return width - 2 * inset


# --- slides ----------------------------------------------------------------------------


def _blank(prs):
    # Layout 6 of the default template is "Blank": no placeholders with template fonts.
    return prs.slides.add_slide(prs.slide_layouts[6])


def _rectangle(slide, left: int, top: int, width: int, height: int, color: str) -> None:
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, width, height)
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(color)
    shape.line.fill.background()
    shape.shadow.inherit = False


def _slide_title(slide, text: str) -> None:
    size, text = _fit(text, _inner(CONTENT_WIDTH), TITLE_PT, TITLE_MIN_PT, 1, bold=True)
    _text_shape(slide, text, MARGIN, TITLE_TOP, CONTENT_WIDTH, TITLE_HEIGHT, size, bold=True,
                anchor=MSO_ANCHOR.MIDDLE)
    _rectangle(slide, MARGIN, TITLE_TOP + TITLE_HEIGHT, CONTENT_WIDTH, Inches(0.04), ACCENT)


def _footer(slide, deck: Deck, number: int, total: int) -> None:
    left_text = "　".join(part for part in (deck.municipality, deck.plan) if part)
    page = f"{number} / {total}"
    page_width = Inches(1.4)
    label_width = CONTENT_WIDTH - page_width
    _, left_text = _fit(left_text, _inner(label_width), SMALL_PT, SMALL_PT, 1)
    _text_shape(slide, left_text, MARGIN, FOOTER_TOP, label_width, FOOTER_HEIGHT, SMALL_PT,
                color=MUTED_COLOR, anchor=MSO_ANCHOR.MIDDLE)
    _text_shape(slide, page, MARGIN + label_width, FOOTER_TOP, page_width, FOOTER_HEIGHT, SMALL_PT,
                color=MUTED_COLOR, align=PP_ALIGN.RIGHT, anchor=MSO_ANCHOR.MIDDLE)


def _date_text(when: dt.datetime) -> str:
    return f"{when.year}年{when.month}月{when.day}日"


def _title_slide(prs, deck: Deck) -> None:
    slide = _blank(prs)
    _rectangle(slide, 0, 0, SLIDE_WIDTH, Inches(0.18), ACCENT)
    inner = _inner(CONTENT_WIDTH)
    size, title = _fit(deck.title, inner, DECK_TITLE_PT, DECK_TITLE_MIN_PT, 2, bold=True)
    lines = _line_count(title, inner, size, bold=True)
    top = Inches(0.9)
    height = _box_height(lines, size)
    _text_shape(slide, title, MARGIN, top, CONTENT_WIDTH, height, size, bold=True)
    top += height + GAP
    subtitle = "　".join(part for part in (deck.municipality, deck.plan) if part)
    if subtitle:
        _, subtitle = _fit(subtitle, inner, SUBTITLE_PT, SUBTITLE_PT, 1)
        _text_shape(slide, subtitle, MARGIN, top, CONTENT_WIDTH, _box_height(1, SUBTITLE_PT), SUBTITLE_PT,
                    color=ACCENT, bold=True)
        top += _box_height(1, SUBTITLE_PT)
    _rectangle(slide, MARGIN, top + GAP, CONTENT_WIDTH, Inches(0.03), MUTED_COLOR)
    top += 3 * GAP
    _details(slide, deck, top, SLIDE_HEIGHT - Inches(0.4) - top)


def _detail_rows(deck: Deck) -> list[tuple[str, str]]:
    rows = [("対象年度", deck.fiscal_years or "すべて")]
    rows += [(str(label), "" if value is None else str(value)) for label, value in deck.conditions]
    return rows


def _details(slide, deck: Deck, top: int, height: int) -> None:
    """Fiscal years, filter conditions and the date as 「label: value」 lines, shrunk to fit;
    when even 14 pt cannot hold them all, the tail is summarised as 「ほか N 件の条件」."""
    rows = _detail_rows(deck)
    inner = _inner(CONTENT_WIDTH)
    for size in (BODY_PT, 16, MIN_FONT_PT):
        capacity = (height - 2 * TEXT_INSET_Y) // _line_height(size) - 2  # a gap line and the date
        if len(rows) <= capacity:
            break
    else:
        keep = max(capacity - 1, 0)
        rows = rows[:keep] + [(f"ほか {len(rows) - keep} 件の条件", "")]
    frame = _textbox(slide, MARGIN, top, CONTENT_WIDTH, height)
    for index, (label, value) in enumerate(rows):
        paragraph = _paragraph(frame, index == 0, size)
        head = f"{label}: " if value else label
        _add_run(paragraph, head, size, bold=True, color=MUTED_COLOR)
        if value:
            room = inner - Pt(_text_em(head, bold=True) * size)
            _add_run(paragraph, _truncate(value, room, size, 1), size)
    date = _paragraph(frame, not rows, size, space_before=size * LINE_SPACING)
    _add_run(date, f"作成日: {_date_text(deck.created)}", size)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's IHDR chunk; rejects anything that is not a PNG."""
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("chart image is not a PNG")
    width, height = struct.unpack(">II", png[16:24])
    if not width or not height:
        raise ValueError("chart image has no pixels")
    return width, height


def fit_picture(size_px: tuple[int, int], left: int, top: int, width: int, height: int) -> tuple[int, int, int, int]:
    """Largest box with the image's aspect ratio inside (left, top, width, height), centred."""
    px_w, px_h = size_px
    scale = min(width / px_w, height / px_h)
    w, h = int(px_w * scale), int(px_h * scale)
    return left + (width - w) // 2, top + (height - h) // 2, w, h


def _chart_slide(prs, chart: ChartSlide) -> None:
    slide = _blank(prs)
    _slide_title(slide, chart.title)
    inner = _inner(CONTENT_WIDTH)
    if chart.takeaway:
        size, takeaway = _fit(chart.takeaway, inner, TAKEAWAY_PT, TAKEAWAY_MIN_PT, 2, bold=True)
        _text_shape(slide, takeaway, MARGIN, TAKEAWAY_TOP + GAP, CONTENT_WIDTH, TAKEAWAY_HEIGHT, size,
                    bold=True, anchor=MSO_ANCHOR.MIDDLE)
    bottom = FOOTER_TOP - GAP
    if chart.note:
        note = _truncate(chart.note, inner, SMALL_PT, 1)
        _text_shape(slide, note, MARGIN, bottom - NOTE_HEIGHT, CONTENT_WIDTH, NOTE_HEIGHT, SMALL_PT,
                    color=MUTED_COLOR, anchor=MSO_ANCHOR.BOTTOM)
        bottom -= NOTE_HEIGHT
    top = PICTURE_TOP + GAP if chart.takeaway else BODY_TOP + GAP
    left, top, width, height = fit_picture(png_size(chart.png), MARGIN, top, CONTENT_WIDTH, bottom - top - GAP)
    slide.shapes.add_picture(io.BytesIO(chart.png), left, top, width, height)


# --- tables ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _TableText:
    headers: list[str]
    rows: list[list[str]]
    right: list[bool]  # right-aligned (numeric) columns


def _cell_text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "year":
        return fy_label(value) if isinstance(value, int) and 1900 <= value <= 2200 else str(value)
    if kind == "score":
        return f"{value:,.1f}"
    if kind in ("yen", "int") or (kind == "float" and float(value).is_integer()):
        return f"{round_half_up(float(value)):,.0f}" if isinstance(value, float) else f"{value:,}"
    if kind == "float":
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if kind == "date":
        return value.isoformat()
    if kind == "datetime":
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def table_text(frame: pl.DataFrame, column_formats: dict[str, str] | None = None) -> _TableText:
    """Header and cell strings as the slide shows them (same cell rules as the xlsx export)."""
    columns: list[Column] = prepare_columns(frame, column_formats)
    cells = [[_cell_text(v, c.kind) for v in c.values] for c in columns]
    rows = [list(row) for row in zip(*cells)] if cells else []
    right = [c.kind in NUMERIC_KINDS and c.kind != "year" for c in columns]
    return _TableText([clean_text(str(c.name)) for c in columns], rows, right)


def column_widths(natural: Sequence[float], available: float) -> list[float]:
    """Column widths summing to ``available``: natural widths grown proportionally when they
    fit, else the widest columns capped at a common width (water-filling) so narrow number
    columns keep their width and only long text wraps."""
    if not natural:
        return []
    total = sum(natural)
    if total <= available:
        return [w * available / total for w in natural]
    remaining, capped = available, sorted(natural)
    cap = available / len(natural)
    for index, width in enumerate(capped):
        share = remaining / (len(capped) - index)
        if width <= share:
            remaining -= width
        else:
            cap = share
            break
    return [min(w, cap) for w in natural]


def _natural_width(texts: Sequence[str], header: str) -> float:
    """Width in EMU that shows the widest text of a column on one line (header in bold)."""
    widest = max([_text_em(header, bold=True), *(_text_em(t) for t in texts)]) * TABLE_PT
    # Beyond ~26 characters a column should wrap rather than squeeze its neighbours.
    return Pt(min(widest / WRAP_SLACK, 26 * TABLE_PT)) + 2 * CELL_INSET_X + Pt(2)


def _row_height(texts: Sequence[str], widths: Sequence[int], bold: bool = False) -> int:
    lines = max((_line_count(t, w - 2 * CELL_INSET_X, TABLE_PT, bold) for t, w in zip(texts, widths)), default=1)
    return lines * _line_height(TABLE_PT) + 2 * CELL_INSET_Y


def paginate(heights: Sequence[int], budget: int, max_rows: int) -> list[range]:
    """Consecutive row ranges, each at most ``max_rows`` rows and ``budget`` EMU tall (at least one row)."""
    pages: list[range] = []
    start, used = 0, 0
    for index, height in enumerate(heights):
        if index > start and (index - start >= max_rows or used + height > budget):
            pages.append(range(start, index))
            start, used = index, 0
        used += height
    if start < len(heights) or not pages:
        pages.append(range(start, len(heights)))
    return pages


def _page_title(title: str, index: int, count: int) -> str:
    return f"{title} ({index + 1}/{count})" if count > 1 else title


def _table_slides(prs, table: TableSlide) -> None:
    text = table_text(table.frame, table.column_formats)
    naturals = [_natural_width([row[i] for row in text.rows], h) for i, h in enumerate(text.headers)]
    widths = [int(w) for w in column_widths(naturals, CONTENT_WIDTH)]
    inner = [w - 2 * CELL_INSET_X for w in widths]
    headers = [_truncate(h, w, TABLE_PT, MAX_CELL_LINES, bold=True) for h, w in zip(text.headers, inner)]
    rows = [[_truncate(t, w, TABLE_PT, MAX_CELL_LINES) for t, w in zip(row, inner)] for row in text.rows]
    header_height = _row_height(headers, widths, bold=True)
    heights = [_row_height(row, widths) for row in rows]
    budget = FOOTER_TOP - GAP - (BODY_TOP + GAP) - header_height
    pages = paginate(heights, budget, max(1, table.rows_per_slide))
    for index, page in enumerate(pages):
        slide = _blank(prs)
        _slide_title(slide, _page_title(table.title, index, len(pages)))
        if not headers:
            continue
        if not rows:
            _text_shape(slide, "該当するデータがありません", MARGIN, BODY_TOP + GAP, CONTENT_WIDTH,
                        _box_height(1, BODY_PT), BODY_PT, color=MUTED_COLOR)
            continue
        _table(slide, headers, [rows[i] for i in page], text.right, widths, header_height,
               [heights[i] for i in page])


def _fill(cell, color: str) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = _rgb(color)


def _table(slide, headers, rows, right, widths, header_height, heights) -> None:
    left = MARGIN + (CONTENT_WIDTH - sum(widths)) // 2
    total_height = header_height + sum(heights)
    shape = slide.shapes.add_table(len(rows) + 1, len(headers), left, BODY_TOP + GAP, sum(widths), total_height)
    table = shape.table
    # Our own fills and header; the template style's banding would fight them.
    table.first_row = True
    table.horz_banding = False
    for index, width in enumerate(widths):
        table.columns[index].width = Emu(width)
    table.rows[0].height = Emu(header_height)
    for index, height in enumerate(heights, start=1):
        table.rows[index].height = Emu(height)
    for c, header in enumerate(headers):
        _cell(table.cell(0, c), header, PP_ALIGN.RIGHT if right[c] else PP_ALIGN.LEFT, bold=True,
              color=WHITE, fill=HEADER_FILL)
    for r, row in enumerate(rows, start=1):
        fill = BAND_FILL if r % 2 == 0 else WHITE
        for c, value in enumerate(row):
            _cell(table.cell(r, c), value, PP_ALIGN.RIGHT if right[c] else PP_ALIGN.LEFT, fill=fill)


def _cell(cell, text: str, align, *, bold: bool = False, color: str = TEXT_COLOR, fill: str = WHITE) -> None:
    _fill(cell, fill)
    cell.margin_left = cell.margin_right = CELL_INSET_X
    cell.margin_top = cell.margin_bottom = CELL_INSET_Y
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame = cell.text_frame
    frame.word_wrap = True
    paragraph = _paragraph(frame, True, TABLE_PT, align)
    if text:
        _add_run(paragraph, text, TABLE_PT, bold=bold, color=color)
    # An empty cell still sizes its line from the end-of-paragraph properties.
    end = paragraph._p.get_or_add_endParaRPr()
    end.set("sz", str(TABLE_PT * 100))


# --- sources and data quality -------------------------------------------------------------

SOURCES_TITLE = "出典・データ品質"
SOURCES_HEADING = "出典資料"
QUALITY_HEADING = "データ品質に関する注記"
CONTINUED = "（続き）"


@dataclass(frozen=True)
class _Line:
    text: str
    heading: bool
    height: int


def _list_lines(deck: Deck, inner: int) -> list[_Line]:
    def item(text: str) -> _Line:
        text = _truncate(f"・{clean_text(str(text))}", inner, BODY_PT, MAX_ITEM_LINES)
        return _Line(text, False, _line_count(text, inner, BODY_PT) * _line_height(BODY_PT))

    def heading(text: str) -> _Line:
        return _Line(text, True, _line_height(BODY_PT) + Pt(BODY_PT * 0.6))

    lines = [heading(SOURCES_HEADING)]
    lines += [item(s) for s in deck.sources] or [item("（記載なし）")]
    lines += [heading(QUALITY_HEADING)]
    lines += [item(n) for n in deck.quality_notes] or [item("特記事項なし")]
    return lines


def _list_pages(lines: list[_Line], budget: int) -> list[list[_Line]]:
    """Pages of lines within ``budget``; a section cut by a page break gets its heading again
    (「（続き）」), and a heading is never left alone at the bottom of a page."""
    pages: list[list[_Line]] = [[]]
    used, current = 0, None
    for index, line in enumerate(lines):
        following = lines[index + 1].height if line.heading and index + 1 < len(lines) else 0
        if pages[-1] and used + line.height + following > budget:
            pages.append([])
            used = 0
            if not line.heading and current is not None:
                repeat = _Line(current.text + CONTINUED, True, current.height)
                pages[-1].append(repeat)
                used += repeat.height
        if line.heading:
            current = line
        pages[-1].append(line)
        used += line.height
    return pages


def _sources_slides(prs, deck: Deck) -> None:
    inner = _inner(CONTENT_WIDTH)
    top = BODY_TOP + GAP
    height = FOOTER_TOP - GAP - top
    pages = _list_pages(_list_lines(deck, inner), height - 2 * TEXT_INSET_Y)
    for index, page in enumerate(pages):
        slide = _blank(prs)
        _slide_title(slide, _page_title(SOURCES_TITLE, index, len(pages)))
        frame = _textbox(slide, MARGIN, top, CONTENT_WIDTH, height)
        for number, line in enumerate(page):
            space = BODY_PT * 0.6 if line.heading and number else 0
            paragraph = _paragraph(frame, number == 0, BODY_PT, space_before=space)
            _add_run(paragraph, line.text, BODY_PT, bold=line.heading, color=ACCENT if line.heading else TEXT_COLOR)


# --- deck --------------------------------------------------------------------------------


def _core_properties(prs, deck: Deck) -> None:
    props = prs.core_properties
    props.title = clean_text(deck.title)[:255]
    props.author = props.last_modified_by = CREATOR
    props.subject = clean_text(" ".join(p for p in (deck.municipality, deck.plan) if p))[:255]
    created = deck.created
    if created.tzinfo is not None:  # the package stores UTC without a zone
        created = created.astimezone(dt.timezone.utc).replace(tzinfo=None)
    props.created = props.modified = created
    props.revision = 1


def build_deck(deck: Deck) -> bytes:
    """The deck as .pptx bytes: title slide, chart slides, table pages, sources pages."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    _core_properties(prs, deck)
    _title_slide(prs, deck)
    for chart in deck.charts:
        _chart_slide(prs, chart)
    if deck.table is not None:
        _table_slides(prs, deck.table)
    _sources_slides(prs, deck)
    total = len(prs.slides)
    for number, slide in enumerate(prs.slides, start=1):
        if number > 1:
            _footer(slide, deck, number, total)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def page_deck(page_title: str, charts: Sequence[PageChart], *, municipality: str, plan: str,
              fiscal_years: str, conditions: Sequence[tuple[str, str]], created: dt.datetime,
              sources: Sequence[str] = (), quality_notes: Sequence[str] = ()) -> bytes:
    """One screen of the dashboard as a deck: a slide per chart and the first chart's table.

    A chart without a takeaway of its own uses the first sentence of its note, so every chart
    slide says something in words.
    """
    slides = [chart_slide(c.title, c.takeaway or c.note.split("。")[0], c.chart, note=c.note)
              for c in charts]
    table = TableSlide(f"{charts[0].title} (表)", charts[0].table) if charts else None
    return build_deck(Deck(page_title, municipality, plan, fiscal_years, conditions, created,
                           slides, table, sources, quality_notes))
