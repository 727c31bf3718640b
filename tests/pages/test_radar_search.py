"""レーダー at scale: a 対象 list longer than ``TARGET_LIMIT`` lists only that many choices and
offers a search; the chosen target always stays listed. A small patched limit stands in for
the 86,000 initiatives of a national warehouse."""
from __future__ import annotations

import pytest

from warehouse import Filters, radar

RADAR = "app_pages/radar.py"
ITEM_1 = "tomakomai-sokaku-r6/実践項目:1"
ITEM_2 = "tomakomai-sokaku-r6/実践項目:2"  # 企業版ふるさと納税の導入


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(radar, "TARGET_LIMIT", 10)


def test_a_long_list_is_cut_and_says_so(app, small_limit):
    at = app(RADAR, m="苫小牧市")
    assert not at.exception
    practice_items = radar.find_targets(Filters(municipality="苫小牧市"), "item:実践項目").total
    assert practice_items > 10
    targets = at.selectbox(key="radar_target_1").options
    assert len(targets) == 10
    assert targets[0].startswith("実践項目 1 ガバメントクラウドファンディング")  # the current choice stays
    assert any(c.value == f"全 {practice_items:,} 件のうち 10 件を表示しています。名前や番号で探して絞り込んでください。"
               for c in at.caption)
    assert at.text_input(key="radar_search_1").label == "対象 1 を探す"


def test_search_narrows_the_choices_and_a_found_target_is_drawn(app, small_limit):
    at = app(RADAR, m="苫小牧市")
    at.text_input(key="radar_search_1").input("ふるさと納税").run()
    targets = at.selectbox(key="radar_target_1").options
    assert "実践項目 2 企業版ふるさと納税の導入" in targets
    assert all("ふるさと納税" in t for t in targets[1:])  # after the kept current choice
    assert targets[0].startswith("実践項目 1 ")
    at.selectbox(key="radar_target_1").set_value(ITEM_2).run()
    assert not at.exception
    assert at.query_params["r1"] == f"item|{ITEM_2}|0"
    table = next(f.value for f in at.dataframe if "対象" in f.value.columns)
    assert table.iloc[0]["対象"].startswith("実践項目 2 企業版ふるさと納税")


def test_search_in_normalised_form_and_without_a_match(app, small_limit):
    found = radar.find_targets(Filters(municipality="苫小牧市"), "item:取組項目", "ＲＰＡ")  # full-width
    assert found.matches >= 1 and all("RPA" in label for label in found.labels.values())
    at = app(RADAR, m="苫小牧市")
    at.text_input(key="radar_search_1").input("存在しない取組名").run()
    assert not at.exception
    # Only the current choice is left to list, so the radar keeps drawing it.
    assert at.selectbox(key="radar_target_1").options == ["実践項目 1 ガバメントクラウドファンディングの実施"]


def test_short_lists_have_no_search_field(app):
    at = app(RADAR, m="苫小牧市")
    assert not any(t.key == "radar_search_1" for t in at.text_input)
    assert len(at.selectbox(key="radar_target_1").options) == radar.find_targets(
        Filters(municipality="苫小牧市"), "item:実践項目").total
