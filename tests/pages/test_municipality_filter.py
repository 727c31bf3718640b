"""自治体 by 全国地方公共団体コード on the read side: the filter, old bookmarks, labels and the
都道府県 → 自治体 picker, with two 府中市 (東京都 132063, 広島県 342084) in one warehouse."""
from __future__ import annotations

import pytest

from warehouse import Filters
from warehouse.filters import describe_filters, explorer_url

TOKYO_FUCHU, HIROSHIMA_FUCHU = "132063", "342084"


@pytest.fixture
def fuchu(two_fuchu_warehouse, monkeypatch, app):
    """Pages and queries read the two-府中市 warehouse (``app`` clears the query caches)."""
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(two_fuchu_warehouse))
    return app


def test_the_filter_picks_the_right_fuchu(fuchu):
    from warehouse import queries

    hiroshima = queries.initiatives(Filters(municipality=HIROSHIMA_FUCHU))
    assert hiroshima.height == 60 and set(hiroshima["document_id"]) == {"national-広島県-府中市"}
    tokyo = queries.initiatives(Filters(municipality=TOKYO_FUCHU))
    # Tokyo's plan and the DX collection's two 府中市 cases (attributed within 東京都)
    assert tokyo.height == 62
    assert set(tokyo["document_id"]) == {"national-東京都-府中市", "tokyo-dx-2024"}
    assert queries.filter_choices(HIROSHIMA_FUCHU).fiscal_years == (2020, 2021, 2022, 2023, 2024)


def test_old_name_bookmarks_resolve_to_the_code_or_are_ignored(fuchu):
    from warehouse.municipalities import key_for

    assert Filters.from_params({"m": "苫小牧市"}, key_for).municipality == "012131"
    assert Filters.from_params({"m": "府中市", "g": "A"}, key_for) == Filters(grade="A")  # ambiguous: ignored
    assert Filters.from_params({"m": HIROSHIMA_FUCHU}, key_for).municipality == HIROSHIMA_FUCHU
    assert Filters.from_params({"m": "存在しない市"}, key_for).municipality is None
    assert Filters(municipality=HIROSHIMA_FUCHU).to_params() == {"m": HIROSHIMA_FUCHU}


def test_conditions_and_links_show_the_label_and_carry_the_code(fuchu):
    rows = dict(describe_filters(Filters(municipality=TOKYO_FUCHU)))
    assert rows["自治体"] == "府中市（東京都）"
    assert dict(describe_filters(Filters(municipality="012131")))["自治体"] == "苫小牧市"
    assert explorer_url("x/1", TOKYO_FUCHU) == f"/explorer?m={TOKYO_FUCHU}&id=x%2F1"
    from warehouse import compare, fiscal

    links = compare.with_urls(compare.category_items(Filters(municipality=HIROSHIMA_FUCHU)))["url"]
    assert len(links) > 0 and all(f"m={HIROSHIMA_FUCHU}&" in u for u in links)
    trace = fiscal.trace_table(fiscal.fiscal_slice(Filters(municipality=TOKYO_FUCHU)))
    assert trace.height == 20 and all(f"m={TOKYO_FUCHU}&" in u for u in trace["取組一覧"])


