"""charts.scores: the radar, bars and committee scatter of the score pages (spec structure)."""
from __future__ import annotations

import polars as pl

import vocab
from charts import scores
from charts.theme import NO_DATA_TEXT, PALETTE

CRITERIA = list(vocab.CRITERIA)  # as chart specs hold it (a JSON array)

PROFILES = pl.DataFrame({
    "profile": ["実践項目 1 ガバメントクラウドファンディングの実施 (総括)"] * 4 + ["自治体平均: 苫小牧市 (総括)"] * 4,
    "criterion": CRITERIA * 2,
    "score": [3.0, 3.0, 3.0, 3.0, 2.24, 2.73, 2.51, 2.39],
})
PAIRS = pl.DataFrame({
    "title": ["16 AIの活用", "17 庁内文書の電子化の推進", "6 公共交通の利便性向上に向けた取組"],
    "self_total": [10.5, 10.6, 11.0],
    "committee": [4.4, 4.6, 3.9],
    "label": [None, None, "No.6"],
})


def _mark(layer: dict) -> str:
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


def test_profile_radar_keeps_square_and_puts_legend_below():
    spec = scores.profile_radar(PROFILES, size=360).to_dict()
    assert spec["width"] == spec["height"] == 360
    assert spec["autosize"]["type"] == "pad"
    polygons = [layer for layer in spec["layer"]
                if layer.get("encoding", {}).get("color", {}).get("field") == "profile"]
    assert polygons, "the profile polygons and points are coloured by profile"
    for layer in polygons:
        legend = layer["encoding"]["color"]["legend"]
        assert legend["orient"] == "bottom" and legend["columns"] == 1
        assert layer["encoding"]["color"]["scale"]["range"] == PALETTE[:2]
    texts = {t for layer in spec["layer"] if _mark(layer) == "text" for t in [layer["encoding"]["text"]["field"]]}
    assert "criterion" in texts  # the four criterion labels on the spokes


def test_profile_radar_input_is_not_mutated():
    from charts import builders

    scores.profile_radar(PROFILES)
    original = builders.radar(PROFILES).to_dict()
    assert all("legend" not in layer.get("encoding", {}).get("color", {}) for layer in original["layer"])


def test_profile_bars_fixed_domain_and_japanese_titles():
    spec = scores.profile_bars(PROFILES).to_dict()
    enc = spec["encoding"]
    assert _mark(spec) == "bar"
    assert enc["x"]["title"] == "観点" and enc["x"]["scale"]["domain"] == CRITERIA
    assert enc["y"]["scale"]["domain"] == [0, 3] and enc["y"]["title"] == "スコア (0–3)"
    assert enc["color"]["title"] == "対象" and enc["color"]["legend"]["orient"] == "bottom"


def test_committee_scatter_labels_the_named_points():
    spec = scores.committee_scatter(PAIRS, title="自己評価と委員評価").to_dict()
    assert spec["title"] == "自己評価と委員評価"
    points, names = spec["layer"]
    assert _mark(points) == "circle"
    assert points["encoding"]["y"]["scale"]["domain"] == [1, 5]
    assert points["encoding"]["x"]["scale"]["domain"] == [0, 12]
    assert _mark(names) == "text" and names["encoding"]["text"]["field"] == "label"
    rows = spec["datasets"][names["data"]["name"]]
    assert rows == [{"self_value": 11.0, "committee": 3.9, "label": "No.6"}]


def test_committee_scatter_without_labels_or_data():
    plain = scores.committee_scatter(PAIRS.drop("label")).to_dict()
    assert _mark(plain) == "circle"
    empty = scores.committee_scatter(PAIRS.clear()).to_dict()
    assert empty["mark"]["type"] == "text"
    assert NO_DATA_TEXT in str(empty["datasets"])
    radar_empty = scores.profile_radar(PROFILES.clear()).to_dict()
    assert NO_DATA_TEXT in str(radar_empty["datasets"])
