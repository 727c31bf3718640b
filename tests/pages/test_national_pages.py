"""概要・財政効果・指標 with many documents (issue 17): a summary table plus the top documents'
cards, the fiscal comparisons as a table, and 指標 one page at a time.

Two set-ups: a warehouse of the bundled documents plus 24 generated municipalities' workbooks
(``bench.national``, the benchmark's own generator; 29 documents, 175 indicators, ~600 amounts),
and the bundled documents with the thresholds of ``ui.national`` lowered, where the expected
values are the documents' own (苫小牧市 42億円, 狛江市 5,990万円, 狛江市's 7 indicators …)."""
from __future__ import annotations

import io
import shutil

import duckdb
import polars as pl
import pytest

from settings import DEFAULT_RAW_DIR
from ui import national as limits
from yen import yen_text

OVERVIEW, FISCAL, INDICATORS = "app_pages/overview.py", "app_pages/fiscal.py", "app_pages/indicators.py"
GENERATED = 24


@pytest.fixture(scope="module")
def national_warehouse(tmp_path_factory):
    """The bundled documents and 24 generated municipalities (苫小牧市 among them: a second
    document of a bundled municipality, as at national scale)."""
    from bench import national
    from etl.pipeline import build

    work = tmp_path_factory.mktemp("national")
    raw = work / "raw"
    shutil.copytree(DEFAULT_RAW_DIR, raw)
    rng = national.random.Random(1)
    for n, town in enumerate(national.towns(GENERATED)):
        (raw / f"{n:04d}-{town.prefecture}-{town.name}.xlsx").write_bytes(national.workbook(rng, town))
    target = work / "warehouse.duckdb"
    build(raw, target)
    return target


@pytest.fixture
def many(national_warehouse, monkeypatch):
    """Pages read the national warehouse; a read-only connection to check what they show."""
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(national_warehouse))
    con = duckdb.connect(str(national_warehouse), read_only=True)
    yield con
    con.close()


def _headings(at, level: str = "### ") -> list[str]:
    return [m.value[len(level):] for m in at.markdown if m.value.startswith(level)]


def _captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def _table(at, column: str) -> pl.DataFrame:
    for frame in at.dataframe:
        if column in frame.value.columns:
            return pl.from_pandas(frame.value)
    raise AssertionError(f"no table has column {column}")


# ----------------------------------------------------------------------------- 概要


def test_overview_with_many_documents_shows_a_table_and_the_top_ten_cards(app, many):
    at = app(OVERVIEW)
    assert not at.exception and not at.error
    documents = many.sql("SELECT count(DISTINCT document_id) FROM initiatives").fetchall()[0][0]
    assert documents == GENERATED + 5
    table = _table(at, "財政効果額(円)")
    assert table.height == documents
    money = table["財政効果額(円)"].to_list()
    known = [m for m in money if m is not None and m == m]  # pandas gives NaN for a missing amount
    assert known == sorted(known, reverse=True) and money[:len(known)] == known  # largest first, none last
    # every row's 財政効果額 is the counted sum of its document (the fiscal page's rule)
    # (titles repeat: four 池田町 and two 府中市 each have a 「…行財政改革プラン」, so compare the pairs)
    expected = sorted(many.sql("SELECT d.title, sum(f.amount_yen) FROM fiscal_effects f JOIN documents d "
                               "USING (document_id) WHERE f.counted GROUP BY d.document_id, d.title").fetchall())
    titles = {title for title, _ in expected}
    shown = sorted((r["文書"], r["財政効果額(円)"]) for r in table.iter_rows(named=True) if r["文書"] in titles)
    assert shown == expected
    assert table["取組数"].sum() == many.sql("SELECT count(*) FROM initiatives").fetchall()[0][0]

    # the whole slice's card, then the top ten documents' cards in the table's order
    cards = _headings(at)
    assert cards[0] == "全自治体" and len(cards) == 1 + limits.TOP_DOCUMENTS
    assert cards[1:] == [t.split(" (")[0] for t in table["自治体"].head(limits.TOP_DOCUMENTS)]
    assert f"{documents} 文書あるため" in _captions(at) and "上位 10 文書" in _captions(at)
    # a figure from 28 municipalities names three of them and counts the rest
    label = [m.label for m in at.metric if m.label.startswith("財政効果額")][0]
    assert "ほか" in label and "団体の合計" in label and label.count("・") == 2


