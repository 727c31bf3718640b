"""PNG export: valid image of slide size, Japanese glyphs really drawn, timing after warm-up."""
from __future__ import annotations

import struct
import zlib

import altair as alt
import polars as pl
import pytest

import charts
from charts.png import chart_to_png, chart_to_svg, export_spec
from charts.theme import FONT

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- a tiny PNG reader (no Pillow needed)


def png_chunks(data: bytes):
    assert data[:8] == PNG_SIGNATURE
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc
        yield kind, body
        offset += 12 + length


def png_size(data: bytes) -> tuple[int, int]:
    kind, body = next(png_chunks(data))
    assert kind == b"IHDR"
    width, height = struct.unpack(">II", body[:8])
    return width, height


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_gray(data: bytes) -> list[list[int]]:
    """Rows of grey levels (0 black … 255 white) of an 8-bit RGB/RGBA non-interlaced PNG."""
    chunks = list(png_chunks(data))
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 4 if colour == 6 else 3
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * bpp
    previous = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            upper_left = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, upper_left)) & 0xFF
        rows.append([(line[i] + line[i + 1] + line[i + 2]) // 3 for i in range(0, stride, bpp)])
        previous = line
    return rows


def ink(rows: list[list[int]]) -> int:
    return sum(1 for row in rows for g in row if g < 128)


# ---------------------------------------------------------------- fixtures


def text_chart(text: str, font: str | None = None) -> alt.Chart:
    mark = {"fontSize": 28} if font is None else {"fontSize": 28, "font": font}
    return (
        alt.Chart(pl.DataFrame({"t": [text]}))
        .mark_text(**mark)
        .encode(text="t:N", x=alt.value(150), y=alt.value(30))
        .properties(width=300, height=60)
    )


def sample_chart() -> alt.Chart:
    frame = pl.DataFrame(
        {
            "fiscal_year": [2020, 2020, 2020, 2021, 2021, 2021, 2021, None, None],
            "grade": ["A", "B", "C", "A", "B", "C", "D", "A", "B"],
            "count": [5, 10, 3, 7, 8, 2, 1, 12, 9],
        }
    )
    return charts.grade_distribution(frame).properties(width=800, height=450)


# ---------------------------------------------------------------- tests


def test_png_is_slide_sized_image():
    png = chart_to_png(sample_chart())
    assert png_size(png) == (1600, 900)
    assert png_size(chart_to_png(sample_chart(), scale=1)) == (800, 450)


def test_export_applies_theme_even_when_another_is_active():
    with alt.theme.enable("default"):
        spec = export_spec(sample_chart())
    assert FONT in spec["config"]["font"]
    assert alt.theme.active == "gyokaku"


def test_japanese_text_renders_with_the_sans_font():
    noto = decode_gray(chart_to_png(text_chart("評価の推移"), scale=1))
    assert ink(noto) > 300  # not blank: an unknown font would draw nothing at all
    # Same text with a Latin-only family: vl-convert falls back to another (serif) CJK face,
    # so the pixels differ — proof the theme's family is the one used.
    dejavu = decode_gray(chart_to_png(text_chart("評価の推移", font="DejaVu Sans"), scale=1))
    differing = sum(1 for a, b in zip(noto, dejavu) for x, y in zip(a, b) if (x < 128) != (y < 128))
    assert differing > 0.2 * ink(noto)


def test_unknown_font_would_silently_drop_text():
    # Documents the pitfall that ensure_font() guards against.
    missing = decode_gray(chart_to_png(text_chart("評価の推移", font="No Such Font"), scale=1))
    assert ink(missing) == 0


def test_glyphs_are_not_tofu():
    # Distinct characters must give distinct bitmaps; missing glyphs all draw the same box.
    first = decode_gray(chart_to_png(text_chart("評"), scale=1))
    second = decode_gray(chart_to_png(text_chart("価"), scale=1))
    assert ink(first) > 0 and ink(second) > 0
    assert first != second


def test_svg_export_and_year_axis_expression():
    frame = pl.DataFrame(
        {
            "fiscal_year": [2018, 2019, 2024],
            "kind": ["baseline", "actual", "target"],
            "value": [1.0, 2.0, 3.0],
            "name": ["指標"] * 3,
            "unit": ["件"] * 3,
        }
    )
    svg = chart_to_svg(charts.indicator_chart(frame))
    assert svg.lstrip().startswith("<svg")
    for label in ("H30 (2018)", "R1 (2019)", "R6 (2024)", "指標（件）"):
        assert label in svg




@pytest.mark.parametrize(
    "chart",
    [
        charts.radar(
            pl.DataFrame({"profile": ["全体"] * 4, "criterion": charts.CRITERIA, "score": [1.0, 2.0, 3.0, 0.0]})
        ),
        charts.count_bars(pl.DataFrame({"課": ["政策推進課"], "件数": [3]}), "課", "件数", "課別"),
        charts.grade_distribution(pl.DataFrame()),
    ],
    ids=["radar", "count_bars", "empty"],
)
def test_other_builders_render(chart):
    png = chart_to_png(chart, scale=1)
    width, height = png_size(png)
    assert width > 100 and height > 100
