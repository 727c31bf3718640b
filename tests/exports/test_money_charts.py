"""charts.money builders (財政効果・指標): marks, encodings, colours, Japanese titles, placeholders."""
from __future__ import annotations

import altair as alt
import polars as pl

import charts  # noqa: F401 - registers the theme
from charts import money as cm
from charts.png import chart_to_png
from charts.theme import FONT, MUTED_COLOR, NO_DATA_TEXT, PALETTE

BY_INITIATIVE = pl.DataFrame({
    "initiative": ["27 公有財産の売却促進及び有効活用", "27 公有財産の売却促進及び有効活用", "2 企業版ふるさと納税の導入",
                   "3 広告料収入"],
    "initiative_full": ["実践項目 27 公有財産の売却促進及び有効活用"] * 2 + ["実践項目 2 企業版ふるさと納税の導入",
                                                                     "実践項目 3 広告料収入"],
    "kind": ["売却収入", "貸付収入", "寄附", "広告料"],
    "amount_yen": [2_741_654_000, 221_854_000, 774_884_918, 197_154_000],
})
COMPARE = pl.DataFrame({
    "item": ["合計", "合計", "27 公有財産", "27 公有財産"],
    "source_label": ["計画の記載", "集計"] * 2,
    "amount_yen": [3_760_000_000, 4_204_866_918, 2_800_000_000, 2_963_508_000],
})
YEARS = pl.DataFrame({"fiscal_year": [2020, 2020, 2021], "kind": ["売却収入", "寄附", "売却収入"],
                      "amount_yen": [324_102_000, 11_075_455, 365_947_000]})
INDICATOR = pl.DataFrame({
    "fiscal_year": [2018, 2020, 2021, 2024], "kind": ["baseline", "actual", "actual", "target"],
    "value": [55.6, 37.0, 48.3, 61.0], "name": ["質の高い行政運営が行われていると感じている市民の割合"] * 4,
    "unit": ["%"] * 4,
})
ALTERNATIVES = pl.DataFrame({"fiscal_year": [2020, 2021], "value": [60.3, 72.2]})


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def test_by_initiative_is_stacked_horizontal_bars_in_order():
    spec = cm.fiscal_effects_by_initiative(BY_INITIATIVE, kinds=["売却収入", "貸付収入", "寄附", "広告料", "経費削減"]).to_dict()
    assert spec["mark"]["type"] == "bar"
    enc = spec["encoding"]
    assert enc["y"]["sort"] == ["27 公有財産の売却促進及び有効活用", "2 企業版ふるさと納税の導入", "3 広告料収入"]
    assert enc["x"]["stack"] == "zero"
    assert enc["x"]["axis"]["title"] == "財政効果額（億円）"
    assert enc["color"]["title"] == "区分"
    # Sorted domain over the theme palette: the same colours the by-year chart gives each kind.
    domain = enc["color"]["scale"]["domain"]
    assert domain == sorted(["売却収入", "貸付収入", "寄附", "広告料", "経費削減"])
    assert enc["color"]["scale"]["range"] == PALETTE[:len(domain)]
    assert [t["title"] for t in enc["tooltip"]] == ["取組", "区分", "金額（円）", "取組の合計（円）"]
    assert spec["title"] == "財政効果額（取組別・上位）"


def test_by_initiative_keeps_the_top_rows():
    spec = cm.fiscal_effects_by_initiative(BY_INITIATIVE, limit=2).to_dict()
    assert spec["encoding"]["y"]["sort"] == ["27 公有財産の売却促進及び有効活用", "2 企業版ふるさと納税の導入"]


def test_by_year_with_page_kinds_overrides_only_the_colour_domain():
    spec = cm.fiscal_effects_by_year_kinds(YEARS, kinds=["経費削減"], title="").to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["売却収入", "寄附", "経費削減"]
    assert spec["encoding"]["y"]["stack"] == "zero"
    assert spec["width"] == 640


