"""資料の作成 (deck builder): the basket from the URL, order, removal, the add form, and
「資料に追加」 on a screen's card."""
from __future__ import annotations

from cards import CardRef
from cards.basket import decode, encode
from warehouse import Filters

DECK = "app_pages/deck.py"
TOMAKOMAI = Filters(municipality="012131")  # 苫小牧市's 自治体コード, as the filter bar holds it
THEMES = ("theme|健全な財政運営|0", "theme|協働の推進|0")
BASKET = [
    CardRef.of("trends.grades", TOMAKOMAI, {"level": "実践項目", "share": "割合"}),
    CardRef.of("radar.profile", TOMAKOMAI, {"profiles": THEMES}),
    CardRef.of("trends.criteria", TOMAKOMAI, {"level": "実践項目"}),
]
TITLES = ["総合評価の分布 (年度別)", "観点別プロフィール (レーダー)", "観点別スコアの推移 (平均)"]


def _items(at) -> list[str]:
    """Item headings in order, without their numbers."""
    return [m.value.split(". ", 1)[1] for m in at.markdown if m.value.startswith("##### ")]


def _text(at) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "warning", "title")
                     for e in getattr(at, kind))


def _basket(at) -> tuple[CardRef, ...]:
    return decode(at.query_params["deck"][0] if isinstance(at.query_params["deck"], list)
                  else at.query_params["deck"]).refs


def test_empty_basket_explains_how_to_add_charts(app):
    at = app(DECK)
    assert not at.exception and not at.error
    assert at.title[0].value == "資料の作成"
    assert "まだグラフが選ばれていません" in at.info[0].value and "資料に追加" in at.info[0].value
    assert "サイドバーの絞り込みは" in _text(at)
    assert "deck" not in at.query_params
    assert [b.label for b in at.button] == ["資料に追加"]  # only the add form's


def test_basket_from_the_url_keeps_order_and_titles(app):
    at = app(DECK, deck=encode(BASKET))
    assert not at.exception and not at.error
    assert _items(at) == [f"{t}" for t in TITLES]
    text = _text(at)
    assert "評価の推移 ／ 自治体: 苫小牧市 ／ 年度: すべて ／ 階層: 実践項目 ／ 表示: 割合" in text
    assert "比べる対象: テーマ平均: 健全な財政運営 (総括)、テーマ平均: 協働の推進 (総括)" in text
    assert len(at.get("vega_lite_chart")) == 3 + 1  # a preview per item, and the add form's
    assert at.get("download_button")[0].proto.label == "資料をダウンロード (.pptx)"
    assert _basket(at) == tuple(BASKET)


def test_reorder_and_remove(app):
    at = app(DECK, deck=encode(BASKET))
    at.button(key="deck_down_0").click().run()
    assert _items(at) == [TITLES[1], TITLES[0], TITLES[2]]
    at.button(key="deck_up_2").click().run()
    assert _items(at) == [TITLES[1], TITLES[2], TITLES[0]]
    assert [r.recipe for r in _basket(at)] == ["radar.profile", "trends.criteria", "trends.grades"]
    at.button(key="deck_remove_0").click().run()
    assert not at.exception
    assert _items(at) == [TITLES[2], TITLES[0]]
    assert at.button(key="deck_up_0").disabled and at.button(key="deck_down_1").disabled
    at.button(key="deck_clear").click().run()
    assert "まだグラフが選ばれていません" in at.info[0].value and "deck" not in at.query_params


def test_invalid_items_in_the_url_are_skipped_with_a_note(app):
    at = app(DECK, deck=encode(BASKET[:1]) + ".not-base64!.eyJ4IjoxfQ." + encode([CardRef.of("nosuch.chart")])[3:])
    assert not at.exception and not at.error
    assert _items(at) == [TITLES[0]]
    note = at.warning[0].value
    assert "読み込めなかったものを省きました" in note
    assert "2 件目: 資料の項目として読めませんでした" in note and "「nosuch.chart」というグラフの種類はありません" in note
    assert _basket(at) == tuple(BASKET[:1])  # the URL now holds what was kept


def test_items_keep_their_conditions_whatever_the_sidebar_says(app):
    at = app(DECK, deck=encode(BASKET[:1]), m="小金井市", fy="2021")
    assert "自治体: 苫小牧市 ／ 年度: すべて" in _text(at)
    assert _basket(at) == tuple(BASKET[:1])
    # The add form starts from the sidebar's conditions.
    assert at.selectbox(key="deck_add_municipality").value == "132101"  # 小金井市
    assert at.selectbox(key="deck_add_fiscal_year").value == 2021


def test_add_form_builds_trends_radar_of_two_themes_and_fiscal(app):
    at = app(DECK)
    at.selectbox(key="deck_add_recipe").set_value("trends.grades").run()
    at.selectbox(key="deck_add_municipality").set_value("012131").run()
    at.button(key="deck_add_submit").click().run()
    at.selectbox(key="deck_add_recipe").set_value("radar.profile").run()
    at.multiselect(key="deck_add_radar.profile:profiles").set_value(list(THEMES)).run()
    at.button(key="deck_add_submit").click().run()
    at.selectbox(key="deck_add_recipe").set_value("fiscal.by_year").run()
    at.button(key="deck_add_submit").click().run()
    assert not at.exception and not at.error
    assert _items(at) == [TITLES[0], TITLES[1], "財政効果額 (年度別・区分別)"]
    refs = _basket(at)
    assert refs[1] == CardRef.of("radar.profile", TOMAKOMAI, {"profiles": THEMES})
    assert refs[0].option("level") == "実践項目" and refs[2].filters == TOMAKOMAI


def test_add_form_says_when_nothing_matches(app):
    at = app(DECK)
    at.selectbox(key="deck_add_recipe").set_value("kaizen.division").run()
    at.selectbox(key="deck_add_municipality").set_value("012131").run()
    assert "この条件ではグラフにするデータがありません" in _text(at)
    assert at.button(key="deck_add_submit").disabled
    assert at.selectbox(key="deck_add_grade").disabled  # 改善取組 have no grades


def test_add_to_deck_on_a_screen_then_open_the_builder(app):
    at = app("app_pages/trends.py", m="苫小牧市")
    at.segmented_control(key="trends_share").set_value("割合").run()
    at.button(key="basket_trends_grades").click().run()
    at.button(key="basket_trends_grades").click().run()  # twice: kept once
    assert not at.exception
    assert at.session_state["deck_basket"] == [BASKET[0]]
    at.switch_page("app_pages/radar.py").run()
    at.button(key="basket_radar_chart").click().run()
    at.switch_page(DECK).run()
    assert _items(at) == [TITLES[0], TITLES[1]]
    assert _basket(at)[1].recipe == "radar.profile"
