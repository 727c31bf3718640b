"""評価の推移 and レーダー: content checked against the Tomakomai document (golden values).

tomakomai_gyosei_sokaku_plan_hyoka_r6.txt:
- line 120: 実践項目 1 ガバメントクラウドファンディングの実施 — R2–R5 B A C C, 総括 3 3 3 3, 合計 12, A;
- line 108: 取組項目 16 AIの活用 — 3.0 2.5 2.0 3.0, 合計 10.5, A, 委員評価 4.4;
- line 764: 取組項目 17 and 20 have the highest 委員評価, 4.6.
"""
from __future__ import annotations

import json

import polars as pl
import pytest

from warehouse.radar import Profile, across_years
from warehouse.trends import disagreements, grade_columns, grade_history, movers

TRENDS = "app_pages/trends.py"
RADAR = "app_pages/radar.py"
ITEM_1 = "tomakomai-sokaku-r6/実践項目:1"
GROUP_16 = "tomakomai-sokaku-r6/取組項目:16"


def _charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def _frame(at, title_column: str):
    for frame in at.dataframe:
        if title_column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with column {title_column}")


def _text(at) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "title") for e in getattr(at, kind))


# -- 評価の推移 ------------------------------------------------------------------------------

def test_trends_shows_grades_criteria_and_committee(app):
    at = app(TRENDS, m="苫小牧市")
    assert not at.exception and not at.error
    assert at.title[0].value == "評価の推移"
    assert at.radio(key="trends_level").value == "実践項目"
    specs = _charts(at)
    assert len(specs) == 3
    grades, criteria, committee = specs
    assert grades["mark"]["type"] == "bar"
    assert grades["encoding"]["color"]["scale"]["domain"] == ["A", "B", "C", "D"]
    assert grades["encoding"]["x"]["scale"]["domain"] == [
        "R2 (2020)", "R3 (2021)", "R4 (2022)", "R5 (2023)", "総括"]
    trend_y = _layers(criteria)[0]["encoding"]["y"]
    assert trend_y["scale"]["domain"] == [0, 3]
    scatter = _layers(committee)[0]["encoding"]
    assert scatter["y"]["scale"]["domain"] == [1, 5]
    assert scatter["x"]["title"] == "自己評価合計 (0–12)"


def test_movers_table_has_item_1_yearly_grades(app):
    at = app(TRENDS, m="苫小牧市")
    at.selectbox(key="trends_order").set_value("悪化した順").run()
    table = _frame(at, "推移")
    row = table[table["番号"] == "1"].iloc[0]
    assert [row[c] for c in ("R2 (2020)", "R3 (2021)", "R4 (2022)", "R5 (2023)", "総括")] == ["B", "A", "C", "C", "A"]
    assert list(row["推移"]) == [3, 4, 2, 2]
    assert row["変化"] == -1
    # 悪化した順: declines first, so the first row has a negative change.
    assert table["変化"].iloc[0] < 0
    at.selectbox(key="trends_order").set_value("改善した順").run()
    assert _frame(at, "推移")["変化"].iloc[0] > 0


def test_committee_pairs_and_disagreements(app):
    at = app(TRENDS, m="苫小牧市")
    at.toggle(key="as_table_trends_committee").set_value(True).run()
    pairs = _frame(at, "委員評価")
    ai = pairs[pairs["番号"] == "16"].iloc[0]
    assert (ai["取組項目"], ai["合計"], ai["委員評価"]) == ("AIの活用", 10.5, 4.4)
    assert len(pairs) == 22
    top = pairs[pairs["委員評価"] == pairs["委員評価"].max()]
    assert sorted(top["番号"]) == ["17", "20"] and top["委員評価"].iloc[0] == 4.6
    gaps = _frame(at, "差")
    assert 1 <= len(gaps) <= 5
    assert list(gaps["差"].abs()) == sorted(gaps["差"].abs(), reverse=True)
    assert "標準化" in _text(at)


def test_trends_level_switch_to_groups(app):
    at = app(TRENDS, m="苫小牧市")
    at.radio(key="trends_level").set_value("取組項目").run()
    assert not at.exception
    # 取組項目 carry criterion scores only for the plan period: the trend says so instead of a blank chart.
    assert "年度ごとの観点別スコアがありません" in _text(at)
    table = _frame(at, "推移")
    assert len(table) == 22


def test_trends_for_a_town_without_evaluations_says_so(app):
    at = app(TRENDS, m="狛江市")
    assert not at.exception and not at.error
    assert not at.get("vega_lite_chart")
    assert "ありません" in _text(at)


def test_trends_year_and_grade_filters_select_the_initiatives(app):
    at = app(TRENDS, m="苫小牧市", fy="2022", g="C")
    assert not at.exception and not at.error
    table = _frame(at, "推移")
    assert set(table["R4 (2022)"]) == {"C"}
    assert "1" in set(table["番号"])  # 実践項目 1 was C in R4


# -- pure helpers ---------------------------------------------------------------------------

