"""The 比較 panel: a municipality beside its prefecture and 全体.

Golden values from the bundled documents (苫小牧市 is the only graded one, alone in 北海道) and
from a small generated set, where every figure is computed again here from the workbook rows."""
from __future__ import annotations

import statistics

import pytest

from tests.pages.comparison_set import comparison_set  # noqa: F401 (a fixture)
from ui.comparison import notes, rows
from vocab import CRITERIA
from warehouse import Filters
from warehouse.compare import panel
from warehouse.fiscal import fiscal_effect


@pytest.fixture(autouse=True)
def _fresh_queries():
    panel.cache_clear()


def _table(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("| 項目"))


def test_tomakomai_against_hokkaido_and_everything(built_warehouse, monkeypatch):
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(built_warehouse))
    result = panel("苫小牧市")
    mine, hokkaido, whole = result.municipality, result.prefecture, result.whole
    # 令和5年度 (2023) is the plan's latest graded year: A 41, B 53, C 1 of 95 (総括 left out)
    assert (mine.last_year, mine.graded, mine.grades) == (2023, 95, {"A": 41, "B": 53, "C": 1, "D": 0})
    assert round(mine.share("A"), 3) == 0.432
    assert {c: round(v, 2) for c, v in mine.criteria.items()} == {
        "進捗度": 2.10, "連携度": 2.61, "効率性": 2.35, "創造性": 2.32}
    # the one rule: the same figure as every other screen's 財政効果額
    assert mine.fiscal_effect == fiscal_effect(Filters(municipality="苫小牧市")).yen == 4_204_866_918
    assert mine.per_capita is None and mine.population is None
    assert (hokkaido.name, hokkaido.members, hokkaido.some_members) == ("北海道", 1, ("苫小牧市",))
    assert hokkaido.grades == mine.grades and hokkaido.fiscal_effect == mine.fiscal_effect
    # 全体: every municipality of the warehouse but the prefecture body 東京都
    assert whole.graded == 95 and whole.graded_members == 1 and whole.members == 25
    assert whole.fiscal_effect == fiscal_effect(Filters()).yen
    said = notes(result, "苫小牧市")
    assert "北海道の自治体はこの倉庫に苫小牧市だけです。都道府県の列は苫小牧市と同じ値で、比べる相手がいません。" in said
    assert any(n.startswith("人口はどの計画にも記載がない") for n in said)
    shown = dict(rows(result))
    assert shown["総合評価 A"] == ["43%（41 件）"] * 3
    assert shown["総合評価の年度"][0] == "令和5年度 (2023)"
    assert shown["財政効果額（集計）"][:2] == ["42億円", "42億円"]
    assert shown["評価のある自治体"] == ["1", "1", "1"] and shown["自治体数"] == ["1", "1", "25"]
    assert "人口" not in shown and "1人あたり財政効果額" not in shown  # no plan states one: a note says so


def test_a_prefecture_body_or_no_choice_shows_only_everything(built_warehouse, monkeypatch):
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(built_warehouse))
    for chosen in (None, "東京都", "どこにもない町"):
        result = panel(chosen)
        assert result.municipality is None and result.prefecture is None and result.whole.members == 25
    assert notes(panel("東京都"), "東京都")[0] == "「東京都」は倉庫の市区町村にないか都道府県自身のため、都道府県ごとの表を示します。"
    tokyo_town = panel("狛江市")
    assert tokyo_town.prefecture.name == "東京都" and tokyo_town.prefecture.graded == 0
    assert "狛江市には総合評価・観点別の評価がありません。" in notes(tokyo_town, "狛江市")


def _expected(data: dict[str, list[dict]]) -> dict:
    """The panel's figures for one municipality, from its workbook rows."""
    own = [r for r in data["評価"] if r["evaluator"] == "自己評価" and r.get("fiscal_year") is not None]
    latest = max(r["fiscal_year"] for r in own)
    this_year = [r for r in own if r["fiscal_year"] == latest]
    keys = [(r["number"], r["fiscal_year"], r["kind"], r["amount_yen"]) for r in data["財政効果"]]
    assert len(set(keys)) == len(keys)  # no 再掲 (repeat) the ETL would leave out
    return {"latest": latest,
            "grades": [r["grade"] for r in this_year if r["criterion"] == "総合評価"],
            "scores": {c: [r["score"] for r in this_year if r["criterion"] == c] for c in CRITERIA},
            "yen": sum(r["amount_yen"] for r in data["財政効果"]),
            "population": data["計画"][0].get("population")}


def test_generated_prefecture_averages_and_money_per_person(comparison_set, monkeypatch):
    path, written = comparison_set
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(path))
    expected = {name: _expected(data) for name, data in written.items()}
    hokkaido = ("函館市", "小樽市", "旭川市")
    result = panel("小樽市")
    mine, prefecture, whole = result.municipality, result.prefecture, result.whole
    assert (prefecture.name, prefecture.members, whole.members) == ("北海道", 3, 4)
    for group, names in ((mine, ("小樽市",)), (prefecture, hokkaido), (whole, tuple(expected))):
        grades = [g for n in names for g in expected[n]["grades"]]
        assert group.graded == len(grades) and group.last_year == 2024
        assert group.grades == {g: grades.count(g) for g in "ABCD"}
        for criterion in CRITERIA:
            scores = [s for n in names for s in expected[n]["scores"][criterion]]
            assert group.criteria[criterion] == pytest.approx(statistics.mean(scores))
        assert group.fiscal_effect == sum(expected[n]["yen"] for n in names)
        known = [n for n in names if expected[n]["population"]]
        assert group.population_members == len(known)
        assert group.per_capita == pytest.approx(sum(expected[n]["yen"] for n in known)
                                                 / sum(expected[n]["population"] for n in known))
    # 旭川市 states no 人口: its money is in the total, not in 北海道's per-person figure
    assert prefecture.money_members == 3 and prefecture.population_members == 2
    per_person = (expected["函館市"]["yen"] + expected["小樽市"]["yen"]) / (245_000 + 108_000)
    shown = dict(rows(result))
    assert shown["1人あたり財政効果額"][1] == f"{per_person:,.0f} 円/人"
    assert shown["人口"] == ["108,000 人", "353,000 人", "623,000 人"]
    assert shown["人口の記載がある自治体"] == ["1", "2", "3"] and shown["財政効果のある自治体"] == ["1", "3", "4"]
    assert notes(result, "小樽市") == []


