"""取組一覧 at scale: the table is read one page at a time, with its total, in the chosen order;
the Excel download refuses a table above Excel's sheet size in words (a small patched limit
stands in for 1,048,576 rows)."""
from __future__ import annotations

import polars as pl

from etl.municipality_codes import label_sql
from ui.tables import ordered
from warehouse import Filters, queries
from warehouse.connection import query

TOTAL = 333  # every initiative of the five documents


def _pager_text(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**全 "))


def _ids(at) -> list[str]:
    """The shown rows as (自治体, 番号, 取組名): the table has no id column."""
    table = at.dataframe[0].value
    return list(zip(table["自治体"], table["番号"].fillna(""), table["取組名"]))


def _expected(filters: Filters, order: str, start: int, stop: int) -> list[tuple]:
    """The same rows from the whole slice; the table names a municipality by its label."""
    rows = ordered(queries.initiatives(filters), order).slice(start, stop - start)
    shown = dict(query(f"SELECT initiative_id, {label_sql('i')} FROM initiatives i").iter_rows())
    return list(zip([shown[i] for i in rows["initiative_id"]], rows["code"].fill_null(""), rows["title"]))


def test_pages_through_all_initiatives_in_order(app):
    at = app("app_pages/explorer.py")
    assert not at.exception
    assert _pager_text(at) == "**全 333 件中 1–100 件**"
    assert at.number_input(key="explorer_page").value == 1
    assert _ids(at) == _expected(Filters(), "評価のある取組から", 0, 100)

    at.button(key="explorer_next").click().run()
    assert _pager_text(at) == "**全 333 件中 101–200 件**"
    assert _ids(at) == _expected(Filters(), "評価のある取組から", 100, 200)

    at.number_input(key="explorer_page").set_value(4).run()
    assert _pager_text(at) == "**全 333 件中 301–333 件**"
    assert len(at.dataframe[0].value) == 33
    assert at.button(key="explorer_next").disabled and not at.button(key="explorer_prev").disabled

    at.button(key="explorer_prev").click().run()
    assert _pager_text(at) == "**全 333 件中 201–300 件**"


def test_order_is_kept_across_pages_and_a_new_order_starts_at_page_one(app):
    at = app("app_pages/explorer.py")
    at.button(key="explorer_next").click().run()
    at.segmented_control[0].set_value("文書の順").run()
    assert _pager_text(at) == "**全 333 件中 1–100 件**"
    assert _ids(at) == _expected(Filters(), "文書の順", 0, 100)
    at.button(key="explorer_next").click().run()
    assert _ids(at) == _expected(Filters(), "文書の順", 100, 200)


def test_page_size_choice(app):
    at = app("app_pages/explorer.py")
    at.button(key="explorer_next").click().run()
    at.selectbox(key="explorer_size").set_value(200).run()
    assert _pager_text(at) == "**全 333 件中 1–200 件**"
    assert len(at.dataframe[0].value) == 200
    assert at.number_input(key="explorer_page").proto.max == 2


def test_filters_narrow_the_total_and_restart_the_pager(app):
    at = app("app_pages/explorer.py", m="苫小牧市")
    town = queries.initiatives(Filters(municipality="苫小牧市")).height
    assert 100 < town < TOTAL
    assert _pager_text(at) == f"**全 {town:,} 件中 1–100 件**"
    at.button(key="explorer_next").click().run()
    assert {t for t, _, _ in _ids(at)} == {"苫小牧市"}

    theme = next(box for box in at.sidebar.selectbox if box.label == "テーマ")
    theme.set_value("健全な財政運営").run()  # a narrower slice
    themed = queries.initiatives(Filters(municipality="苫小牧市", theme="健全な財政運営")).height
    assert _pager_text(at) == f"**全 {themed:,} 件中 1–{min(themed, 100)} 件**"


def test_a_link_to_a_row_opens_the_page_that_shows_it(app):
    rows = ordered(queries.initiatives(Filters()), "評価のある取組から")
    target = rows.row(250, named=True)  # on page 3 of 100
    at = app("app_pages/explorer.py", id=target["initiative_id"])
    assert not at.exception
    assert at.number_input(key="explorer_page").value == 3
    assert _pager_text(at) == "**全 333 件中 201–300 件**"
    heading = f"{target['level']} {target['code'] or ''} {target['title']}".replace("  ", " ")
    assert any(s.value.replace("  ", " ").startswith(heading[:20]) for s in at.subheader)
    assert at.query_params["id"] == target["initiative_id"]


def test_excel_is_refused_above_the_sheet_limit_and_csv_stays(app, monkeypatch):
    from exports import limits

    monkeypatch.setattr(limits, "EXCEL_MAX_ROWS", 101)  # a sheet of 100 rows and the header
    at = app("app_pages/explorer.py")
    buttons = {b.label: b for b in at.get("download_button")}
    assert buttons["Excel (.xlsx)"].proto.disabled
    assert not buttons["CSV"].proto.disabled
    message = "Excel の1シートは 101 行 (見出しを含む) までのため、333 行のこの表は Excel では書き出せません。"
    assert any(c.value.startswith(message) for c in at.caption)

    narrow = app("app_pages/explorer.py", m="小金井市", fy="2021")  # 22 rows fit
    narrow_buttons = {b.label: b for b in narrow.get("download_button")}
    assert not narrow_buttons["Excel (.xlsx)"].proto.disabled
    assert not any("書き出せません" in c.value for c in narrow.caption)


def test_the_download_holds_the_whole_slice_not_the_page():
    from ui.tables import explorer_frame
    from warehouse import explorer

    whole = explorer_frame(explorer.all_rows(Filters(), "評価のある取組から"))
    assert whole.height == TOTAL
    assert whole.columns[:4] == ["自治体", "階層", "番号", "取組名"]
    first_page = explorer_frame(explorer.page_rows(Filters(), "評価のある取組から", 0, 100))
    assert whole.head(100).equals(first_page)


def test_the_paged_query_matches_the_whole_slice_for_every_filter():
    from warehouse import explorer

    for filters in (Filters(), Filters(municipality="苫小牧市", grade="A"), Filters(fiscal_year=2022, grade="B"),
                    Filters(search="ふるさと納税"), Filters(municipality="小金井市", fiscal_year=2021)):
        for order in explorer.ORDERS:
            whole = ordered(queries.initiatives(filters), order)
            assert explorer.row_count(filters) == whole.height
            paged = pl.concat([explorer.page_rows(filters, order, start, 50) for start in range(0, whole.height, 50)]
                              or [whole.clear()])
            # the page names a municipality by its label (「府中市（東京都）」), the slice by its name
            shown = dict(query(f"SELECT initiative_id, {label_sql('i')} FROM initiatives i").iter_rows())
            whole = whole.with_columns(pl.col("initiative_id").replace_strict(shown).alias("municipality"))
            assert paged.equals(whole.select(paged.columns)), (filters, order)


def test_a_short_list_shows_its_range_without_controls(app):
    at = app("app_pages/explorer.py", m="小金井市", fy="2021")
    assert _pager_text(at) == "**全 22 件中 1–22 件**"
    assert not any(n.key == "explorer_page" for n in at.number_input)
    assert not any(b.key == "explorer_next" for b in at.button)
    assert len(at.dataframe[0].value) == 22
