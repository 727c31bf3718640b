"""The pages' 「サイドバーの絞り込み」 captions come from the recipes' filters_used."""
from __future__ import annotations

from cards import RECIPES, filters_used
from ui.scope import scope_caption
from warehouse import Filters

ALL_SET = Filters(municipality="苫小牧市", fiscal_year=2021, theme="協働", department="政策推進課", grade="A",
                  search="窓口")


def test_a_page_uses_what_its_cards_use():
    assert filters_used("データ品質") == ("municipality", "search")
    assert "grade" not in filters_used("事例") and "grade" in filters_used("財政効果")
    for recipe in RECIPES.values():
        assert set(recipe.filters_used) <= set(filters_used(recipe.page))


def test_caption_lists_applied_filters_with_their_meaning_and_names_the_ignored_ones():
    text = scope_caption(ALL_SET, "データ品質", {"search": "内容・場所・対応・取組名"})
    assert text == ("サイドバーの絞り込み: 自治体 苫小牧市、キーワード 「窓口」 (内容・場所・対応・取組名)。"
                    "年度・テーマ・担当部署・評価 はこの画面には適用しません。")
    cases = scope_caption(Filters(fiscal_year=2021, grade="B"), "事例")
    assert cases == "サイドバーの絞り込み: 年度 令和3年度 (2021)。評価 はこの画面には適用しません。"
    assert scope_caption(Filters(), "財政効果") == "サイドバーの絞り込み: なし。"
