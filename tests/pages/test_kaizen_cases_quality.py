"""改善取組 / 事例 / データ品質 pages: content checked against the documents (golden values)."""
from __future__ import annotations

import io
import json

import polars as pl
import pytest

KAIZEN, CASES, QUALITY = "app_pages/kaizen.py", "app_pages/cases.py", "app_pages/quality.py"


def _charts(at) -> list[tuple[dict, list[pl.DataFrame]]]:
    """(spec, inline datasets) of every chart on the page."""
    out = []
    for element in at.get("vega_lite_chart"):
        proto = element.proto
        frames = [pl.read_ipc_stream(io.BytesIO(d.data.data)) for d in proto.datasets]
        out.append((json.loads(proto.spec), frames))
    return out


def _dataset_with(at, column: str) -> pl.DataFrame:
    for _, frames in _charts(at):
        for frame in frames:
            if column in frame.columns and frame.height:
                return frame
    raise AssertionError(f"no chart dataset has column {column}")


def _text(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "success", "subheader")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


# ----------------------------------------------------------------------------- 改善取組


def test_kaizen_metrics_per_year(app):
    at = app(KAIZEN)
    assert not at.exception and not at.error
    assert at.title[0].value == "改善取組"
    metrics = [(m.label, m.value) for m in at.metric]
    # 22 initiatives and 5 awards in each of 令和2年度 and 令和3年度.
    assert metrics.count(("取組数", "22 件")) == 2
    assert metrics.count(("表彰", "5 件")) == 2
    # 共同実施者数 from the list: 40 (R2) and 49 (R3); 参加者数 = 実施者 + 共同実施者.
    assert ("共同実施者数 (合計)", "40 人") in metrics and ("共同実施者数 (合計)", "49 人") in metrics
    assert ("参加者数", "62 人") in metrics and ("参加者数", "71 人") in metrics


def test_kaizen_department_chart_counts(app):
    at = app(KAIZEN)
    specs = [spec for spec, _ in _charts(at)]
    assert len(specs) == 4
    stacked = [s for s in specs if s["layer"][0]["encoding"].get("order")]
    assert {s["layer"][0]["encoding"]["y"]["title"] for s in stacked} == {"部", "課"}
    totals = {}
    for _, frames in _charts(at):
        for frame in frames:
            if "total" in frame.columns:
                totals.update(dict(zip(frame["category"], frame["total"])))
    # 総務課: 4 initiatives in R2 + 5 in R3; 総務部: 6 + 6.
    assert totals["総務課"] == 9
    assert totals["総務部"] == 12
    assert totals["福祉保健部"] == 1


def test_kaizen_categories_and_co_implementers(app):
    at = app(KAIZEN)
    frames = [f for _, fs in _charts(at) for f in fs if "group" in f.columns and "value" in f.columns]
    mix = next(f for f in frames if "業務効率" in f["category"].to_list())
    values = {(r["category"], r["group"]): r["value"] for r in mix.iter_rows(named=True)}
    assert values[("業務効率", "R2 (2020)")] == 14
    assert values[("業務効率", "R3 (2021)")] == 16
    assert values[("コスト", "R3 (2021)")] == 3
    assert ("コスト", "R2 (2020)") not in values
    spread = next(f for f in frames if "0人" in f["category"].to_list())
    values = {(r["category"], r["group"]): r["value"] for r in spread.iter_rows(named=True)}
    assert values[("0人", "R2 (2020)")] == 6
    assert values[("7人", "R3 (2021)")] == 1  # 窓口案内記録の収集… (都市計画課)
    assert spread["value"].sum() == 44


def test_kaizen_awards_table_links_to_explorer(app):
    at = app(KAIZEN)
    awards = next(d.value for d in at.dataframe if "受賞者" in d.value.columns)
    assert len(awards) == 10
    first = awards.iloc[0]
    assert (first["年度"], first["賞"], first["取組名"], first["受賞者"]) == (
        "R2 (2020)", "最優秀取組", "市立公園のキッチンカー試行導入", "財政課職員")
    assert first["一覧表の課"] == "環境政策課"
    assert first["取組一覧"].startswith("/explorer?id=koganei-kaizen-r3%2F")
    assert list(awards["賞"]).count("最優秀取組") == 2