def test_stated_vs_found_pairs_bars_with_fixed_colours():
    spec = cm.stated_vs_found(COMPARE).to_dict()
    enc = spec["encoding"]
    assert spec["mark"]["type"] == "bar"
    assert enc["y"]["sort"] == ["合計", "27 公有財産"]
    assert enc["yOffset"]["field"] == "source_label"
    assert enc["color"]["scale"] == {"domain": ["計画の記載", "集計"], "range": [MUTED_COLOR, PALETTE[0]]}
    assert enc["x"]["axis"]["title"] == "財政効果額（億円）"


def test_cumulative_with_reference_adds_a_labelled_rule():
    spec = cm.cumulative_with_reference(YEARS, 3_760_000_000, reference_label="計画の記載 37.6億円").to_dict()
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert marks == ["line", "point", "rule", "text"]
    rule = spec["layer"][2]
    assert rule["mark"]["strokeDash"] == [6, 4]
    assert rule["encoding"]["y"]["field"] == "cumulative_yen"
    datasets = list(spec["datasets"].values())
    assert [{"cumulative_yen": 3_760_000_000.0, "label": "計画の記載 37.6億円"}] in datasets
    assert spec["title"] == "財政効果額（累計）"


def test_indicator_with_alternatives_adds_hollow_points_and_compact_axes():
    spec = cm.indicator_with_alternatives(INDICATOR, ALTERNATIVES, title="").to_dict()
    assert spec["title"] == ""
    layers = spec["layer"]
    assert len(layers) == 4
    hollow = layers[-1]
    assert hollow["mark"]["type"] == "point" and hollow["mark"]["filled"] is False
    assert [t["title"] for t in hollow["encoding"]["tooltip"]] == ["年度", "区分", "値"]
    for layer in layers:
        assert layer["encoding"]["y"]["scale"]["zero"] is False
    assert layers[0]["encoding"]["y"]["title"] == "単位: %"
    assert layers[0]["encoding"]["x"]["axis"]["labelExpr"] == cm.FY_LABEL_LINES
    values = [row["value"] for data in spec["datasets"].values() for row in data if "kind_label" in row
              and row["kind_label"] == "括弧内の値"]
    assert values == [60.3, 72.2]


def test_indicator_without_alternatives_keeps_the_name_as_title():
    spec = cm.indicator_with_alternatives(INDICATOR).to_dict()
    assert spec["title"] == "質の高い行政運営が行われていると感じている市民の割合"
    assert len(spec["layer"]) == 3


def test_empty_frames_give_the_placeholder():
    empty = pl.DataFrame(schema={"initiative": pl.String, "kind": pl.String, "amount_yen": pl.Int64})
    for chart in (cm.fiscal_effects_by_initiative(empty), cm.stated_vs_found(empty.rename({"initiative": "item",
                                                                                             "kind": "source_label"})),
                  cm.cumulative_with_reference(pl.DataFrame(schema={"fiscal_year": pl.Int32, "amount_yen": pl.Int64}),
                                               1_000),
                  cm.fiscal_effects_by_year_kinds(pl.DataFrame(schema={"fiscal_year": pl.Int32, "kind": pl.String,
                                                                       "amount_yen": pl.Int64}))):
        spec = chart.to_dict()
        assert spec["mark"]["type"] == "text"
        assert list(spec["datasets"].values())[0] == [{"text": NO_DATA_TEXT}]


def test_builders_never_configure_and_use_the_theme_font():
    for chart in (cm.fiscal_effects_by_initiative(BY_INITIATIVE), cm.stated_vs_found(COMPARE),
                  cm.cumulative_with_reference(YEARS, 3_760_000_000),
                  cm.indicator_with_alternatives(INDICATOR, ALTERNATIVES)):
        assert isinstance(chart, alt.TopLevelMixin)
        spec = chart.to_dict()
        assert FONT in spec["config"]["font"]
        assert set(spec["config"]) >= {"axis", "legend", "title"}


def test_png_export_renders():
    png = chart_to_png(cm.indicator_with_alternatives(INDICATOR, ALTERNATIVES))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
