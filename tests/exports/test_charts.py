"""Chart builders: spec structure (marks, encodings, fixed domains, grade colours, Japanese text, theme)."""
from __future__ import annotations

import json

import altair as alt
import polars as pl
import pytest

import charts
import vocab
from charts import builders
from charts.radar import EXTENT, radar_points
from charts.theme import FONT, GRADE_COLORS, NO_DATA_TEXT, THEME_NAME, enable_theme, grade_scale
from vocab import fy_label, fy_label_long

CRITERIA, GRADES = list(vocab.CRITERIA), list(vocab.GRADES)  # as chart specs hold them (JSON arrays)

GRADES_FRAME = pl.DataFrame(
    {
        "fiscal_year": [2020, 2020, 2021, 2021, 2021, None],
        "grade": ["A", "B", "A", "C", "D", "B"],
        "count": [3, 1, 2, 2, 1, 4],
    }
)
TREND_FRAME = pl.DataFrame(
    {
        "fiscal_year": [2020] * 4 + [2021] * 4 + [None],
        "criterion": CRITERIA * 2 + ["進捗度"],
        "score": [1.0, 2.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0, 3.0],
    }
)
PROFILE_FRAME = pl.DataFrame(
    {
        "profile": ["全体"] * 4 + ["政策推進課"] * 4,
        "criterion": CRITERIA * 2,
        "score": [3.0, 2.0, 1.0, 0.0, 1.5, 1.5, 1.5, 1.5],
    }
)
EFFECTS_FRAME = pl.DataFrame(
    {
        "fiscal_year": [2019, 2019, 2020, None],
        "kind": ["歳出削減", "歳入確保", "歳出削減", "歳出削減"],
        "amount_yen": [120_000_000, 30_000_000, 250_000_000, 500_000_000],
    }
)
INDICATOR_FRAME = pl.DataFrame(
    {
        "fiscal_year": [2018, 2019, 2020, 2024],
        "kind": ["baseline", "actual", "actual", "target"],
        "value": [42.0, 45.0, 47.5, 60.0],
        "name": ["市民満足度"] * 4,
        "unit": ["%"] * 4,
    }
)
COMMITTEE_FRAME = pl.DataFrame(
    {"title": ["取組A", "取組B", "取組C"], "self_total": [8, 8, 11], "committee": [3, 3, 5]}
)

COUNT_FRAME = pl.DataFrame({"課": ["政策推進課", "財政課", "人事課"], "件数": [4, 9, 2]})
YEARLY_FRAME = pl.DataFrame({"fiscal_year": [2024, 2020, 2022], "count": [56, 4, 13]})


def all_charts() -> dict[str, alt.TopLevelMixin]:
    return {
        "grade_distribution": charts.grade_distribution(GRADES_FRAME),
        "grade_normalized": charts.grade_distribution(GRADES_FRAME, normalize=True),
        "criterion_trend": charts.criterion_trend(TREND_FRAME),
        "radar": charts.radar(PROFILE_FRAME),
        "criterion_bars": charts.criterion_bars(PROFILE_FRAME),
        "fiscal_effects_by_year": charts.fiscal_effects_by_year(EFFECTS_FRAME),
        "cumulative_fiscal_effect": charts.cumulative_fiscal_effect(EFFECTS_FRAME),
        "indicator_chart": charts.indicator_chart(INDICATOR_FRAME),
        "committee_vs_self": charts.committee_vs_self(COMMITTEE_FRAME),
        "count_bars": charts.count_bars(COUNT_FRAME, "課", "件数", "課別の取組数"),
        "yearly_counts": charts.yearly_counts(YEARLY_FRAME, title="年度別の取組終了件数"),
    }


def layers(spec: dict) -> list[dict]:
    """Single-view specs of a (possibly layered) spec."""
    if "layer" in spec:
        return [view for child in spec["layer"] for view in layers(child)]
    return [spec]