def test_kaizen_ranking_shows_the_published_mismatch(app):
    at = app(KAIZEN)
    ranking = next(d.value for d in at.dataframe if "公表の件数" in d.value.columns)
    assert len(ranking) == 6
    row = ranking[ranking["所属課"] == "環境政策課"].iloc[0]
    assert (row["公表の件数"], row["再集計の件数"], row["公表の順位"], row["再集計の順位"]) == ("2.5", 3, "3位", "2位")
    assert row["比較"] == "件数 2.5 → 3"
    assert row["一覧表の No."] == "12、13、14"
    assert (ranking.drop(index=row.name)["比較"] == "一致").all()
    warning = at.warning[0].value
    assert "令和2年度 (2020) 環境政策課" in warning and "公表 2.5件" in warning and "一覧表 3件" in warning
    assert "財政課職員" in _text(at)  # the award table's credit, shown as the likely reason


def test_kaizen_year_filter(app):
    at = app(KAIZEN, fy="2021")
    assert not at.exception and not at.error
    assert [m.value for m in at.metric if m.label == "取組数"] == ["22 件"]
    awards = next(d.value for d in at.dataframe if "受賞者" in d.value.columns)
    assert set(awards["年度"]) == {"R3 (2021)"}


def test_kaizen_other_municipality_says_where_the_data_is(app):
    at = app(KAIZEN, m="苫小牧市")
    assert not at.exception
    assert "小金井市" in _text(at)
    assert "ありません" in "\n".join(i.value for i in at.info)
    assert not at.get("vega_lite_chart")


# ----------------------------------------------------------------------------- 事例


def test_cases_counts_and_first_page(app):
    at = app(CASES)
    assert not at.exception and not at.error
    assert at.title[0].value == "事例"
    counts = _dataset_with(at, "category")
    assert dict(zip(counts["category"], counts["value"])) == {
        "業務改善部門": 27, "DXアイデア部門": 17, "行政サービス部門": 16, "前橋市 WG": 13}
    assert "73 件の事例" in _text(at)
    full_texts = [e for e in at.expander if e.label.startswith("全文を読む")]
    assert len(full_texts) == 20  # one page of cards
    markdown = _text(at)
    assert "スマホがあなただけのデジタル区役所に♡" in markdown
    assert "自治体の記載なし" in markdown  # DX事例 No.1 has no municipality printed
    # The effect line is the first line of the 効果 section.
    assert "総貸出件数 42,386件のうち小中学生が76%を占め" in markdown.replace("\\", "")


def test_cases_full_text_is_drawn_when_opened_and_lists_every_section(app):
    at = app(CASES)
    first = next(e for e in at.expander if e.label.startswith("全文を読む"))
    assert first.label == "全文を読む (8 節)"
    assert not first.markdown  # closed: nothing drawn until the reader opens it
    for key in [k for k in at.session_state.keys() if str(k).startswith("case_text_")]:
        at.session_state[key] = True  # what opening an expander does (it reruns the page)
    at.run()
    first = next(e for e in at.expander if e.label.startswith("全文を読む"))
    body = "\n".join(m.value for m in first.markdown)
    sections = ["経緯・動機", "取組内容", "取組前", "取組後", "効果", "システム概要", "職員の頑張り", "PRポイント"]
    positions = [body.index(f"**{s}**") for s in sections]
    assert positions == sorted(positions)  # document order
    assert "/explorer?id=tokyo-dx-2024%2FDX" in body


def test_cases_working_groups(app):
    at = app(CASES, m="前橋市")
    assert not at.exception
    assert "13 件の事例" in _text(at)
    markdown = _text(at)
    assert "行政手続オンライン化WG" in markdown
    assert "3ない窓口（書かない、待たない、行かない）" in markdown  # 目指す未来
    assert "住民の利便性向上及びバックヤードの効率化" in markdown  # 得られる効果


