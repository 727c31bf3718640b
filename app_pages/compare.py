"""比較 (comparison): the selected municipality beside its prefecture and 全体 (the 比較 panel,
``ui.comparison``), then one reform category side by side across municipalities.

The common taxonomy (``initiatives.categories``, カテゴリ) puts every document's initiatives into
the same categories; this screen shows which municipalities have initiatives in each category,
and for one category, per municipality: the items (linked to 取組一覧), their grades where the
document grades them, and the money (財政効果) where amounts are stated.
"""
import polars as pl
import streamlit as st

from cards import recipe_card
from ui.cards import chart_card
from ui.comparison import comparison_panel
from ui.downloads import table_downloads
from ui.filter_bar import current_filters, sync_url
from ui.markdown import md
from ui.messages import empty
from ui.tables import data_table
from vocab import NO_VALUE
from warehouse import compare

PARAM = "k"  # the category shown side by side (when the filter bar has none)
COLUMNS_PER_ROW = 3
SIDE_BY_SIDE = 12  # municipalities shown side by side at most (the most items first)
MATRIX_COLUMNS = 30  # above this many municipalities the matrix turns: one row per municipality


def _yen(value) -> str:
    return NO_VALUE if value is None else f"{int(value):,} 円"


def _grades(row: dict) -> str:
    if not row["graded"]:
        return "評価なし"
    return " ".join(f"{g}:{row[g]}" for g in compare.GRADES if row[g]) + f"（{row['graded']} 件）"


def _matrix(overview: pl.DataFrame, matrix: pl.DataFrame) -> pl.DataFrame:
    """Categories × municipalities: the number of initiatives in each cell (blank = none)."""
    towns = sorted(matrix["member"].unique().to_list())
    wide = (matrix.select("category", "member", "items")
            .pivot(on="member", index="category", values="items", aggregate_function="first"))
    table = overview.rename({"items": "取組数", "municipalities": "自治体数"}).join(
        wide.with_columns(pl.exclude("category").cast(pl.Int64)), on="category", how="left")
    table = table.with_columns(pl.exclude("category").fill_null(0))  # 0 = no initiative in that cell
    return table.select("category", "取組数", "自治体数", *[t for t in towns if t in table.columns]) \
        .rename({"category": "カテゴリ"})


def _by_municipality(matrix: pl.DataFrame) -> pl.DataFrame:
    """Municipalities × categories (one row per municipality), for more than MATRIX_COLUMNS of them."""
    order = [c for c in matrix["category"].unique(maintain_order=True)]
    wide = (matrix.select("member", "category", "items")
            .pivot(on="category", index="member", values="items", aggregate_function="first"))
    totals = matrix.group_by("member").agg(pl.col("items").sum().alias("取組数"))
    return (totals.join(wide, on="member").with_columns(pl.exclude("member").fill_null(0).cast(pl.Int64))
            .sort("取組数", "member", descending=[True, False])
            .select(pl.col("member").alias("自治体"), "取組数", *order))