def test_overview_of_one_municipality_keeps_its_document_cards(app, many):
    at = app(OVERVIEW, m="苫小牧市")  # the bundled plan report and a generated workbook
    assert not at.exception and not at.error
    assert _headings(at) == ["苫小牧市", "苫小牧市", "苫小牧市"]
    assert not [f for f in at.dataframe if "財政効果額(円)" in f.value.columns]
    expected = many.sql("SELECT sum(amount_yen) FROM fiscal_effects WHERE counted AND municipality = '苫小牧市'"
                        ).fetchall()[0][0]
    assert [m.value for m in at.metric if m.label.startswith("財政効果額")][0] == yen_text(expected)


def test_overview_summarises_the_bundled_documents_above_a_lowered_threshold(app, monkeypatch):
    monkeypatch.setattr(limits, "DOCUMENT_CARDS_UP_TO", 2)
    monkeypatch.setattr(limits, "TOP_DOCUMENTS", 2)
    at = app(OVERVIEW)
    assert not at.exception and not at.error
    table = _table(at, "財政効果額(円)")
    assert table["自治体"].to_list()[:4] == ["苫小牧市", "狛江市", "前橋市", "小金井市"]  # 42億, 5,990万, 1,000万, 500万
    assert table.height == 5 and table["財政効果額(円)"].to_list()[0] == 4_204_866_918
    tomakomai = table.row(0, named=True)
    assert (tomakomai["評価の年度"], tomakomai["A評価の割合(%)"], tomakomai["委員評価の平均"]) == (2023, 43, 4.07)
    assert tomakomai["取組終了"] == 83
    assert _headings(at) == ["全自治体", "苫小牧市", "狛江市"]
    assert "財政効果額の上位 2 文書" in _headings(at, "#### ")


# ----------------------------------------------------------------------------- 財政効果