def test_compare_page_shows_the_panel(app):
    at = app("app_pages/compare.py", m="苫小牧市")
    assert not at.exception and not at.error
    table = _table(at)
    assert "| 項目 | 自治体：苫小牧市 | 都道府県：北海道 | 全体 |" in table
    assert "| 総合評価 A | 43%（41 件） |" in table
    captions = " ".join(c.value for c in at.caption)
    assert "北海道の自治体はこの倉庫に苫小牧市だけです" in captions
    assert at.dataframe[0].value.columns[0] == "カテゴリ"  # the category matrix still follows


def test_compare_page_without_a_municipality_lists_prefectures(app):
    at = app("app_pages/compare.py")
    assert not at.exception and not at.error
    table = next(d.value for d in at.dataframe if "都道府県" in d.value.columns)
    assert list(table["都道府県"]) == ["全体", "北海道", "群馬県", "東京都"]  # code order, 全体 first
    assert list(table["自治体数"]) == [25, 1, 1, 23]
    hokkaido = table.iloc[1]
    assert hokkaido["評価あり"] == 1 and round(hokkaido["A (%)"], 1) == 43.2
    assert round(hokkaido["連携度"], 2) == 2.61 and hokkaido["財政効果額"] == "42億円"
    assert table.iloc[3]["評価あり"] == 0 and table.iloc[3]["財政効果額"] == "6,490万円"
    assert any("サイドバーで自治体を選ぶと" in c.value for c in at.caption)
    assert not [m for m in at.markdown if m.value.startswith("| 項目")]


def test_prefecture_table_on_the_generated_set(comparison_set, monkeypatch):
    from ui.comparison import prefecture_table
    from warehouse.compare import prefectures

    path, _ = comparison_set
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(path))
    prefectures.cache_clear()
    table = prefecture_table(prefectures())
    assert list(table["都道府県"]) == ["全体", "北海道", "青森県"]
    by_name = {g.name: g for g in prefectures()}
    otaru = panel("小樽市")
    assert by_name["北海道"] == otaru.prefecture and by_name["全体"] == otaru.whole  # the same figures
    assert table["1人あたり円"][1] == round(otaru.prefecture.per_capita)


def test_compare_page_on_the_generated_set(app, comparison_set, monkeypatch):
    path, _ = comparison_set
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(path))
    at = app("app_pages/compare.py", m="函館市")
    assert not at.exception and not at.error
    table = _table(at)
    assert "| 項目 | 自治体：函館市 | 都道府県：北海道 | 全体 |" in table
    assert "| 人口 | 245,000 人 | 353,000 人 | 623,000 人 |" in table
    assert "| 人口の記載がある自治体 | 1 | 2 | 3 |" in table


def test_the_etl_figures_agree_with_the_live_queries(built_warehouse, monkeypatch):
    """The ETL's pre-aggregated tables give what the explorer's query and the panel's own SQL give."""
    import polars as pl

    from etl.comparison import PER_MUNICIPALITY
    from warehouse import compare, queries
    from warehouse.connection import query

    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(built_warehouse))
    queries.initiatives.cache_clear()
    live = queries.initiatives(Filters()).select("initiative_id", "grade", "fiscal_effect")
    stored = query("SELECT initiative_id, grade, fiscal_effect FROM _initiative_figures")
    joined = live.join(stored, on="initiative_id", suffix="_etl")
    assert joined.height == live.height == stored.height
    assert joined.filter(pl.col("grade").ne_missing(pl.col("grade_etl"))).is_empty()
    assert joined.filter(pl.col("fiscal_effect").cast(pl.Int64).ne_missing(pl.col("fiscal_effect_etl"))).is_empty()
    assert joined["grade"].drop_nulls().len() > 100  # 苫小牧市's items are graded
    on_the_fly = query(f"SELECT * FROM ({PER_MUNICIPALITY}) ORDER BY town_key")
    assert on_the_fly.equals(query("SELECT * FROM _municipality_figures ORDER BY town_key"))
    stored_panel = panel("苫小牧市")
    monkeypatch.setattr(compare, "_built_with", lambda: (False, False))  # a warehouse from before them
    panel.cache_clear()
    assert panel("苫小牧市") == stored_panel


@pytest.mark.parametrize("filters", [Filters(), Filters(municipality="苫小牧市", grade="A"), Filters(category="RPA・AI")])
def test_category_counts_the_same_with_or_without_the_etl_figures(built_warehouse, monkeypatch, filters):
    from warehouse import compare

    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(built_warehouse))
    compare._category_counts.cache_clear()
    compare.category_items.cache_clear()
    fast = compare._category_counts(filters).sort("grouped", "category", "member")
    items = compare.category_items(filters)
    monkeypatch.setattr(compare, "_built_with", lambda: (False, False))
    compare._category_counts.cache_clear()
    compare.category_items.cache_clear()
    assert compare._category_counts(filters).sort("grouped", "category", "member").equals(fast)
    assert compare.category_items(filters).equals(items) and items.height > 0
