"""財政効果 / 指標 pages: content checked against the documents (golden values).

Tomakomai (tomakomai_gyosei_sokaku_plan_hyoka_r6.txt, line 46–50): 財政効果額 37億6千万円 with the main
items 公有財産の売却促進及び有効活用 28億円, 企業版ふるさと納税の導入 7億7千万円, 窓口業務委託 1億1千万円;
progress sheets e.g. line 2236 「売却を促進することができた(324,102千円)」 (令和2年度).
Komae (komae_gyozaisei_kaikaku_shinchoku_r3.txt, section 5): 経常収支比率 89.6 / 88.7 / —※3 / 90.0以下,
質の高い行政運営… 48.3 (72.2), 財政調整基金残高 18.7 / 17.7 / 20.1 / 20.0.
"""
from __future__ import annotations

import io
import json

import polars as pl
import pytest

from etl.money import REASON_COST, REASON_OVERLAP, REASON_REPEAT, REASON_STATED
from warehouse import fiscal, indicators

FISCAL, INDICATORS = "app_pages/fiscal.py", "app_pages/indicators.py"


def _charts(at) -> list[tuple[dict, list[pl.DataFrame]]]:
    out = []
    for element in at.get("vega_lite_chart"):
        proto = element.proto
        frames = [pl.read_ipc_stream(io.BytesIO(d.data.data)) if d.data.data[:4] != b"ARROW"
                  else pl.read_ipc(io.BytesIO(d.data.data)) for d in proto.datasets]
        out.append((json.loads(proto.spec), frames))
    return out


def _frames_with(at, column: str) -> list[pl.DataFrame]:
    return [f for _, frames in _charts(at) for f in frames if column in f.columns and f.height]


def _text(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "subheader")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def _table(at, column: str) -> pl.DataFrame:
    for frame in at.dataframe:
        if column in frame.value.columns:
            return pl.from_pandas(frame.value)
    raise AssertionError(f"no table has column {column}")


# ----------------------------------------------------------------------------- 財政効果


def test_fiscal_compares_the_plans_stated_total_with_the_sheets(app):
    at = app(FISCAL, m="苫小牧市")
    assert not at.exception and not at.error
    assert at.title[0].value == "財政効果"
    explanation = at.info[0].value
    # from the warehouse's basis / excluded_reason: what was counted, what was left out and why
    assert explanation.startswith("計画の記載 37.6億円 に対し、文書の記述から拾えた金額は ")
    assert "集計した財政効果額は 42億円" in explanation
    assert "予算額 11.5億円" in explanation  # 実践27 「当初予算額合計約11.5億円」 (line 2257)
    assert "費用 (支出)" in explanation and "同じ金額の再掲 5,320万円" in explanation  # 実践42 twice
    assert "見込額" in explanation and "毎年度の金額" in explanation
    assert "計画の記載との差は +4.45億円" in explanation

    items = _table(at, "計画の記載(円)")
    stated = dict(zip(items["取組"], items["計画の記載(円)"]))
    assert stated == {
        "実践項目 27 公有財産の売却促進及び有効活用": 2_800_000_000,
        "実践項目 2 企業版ふるさと納税の導入": 770_000_000,
        "実践項目 35 窓口サービス課と保険年金課の窓口業務委託による総合運用": 110_000_000,
    }
    # The sheets' yearly sales and leases of 実践項目27 (lines 2236–2249), summed.
    found = dict(zip(items["取組"], items["集計(円)"]))
    assert found["実践項目 27 公有財産の売却促進及び有効活用"] == (
        324_102_000 + 45_935_000 + 365_947_000 + 46_724_000 + 280_292_000 + 45_570_000
        + 893_411_000 + 41_145_000 + 877_902_000 + 42_480_000)
    assert items["取組一覧"].str.starts_with("/explorer?").all()

    compare = [f for f in _frames_with(at, "source_label") if "item" in f.columns][0]
    total = compare.filter(pl.col("item") == "合計")
    assert dict(zip(total["source_label"], total["amount_yen"])) == {
        "計画の記載": 3_760_000_000, "集計": 4_204_866_918}


