"""庁議 (executive meeting) deck builder: structure, fonts, sizes, geometry, paging, takeaways."""
from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn

from cards.wording import takeaway_for_grades, takeaway_for_total
from charts import builders
from charts.png import chart_to_png
from charts.theme import FONT
from exports import slides
from exports.pdf import converter, pptx_to_pdf
from exports.slides import (
    ChartSlide,
    Deck,
    TableSlide,
    build_deck,
    column_widths,
    paginate,
    png_size,
)

JST = ZoneInfo("Asia/Tokyo")
CREATED = dt.datetime(2026, 11, 23, 14, 5, tzinfo=JST)

GRADES_FRAME = pl.DataFrame(
    {  # R4: 4 of 8 are A (50%); R5: 5 of 8 are A (62.5%); 総括 must not count as a year
        "fiscal_year": [2022, 2022, 2022, 2023, 2023, 2023, None],
        "grade": ["A", "B", "C", "A", "B", "D", "A"],
        "count": [4, 3, 1, 5, 2, 1, 9],
    }
)
EFFECTS_FRAME = pl.DataFrame(
    {
        "fiscal_year": [2021, 2022, 2023],
        "kind": ["歳出削減", "歳入確保", "歳出削減"],
        "amount_yen": [1_200_000_000, 1_460_000_000, 1_100_000_000],
    }
)
TABLE_FRAME = pl.DataFrame(
    {
        "番号": [f"{i:02d}" for i in range(1, 31)],
        "取組項目": [f"窓口業務の見直し{i}" for i in range(1, 31)],
        "年度": [2021 + i % 3 for i in range(30)],
        "財政効果額(円)": [i * 12_345_678 for i in range(30)],
    }
)
CONDITIONS = [("自治体", "苫小牧市"), ("年度", "すべて"), ("テーマ", "すべて"), ("キーワード", "なし")]


@pytest.fixture(scope="module")
def chart_pngs() -> list[bytes]:
    return [
        chart_to_png(builders.grade_distribution(GRADES_FRAME).properties(width=800, height=450)),
        chart_to_png(builders.fiscal_effects_by_year(EFFECTS_FRAME)),
    ]


def make_deck(pngs: list[bytes], **changes) -> Deck:
    fields = dict(
        title="第7次行政改革推進計画 進捗状況",
        municipality="苫小牧市",
        plan="第7次行政改革推進計画",
        fiscal_years="令和3年度 (2021) 〜 令和5年度 (2023)",
        conditions=CONDITIONS,
        created=CREATED,
        charts=[
            ChartSlide("総合評価の分布", takeaway_for_grades(GRADES_FRAME), pngs[0]),
            ChartSlide("財政効果額（年度別）", takeaway_for_total("財政効果額", 3_760_000_000), pngs[1],
                       note="出典: 進捗状況報告書（令和5年度）"),
        ],
        table=TableSlide("取組一覧", TABLE_FRAME),
        sources=["進捗状況報告書（令和5年度） — data/raw/tomakomai/progress_r5.txt"],
        quality_notes=["取組項目 N23 の担当課名を訂正（原資料の誤記）"],
    )
    fields.update(changes)
    return Deck(**fields)


@pytest.fixture(scope="module")
def presentation(chart_pngs):
    return Presentation(io.BytesIO(build_deck(make_deck(chart_pngs))))


def open_deck(data: bytes):
    return Presentation(io.BytesIO(data))


def texts(slide) -> list[str]:
    """Text of every text frame and table cell on the slide, in shape order."""
    found = []
    for shape in slide.shapes:
        if shape.has_text_frame and shape.text_frame.text:  # accent rectangles have empty frames
            found.append(shape.text_frame.text)
        if getattr(shape, "has_table", False) and shape.has_table:
            found += [cell.text for row in shape.table.rows for cell in row.cells]
    return found


def title_of(slide) -> str:
    return texts(slide)[0]


def runs(prs):
    for slide in prs.slides:
        yield from slide.shapes._spTree.iter(qn("a:r"))


def tables(slide):
    return [shape.table for shape in slide.shapes if getattr(shape, "has_table", False) and shape.has_table]


def has_japanese(text: str) -> bool:
    return any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


# --- structure ------------------------------------------------------------------


def test_slide_is_16_by_9(presentation):
    assert presentation.slide_width == 12_192_000  # 13.333 in
    assert presentation.slide_height == 6_858_000  # 7.5 in