def test_cases_page_filters(app):
    at = app(CASES, t="DXアイデア部門")
    assert "17 件の事例" in _text(at)
    at = app(CASES)
    at.multiselect(key="cases_kinds").select("提案").run()
    assert "17 件の事例" in _text(at)
    at.multiselect(key="cases_kinds").unselect("提案").run()
    at.multiselect(key="cases_towns").select("記載なし").run()
    assert "18 件の事例" in _text(at)  # 25 without a bracket, 7 of them attributed from their text
    at.multiselect(key="cases_towns").unselect("記載なし").run()
    at.text_input(key="cases_keyword").input("ノーコード").run()
    text = _text(at)
    assert "区内製造業におけるデジタル人材育成を通じたDXの土台構築" in text
    assert "73 件の事例" not in text


def test_cases_paginate(app):
    at = app(CASES)
    at.number_input(key="cases_page").set_value(4).run()
    assert "61–73 件目を表示" in _text(at)
    assert len([e for e in at.expander if e.label.startswith("全文を読む")]) == 13


# ----------------------------------------------------------------------------- データ品質

KIND_COUNTS = {"修復": 146, "訂正": 79, "情報": 53, "写しの不一致": 21, "取り込まず": 11, "欠落": 11,
               "集計の不一致": 4, "解析できず": 1, "自治体不明": 18, "分類なし": 7}


def test_quality_counts_by_kind_and_document(app):
    at = app(QUALITY)
    assert not at.exception and not at.error
    assert at.title[0].value == "データ品質"
    assert ("記録の合計", "351 件") in [(m.label, m.value) for m in at.metric]
    matrix = next(d.value for d in at.dataframe if "合計" in d.value.columns)
    assert {k: int(matrix[k].sum()) for k in KIND_COUNTS} == KIND_COUNTS
    totals = dict(zip(matrix["文書"], matrix["合計"]))
    assert totals == {"koganei-kaizen-r3": 24, "komae-gyokaku-r3": 47, "maebashi-wg-r3": 26,
                      "tokyo-dx-2024": 68, "tomakomai-sokaku-r6": 186}
    chart = _dataset_with(at, "group")
    assert set(chart["group"]) == set(KIND_COUNTS)


def test_quality_rows_link_to_the_explorer_and_filter_by_kind(app):
    at = app(QUALITY)
    at.multiselect(key="quality_kinds").select("mismatch").run()
    rows = next(d.value for d in at.dataframe if "内容" in d.value.columns)
    assert len(rows) == 4 and set(rows["種類"]) == {"集計の不一致"}
    koganei = rows[rows["文書"] == "koganei-kaizen-r3"].iloc[0]
    assert "公表の件数 2.5件、取組一覧表からの再集計 3件" in koganei["内容"]
    maebashi = rows[rows["文書"] == "maebashi-wg-r3"].iloc[0]
    assert maebashi["取組一覧"] == "/explorer?id=maebashi-wg-r3%2FWG%3A2"
    assert maebashi["取組"].startswith("WG 2 ")


def test_quality_corrections_show_their_reasons(app):
    at = app(QUALITY, m="狛江市")
    corrections = next(d.value for d in at.dataframe if "理由" in d.value.columns)
    # 31 corrections in the Komae report, plus the Tokyo DX corrections touching Komae cases (none).
    assert len(corrections[corrections["文書"] == "komae-gyokaku-r3"]) == 31
    first = corrections.iloc[0]
    assert (first["訂正前"], first["訂正後"], first["理由"], first["訂正ファイルの行"]) == (
        "P D C A", "PDCA", "OCR: 文字間の空白", 2)


def test_quality_document_filter(app):
    at = app(QUALITY)
    at.multiselect(key="quality_documents").select("koganei-kaizen-r3").run()
    assert ("記録の合計", "24 件") in [(m.label, m.value) for m in at.metric]


# ----------------------------------------------------------------------------- pure pieces