def test_fiscal_charts_by_year_kind_and_cumulative(app):
    at = app(FISCAL, m="苫小牧市")
    specs = [spec for spec, _ in _charts(at)]
    assert len(specs) == 4
    by_year = [f for f in _frames_with(at, "kind") if "fy_label" in f.columns][0]
    sale_2020 = by_year.filter((pl.col("fiscal_year") == 2020) & (pl.col("kind") == "売却収入"))
    assert sale_2020["amount_yen"].to_list() == [324_102_000]
    assert "費用" not in by_year["kind"].to_list(), "費用 is an expense, never an effect"
    assert by_year["fiscal_year"].null_count() == 0

    cumulative = [f for f in _frames_with(at, "cumulative_yen") if "fiscal_year" in f.columns][0]
    assert cumulative.sort("fiscal_year")["cumulative_yen"][-1] == 3_941_766_918
    reference = [f for f in _frames_with(at, "cumulative_yen") if "label" in f.columns][0]
    assert reference["cumulative_yen"].to_list() == [3_760_000_000]
    assert reference["label"][0] == "計画の記載 37.6億円"

    by_initiative = [f for f in _frames_with(at, "initiative") if "kind" in f.columns][0]
    top = by_initiative.sort("total", descending=True)["initiative"][0]
    assert top == "27 公有財産の売却促進及び有効活用"


def test_fiscal_traces_every_amount_to_its_sentence_and_line(app):
    at = app(FISCAL, m="苫小牧市")
    table = _table(at, "根拠")
    assert table.columns[:8] == ["年度", "取組", "区分", "金額(円)", "性質", "集計", "根拠", "出典行"]
    sale = table.filter(pl.col("出典行") == "tomakomai_gyosei_sokaku_plan_hyoka_r6.txt:2236")
    assert sale["金額(円)"].to_list() == [324_102_000]
    assert sale["年度"].to_list() == ["令和2年度 (2020)"]
    assert "324,102千円" in sale["根拠"][0]
    assert sale["取組一覧"][0].startswith("/explorer?m=")
    # Amounts without a year are shown, not dropped.
    unknown = table.filter(pl.col("年度") == "年度不明")
    assert unknown.height >= 10
    assert 26_600_000 in unknown["金額(円)"].to_list()
    # 費用 rows are listed but excluded from the sums, with the ETL's reason.
    expenses = table.filter(pl.col("区分") == "費用")
    assert expenses.height == 4 and set(expenses["集計"]) == {f"除外: {REASON_COST}"}
    monthly = table.filter(pl.col("出典行") == "tomakomai_gyosei_sokaku_plan_hyoka_r6.txt:3884")
    assert monthly["金額(円)"].to_list() == [264_000] and monthly["性質"][0] == "実績・月額換算済"
    total = table.filter(pl.col("区分") == "複数区分")  # the plan's own total, 計画の記載
    assert total["金額(円)"].to_list() == [3_760_000_000] and total["集計"].to_list() == ["計画の記載"]
    assert total["出典行"].to_list() == ["tomakomai_gyosei_sokaku_plan_hyoka_r6.txt:46"]


def test_fiscal_year_filter_keeps_that_years_amounts(app):
    at = app(FISCAL, m="苫小牧市", fy="2023")
    assert not at.exception and not at.error
    table = _table(at, "根拠")
    assert set(table["年度"]) == {"令和5年度 (2023)"}
    donations = table.filter(pl.col("区分") == "寄附")["金額(円)"].to_list()
    assert sorted(donations) == [6_220_000, 215_257_994]
    assert "年度不明の金額は年度で絞り込むと表示されません" in _text(at)


def test_fiscal_without_amounts_says_so(app):
    at = app(FISCAL, m="小金井市", fy="2020")  # 小金井市's only amount is of 令和3年度
    assert not at.exception and not at.error
    assert "財政効果額の記載がありません" in _text(at)
    assert not at.get("vega_lite_chart")


# ----------------------------------------------------------------------------- 指標


def test_indicator_summary_respects_direction_and_shows_missing_values(app):
    at = app(INDICATORS)
    assert not at.exception and not at.error
    assert at.title[0].value == "指標"
    summary = _table(at, "判定")
    assert summary.height == 7
    rows = {r["No."]: r for r in summary.iter_rows(named=True)}

    ratio = rows["3"]  # 経常収支比率: 90.0以下 stated, baseline 89.6 already meets it
    assert ratio["指標"] == "経常収支比率 (%)"
    assert ratio["目標値"] == "90.0以下　R6 (2024)"
    assert ratio["方向"] == "以下・記載"
    assert ratio["最新の実績値"] == "88.7　R2 (2020)"  # 令和3年度 is 「—」
    assert ratio["判定"] == "達成"
    assert ratio["進捗率(計算値%)"] == "—"
    assert "「—」" in ratio["注記"] and "7月末に確定" in ratio["注記"]

    quality = rows["1"]  # 48.3 (72.2) ※1, direction inferred
    assert "〔括弧内 72.2〕" in quality["最新の実績値"]
    assert quality["方向"] == "以上・推定"
    assert _percent(quality["進捗率(計算値%)"]) == pytest.approx((48.3 - 55.6) / (61.0 - 55.6) * 100, abs=0.05)
    assert quality["進捗率(表示)"] == 0
    assert quality["判定"] == "基準値より後退"

    fund = rows["4"]  # 18.7 → 20.1 toward 20.0: raw 107.7 %, bar clipped to 100 %
    assert _percent(fund["進捗率(計算値%)"]) == pytest.approx(107.7, abs=0.05)
    assert fund["進捗率(表示)"] == 100
    debt = rows["5"]  # 市債残高 195.0 → 184.3 toward 185.0, lower is better
    assert debt["方向"] == "以下・推定"
    assert _percent(debt["進捗率(計算値%)"]) == pytest.approx(107.0, abs=0.05)