def test_tables_name_each_fuchu_by_its_label(fuchu):
    """With both 府中市 on screen, the explorer's 自治体 column, the movers table, the money trace,
    the headline's 「…の合計」 and 類似の取組 say which one; a name no other municipality has
    stays plain."""
    from warehouse import explorer, fiscal, similar, trends

    rows = explorer.page_rows(Filters(), explorer.DOCUMENT_ORDER, 0, 100_000)
    shown = set(rows["municipality"].drop_nulls())
    assert {"府中市（東京都）", "府中市（広島県）", "苫小牧市"} <= shown and "府中市" not in shown
    tokyo = explorer.page_rows(Filters(municipality=TOKYO_FUCHU), explorer.DOCUMENT_ORDER, 0, 100)
    assert set(tokyo["municipality"]) == {"府中市（東京都）"}
    level = trends.graded_levels(Filters(municipality=HIROSHIMA_FUCHU))[0][0]
    movers = trends.mover_page(Filters(), level, "番号順", 0, 100_000)
    assert {"府中市（東京都）", "府中市（広島県）"} <= set(movers["municipality"].drop_nulls())
    assert trends.mover_summary(Filters(municipality=HIROSHIMA_FUCHU), level).municipalities == 1
    both = fiscal.fiscal_slice(Filters()).filter(fiscal.pl.col("municipality_code").is_in([TOKYO_FUCHU, HIROSHIMA_FUCHU]))
    assert set(fiscal.trace_table(both)["自治体"]) == {"府中市（東京都）", "府中市（広島県）"}
    assert set(fiscal.headline(both).whose.removesuffix("の合計").split("・")) == {"府中市（東京都）", "府中市（広島県）"}
    assert all(label.startswith("府中市（") for label in fiscal.by_initiative(both)["initiative"])
    from warehouse.connection import query

    pair = query("SELECT s.initiative_id FROM similar_initiatives s JOIN initiatives n ON n.initiative_id = s.similar_id "
                 "WHERE n.municipality_code = ? LIMIT 1", [HIROSHIMA_FUCHU])["initiative_id"][0]
    assert "府中市（広島県）" in set(similar.similar_to(pair)["自治体"])


def test_the_radar_averages_each_fuchu_apart(fuchu):
    """レーダー 自治体の平均: one profile per code, named by label; an old link's name still draws."""
    from warehouse import radar
    from warehouse.connection import query

    options = radar.radar_options(Filters())
    assert {TOKYO_FUCHU, HIROSHIMA_FUCHU} <= set(options.municipalities) and "府中市" not in options.municipalities
    targets = radar.find_targets(Filters(), "municipality", "府中")
    assert set(targets.labels.values()) == {"府中市（東京都）", "府中市（広島県）"}
    hiroshima = radar.profile_table("municipality", HIROSHIMA_FUCHU)
    scored = query("SELECT count(DISTINCT e.initiative_id) AS n FROM evaluations e JOIN initiatives i USING (initiative_id) "
                   "WHERE i.municipality_code = ? AND e.evaluator = 'self' AND e.criterion = '進捗度' "
                   "AND e.score IS NOT NULL AND e.fiscal_year = 2024", [HIROSHIMA_FUCHU])["n"][0]
    assert hiroshima.filter((hiroshima["fiscal_year"] == 2024) & (hiroshima["criterion"] == "進捗度"))["n"][0] == scored
    assert radar.profile_label(radar.Profile("municipality", HIROSHIMA_FUCHU), {}) == "自治体平均: 府中市（広島県） (総括)"
    assert not radar.profile_table("municipality", "苫小牧市").is_empty()  # an old ?p= link by name


def test_the_category_matrix_counts_each_fuchu_apart(fuchu):
    """比較 カテゴリ × 自治体: the two 府中市 are two columns (the ETL's stored counts and a filtered
    query alike), each with its own plan's categorised initiatives."""
    from warehouse import compare
    from warehouse.connection import query

    expected = {(label, category): n for label, category, n in query(
        "SELECT label, category, count(*) AS n FROM (SELECT m.label, unnest(i.categories) AS category "
        "FROM initiatives i JOIN municipalities m ON m.code = i.municipality_code WHERE m.code IN (?, ?)) GROUP BY ALL",
        [TOKYO_FUCHU, HIROSHIMA_FUCHU]).iter_rows()}
    assert {label for label, _ in expected} == {"府中市（東京都）", "府中市（広島県）"}
    for filters in (Filters(), Filters(search="の")):
        matrix = compare.category_matrix(filters)
        fuchu = matrix.filter(matrix["member"].str.starts_with("府中市"))
        assert "府中市" not in set(fuchu["member"]) and fuchu.height > 0
        if filters.is_empty():
            assert {(m, c): n for c, m, n in fuchu.select("category", "member", "items").iter_rows()} == expected


