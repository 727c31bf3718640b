"""Export speed: chart PNG (vl-convert, slide resolution) and a 10,000-row xlsx.

Targets: PNG export of a chart under 1 s (issue 4, after the first render warms vl-convert up);
a 10-slide 庁議 deck (title, 7 charts rendered to PNG, table, sources) under 5 s (issue 5), and
the same size of deck from the 資料の作成 page (title, 8 cards rebuilt from the warehouse by their
recipes, sources) through the page's own builder, ``cards.deck.deck_bytes``.
"""
from __future__ import annotations

import statistics
import time
from datetime import datetime, timezone

import polars as pl

PNG_TARGET = 1.0
DECK_TARGET = 5.0


def _timed(function, runs: int = 5) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> int:
    from charts import builders
    from charts.png import chart_to_png
    from exports.tables import to_xlsx

    grades = pl.DataFrame({"fiscal_year": [2020, 2020, 2021, 2021, None], "grade": ["A", "B", "A", "C", "A"],
                           "count": [5, 10, 7, 8, 12]})
    trend = pl.DataFrame({"fiscal_year": [2020, 2021, 2022] * 4,
                          "criterion": [c for c in ("進捗度", "連携度", "効率性", "創造性") for _ in range(3)],
                          "score": [2.0, 2.2, 2.4, 2.5, 2.6, 2.7, 2.0, 2.1, 2.3, 1.9, 2.0, 2.2]})
    radar = pl.DataFrame({"profile": ["全体"] * 4 + ["テーマ"] * 4,
                          "criterion": ["進捗度", "連携度", "効率性", "創造性"] * 2,
                          "score": [2.2, 2.7, 2.4, 2.3, 2.5, 2.9, 2.1, 2.0]})
    charts = {"grade_distribution": builders.grade_distribution(grades),
              "criterion_trend": builders.criterion_trend(trend), "radar": builders.radar(radar)}
    chart_to_png(charts["grade_distribution"])  # first render loads fonts and the engine
    ok = True
    print("Exports")
    for name, chart in charts.items():
        seconds = _timed(lambda: chart_to_png(chart))
        ok &= seconds < PNG_TARGET
        print(f"  PNG {name:<20} {seconds:.2f} s (target < {PNG_TARGET:.0f} s) "
              f"{'OK' if seconds < PNG_TARGET else 'OVER'}")
    rows = 10_000
    frame = pl.DataFrame({"番号": list(range(rows)), "取組名": [f"取組{i}" for i in range(rows)],
                          "財政効果額(円)": [i * 1000 for i in range(rows)], "進捗度": [2.5] * rows})
    seconds = _timed(lambda: to_xlsx(frame, sheet_name="取組一覧", conditions=[], sources=[],
                                     exported_at=datetime.now(timezone.utc)), runs=3)
    print(f"  xlsx {rows:,} rows          {seconds:.2f} s")

    from exports.slides import PageChart, page_deck

    cards = [PageChart(f"グラフ {n + 1}", chart, grades, takeaway="テスト")
             for n, chart in enumerate(list(charts.values()) * 3)][:7]
    seconds = _timed(lambda: page_deck("評価の推移", cards, municipality="苫小牧市", plan="行政創革プラン",
                                       fiscal_years="全年度", conditions=[], created=datetime.now(timezone.utc),
                                       sources=["出典"], quality_notes=["訂正: 79 件"]), runs=3)
    ok &= seconds < DECK_TARGET
    print(f"  deck 10 slides (7 charts)  {seconds:.2f} s (target < {DECK_TARGET:.0f} s) "
          f"{'OK' if seconds < DECK_TARGET else 'OVER'}")
    ok &= _builder_deck()
    return 0 if ok else 1


# The 資料の作成 page's deck: the issue's 「trends + radar of two themes + fiscal effects」 and more.
BUILDER_CARDS = [
    ("trends.grades", {"level": "実践項目"}), ("trends.criteria", {"level": "実践項目"}),
    ("radar.profile", {"profiles": ["theme|健全な財政運営|0", "theme|協働の推進|0"]}),
    ("radar.bars", {"profiles": ["theme|健全な財政運営|0", "theme|協働の推進|0"]}),
    ("fiscal.by_year", {}), ("fiscal.cumulative", {}), ("fiscal.by_initiative", {}), ("trends.committee", {}),
]


def _builder_deck() -> bool:
    from cards import CardRef
    from cards.deck import deck_bytes
    from warehouse import Filters, WarehouseMissing, warehouse_version

    try:
        warehouse_version()
    except WarehouseMissing:
        print("  deck via recipes           skipped (no warehouse: run python -m etl)")
        return True
    filters = Filters(municipality="苫小牧市")
    refs = [CardRef.of(recipe, filters, options) for recipe, options in BUILDER_CARDS]
    seconds = _timed(lambda: deck_bytes(refs, title="庁議資料", created=datetime.now(timezone.utc)), runs=3)
    print(f"  deck 10 slides via recipes {seconds:.2f} s (target < {DECK_TARGET:.0f} s) "
          f"{'OK' if seconds < DECK_TARGET else 'OVER'}")
    return seconds < DECK_TARGET
