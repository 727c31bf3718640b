"""比較 and the filters it brings: カテゴリ (c=) and 自治体 through initiative_municipalities."""
from __future__ import annotations

from urllib.parse import unquote


def _caption_count(at) -> int:
    caption = next(c.value for c in at.caption if c.value.endswith("件の取組"))
    return int(caption.split(" ")[0].replace(",", ""))


def _matrix(at):
    """The カテゴリ × 自治体 table (the 比較 panel may draw a table above it)."""
    return next(d.value for d in at.dataframe if "カテゴリ" in d.value.columns)


def test_partner_municipality_finds_its_joint_case(app):
    # 江戸川区: case 31 (attributed from 「…江戸川区にいたることが分かった」) and case 60 (共同 with 目黒区)
    at = app("app_pages/explorer.py", m="江戸川区")
    assert not at.exception
    assert _caption_count(at) == 2
    assert list(at.dataframe[0].value["番号"]) == ["31", "60"]
    assert "江戸川区" in at.sidebar.selectbox[0].options


def test_partner_sees_the_lead_in_the_detail(app):
    at = app("app_pages/explorer.py", m="多摩市", id="tokyo-dx-2024/DX事例:39")
    assert not at.exception
    facts = " ".join(c.value for c in at.caption)
    assert "日野市" in facts and "共同: 多摩市、稲城市" in facts and "カテゴリ: " in facts


def test_detail_says_how_the_municipality_was_decided(app):
    at = app("app_pages/explorer.py", id="tokyo-dx-2024/DX事例:35")
    captions = " ".join(c.value for c in at.caption)
    assert "自治体の判定: 本文（1406行「具体的には、生成AIのリテラシー" in captions


def test_category_filter_narrows_the_explorer(app):
    everything = _caption_count(app("app_pages/explorer.py"))
    at = app("app_pages/explorer.py", c="RPA・AI")
    assert not at.exception
    rpa = _caption_count(at)
    assert 0 < rpa < everything
    table = at.dataframe[0].value
    assert all("RPA・AI" in c for c in table["カテゴリ"])
    assert {"取組項目", "WG", "DX事例"} <= set(table["階層"])
    assert at.sidebar.selectbox[3].label.startswith("カテゴリ") and at.sidebar.selectbox[3].value == "RPA・AI"


def test_compare_page_puts_rpa_side_by_side(app):
    at = app("app_pages/compare.py", c="RPA・AI")
    assert not at.exception and not at.error
    assert [s.value for s in at.subheader][0] == "RPA・AI：自治体ごとの取組"
    matrix = _matrix(at)
    assert list(matrix["カテゴリ"]) == ["RPA・AI"]
    row = matrix.iloc[0]
    assert row["苫小牧市"] == 9 and row["狛江市"] == 2 and row["前橋市"] == 1  # 取組項目15・16, 実践項目47–52, N14
    items = [d.value for d in at.dataframe if "開く" in d.value.columns]
    titles = "\n".join(t for frame in items for t in frame["取組"])
    links = unquote("\n".join(u for frame in items for u in frame["開く"]))
    # the three RPA items of the issue, each linked to its explorer detail
    for title, ident in (("RPAの導入", "tomakomai-sokaku-r6/取組項目:15"),
                         ("AI・RPA等の先進技術の導入", "komae-gyokaku-r3/取組項目:06"),
                         ("BPR（RPA）推進WG", "maebashi-wg-r3/WG:8")):
        assert title in titles and f"id={ident}" in links
    captions = [c.value for c in at.caption]
    assert "評価: A:4 B:5（9 件） ／ 財政効果: 記載なし" in captions  # 苫小牧市: 総括 grades of its RPA items


def test_compare_page_by_municipality_and_its_own_category_choice(app):
    at = app("app_pages/compare.py", m="江戸川区")
    assert not at.exception
    matrix = _matrix(at)
    assert list(matrix.columns[3:]) == ["江戸川区"]
    assert matrix["取組数"].sum() >= 2
    choice = at.selectbox(key="compare_category")
    assert choice.value in choice.options
    other = next(o for o in choice.options if o != choice.value)
    choice.select(other).run()
    assert not at.exception
    assert at.subheader[0].value == f"{other}：自治体ごとの取組"
    assert at.query_params["k"] == [other] or at.query_params["k"] == other


def test_compare_page_money_where_counted(app):
    at = app("app_pages/compare.py", c="歳入確保")
    assert not at.exception
    captions = [c.value for c in at.caption]
    tomakomai = next(c for c in captions if c.startswith("評価:") and "円" in c)
    assert "財政効果: " in tomakomai and tomakomai.endswith(" 円")


def test_other_screens_cards_honour_the_category():
    from cards import recipe_card
    from warehouse import Filters

    tomakomai = Filters(municipality="苫小牧市")
    everything = recipe_card("trends.grades", tomakomai)
    rpa = recipe_card("trends.grades", Filters(municipality="苫小牧市", category="RPA・AI"))
    assert rpa.ref.filters.category == "RPA・AI"  # the card keeps the filter (its conditions say so)
    count = next(c for c in rpa.table.columns if c in ("件数", "count"))
    assert 0 < rpa.table[count].sum() < everything.table[count].sum()