def test_an_ambiguous_old_bookmark_does_not_crash_the_page(fuchu):
    at = fuchu("app_pages/explorer.py", m="府中市")
    assert not at.exception
    assert at.session_state["filters"].municipality is None
    assert "m" not in at.query_params


def test_picker_lists_a_prefectures_municipalities_by_label(fuchu):
    at = fuchu("app_pages/explorer.py", m=HIROSHIMA_FUCHU)
    assert not at.exception
    prefecture, town = at.sidebar.selectbox[0], at.sidebar.selectbox[1]
    assert (prefecture.label, prefecture.value) == ("都道府県", "広島県")
    assert (town.label, town.value) == ("自治体", HIROSHIMA_FUCHU)
    assert town.options == ["すべて", "府中市（広島県）"]
    assert prefecture.options[0] == "すべて" and {"北海道", "東京都", "広島県", "群馬県"} <= set(prefecture.options)
    assert any("60 件の取組" in c.value for c in at.caption)
    prefecture.set_value("東京都").run()
    town = at.sidebar.selectbox[1]
    assert town.value == "すべて" and "府中市（東京都）" in town.options and "小金井市" in town.options
    town.set_value(TOKYO_FUCHU).run()
    assert not at.exception
    assert at.query_params["m"] == [TOKYO_FUCHU] or at.query_params["m"] == TOKYO_FUCHU
    assert any("62 件の取組" in c.value for c in at.caption)
    at.sidebar.selectbox[0].set_value("すべて").run()
    assert at.sidebar.selectbox[1].value == TOKYO_FUCHU  # すべて lists every municipality
    assert "府中市（広島県）" in at.sidebar.selectbox[1].options


def test_quality_page_lists_names_without_a_code(tmp_path_factory, monkeypatch, app):
    """A plan of the fictional 架空市 (and its partner 架空町): no code, a data_quality row each,
    shown under their Japanese label."""
    import shutil

    from etl.pipeline import build
    from tests.conftest import RAW_DIR, ROOT

    raw = tmp_path_factory.mktemp("kakuu") / "raw"
    shutil.copytree(RAW_DIR, raw)
    shutil.copy(ROOT / "tests" / "etl" / "workbooks" / "kakuu-city-plan.xlsx", raw / "kakuu-city-plan.xlsx")
    target = raw.parent / "warehouse.duckdb"
    build(raw, target, cache=False)
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(target))
    at = app("app_pages/quality.py", m="架空市")  # no code: the filter keeps the name
    assert not at.exception
    assert at.session_state["filters"].municipality == "架空市"
    text = " ".join(m.value for m in at.markdown)
    assert "**コードのない自治体**: 全国地方公共団体コードの一覧にない自治体名" in text
    assert "コードのない自治体" in at.multiselect(key="quality_kinds").options


def test_the_comparison_panel_keeps_the_two_fuchu_apart(fuchu, two_fuchu_warehouse):
    """比較: each 府中市's own column counts only its own plan (the figures are keyed by code);
    東京都's column has 府中市 among Tokyo's municipalities, 広島県's only Hiroshima's."""
    import duckdb

    from warehouse import compare

    with duckdb.connect(str(two_fuchu_warehouse), read_only=True) as con:
        graded = dict(con.sql("""
            SELECT i.municipality_code, count(*) FROM evaluations e JOIN initiatives i USING (initiative_id)
            WHERE e.evaluator = 'self' AND e.criterion = '総合評価' AND e.grade IS NOT NULL
              AND e.fiscal_year = 2024 AND i.municipality = '府中市'
            GROUP BY ALL""").fetchall())
    assert set(graded) == {TOKYO_FUCHU, HIROSHIMA_FUCHU}
    for code, prefecture in ((TOKYO_FUCHU, "東京都"), (HIROSHIMA_FUCHU, "広島県")):
        panel = compare.panel(code)
        assert panel.municipality.graded == graded[code]  # not the two plans' sum
        assert panel.prefecture.name == prefecture
        assert panel.whole.graded >= graded[TOKYO_FUCHU] + graded[HIROSHIMA_FUCHU]