def _side_by_side(category: str, matrix: pl.DataFrame, items: pl.DataFrame) -> None:
    cells = matrix.filter(pl.col("category") == category).sort("items", "member", descending=[True, False])
    st.subheader(md(f"{category}：自治体ごとの取組"))
    shown = cells.head(SIDE_BY_SIDE)
    more = (f"取組の多い {len(shown)} 自治体を並べます（すべての取組は下のダウンロードで）。"
            if len(cells) > len(shown) else "")
    st.caption(f"{len(cells):,} 自治体、{items['initiative_id'].n_unique():,} 件の取組。{more}"
               "評価は最新の自己評価の総合評価、金額は集計に入る財政効果 (fiscal_effects.counted) の合計です。"
               "取組名から取組一覧の詳細へ移ります。")
    items = compare.with_urls(items.filter(pl.col("member").is_in(shown["member"].to_list())))
    rows = list(shown.iter_rows(named=True))
    for start in range(0, len(rows), COLUMNS_PER_ROW):
        for column, cell in zip(st.columns(COLUMNS_PER_ROW), rows[start:start + COLUMNS_PER_ROW]):
            with column.container(border=True):
                st.markdown(f"**{md(cell['member'])}** — {cell['items']} 件")
                st.caption(f"評価: {_grades(cell)} ／ 財政効果: "
                           f"{_yen(cell['fiscal_effect']) if cell['with_money'] else '記載なし'}")
                mine = items.filter((pl.col("category") == category) & (pl.col("member") == cell["member"]))
                # A table, not markdown links: titles come from documents and workbooks and are shown as text.
                data_table(pl.DataFrame({
                    "取組": [" ".join(p for p in (i["level"], i["code"], i["title"] or "（表題なし）") if p)
                           for i in mine.iter_rows(named=True)],
                    "評価": mine["grade"],
                    "財政効果": [_yen(v) if v is not None else None for v in mine["fiscal_effect"].to_list()],
                    "共同": ["共同" if r == "共同" else "" for r in mine["role"].to_list()],  # a mark, not a value
                    "開く": mine["url"],
                }, schema={"取組": pl.String, "評価": pl.String, "財政効果": pl.String, "共同": pl.String,
                           "開く": pl.String}),
                    key=f"compare_items_{category}_{cell['member']}",
                    column_config={"開く": st.column_config.LinkColumn(display_text="開く", width="small",
                                                                     help="取組一覧でこの取組の詳細を開きます")})


def screen() -> None:
    filters = current_filters()
    st.title("比較")
    comparison_panel(filters.municipality)
    st.markdown("##### カテゴリ別の比較")
    st.caption("すべての文書の取組を共通の行革分類 (カテゴリ) に分け、同じカテゴリの取組を自治体ごとに並べます。"
               "カテゴリは data/raw/categories.csv のキーワード辞書と項目ごとの指定で決まります。共同実施の取組は各自治体に数えます。")
    overview = compare.category_overview(filters)
    matrix = compare.category_matrix(filters)
    if matrix.is_empty():
        empty("条件に合うカテゴリの付いた取組")
        return

    chart_card(recipe_card("compare.municipalities", filters), key="compare_municipalities")
    if filters.category:
        overview = overview.filter(pl.col("category") == filters.category)
    if matrix["member"].n_unique() > MATRIX_COLUMNS:
        st.markdown("##### 自治体 × カテゴリ（取組数）")
        st.caption("自治体が多いため、自治体を行にして取組の多い順に並べます。列の見出しで並べ替えられます。")
        table = _by_municipality(matrix)
    else:
        st.markdown("##### カテゴリ × 自治体（取組数）")
        table = _matrix(overview, matrix)
    data_table(table, key="compare_matrix")
    table_downloads(table, "カテゴリ別_自治体別_取組数", filters, key="compare_matrix_downloads")

    present = [c for c in overview.filter(pl.col("items") > 0)["category"]]
    if filters.category:
        category = filters.category
        st.caption(md(f"サイドバーのカテゴリ「{category}」を表示しています。"))
        sync_url(filters)
    else:
        wanted = st.query_params.get(PARAM)
        widest = overview.sort("municipalities", "items", descending=True)["category"][0]
        default = wanted if wanted in present else widest
        category = st.selectbox("並べるカテゴリ", present, index=present.index(default), key="compare_category",
                                help="サイドバーの「カテゴリ」で選ぶと、他の画面も同じカテゴリに絞り込まれます")
        sync_url(filters, **{PARAM: category})
    if category not in present:
        empty(f"カテゴリ「{category}」の取組")
        return
    items = compare.category_items(filters, category)
    _side_by_side(category, matrix, items)
    shown = (items
             .select(pl.col("member").alias("自治体"), pl.col("role").alias("役割"), pl.col("level").alias("階層"),
                     pl.col("code").alias("番号"), pl.col("title").alias("取組名"), pl.col("grade").alias("総合評価"),
                     pl.col("fiscal_effect").alias("財政効果額(円)"), pl.col("initiative_id").alias("取組ID")))
    table_downloads(shown, f"比較_{category}", filters, key="compare_items_downloads")


screen()
