"""評価の推移 at scale: the movers table is read one page at a time in SQL, and its pages are
those of the Python rule (``grade_history`` + ``movers``) on the whole slice."""
from __future__ import annotations

from warehouse import Filters, trends

TRENDS = "app_pages/trends.py"


def _pager_text(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**全 "))


def _movers_table(at):
    return next(f.value for f in at.dataframe if "推移" in f.value.columns)


def _expected(filters: Filters, level: str, order: str, start: int, stop: int) -> list[str]:
    rows = trends.movers(trends.grade_history_for(filters, level), order).slice(start, stop - start)
    return rows["code"].to_list()


def test_movers_are_paged_in_the_chosen_order(app):
    at = app(TRENDS, m="苫小牧市")
    assert at.radio(key="trends_level").value == "実践項目"
    assert _pager_text(at) == "**全 95 件中 1–95 件**"
    at.selectbox(key="trends_movers_size").set_value(50).run()
    assert _pager_text(at) == "**全 95 件中 1–50 件**"
    filters = Filters(municipality="苫小牧市")
    assert list(_movers_table(at)["番号"]) == _expected(filters, "実践項目", "改善した順", 0, 50)

    at.button(key="trends_movers_next").click().run()
    assert _pager_text(at) == "**全 95 件中 51–95 件**"
    assert list(_movers_table(at)["番号"]) == _expected(filters, "実践項目", "改善した順", 50, 95)

    at.selectbox(key="trends_order").set_value("悪化した順").run()  # a new order starts at page 1
    assert _pager_text(at) == "**全 95 件中 1–50 件**"
    assert list(_movers_table(at)["番号"]) == _expected(filters, "実践項目", "悪化した順", 0, 50)


def test_counts_come_from_the_whole_table_not_the_page(app):
    at = app(TRENDS, m="苫小牧市")
    at.selectbox(key="trends_movers_size").set_value(50).run()
    counts = trends.mover_counts(trends.grade_history_for(Filters(municipality="苫小牧市"), "実践項目"))
    caption = next(c.value for c in at.caption if c.value.startswith("最初と最後の年度"))
    assert f"改善 **{counts.improved:,}** 件・悪化 **{counts.declined:,}** 件" in caption
    assert counts.improved + counts.declined + counts.unchanged + counts.single == 95


def test_sql_movers_match_the_python_rule_for_every_level_and_order():
    for filters in (Filters(), Filters(municipality="苫小牧市"), Filters(fiscal_year=2022), Filters(grade="A")):
        for level, count in trends.graded_levels(filters):
            history = trends.grade_history_for(filters, level)
            summary = trends.mover_summary(filters, level)
            assert summary.rows == history.height == count
            assert summary.counts == trends.mover_counts(history)
            for order in trends.MOVER_ORDERS:
                python = trends.movers(history, order).drop("order")
                sql = trends.all_movers(filters, level, order)
                assert sql.columns == python.columns
                assert sql.equals(python.cast(dict(sql.schema))), (filters, level, order)


def test_grade_counts_in_sql_match_the_frame_rule():
    for filters in (Filters(), Filters(municipality="苫小牧市"), Filters(grade="B")):
        for level, _ in trends.graded_levels(filters):
            sql = trends.grade_counts(filters, level)
            python = trends.grade_shares(trends.yearly_grades(filters, level))
            assert python.cast(dict(sql.schema)).equals(sql), (filters, level)
