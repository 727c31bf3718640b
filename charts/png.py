"""Static export of charts (PNG for slides and downloads, SVG as a cheap extra) via vl-convert.

vl-convert renders in-process (no browser, no network) and reads the system fonts. Two traps
make Japanese text fragile there: a font family it cannot find makes all text vanish without
an error, and the generic ``sans-serif`` resolves to a serif CJK face. So export always applies
the dashboard theme (which names "Noto Sans CJK JP") and checks once that the family really
renders, raising :class:`FontUnavailableError` instead of producing a chart without labels.
"""
from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc
from altair.utils import update_nested

from charts.theme import FONT, theme_config

# Where Debian's fonts-noto-cjk puts its files; registering is harmless when vl-convert
# already found them through fontconfig, and needed when the process started without it.
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")

_lock = threading.Lock()


class FontUnavailableError(RuntimeError):
    """The Japanese font is not installed where vl-convert can see it."""

    def __init__(self) -> None:
        super().__init__(
            f"日本語フォント「{FONT}」が見つからないため画像を作成できません。"
            "fonts-noto-cjk をインストールしてください。"
        )


def _probe_spec(font: str) -> dict[str, Any]:
    return {
        "width": 80,
        "height": 30,
        "data": {"values": [{"t": "評価"}]},
        "mark": {"type": "text", "font": font, "fontSize": 20},
        "encoding": {"text": {"field": "t"}},
        "config": {"view": {"stroke": None}},
    }


@functools.cache
def ensure_font() -> None:
    """Register the Noto directories and prove the family renders (cached after the first success)."""
    for directory in FONT_DIRS:
        if Path(directory).is_dir():
            vlc.register_font_directory(directory)
    # An unknown family renders nothing, so identical output means the font is missing.
    with_font = vlc.vegalite_to_png(_probe_spec(FONT), scale=1)
    without = vlc.vegalite_to_png(_probe_spec("__no_such_font__"), scale=1)
    if with_font == without:
        raise FontUnavailableError()


def _vl_version() -> str | None:
    """The Vega-Lite version Altair targets, if vl-convert bundles it (else its latest)."""
    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return major_minor if major_minor in vlc.get_vegalite_versions() else None


EXPORT_WIDTH = 800  # px at scale 1: 1600 px wide at the default scale 2, a 16:9 slide's width
_COMPOSITE = ("hconcat", "vconcat", "concat", "facet", "repeat")


def export_spec(chart: alt.TopLevelMixin | dict[str, Any]) -> dict[str, Any]:
    """The chart's Vega-Lite dict with the dashboard theme underneath, whatever theme is active.

    On screen most charts take the container's width; a file has no container, so such a
    chart is exported EXPORT_WIDTH wide instead of Vega-Lite's small default.
    """
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    spec = update_nested(theme_config(), spec, copy=True)
    if not any(key in spec for key in _COMPOSITE) and spec.get("width") in (None, "container"):
        spec["width"] = EXPORT_WIDTH
    return spec


def _convert(function, chart, **kwargs):
    ensure_font()
    spec = export_spec(chart)
    # vl-convert shares one JS runtime; serialise calls coming from Streamlit's threads.
    with _lock:
        return function(spec, vl_version=_vl_version(), allowed_base_urls=[], **kwargs)


def chart_to_png(chart: alt.TopLevelMixin | dict[str, Any], *, scale: float = 2.0,
                 title: str | None = None) -> bytes:
    """PNG bytes of ``chart``; an 800×450 chart at the default scale 2 gives 1600×900 px (slide size).

    ``title`` replaces the chart's own title (the dashboard shows titles on its cards, so the
    on-screen chart often has none, but a picture pasted into a slide needs one).
    """
    if title is not None:
        chart = {**export_spec(chart), "title": title}
    return _convert(vlc.vegalite_to_png, chart, scale=scale)


def chart_to_svg(chart: alt.TopLevelMixin | dict[str, Any]) -> str:
    """SVG text of ``chart``; text stays text, so the viewer needs the Japanese font too."""
    return _convert(vlc.vegalite_to_svg, chart)
