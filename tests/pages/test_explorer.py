"""取組一覧: golden content from the documents, reached through URL parameters."""
from __future__ import annotations


def _caption_count(at) -> int:
    caption = next(c.value for c in at.caption if c.value.endswith("件の取組"))
    return int(caption.split(" ")[0].replace(",", ""))


def test_koganei_2021_lists_its_22_initiatives(app):
    at = app("app_pages/explorer.py", m="小金井市", fy="2021")
    assert _caption_count(at) == 22
    table = at.dataframe[0].value
    assert set(table["階層"]) == {"改善取組"}


def test_grade_filter_and_search_narrow_the_slice(app):
    everything = _caption_count(app("app_pages/explorer.py", m="苫小牧市"))
    only_a = _caption_count(app("app_pages/explorer.py", m="苫小牧市", g="A"))
    searched = _caption_count(app("app_pages/explorer.py", m="苫小牧市", q="ふるさと納税"))
    assert 0 < only_a < everything
    assert 0 < searched < only_a


def test_detail_of_a_practice_item_from_the_url(app):
    # tomakomai list line 121: 2 No.1 … 企業版ふるさと納税の導入 A A A A 3 2 3 3 11 A R6
    at = app("app_pages/explorer.py", m="苫小牧市", id="tomakomai-sokaku-r6/実践項目:2")
    assert not at.exception
    assert "実践項目 2 企業版ふるさと納税の導入" in [s.value for s in at.subheader]
    scores = at.dataframe[1].value
    summary = scores[scores["年度"] == "総括"].iloc[0]
    assert [summary[c] for c in ("進捗度", "連携度", "効率性", "創造性", "合計", "総合評価")] == \
        ["3.0", "2.0", "3.0", "3.0", "11.0", "A"]
    assert list(scores[scores["年度"] == "R3 (2021)"]["総合評価"]) == ["A"]
    markdown = "\n".join(m.value for m in at.markdown)
    assert "上位: 取組項目 1 新たな財源確保に向けた取組" in markdown
    assert " 円** (" in markdown  # amounts with their sentence
    assert any("tomakomai_gyosei_sokaku_plan_hyoka_r6.txt" in c.value and "行" in c.value for c in at.caption)


def test_unknown_id_in_the_url_is_ignored(app):
    at = app("app_pages/explorer.py", id="no-such/initiative")
    assert not at.exception and not at.error
    assert any("表の行を選ぶと" in i.value for i in at.info)


def test_clear_button_resets_every_filter_and_the_url():
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["m"] = "苫小牧市"
    at.query_params["g"] = "A"
    at.run()
    # an old bookmark's name: resolved to the code; the picker shows its prefecture
    assert [s.value for s in at.sidebar.selectbox[:2]] == ["北海道", "012131"]
    next(b for b in at.sidebar.button if b.label == "条件をクリア").click().run()
    assert not at.exception
    assert at.session_state["filters"].is_empty()
    assert dict(at.query_params) == {}
    assert [s.value for s in at.sidebar.selectbox] == ["すべて"] * 7


def test_a_chosen_municipality_can_be_exported_in_template_form(app, built_warehouse):
    import io

    import openpyxl

    from etl.workbook import check, export_workbook

    at = app("app_pages/explorer.py", m="狛江市")
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert any(label.startswith("取り込みテンプレート形式で書き出し") for label in labels)
    data = export_workbook(built_warehouse, "狛江市", "komae-gyokaku-r3")  # what the button builds
    assert check(data, "komae.xlsx").ok
    assert {"計画", "取組", "評価"} <= set(openpyxl.load_workbook(io.BytesIO(data)).sheetnames)


def test_without_a_municipality_there_is_no_template_export(app):
    at = app("app_pages/explorer.py")
    assert not any(b.label.startswith("取り込みテンプレート") for b in at.get("download_button"))