def test_kind_labels_handle_unknown_kinds():
    from vocab import kind_label, kind_order
    from warehouse.quality import quality_counts

    assert kind_label("correction_unused") == "未適用の訂正"
    assert kind_label("checksum_changed") == "文書の更新"
    assert kind_label("brand_new") == "その他 (brand_new)"
    assert kind_order(["brand_new", "info", "correction"]) == ["correction", "info", "brand_new"]
    rows = pl.DataFrame({"document_id": ["a", "a", "b"], "kind": ["brand_new", "repair", "repair"]})
    counts = quality_counts(rows)
    assert counts.to_dicts() == [{"文書": "a", "種類": "修復", "件数": 1},
                                 {"文書": "a", "種類": "その他 (brand_new)", "件数": 1},
                                 {"文書": "b", "種類": "修復", "件数": 1}]


def test_ranking_comparison_adds_departments_the_publication_left_out():
    from warehouse.kaizen import ranking_comparison, ranking_table

    published = pl.DataFrame({"document_id": ["d"] * 2, "fiscal_year": [2020, 2020], "rank": [1, 2],
                              "department": ["A課", "B課"], "count": [2.0, 1.0], "participants": [3, 1],
                              "line": [1, 2]})
    listed = pl.DataFrame({"fiscal_year": [2020] * 5, "code": ["1", "2", "3", "4", "5"],
                           "departments": [["A課"], ["A課"], ["C課"], ["C課"], ["B課"]],
                           "co_implementers": [1, 0, 0, 0, 0]})
    table = ranking_table(ranking_comparison(published, listed))
    assert table["所属課"].to_list() == ["A課", "B課", "C課"]
    assert table["比較"].to_list() == ["一致", "一致", "公表の順位表にない"]
    assert table["再集計の順位"].to_list() == ["1位", "3位", "1位"]


@pytest.mark.parametrize("text, expected", [("・住民の利便性向上\n・効率化", "住民の利便性向上"), ("", None),
                                            ("\n\n  二行目から", "二行目から")])
def test_first_line(text, expected):
    from warehouse.cases import first_line

    assert first_line(text) == expected


def test_markdown_text_escapes_special_characters():
    from ui.markdown import md

    assert md("1. *強調* $100\n次の行") == "1\\. \\*強調\\* \\$100  \n次の行"


def test_page_slice_clamps_to_the_pages_there_are():
    from ui.paging import page_count, page_slice

    frame = pl.DataFrame({"n": list(range(45))})
    assert page_count(45, 20) == 3 and page_count(0, 20) == 1
    assert page_slice(frame, 3, 20)["n"].to_list() == list(range(40, 45))
    assert page_slice(frame, 9, 20)["n"].to_list() == list(range(40, 45))  # past the end: the last page
    assert page_slice(frame, 0, 20)["n"].to_list() == list(range(20))


def test_quality_notes_come_in_document_order():
    # Locations are text (「file:18」, 「file:Sheet!12」); sorted as text, line 144 came before 18.
    from warehouse import quality, queries

    def first_lines(locations) -> list[int]:
        return [int(str(location).split(";")[0].rsplit(":", 1)[1]) for location in locations]

    kaizen = quality.document_quality("koganei-kaizen-r3", ("correction", "repair", "skipped"))["location"]
    assert first_lines(kaizen)[:3] == [18, 137, 144]
    assert first_lines(kaizen) == sorted(first_lines(kaizen))
    corrections = queries.data_quality("koganei-kaizen-r3").filter(kind="correction")["location"]
    assert first_lines(corrections) == [18, 137, 144]
    page_rows = quality.quality_rows().filter(document_id="koganei-kaizen-r3", kind="correction")["location"]
    assert first_lines(page_rows) == [18, 137, 144]


def test_an_opened_case_shows_its_similar_initiatives(app):
    at = app(CASES)
    first = next(k for k in at.session_state.keys() if str(k).startswith("case_text_"))
    at.session_state[first] = True  # opening 「全文を読む」 of one case
    at.run()
    assert not at.exception
    assert any("類似度" in d.value.columns for d in at.dataframe)