def test_one_chart_per_indicator_with_bracketed_values(app):
    at = app(INDICATORS, m="狛江市")
    charts = _charts(at)
    assert len(charts) == 7
    values = [f for f in _frames_with(at, "value") if "kind" in f.columns]
    ratio = [f for f in values if "経常収支比率" in f["name"].to_list()][0]
    assert sorted(ratio["value"].drop_nulls().to_list()) == [88.7, 89.6, 90.0]
    alternatives = [f for f in _frames_with(at, "kind_label") if "括弧内の値" in f["kind_label"].to_list()]
    assert sorted(alternatives[0]["value"].to_list()) == [60.3, 72.2]
    assert all(spec["title"] == "" for spec, _ in charts)  # the card names the indicator
    assert "3. 経常収支比率" in _text(at)


def test_indicator_progress_as_of_a_fiscal_year(app):
    at = app(INDICATORS, fy="2020")
    summary = _table(at, "判定")
    fund = summary.filter(pl.col("No.") == "4").row(0, named=True)
    assert fund["最新の実績値"] == "17.7　R2 (2020)"
    assert _percent(fund["進捗率(計算値%)"]) == pytest.approx((17.7 - 18.7) / (20.0 - 18.7) * 100, abs=0.05)


def test_indicators_follow_search_through_related_projects(app):
    at = app(INDICATORS, q="市債")
    summary = _table(at, "判定")
    assert "市債残高 (億円)" in summary["指標"].to_list()
    assert summary.height < 7


def test_indicators_elsewhere_says_so(app):
    at = app(INDICATORS, m="苫小牧市")
    assert not at.exception and not at.error
    assert "指標がありません" in _text(at)
    assert not at.get("vega_lite_chart")


# ----------------------------------------------------------------------------- pure functions


def _rows(**columns) -> pl.DataFrame:
    n = len(columns["amount_yen"])
    base = {"document_id": ["d"] * n, "initiative_id": ["i"] * n, "fiscal_year": [None] * n,
            "source": ["sheet"] * n, "kind": ["寄附"] * n}
    return pl.DataFrame(base | columns, schema_overrides={"fiscal_year": pl.Int32})


def test_status_and_totals_come_from_the_etls_decision():
    rows = _rows(initiative_id=["a", "a", "b", "b", "c", None],
                 fiscal_year=[2020, None, None, None, 2021, None],
                 amount_yen=[10, 99, 5, 5, 7, 100],
                 kind=["寄附", "寄附", "経費削減", "経費削減", "費用", "複数区分"],
                 basis=["実績", "実績", "見込", "見込", "実績", "計画記載"],
                 recurrence=["単年度", "累計", "毎年度", "毎年度", "単年度", "累計"],
                 counted=[True, False, True, False, False, False],
                 excluded_reason=[None, REASON_OVERLAP, None, REASON_REPEAT, REASON_COST, REASON_STATED],
                 municipality=["甲市"] * 6)
    rows = fiscal.with_status(rows)
    assert rows["status"].to_list() == [
        fiscal.COUNTED_DATED, f"除外: {REASON_OVERLAP}", fiscal.COUNTED_UNDATED, f"除外: {REASON_REPEAT}",
        f"除外: {REASON_COST}", fiscal.STATED]
    sums = fiscal.totals(rows)
    assert (sums.counted, sums.dated, sums.undated, sums.found, sums.expected, sums.recurring) == (15, 10, 5, 126, 5, 5)
    assert sums.excluded == {REASON_OVERLAP: 99, REASON_REPEAT: 5, REASON_COST: 7}
    headline = fiscal.headline(rows)
    assert (headline.yen, headline.count, headline.whose) == (15, 2, "甲市")


def test_achievement_lower_is_better():
    values = pl.DataFrame({"fiscal_year": [2018, 2020, 2024], "kind": ["baseline", "actual", "target"],
                           "value": [195.0, 189.5, 185.0], "note": [None, None, None]})
    result = indicators.achievement(values, None, "以下")
    assert result.progress == pytest.approx(0.55)
    assert result.status == "未達" and not result.direction_stated


def _percent(shown: str) -> float:
    """The on-screen progress cell (「107.7%」) as a number."""
    return float(shown.rstrip("%"))