def test_fiscal_with_many_amounts_shows_one_page_of_the_trace(app, many):
    from ui.paging import DEFAULT_SIZE

    at = app(FISCAL)
    assert not at.exception and not at.error
    amounts = many.sql("SELECT count(*) FROM fiscal_effects").fetchall()[0][0]
    assert amounts > limits.TRACE_ROWS_PER_PAGE
    assert _table(at, "根拠").height == DEFAULT_SIZE
    assert f"金額は {amounts:,} 件あるため" in _captions(at)
    pages = -(-amounts // DEFAULT_SIZE)
    at.number_input(key="fiscal_trace_page").set_value(pages).run()
    assert not at.exception
    assert _table(at, "根拠").height == amounts - (pages - 1) * DEFAULT_SIZE
    expected = many.sql("SELECT sum(amount_yen) FROM fiscal_effects WHERE counted").fetchall()[0][0]
    assert [m.value for m in at.metric if m.label.startswith("財政効果額")] == [yen_text(expected)]
    # plans share item numbers and titles: the chart's labels name their municipality
    towns = {t for (t,) in many.sql("SELECT DISTINCT coalesce(m.label, f.municipality) FROM fiscal_effects f "
                                    "LEFT JOIN municipalities m ON m.code = f.municipality_code").fetchall()}
    frames = [pl.read_ipc_stream(io.BytesIO(d.data.data)) for e in at.get("vega_lite_chart") for d in e.proto.datasets]
    labels = [f for f in frames if {"initiative", "total"} <= set(f.columns)][0]["initiative"].unique().to_list()
    assert labels and all(label.split(" ")[0] in towns for label in labels)


def test_fiscal_lists_the_plans_comparisons_above_a_lowered_threshold(app, monkeypatch):
    monkeypatch.setattr(limits, "DOCUMENT_CARDS_UP_TO", 0)
    at = app(FISCAL)
    assert not at.exception and not at.error
    table = _table(at, "計画の記載(円)")
    assert table.to_dicts() == [{"自治体": "苫小牧市", "文書": table["文書"][0], "計画の記載(円)": 3_760_000_000,
                                 "集計(円)": 4_204_866_918, "差(円)": 444_866_918,
                                 "拾えた金額(円)": table["拾えた金額(円)"][0]}]
    assert _headings(at)[:2] == ["計画の記載との比較 (文書ごと)", "計画の記載との比較 — 苫小牧市"]
    assert "上位 1 文書だけ" in _captions(at)


# ----------------------------------------------------------------------------- 指標


def test_indicators_with_many_documents_page_their_charts(app, many):
    at = app(INDICATORS)
    assert not at.exception and not at.error
    total = many.sql("SELECT count(DISTINCT (document_id, indicator_no)) FROM _indicators").fetchall()[0][0]
    assert total == 7 * (GENERATED + 1)
    size = limits.INDICATORS_PER_PAGE
    summary = _table(at, "判定")
    assert summary.height == size and "自治体" in summary.columns
    assert len(at.get("vega_lite_chart")) == size
    assert f"指標 {total:,} 件を {size} 件ずつ表示しています (いまは 1–{size} 件目)" in _captions(at)
    pages = -(-total // size)
    at.number_input(key="indicators_page").set_value(pages).run()
    assert not at.exception
    last = _table(at, "判定")
    assert last.height == total - (pages - 1) * size
    assert len(at.get("vega_lite_chart")) == last.height
    # the pages follow document and number order: the last page ends with the last document's No. 7
    last_document = many.sql("SELECT max(document_id) FROM _indicators").fetchall()[0][0]
    town = many.sql("SELECT any_value(municipality) FROM _indicators WHERE document_id = ?",
                    params=[last_document]).fetchall()[0][0]
    assert last["No."].to_list()[-1] == "7" and last["自治体"].to_list()[-1] == town


def test_indicators_of_one_municipality_fit_one_page(app, many):
    at = app(INDICATORS, m="狛江市")
    assert not at.exception and not at.error
    assert _table(at, "判定").height == 7 and len(at.get("vega_lite_chart")) == 7
    assert "件ずつ表示しています" not in _captions(at)


def test_indicator_pages_of_the_bundled_documents(app, monkeypatch):
    monkeypatch.setattr(limits, "INDICATORS_PER_PAGE", 3)
    at = app(INDICATORS)
    assert _table(at, "判定")["No."].to_list() == ["1", "2", "3"]
    at.number_input(key="indicators_page").set_value(3).run()
    summary = _table(at, "判定")
    assert summary["No."].to_list() == ["7"] and "自治体" not in summary.columns
    assert len(at.get("vega_lite_chart")) == 1
    assert "指標 7 件を 3 件ずつ表示しています (いまは 7–7 件目)" in _captions(at)


# ----------------------------------------------------------------------------- the slice in SQL


@pytest.mark.parametrize("values", [
    {}, {"municipality": "苫小牧市"}, {"grade": "A"}, {"grade": "B", "fiscal_year": 2022},
    {"fiscal_year": 2021, "theme": "健全な財政運営"}, {"search": "窓口"}, {"municipality": "渋谷区"},
    {"category": "歳入確保"}, {"department": "行政監理室", "grade": "B"},
])
def test_the_sql_slice_selects_the_same_initiatives_as_the_explorer(values):
    """warehouse.slice_sql counts in SQL exactly the initiatives queries.initiatives lists (every
    filter, 評価 by the latest — or the chosen year's — 総合評価)."""
    from warehouse import Filters, queries
    from warehouse.connection import query
    from warehouse.slice_sql import slice_ids

    filters = Filters(**values)
    sql, params = slice_ids(filters)
    listed = set(queries.initiatives(filters)["initiative_id"].to_list())
    assert set(query(sql, params)["initiative_id"].to_list()) == listed
    assert listed  # every case selects something


def test_initiative_labels_as_a_column_match_the_one_row_function():
    from warehouse import fiscal

    rows = pl.DataFrame({"level": ["実践項目", None, "", None, "取組項目"], "code": ["27", "N23", "", None, None],
                         "title": ["公有財産の売却", "窓口", None, None, "電子申請"]})
    expected = [fiscal.initiative_label(*r) for r in rows.iter_rows()]
    assert rows.select(fiscal.initiative_labels().alias("label"))["label"].to_list() == expected
    assert expected == ["実践項目 27 公有財産の売却", "N23 窓口", "（計画全体）", "（計画全体）", "取組項目 電子申請"]


def test_the_trace_files_hold_every_amount(many):
    """Above one page the 財政効果 screen's buttons build their files from fiscal.trace_of (on click)."""
    from warehouse import Filters, fiscal

    table = fiscal.trace_of(Filters())
    assert table.height == many.sql("SELECT count(*) FROM fiscal_effects").fetchall()[0][0]
    assert table["金額(円)"].sum() == many.sql("SELECT sum(amount_yen) FROM fiscal_effects").fetchall()[0][0]