def mark_type(view: dict) -> str:
    mark = view["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def dataset(spec: dict, view: dict) -> list[dict]:
    return spec["datasets"][view["data"]["name"]]


def title_text(spec: dict) -> str:
    title = spec.get("title")
    return title if isinstance(title, str) else title["text"]


def has_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


# ---------------------------------------------------------------- labels


@pytest.mark.parametrize(
    ("year", "short", "long"),
    [
        (2021, "R3 (2021)", "令和3年度 (2021)"),
        (2019, "R1 (2019)", "令和元年度 (2019)"),
        (2018, "H30 (2018)", "平成30年度 (2018)"),
        (1989, "H1 (1989)", "平成元年度 (1989)"),
        (None, "総括", "総括"),
    ],
)
def test_fiscal_year_labels(year, short, long):
    assert fy_label(year) == short
    assert fy_label_long(year) == long


# ---------------------------------------------------------------- theme


def test_theme_registered_enabled_and_idempotent():
    enable_theme()
    enable_theme()
    assert alt.theme.active == THEME_NAME
    assert THEME_NAME in alt.theme.names()


def test_grade_scale_is_fixed_and_ordered():
    scale = grade_scale().to_dict()
    assert scale["domain"] == ["A", "B", "C", "D"] == GRADES
    assert scale["range"] == [GRADE_COLORS[g] for g in GRADES]
    assert len(set(GRADE_COLORS.values())) == 4
    assert CRITERIA == ["進捗度", "連携度", "効率性", "創造性"]


@pytest.mark.parametrize("name", list(all_charts()))
def test_theme_font_everywhere_and_no_chart_level_configure(name):
    chart = all_charts()[name]
    spec = chart.to_dict()
    config = spec["config"]
    for value in (
        config["font"],
        config["title"]["font"],
        config["axis"]["labelFont"],
        config["axis"]["titleFont"],
        config["legend"]["labelFont"],
        config["legend"]["titleFont"],
        config["header"]["labelFont"],
        config["text"]["font"],
    ):
        assert FONT in value
    # Builders leave config to the theme: the chart object itself carries none.
    assert chart.to_dict(validate=False) and alt.Undefined is getattr(chart, "config", alt.Undefined)


@pytest.mark.parametrize("name", list(all_charts()))
def test_japanese_title_and_axis_titles(name):
    spec = all_charts()[name].to_dict()
    assert has_japanese(title_text(spec))
    for view in layers(spec):
        for channel in ("x", "y"):
            encoding = view.get("encoding", {}).get(channel)
            if not encoding or encoding.get("axis", {}) is None or "field" not in encoding:
                continue
            axis_title = encoding.get("axis", {}).get("title") or encoding.get("title")
            assert axis_title and has_japanese(axis_title), (name, channel, encoding)


@pytest.mark.parametrize("name", list(all_charts()))
def test_tooltips_have_japanese_titles(name):
    spec = all_charts()[name].to_dict()
    tooltips = [t for view in layers(spec) for t in view.get("encoding", {}).get("tooltip", [])]
    assert tooltips, name
    assert all(has_japanese(t["title"]) for t in tooltips)


def test_every_grade_coloured_chart_uses_grade_colors():
    for chart in (
        charts.grade_distribution(GRADES_FRAME),
        charts.grade_distribution(GRADES_FRAME, normalize=True),
        charts.grade_distribution(GRADES_FRAME.filter(pl.col("grade") == "A")),
    ):
        for view in layers(chart.to_dict()):
            color = view["encoding"]["color"]
            assert color["field"] == "grade"
            assert color["scale"]["domain"] == GRADES
            assert color["scale"]["range"] == [GRADE_COLORS[g] for g in GRADES]


# ---------------------------------------------------------------- builders


def test_grade_distribution_stacked_counts_and_shares():
    spec = charts.grade_distribution(GRADES_FRAME).to_dict()
    assert mark_type(spec) == "bar"
    enc = spec["encoding"]
    assert enc["x"]["field"] == "fy_label" and enc["x"]["type"] == "nominal"
    assert enc["x"]["sort"] == ["R2 (2020)", "R3 (2021)", "総括"]
    assert enc["y"] == {**enc["y"], "field": "count", "type": "quantitative", "stack": "zero"}
    assert {t["field"] for t in enc["tooltip"]} >= {"count", "share", "grade"}
    rows = dataset(spec, spec)
    shares = {(r["fy_label"], r["grade"]): r["share"] for r in rows}
    assert shares[("R2 (2020)", "A")] == pytest.approx(0.75)
    assert shares[("総括", "B")] == pytest.approx(1.0)


def test_grade_distribution_normalized_variant():
    enc = charts.grade_distribution(GRADES_FRAME, normalize=True).to_dict()["encoding"]
    assert enc["y"]["stack"] == "normalize"
    assert enc["y"]["axis"]["format"] == ".0%"


def test_criterion_trend_lines_and_points_on_fixed_0_3():
    spec = charts.criterion_trend(TREND_FRAME).to_dict()
    views = layers(spec)
    assert [mark_type(v) for v in views] == ["line", "point"]
    enc = spec["encoding"] if "encoding" in spec else views[0]["encoding"]
    assert enc["y"]["field"] == "mean_score" and enc["y"]["scale"]["domain"] == [0, 3]
    assert enc["color"]["scale"]["domain"] == CRITERIA
    rows = dataset(spec, spec if "data" in spec else views[0])
    # The NULL-year (総括) row is not a point on a time axis.
    assert {r["fy_label"] for r in rows} == {"R2 (2020)", "R3 (2021)"}
    by_key = {(r["fiscal_year"], r["criterion"]): r["mean_score"] for r in rows}
    assert by_key[(2021, "連携度")] == 3.0


def test_radar_geometry_and_fixed_square_domain():
    points = radar_points(PROFILE_FRAME)
    top = points.filter((pl.col("profile") == "全体") & (pl.col("criterion") == "進捗度")).row(0, named=True)
    assert (top["x"], top["y"]) == (0.0, 1.0)  # score 3 → radius 1, first spoke at 12 o'clock
    right = points.filter((pl.col("profile") == "全体") & (pl.col("criterion") == "連携度")).row(0, named=True)
    assert (right["x"], right["y"]) == pytest.approx((2 / 3, 0.0))
    assert points["profile"].unique(maintain_order=True).to_list() == ["全体", "政策推進課"]

    spec = charts.radar(PROFILE_FRAME).to_dict()
    assert spec["width"] == spec["height"]
    views = layers(spec)
    marks = [mark_type(v) for v in views]
    assert marks.count("line") == 2 and "rule" in marks and "text" in marks and "point" in marks
    for view in views:
        for channel in ("x", "y"):
            assert view["encoding"][channel]["scale"]["domain"] == [-EXTENT, EXTENT]
    rings = dataset(spec, views[0])
    radii = sorted({round((r["x"] ** 2 + r["y"] ** 2) ** 0.5, 6) for r in rings})
    assert radii == pytest.approx([1 / 3, 2 / 3, 1.0])  # the 0–3 score scale, fixed
    labels = next(v for v in views if mark_type(v) == "text" and v["encoding"]["text"]["field"] == "criterion")
    assert [r["criterion"] for r in dataset(spec, labels)] == CRITERIA
    polygon = next(v for v in views if mark_type(v) == "line" and "color" in v["encoding"])
    assert polygon["mark"]["interpolate"] == "linear-closed"
    assert polygon["encoding"]["color"]["field"] == "profile"


def test_radar_refuses_more_than_four_profiles():
    frame = pl.DataFrame({"profile": [f"p{i}" for i in range(5)], "criterion": ["進捗度"] * 5, "score": [1.0] * 5})
    with pytest.raises(ValueError, match="最大4件"):
        charts.radar(frame)


def test_criterion_bars_grouped_on_fixed_0_3():
    spec = charts.criterion_bars(PROFILE_FRAME).to_dict()
    assert mark_type(spec) == "bar"
    enc = spec["encoding"]
    assert enc["x"]["field"] == "criterion" and enc["x"]["sort"] == CRITERIA
    assert enc["xOffset"]["field"] == "profile"
    assert enc["y"]["field"] == "score" and enc["y"]["scale"]["domain"] == [0, 3]
    assert enc["color"]["scale"]["domain"] == ["全体", "政策推進課"]


def test_fiscal_effects_stacked_with_yen_axis():
    spec = charts.fiscal_effects_by_year(EFFECTS_FRAME).to_dict()
    assert mark_type(spec) == "bar"
    enc = spec["encoding"]
    assert enc["y"]["field"] == "amount_yen" and enc["y"]["stack"] == "zero"
    assert enc["y"]["axis"]["title"] == "財政効果額（億円）"
    assert "100000000" in enc["y"]["axis"]["labelExpr"] and "',~f'" in enc["y"]["axis"]["labelExpr"]
    assert enc["color"]["field"] == "kind"
    assert enc["x"]["sort"] == ["R1 (2019)", "R2 (2020)", "総括"]
    amount_tip = next(t for t in enc["tooltip"] if t["field"] == "amount_yen")
    assert amount_tip["format"] == ",.0f"


@pytest.mark.parametrize(("amount", "unit"), [(5_000, "円"), (3_000_000, "万円"), (2_500_000_000, "億円")])
def test_yen_axis_unit_follows_magnitude(amount, unit):
    frame = pl.DataFrame({"fiscal_year": [2021], "kind": ["歳出削減"], "amount_yen": [amount]})
    title = charts.fiscal_effects_by_year(frame).to_dict()["encoding"]["y"]["axis"]["title"]
    assert title.endswith(f"（{unit}）")


def test_cumulative_fiscal_effect_running_total():
    spec = charts.cumulative_fiscal_effect(EFFECTS_FRAME).to_dict()
    views = layers(spec)
    assert [mark_type(v) for v in views] == ["line", "point"]
    rows = dataset(spec, spec if "data" in spec else views[0])
    assert [(r["fiscal_year"], r["cumulative_yen"]) for r in rows] == [(2019, 150_000_000), (2020, 400_000_000)]


def test_indicator_chart_marks_target_distinctly():
    spec = charts.indicator_chart(INDICATOR_FRAME).to_dict()
    assert title_text(spec) == "市民満足度"
    views = layers(spec)
    assert [mark_type(v) for v in views] == ["line", "line", "point"]
    observed, target, points = views
    assert "strokeDash" in target["mark"] and "strokeDash" not in observed["mark"]
    assert points["encoding"]["shape"]["scale"]["domain"] == ["基準値", "実績値", "目標値"]
    shapes = dict(zip(points["encoding"]["shape"]["scale"]["domain"], points["encoding"]["shape"]["scale"]["range"]))
    assert shapes["目標値"] != shapes["実績値"]
    enc = spec.get("encoding") or observed["encoding"]
    assert enc["y"]["title"] == "市民満足度（%）"
    assert enc["x"]["axis"]["values"] == [2018, 2019, 2020, 2024]


def test_indicator_chart_refuses_mixed_indicators():
    frame = INDICATOR_FRAME.with_columns(pl.Series("name", ["a", "b", "a", "a"]))
    with pytest.raises(ValueError, match="1指標ずつ"):
        charts.indicator_chart(frame)


def test_committee_vs_self_domains():
    spec = charts.committee_vs_self(COMMITTEE_FRAME).to_dict()
    assert mark_type(spec) == "circle"
    enc = spec["encoding"]
    assert enc["y"]["field"] == "committee" and enc["y"]["scale"]["domain"] == [1, 5]
    assert enc["x"]["field"] == "self_value" and enc["x"]["scale"]["domain"] == [0, 12]
    rows = dataset(spec, spec)
    merged = next(r for r in rows if r["self_value"] == 8)
    assert merged["n"] == 2 and merged["titles"] == "取組A、取組B"


def test_committee_vs_self_accepts_mean_self_score():
    frame = pl.DataFrame({"title": ["x"], "self_score": [2.25], "committee": [4]})
    enc = charts.committee_vs_self(frame).to_dict()["encoding"]
    assert enc["x"]["scale"]["domain"] == [0, 3] and enc["y"]["scale"]["domain"] == [1, 5]


def test_count_bars_horizontal_sorted_descending():
    spec = charts.count_bars(COUNT_FRAME, "課", "件数", "課別の取組数", limit=2).to_dict()
    views = layers(spec)
    assert [mark_type(v) for v in views] == ["bar", "text"]
    enc = spec.get("encoding") or views[0]["encoding"]
    assert enc["y"]["type"] == "nominal" and enc["x"]["type"] == "quantitative"
    assert enc["y"]["sort"] == ["財政課", "政策推進課"]
    assert enc["y"]["title"] == "課" and enc["x"]["title"] == "件数"


def test_yearly_counts_are_columns_in_year_order_not_by_size():
    # The 取組終了 chart once sorted its years by count (R6, R4, R3, R5, R2).
    spec = charts.yearly_counts(YEARLY_FRAME).to_dict()
    views = layers(spec)
    assert [mark_type(v) for v in views] == ["bar", "text"]
    enc = spec.get("encoding") or views[0]["encoding"]
    assert enc["x"]["type"] == "nominal" and enc["y"]["type"] == "quantitative"
    assert enc["x"]["sort"] == ["R2 (2020)", "R4 (2022)", "R6 (2024)"]
    assert enc["x"]["title"] == "年度" and enc["y"]["title"] == "件数"


# ---------------------------------------------------------------- empty and bad input

EMPTY_CALLS = {
    "grade_distribution": lambda f: charts.grade_distribution(f),
    "criterion_trend": lambda f: charts.criterion_trend(f),
    "radar": lambda f: charts.radar(f),
    "criterion_bars": lambda f: charts.criterion_bars(f),
    "fiscal_effects_by_year": lambda f: charts.fiscal_effects_by_year(f),
    "cumulative_fiscal_effect": lambda f: charts.cumulative_fiscal_effect(f),
    "indicator_chart": lambda f: charts.indicator_chart(f),
    "committee_vs_self": lambda f: charts.committee_vs_self(f),
    "count_bars": lambda f: charts.count_bars(f, "課", "件数", "課別の取組数"),
    "yearly_counts": lambda f: charts.yearly_counts(f, title="年度別の取組終了件数"),
}


@pytest.mark.parametrize("name", list(EMPTY_CALLS))
@pytest.mark.parametrize("frame", [pl.DataFrame(), "typed-empty"])
def test_empty_frame_gives_no_data_chart(name, frame):
    typed = {
        "grade_distribution": GRADES_FRAME,
        "criterion_trend": TREND_FRAME,
        "radar": PROFILE_FRAME,
        "criterion_bars": PROFILE_FRAME,
        "fiscal_effects_by_year": EFFECTS_FRAME,
        "cumulative_fiscal_effect": EFFECTS_FRAME,
        "indicator_chart": INDICATOR_FRAME,
        "committee_vs_self": COMMITTEE_FRAME,
        "count_bars": COUNT_FRAME,
        "yearly_counts": YEARLY_FRAME,
    }[name]
    frame = typed.clear() if isinstance(frame, str) else frame
    spec = EMPTY_CALLS[name](frame).to_dict()
    assert mark_type(spec) == "text"
    assert dataset(spec, spec) == [{"text": NO_DATA_TEXT}]
    assert has_japanese(title_text(spec))


def test_rows_outside_vocabulary_leave_no_data_chart():
    frame = pl.DataFrame({"fiscal_year": [2021], "grade": ["E"], "count": [3]})
    spec = charts.grade_distribution(frame).to_dict()
    assert dataset(spec, spec) == [{"text": NO_DATA_TEXT}]


def test_missing_columns_raise_clear_error():
    with pytest.raises(ValueError, match="count"):
        charts.grade_distribution(pl.DataFrame({"fiscal_year": [2021], "grade": ["A"]}))


def test_charts_over_5000_rows_still_export():
    # Altair's default data transformer raises MaxRowsError past 5,000 inline rows.
    departments = pl.DataFrame({"課": [f"課{i:05d}" for i in range(6_000)], "件数": list(range(6_000))})
    spec = charts.count_bars(departments, "課", "件数", "課別の取組数").to_dict()
    assert len(dataset(spec, spec)) == 6_000


def test_specs_are_json_serialisable():
    for chart in all_charts().values():
        json.dumps(chart.to_dict())