def test_slide_order_and_titles(presentation):
    titles = [title_of(slide) for slide in presentation.slides]
    assert titles == [
        "第7次行政改革推進計画 進捗状況",
        "総合評価の分布",
        "財政効果額（年度別）",
        "取組一覧 (1/3)",
        "取組一覧 (2/3)",
        "取組一覧 (3/3)",
        "出典・データ品質",
    ]


def test_title_slide_shows_municipality_plan_years_filters_and_date(presentation):
    text = "\n".join(texts(presentation.slides[0]))
    for expected in ["苫小牧市", "第7次行政改革推進計画", "令和3年度 (2021) 〜 令和5年度 (2023)",
                     "自治体: 苫小牧市", "テーマ: すべて", "キーワード: なし", "作成日: 2026年11月23日"]:
        assert expected in text


def test_chart_slides_have_picture_takeaway_and_note(presentation, chart_pngs):
    for slide, png in zip(list(presentation.slides)[1:3], chart_pngs):
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        assert pictures[0].image.blob == png  # embedded as rendered, not recompressed
        px_w, px_h = png_size(png)
        assert pictures[0].width / pictures[0].height == pytest.approx(px_w / px_h, rel=0.01)
    assert "A評価の割合は R5 (2023) で 63% (前年比 +13pt)" in texts(presentation.slides[1])
    chart_texts = texts(presentation.slides[2])
    assert "財政効果額の合計は 37.6億円" in chart_texts
    assert "出典: 進捗状況報告書（令和5年度）" in chart_texts


def test_chart_picture_fills_the_free_area(presentation):
    """Scaled to fit: as wide as the content area or as tall as the space below the takeaway."""
    for slide in list(presentation.slides)[1:3]:
        picture = next(s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE)
        assert picture.width >= slides.CONTENT_WIDTH - 2 or picture.height >= slides.Inches(4.2)


def test_footer_numbers_pages(presentation):
    total = len(presentation.slides)
    for number, slide in enumerate(presentation.slides, start=1):
        if number > 1:
            assert f"{number} / {total}" in texts(slide)


def test_sources_slide_lists_sources_and_notes(presentation):
    text = texts(presentation.slides[-1])[1]
    assert "出典資料" in text and "データ品質に関する注記" in text
    assert "・進捗状況報告書（令和5年度） — data/raw/tomakomai/progress_r5.txt" in text
    assert "・取組項目 N23 の担当課名を訂正（原資料の誤記）" in text


def test_core_properties(presentation):
    props = presentation.core_properties
    assert props.title == "第7次行政改革推進計画 進捗状況"
    assert props.author == "行革ダッシュボード"
    assert props.created == dt.datetime(2026, 11, 23, 5, 5)  # stored as UTC


# --- readability ------------------------------------------------------------------


def test_every_run_names_the_japanese_font_in_latin_and_east_asian_slots(presentation):
    checked = 0
    for run in runs(presentation):
        rPr = run.find(qn("a:rPr"))
        text = run.findtext(qn("a:t")) or ""
        assert rPr is not None, text
        assert rPr.find(qn("a:latin")).get("typeface") == FONT, text
        ea = rPr.find(qn("a:ea"))
        assert ea is not None and ea.get("typeface") == FONT, text
        # Schema order: fill before latin, ea right after latin (PowerPoint rejects other orders).
        tags = [etree_tag(child) for child in rPr]
        assert tags.index("ea") == tags.index("latin") + 1
        assert tags.index("solidFill") < tags.index("latin")
        checked += has_japanese(text)
    assert checked > 50  # table cells included


