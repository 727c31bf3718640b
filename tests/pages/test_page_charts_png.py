"""Every chart a page actually shows, with real data, exports to a PNG (vl-convert).

Streamlit sends a chart's inline data separately (proto.datasets); it is put back into the
spec under its dataset name before rendering, as the PNG button's builder sees it.
"""
from __future__ import annotations

import io
import json
import struct

import polars as pl
import pytest

from charts.png import chart_to_png
from tests.pages.conftest import PAGE_FILES

VIEWS = {"app_pages/trends.py": {"m": "苫小牧市"}, "app_pages/radar.py": {"m": "苫小牧市"},
         "app_pages/fiscal.py": {"m": "苫小牧市"}}
WITHOUT_CHARTS = {"app_pages/explorer.py", "app_pages/data_import.py"}


def _spec_with_data(proto) -> dict:
    spec = json.loads(proto.spec)
    datasets = spec.setdefault("datasets", {})
    for d in proto.datasets:
        frame = pl.read_ipc_stream(io.BytesIO(d.data.data))
        datasets[d.name] = json.loads(json.dumps(frame.to_dicts(), default=str))
    return spec


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_chart_on_the_page_exports_to_png(app, page):
    at = app(page, **VIEWS.get(page, {}))
    charts = at.get("vega_lite_chart")
    assert bool(charts) == (page not in WITHOUT_CHARTS), page
    for chart in charts[:4]:  # a few per page keeps the suite quick; builders have their own tests
        width, height = _png_size(chart_to_png(_spec_with_data(chart.proto), scale=1.0))
        assert width >= 300 and height >= 150, (page, width, height)


def test_exported_picture_carries_the_card_title(app):
    at = app("app_pages/overview.py")
    spec = _spec_with_data(at.get("vega_lite_chart")[0].proto)
    plain = chart_to_png(spec, scale=1.0)
    titled = chart_to_png(spec, scale=1.0, title="総合評価の分布 (年度別)")
    # The theme fits the whole picture to the chart's size, so the plot makes room for the title.
    assert _png_size(titled) == _png_size(plain)
    assert titled != plain