def test_evaluated_initiatives_lead_and_empty_cells_read_a_dash(app):
    at = app("app_pages/explorer.py")
    at.selectbox(key="explorer_size").set_value(500).run()  # all 333 initiatives on one page
    table = at.dataframe[0].value
    assert len(table) == 333
    evaluated = table[["総合評価", "進捗度", "委員評価"]].notna().any(axis=1).tolist()
    first_unevaluated = evaluated.index(False)
    assert first_unevaluated > 0 and not any(evaluated[first_unevaluated:])  # every evaluated row first
    assert at.segmented_control[0].value == "評価のある取組から"

    documents = app("app_pages/explorer.py")
    documents.segmented_control[0].set_value("文書の順").run()
    assert documents.dataframe[0].value["階層"].iloc[0] == "WG"  # 前橋市's working groups, unevaluated


def test_empty_text_cells_show_a_dash_not_none():
    import polars as pl

    from ui.tables import styled

    html = styled(pl.DataFrame({"総合評価": ["A", None], "進捗度": [2.0, None]})).to_html()
    assert "None" not in html and "—" in html


def test_an_empty_list_is_no_value_not_an_empty_string():
    import polars as pl

    from ui.tables import explorer_frame, styled

    rows = pl.DataFrame({
        "municipality": ["苫小牧市", "狛江市"], "level": ["取組項目"] * 2, "code": ["1", "2"], "title": ["a", "b"],
        "departments": [[], ["総務部", "財政課"]], "themes": [["健全な財政運営"], []], "categories": pl.Series([[], []], dtype=pl.List(pl.String)),
        "grade": ["A", None], "grade_year": [2023, None],
        **{c: [2.0, None] for c in ("進捗度", "連携度", "効率性", "創造性")},
        "committee": [4.25, None], "end_fy": [None, 2024], "fiscal_effect": [None, 1_000_000],
    })
    frame = explorer_frame(rows)
    assert frame["担当部署"].to_list() == [None, "総務部、財政課"]  # 「—」 on screen, an empty cell in a file
    assert frame["テーマ"].to_list() == ["健全な財政運営", None]
    assert frame["カテゴリ"].to_list() == [None, None]
    html = styled(frame).to_html()
    assert "—" in html and "None" not in html


def test_detail_lists_similar_initiatives_of_other_municipalities_first(app):
    at = app("app_pages/explorer.py", id="tomakomai-sokaku-r6/取組項目:15")  # RPAの導入
    assert not at.exception
    similar = next(d.value for d in at.dataframe if "類似度" in d.value.columns)
    towns = list(similar["自治体"])
    assert "狛江市" in towns or "前橋市" in towns  # another municipality's RPA item
    elsewhere = [t != "苫小牧市" for t in towns]
    assert elsewhere == sorted(elsewhere, reverse=True)  # other municipalities lead


def test_the_lists_fiscal_effect_column_sums_only_counted_amounts(app):
    """実践項目27's 財政効果額 in 取組一覧 is its ten yearly sales and leases (l.2236–2249), not also the
    plan's 28億円, the 約29.6億円 total or the 11.5億円 budget of the same item."""
    from warehouse import queries
    from warehouse.filters import Filters

    rows = queries.initiatives(Filters(municipality="苫小牧市"))
    amounts = dict(zip(rows["initiative_id"].to_list(), rows["fiscal_effect"].to_list()))
    assert amounts["tomakomai-sokaku-r6/実践項目:27"] == 2_963_508_000
    assert amounts["tomakomai-sokaku-r6/実践項目:42"] == 26_600_000  # counted once, not three times


def test_detail_says_whether_each_amount_is_counted(app):
    at = app("app_pages/explorer.py", m="苫小牧市", id="tomakomai-sokaku-r6/実践項目:42")
    text = "\n".join(m.value for m in at.markdown)
    assert text.count("26,600,000 円") == 3
    assert "集計しない: 同じ金額の再掲" in text
    assert "tomakomai_gyosei_sokaku_plan_hyoka_r6.txt:3031" in text