def test_grade_history_and_movers_order():
    rows = pl.DataFrame({"initiative_id": ["a", "b", "c"], "municipality": ["X"] * 3, "level": ["実践項目"] * 3,
                         "code": ["1", "2", "3"], "title": ["甲", "乙", "丙"]})
    grades = pl.DataFrame({"initiative_id": ["a", "a", "b", "b", "c", "a"],
                           "fiscal_year": [2020, 2021, 2020, 2021, 2021, None],
                           "grade": ["B", "A", "A", "C", "B", "A"]}, schema_overrides={"fiscal_year": pl.Int32})
    history = grade_history(rows, grades)
    assert grade_columns(history) == ["R2 (2020)", "R3 (2021)", "総括"]
    assert history["change"].to_list() == [1, -2, None]
    assert movers(history, "改善した順")["code"].to_list() == ["1", "2", "3"]
    assert movers(history, "悪化した順")["code"].to_list() == ["2", "1", "3"]


def test_disagreements_rule():
    pairs = pl.DataFrame({"initiative_id": list("abcd"), "title": list("abcd"),
                          "self_total": [8.0, 9.0, 10.0, 11.0], "committee": [4.0, 4.0, 4.0, 3.0]})
    result = disagreements(pairs, top=2)
    assert result["initiative_id"].to_list() == ["d", "a"]
    assert result["gap"][0] < 0 < result["gap"][1]
    assert disagreements(pairs.head(2)).is_empty()


# -- レーダー ---------------------------------------------------------------------------------

def test_radar_default_is_item_1_against_theme_and_town(app, warehouse):
    at = app(RADAR, m="苫小牧市")
    assert not at.exception and not at.error
    assert at.title[0].value == "レーダー"
    table = _frame(at, "対象")
    first = table.iloc[0]
    assert first["対象"].startswith("実践項目 1 ガバメント") and first["年度"] == "総括"
    assert [first[c] for c in ("進捗度", "連携度", "効率性", "創造性", "合計")] == [3, 3, 3, 3, 12]
    assert list(table["対象"].str.split(":").str[0])[1:] == ["テーマ平均", "自治体平均"]
    expected = warehouse.sql(
        "SELECT avg(score) FROM evaluations e JOIN initiatives i USING (initiative_id) "
        "WHERE i.level = '実践項目' AND i.municipality = '苫小牧市' AND e.fiscal_year IS NULL "
        "AND e.criterion = '進捗度'").fetchall()[0][0]
    assert table.iloc[2]["進捗度"] == pytest.approx(round(expected, 2))
    radar, bars = _charts(at)
    assert {layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
            for layer in radar["layer"]} >= {"line", "point", "text", "rule"}
    assert bars["encoding"]["y"]["scale"]["domain"] == [0, 3]
    assert bars["encoding"]["color"]["legend"]["orient"] == "bottom"
    assert at.query_params["r1"] == f"item|{ITEM_1}|0"


def test_radar_profile_from_url_group_16(app):
    at = app(RADAR, m="苫小牧市", r1=f"item|{GROUP_16}|0", r2="department|財政課|0")
    table = _frame(at, "対象")
    ai = table.iloc[0]
    assert ai["対象"] == "取組項目 16 AIの活用 (総括)"
    assert [ai[c] for c in ("進捗度", "連携度", "効率性", "創造性")] == [3.0, 2.5, 2.0, 3.0]
    assert ai["合計"] == 10.5
    assert table.iloc[1]["対象"] == "担当部署平均: 財政課 (総括)"
    assert at.selectbox(key="radar_kind_3").value == "none"


def test_radar_year_choice_and_across_years(app, warehouse):
    at = app(RADAR, m="苫小牧市")
    at.selectbox(key="radar_year_1").set_value(2020).run()
    row = _frame(at, "対象").iloc[0]
    assert row["年度"] == "R2 (2020)"
    scores = dict(warehouse.sql("SELECT criterion, score FROM evaluations WHERE initiative_id = ? "
                                "AND fiscal_year = 2020", params=[ITEM_1]).fetchall())
    assert [row[c] for c in ("進捗度", "連携度", "効率性", "創造性")] == [scores[c] for c in
                                                                    ("進捗度", "連携度", "効率性", "創造性")]
    at.button(key="radar_across_years").click().run()
    table = _frame(at, "対象")
    assert list(table["年度"]) == ["R3 (2021)", "R4 (2022)", "R5 (2023)", "総括"]
    assert across_years(Profile("item", ITEM_1)) == [Profile("item", ITEM_1, y) for y in (2021, 2022, 2023, None)]


def test_radar_choices_follow_the_filters(app):
    at = app(RADAR, m="苫小牧市", d="財政課")
    targets = at.selectbox(key="radar_target_1").options
    # 財政課 is among the departments of four practice items (document lines 233-236 and others).
    assert len(targets) == 4
    assert "実践項目 1 ガバメントクラウドファンディングの実施" in targets


def test_radar_without_scores_says_so(app):
    at = app(RADAR, m="小金井市")
    assert not at.exception and not at.error
    assert not at.get("vega_lite_chart")
    assert "ありません" in _text(at)



def test_radar_choices_survive_a_page_switch(app):
    at = app(RADAR, m="苫小牧市")
    at.selectbox(key="radar_kind_2").set_value("department").run()
    at.selectbox(key="radar_target_2").set_value("財政課").run()
    at.switch_page(TRENDS).run()
    at.switch_page(RADAR).run()
    assert not at.exception
    assert at.selectbox(key="radar_kind_2").value == "department"
    assert at.selectbox(key="radar_target_2").value == "財政課"
    assert _frame(at, "対象").iloc[1]["対象"] == "担当部署平均: 財政課 (総括)"