def etree_tag(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def test_table_cell_runs_use_the_east_asian_font(presentation):
    table = tables(presentation.slides[3])[0]
    cell_run = table.cell(1, 1).text_frame.paragraphs[0].runs[0]
    assert cell_run.text == "窓口業務の見直し1"
    assert cell_run._r.rPr.find(qn("a:ea")).get("typeface") == FONT


def test_no_text_below_14pt(presentation):
    sizes = []
    for run in runs(presentation):
        size = run.find(qn("a:rPr")).get("sz")
        assert size is not None, run.findtext(qn("a:t"))  # explicit, never inherited
        sizes.append(int(size) / 100)
    assert min(sizes) >= 14
    assert max(sizes) >= 32  # titles are large


def test_all_shapes_inside_the_slide(presentation):
    width, height = presentation.slide_width, presentation.slide_height
    for number, slide in enumerate(presentation.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (number, shape.name)
            assert shape.left + shape.width <= width, (number, shape.name)
            assert shape.top + shape.height <= height, (number, shape.name)


def test_table_frame_height_matches_its_rows(presentation):
    for slide in list(presentation.slides)[3:6]:
        frame = next(s for s in slide.shapes if getattr(s, "has_table", False) and s.has_table)
        assert frame.height == sum(row.height for row in frame.table.rows)
        assert frame.width == sum(column.width for column in frame.table.columns)


# --- table paging and formatting -----------------------------------------------------


def test_table_pages_hold_at_most_12_rows_and_repeat_the_header(presentation):
    pages = [tables(slide)[0] for slide in list(presentation.slides)[3:6]]
    codes = []
    for table in pages:
        assert len(table.rows) <= 13
        assert [cell.text for cell in table.rows[0].cells] == ["番号", "取組項目", "年度", "財政効果額(円)"]
        codes += [row.cells[0].text for row in list(table.rows)[1:]]
    assert codes == [f"{i:02d}" for i in range(1, 31)]


def test_numbers_are_right_aligned_with_separators_and_years_labelled(presentation):
    table = tables(presentation.slides[3])[0]
    row = table.rows[3]  # third data row: i = 2
    assert row.cells[3].text == "24,691,356"
    assert row.cells[3].text_frame.paragraphs[0].alignment == PP_ALIGN.RIGHT
    assert table.cell(0, 3).text_frame.paragraphs[0].alignment == PP_ALIGN.RIGHT
    assert row.cells[2].text == "R5 (2023)"
    assert row.cells[1].text_frame.paragraphs[0].alignment == PP_ALIGN.LEFT


def test_columns_sized_to_content(presentation):
    table = tables(presentation.slides[3])[0]
    widths = [column.width for column in table.columns]
    assert widths[1] > widths[0]  # the long text column gets more room than the codes
    assert sum(widths) <= slides.CONTENT_WIDTH


def test_single_page_table_has_no_page_suffix(chart_pngs):
    prs = open_deck(build_deck(make_deck(chart_pngs, table=TableSlide("取組一覧", TABLE_FRAME.head(12)))))
    assert [title_of(s) for s in prs.slides][3] == "取組一覧"
    assert len(prs.slides) == 5


def test_long_cells_page_by_height_and_stay_on_the_slide(chart_pngs):
    frame = pl.DataFrame(
        {
            "番号": [str(i) for i in range(20)],
            "概要": ["市民の利便性向上のため、各種申請手続のオンライン化を進め、" * 6] * 20,
            "担当部署": ["政策推進課"] * 20,
        }
    )
    prs = open_deck(build_deck(make_deck(chart_pngs, charts=[], table=TableSlide("取組の概要", frame))))
    table_slides = [s for s in prs.slides if tables(s)]
    assert len(table_slides) > 2  # 3-line rows do not fit 12 to a slide
    numbers = [row.cells[0].text for s in table_slides for row in list(tables(s)[0].rows)[1:]]
    assert numbers == [str(i) for i in range(20)]
    assert any(row.cells[1].text.endswith("…") for row in list(tables(table_slides[0])[0].rows)[1:])
    for slide in prs.slides:
        for shape in slide.shapes:
            assert shape.top + shape.height <= prs.slide_height
            assert shape.left + shape.width <= prs.slide_width


def test_wide_table_keeps_number_columns_unwrapped():
    natural = [100.0, 900.0, 120.0, 700.0]
    widths = column_widths(natural, 1000.0)
    assert sum(widths) == pytest.approx(1000.0)
    assert widths[0] == 100.0 and widths[2] == 120.0  # narrow columns untouched
    assert widths[1] == widths[3] == pytest.approx(390.0)
    assert column_widths([100.0, 300.0], 800.0) == [200.0, 600.0]  # slack shared proportionally


def test_paginate_limits_rows_and_height():
    assert paginate([1] * 30, budget=100, max_rows=12) == [range(0, 12), range(12, 24), range(24, 30)]
    assert paginate([40, 40, 40, 40], budget=100, max_rows=12) == [range(0, 2), range(2, 4)]
    assert paginate([500], budget=100, max_rows=12) == [range(0, 1)]  # an oversized row still gets a page
    assert paginate([], budget=100, max_rows=12) == [range(0, 0)]


def test_empty_table_says_so(chart_pngs):
    prs = open_deck(build_deck(make_deck(chart_pngs, table=TableSlide("取組一覧", TABLE_FRAME.head(0)))))
    assert "該当するデータがありません" in texts(prs.slides[3])


# --- sources paging and minimal decks ------------------------------------------------------


def test_long_notes_are_paged_with_continued_headings(chart_pngs):
    notes = [f"{i}件目: 年度表記を西暦に統一（原資料は和暦）" for i in range(60)]
    prs = open_deck(build_deck(make_deck(chart_pngs, charts=[], table=None, quality_notes=notes)))
    source_slides = list(prs.slides)[1:]
    count = len(source_slides)
    assert count >= 3
    assert [title_of(s) for s in source_slides] == [f"出典・データ品質 ({i}/{count})" for i in range(1, count + 1)]
    body = "\n".join(texts(s)[1] for s in source_slides)
    assert all(f"・{note}" in body for note in notes)
    assert texts(source_slides[1])[1].startswith("データ品質に関する注記（続き）")


def test_minimal_deck(chart_pngs):
    deck = make_deck(chart_pngs, charts=[], table=None, sources=[], quality_notes=[], conditions=[])
    prs = open_deck(build_deck(deck))
    assert len(prs.slides) == 2
    body = texts(prs.slides[1])[1]
    assert "（記載なし）" in body and "特記事項なし" in body


def test_long_title_is_shrunk_then_cut(chart_pngs):
    title = "総合評価の分布（" + "政策推進課・情報推進課・財政課・" * 6 + "）"
    prs = open_deck(build_deck(make_deck(chart_pngs, charts=[ChartSlide(title, "要点", chart_pngs[0])], table=None)))
    shown = title_of(prs.slides[1])
    assert shown.endswith("…") and len(shown) < len(title)
    run = prs.slides[1].shapes[0].text_frame.paragraphs[0].runs[0]
    assert run.font.size.pt == slides.TITLE_MIN_PT


def test_many_conditions_fit_the_title_slide(chart_pngs):
    conditions = [(f"条件{i}", "とても長い値" * 3) for i in range(30)]
    prs = open_deck(build_deck(make_deck(chart_pngs, conditions=conditions)))
    text = "\n".join(texts(prs.slides[0]))
    assert "件の条件" in text and "作成日: 2026年11月23日" in text


def test_illegal_xml_characters_do_not_break_the_deck(chart_pngs):
    deck = make_deck(chart_pngs, title="報告\x0b書", quality_notes=["制御文字\x01を含む注記"])
    prs = open_deck(build_deck(deck))
    assert title_of(prs.slides[0]) == "報告\ufffd書"


def test_non_png_chart_is_rejected(chart_pngs):
    with pytest.raises(ValueError, match="not a PNG"):
        build_deck(make_deck(chart_pngs, charts=[ChartSlide("x", "y", b"GIF89a....")]))


def test_chart_slide_helper_renders_png():
    slide = slides.chart_slide("分布", "要点", builders.grade_distribution(GRADES_FRAME), note="注")
    assert png_size(slide.png) == (1600, 900)  # unsized chart drawn at 800×450, scale 2
    assert (slide.title, slide.takeaway, slide.note) == ("分布", "要点", "注")
    layered = slides.chart_slide("累計", "", builders.cumulative_fiscal_effect(EFFECTS_FRAME))
    assert png_size(layered.png) == (1600, 900)
    radar = builders.radar(pl.DataFrame({"profile": ["全体"] * 4, "criterion": ["進捗度", "連携度", "効率性", "創造性"],
                                         "score": [1.0, 2.0, 3.0, 2.0]}))
    width, height = png_size(slides.chart_slide("観点", "", radar).png)
    assert abs(width - height) < width * 0.3  # a fixed-size chart keeps its own shape


# --- takeaways ------------------------------------------------------------------------------


# --- rendering by an office suite ---------------------------------------------------------------

RENDERS = Path(__file__).resolve().parents[1] / "browser" / "output" / "deck-pages"


@pytest.mark.skipif(
    converter() is None or shutil.which("pdftoppm") is None,
    reason="LibreOffice (soffice) and poppler's pdftoppm are not installed on this machine "
           "(scripts/install.sh --browser installs them)",
)
def test_libreoffice_renders_every_slide(presentation, chart_pngs, tmp_path):
    """The deck as LibreOffice draws it: one PDF page per slide, each page with content.
    The page images are kept in tests/browser/output/deck-pages/ to be looked at."""
    pdf = tmp_path / "deck.pdf"
    pdf.write_bytes(pptx_to_pdf(build_deck(make_deck(chart_pngs))))
    shutil.rmtree(RENDERS, ignore_errors=True)
    RENDERS.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(RENDERS / "page")], check=True, timeout=120)
    pages = sorted(RENDERS.glob("page-*.png"))
    assert len(pages) == len(presentation.slides)
    assert all(page.stat().st_size > 1000 for page in pages)
