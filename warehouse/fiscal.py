"""Read side of the 財政効果 (fiscal effects) page.

Terms, glossed once:
- 財政効果額: the fiscal effect of a reform in yen (revenue gained or cost avoided).
  ``source`` 'summary' = 計画の記載 (amounts the plan report itself states; its 合計 total has no
  initiative), 'sheet' = 進捗状況シート (amounts found in the text of progress sheets, each with
  the evidence sentence). ``kind`` is the category: 寄附 (donations), 広告料 (advertising),
  売却収入 (sales of property), 貸付収入 (leases), 経費削減 (cost savings), 費用 (an expense:
  money *spent*, never an effect) …
- 年度不明: an amount whose sentence names no fiscal year (often a plan-period total, an
  expectation 見込み, or the same amount restated 再掲).

Queries are memoised with ``@cached``; everything else here is a pure function over the small
frames they return, so the pages only lay things out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from rowwise import rowwise_rows
from vocab import fy_label_long
from yen import yen_text
from warehouse import queries
from warehouse.connection import query
from warehouse.filters import Filters, explorer_url
from warehouse.queries import cached

EXPENSE_KINDS = ("費用",)
UNKNOWN_YEAR = "年度不明"
PLAN_PERIOD = "計画期間 (総括)"
SOURCE_LABELS = {"summary": "計画の記載", "sheet": "進捗状況シート"}

# How each amount enters the effect sums (column ``status``).
COUNTED_DATED = "集計 (年度別)"
COUNTED_UNDATED = "集計 (年度不明)"
EXCLUDED_EXPENSE = "除外: 費用 (支出)"
EXCLUDED_OVERLAP = "除外: 年度別の金額と重複"
EXCLUDED_REPEAT = "除外: 同じ金額の再掲"
STATED = "計画の記載"
COUNTED = (COUNTED_DATED, COUNTED_UNDATED)


# ---------------------------------------------------------------- fiscal effects: data


@cached
def fiscal_rows() -> pl.DataFrame:
    """Every fiscal-effect amount with its initiative, document file and line (small: one row per amount)."""
    return query(
        "SELECT f.municipality, f.document_id, d.title AS document_title, d.file, f.line, "
        "f.initiative_id, i.level, i.code, i.title, f.fiscal_year, f.amount_yen, f.kind, f.source, f.evidence "
        "FROM _fiscal_effects f LEFT JOIN initiatives i USING (initiative_id) "
        "LEFT JOIN _documents d ON d.document_id = f.document_id "
        "ORDER BY f.document_id, f.line, f.amount_yen")


def classify(rows: pl.DataFrame) -> pl.DataFrame:
    """Add ``status``: how each amount enters the effect sums (pure; rows of one or more documents).

    - 計画の記載 (source summary) are the plan's own statements, compared with the sheets, never summed with them;
    - 費用 is an expense, not an effect: excluded;
    - dated sheet amounts are counted;
    - an undated sheet amount is excluded when its initiative also has dated amounts (it is then a
      total or restatement of those years), or when the same initiative already showed the same
      amount (再掲); otherwise it is counted once.
    """
    if rows.is_empty():
        return rows.with_columns(pl.lit(None, dtype=pl.String).alias("status"))
    dated = set(rows.filter((pl.col("source") == "sheet") & pl.col("fiscal_year").is_not_null()
                            & ~pl.col("kind").is_in(EXPENSE_KINDS))["initiative_id"].to_list())
    seen: set[tuple[Any, ...]] = set()
    status = []
    for r in rows.iter_rows(named=True):
        if r["source"] == "summary":
            status.append(STATED)
        elif r["kind"] in EXPENSE_KINDS:
            status.append(EXCLUDED_EXPENSE)
        elif r["fiscal_year"] is not None:
            status.append(COUNTED_DATED)
        elif r["initiative_id"] in dated:
            status.append(EXCLUDED_OVERLAP)
        elif (r["initiative_id"], r["amount_yen"]) in seen:
            status.append(EXCLUDED_REPEAT)
        else:
            seen.add((r["initiative_id"], r["amount_yen"]))
            status.append(COUNTED_UNDATED)
    return rows.with_columns(pl.Series("status", status, dtype=pl.String))


def narrows(filters: Filters) -> bool:
    """True when a filter beyond 自治体 and 年度 narrows the initiatives."""
    return bool(filters.theme or filters.department or filters.grade or filters.search)


@cached
def fiscal_slice(filters: Filters) -> pl.DataFrame:
    """The amounts the current filters select, classified (see :func:`classify`).

    自治体 selects the municipality; 年度 keeps that year's amounts only (年度不明 ones cannot be
    placed in a year); テーマ・担当部署・評価・検索 keep amounts of initiatives in the filtered slice.
    The classification is done per document before filtering, so a repeat stays a repeat.
    """
    rows = fiscal_rows()
    rows = classify(rows.sort("document_id", "line", "amount_yen"))
    if filters.municipality:
        rows = rows.filter(pl.col("municipality") == filters.municipality)
    if filters.fiscal_year is not None:
        rows = rows.filter(pl.col("fiscal_year") == filters.fiscal_year)
    if narrows(filters) or filters.fiscal_year is not None:
        ids = queries.initiatives(filters)["initiative_id"].to_list()
        rows = rows.filter(pl.col("initiative_id").is_in(ids))
    return rows


def effects(rows: pl.DataFrame) -> pl.DataFrame:
    """The counted effect amounts (no plan statements, no expenses, no overlaps or repeats)."""
    return rows.filter(pl.col("status").is_in(COUNTED))


def initiative_label(level: str | None, code: str | None, title: str | None) -> str:
    parts = [p for p in (level, code, title) if p]
    return " ".join(parts) if parts else "（計画全体）"


def by_initiative(rows: pl.DataFrame) -> pl.DataFrame:
    """Counted amounts per initiative and kind, with a short label (番号 取組名) and the full one."""
    data = effects(rows)
    if data.is_empty():
        return pl.DataFrame(schema={"initiative": pl.String, "initiative_full": pl.String,
                                    "kind": pl.String, "amount_yen": pl.Int64, "total_yen": pl.Int64})
    data = data.with_columns(
        rowwise_rows(data, lambda r: initiative_label(r["level"], r["code"], r["title"]), name="initiative_full"),
        pl.concat_str([pl.col("code").fill_null(""), pl.col("title").fill_null("")], separator=" ")
          .str.strip_chars().alias("initiative"),
    )
    grouped = data.group_by("initiative_id", "initiative", "initiative_full", "kind").agg(
        pl.col("amount_yen").sum())
    return grouped.with_columns(pl.col("amount_yen").sum().over("initiative_id").alias("total_yen")).sort(
        ["total_yen", "initiative", "kind"], descending=[True, False, False])


def trace_table(rows: pl.DataFrame) -> pl.DataFrame:
    """Every amount with its sentence and place in the source file (Japanese headers, for screen and export)."""
    if rows.is_empty():
        return pl.DataFrame(schema={c: pl.String for c in
                                    ("年度", "取組", "区分", "金額(円)", "根拠", "出典行", "集計", "出所", "自治体",
                                     "取組一覧")})
    labels = [initiative_label(r["level"], r["code"], r["title"]) for r in rows.iter_rows(named=True)]
    kinds = [("合計" if r["initiative_id"] is None else "主な取組") if r["source"] == "summary" else r["kind"]
             for r in rows.iter_rows(named=True)]
    urls = [explorer_url(r["initiative_id"], r["municipality"]) for r in rows.iter_rows(named=True)]
    return pl.DataFrame({
        "年度": [fy_label_long(r["fiscal_year"]) if r["fiscal_year"] is not None
               else PLAN_PERIOD if r["source"] == "summary" else UNKNOWN_YEAR for r in rows.iter_rows(named=True)],
        "取組": labels,
        "区分": kinds,
        "金額(円)": rows["amount_yen"],
        "根拠": rows["evidence"],
        "出典行": [f"{f}:{n}" if f else None for f, n in zip(rows["file"].to_list(), rows["line"].to_list())],
        "集計": rows["status"],
        "出所": rows["source"].replace_strict(SOURCE_LABELS, default=rows["source"]),
        "自治体": rows["municipality"],
        "取組一覧": pl.Series(urls, dtype=pl.String),
    })


def year_frame(rows: pl.DataFrame) -> pl.DataFrame:
    """Counted dated amounts per (fiscal_year, kind), for the by-year and cumulative charts."""
    return (effects(rows).filter(pl.col("fiscal_year").is_not_null())
            .group_by("fiscal_year", "kind").agg(pl.col("amount_yen").sum()).sort("fiscal_year", "kind"))


def year_table(rows: pl.DataFrame) -> pl.DataFrame:
    """The by-year chart as a table (年度 × 区分), 年度不明 included as its own row."""
    data = effects(rows)
    if data.is_empty():
        return pl.DataFrame(schema={"年度": pl.String, "区分": pl.String, "金額(円)": pl.Int64})
    data = data.group_by("fiscal_year", "kind").agg(pl.col("amount_yen").sum()).sort(
        "fiscal_year", "kind", nulls_last=True)
    return pl.DataFrame({
        "年度": [fy_label_long(y) if y is not None else UNKNOWN_YEAR for y in data["fiscal_year"].to_list()],
        "区分": data["kind"], "金額(円)": data["amount_yen"]})


def cumulative_table(rows: pl.DataFrame) -> pl.DataFrame:
    data = year_frame(rows).group_by("fiscal_year").agg(pl.col("amount_yen").sum()).sort("fiscal_year")
    return pl.DataFrame({
        "年度": [fy_label_long(y) for y in data["fiscal_year"].to_list()],
        "単年度(円)": data["amount_yen"],
        "累計(円)": data["amount_yen"].cum_sum(),
    })


@dataclass(frozen=True)
class Totals:
    """Sums over a slice of classified rows, in yen."""

    found: int          # every sheet amount as written (effects and expenses)
    found_count: int
    expense: int        # 費用 (excluded)
    overlap: int        # undated amounts overlapping dated ones (excluded)
    repeat: int         # same amount restated (excluded)
    dated: int          # counted, with a fiscal year
    undated: int        # counted, 年度不明
    undated_count: int

    @property
    def counted(self) -> int:
        return self.dated + self.undated


def totals(rows: pl.DataFrame) -> Totals:
    sheet = rows.filter(pl.col("source") == "sheet")

    def total(status: str) -> int:
        return int(sheet.filter(pl.col("status") == status)["amount_yen"].sum() or 0)

    return Totals(
        found=int(sheet["amount_yen"].sum() or 0), found_count=sheet.height,
        expense=total(EXCLUDED_EXPENSE), overlap=total(EXCLUDED_OVERLAP), repeat=total(EXCLUDED_REPEAT),
        dated=total(COUNTED_DATED), undated=total(COUNTED_UNDATED),
        undated_count=sheet.filter(pl.col("status") == COUNTED_UNDATED).height,
    )


# ---------------------------------------------------------------- fiscal effects: plan vs sheets


@dataclass(frozen=True)
class Reconciliation:
    """A plan's stated fiscal effect (計画の記載) next to what its progress sheets show."""

    document_id: str
    municipality: str
    document_title: str
    stated_total: int
    stated_line: int | None
    totals: Totals
    items: pl.DataFrame  # 主な取組: 取組, 計画の記載(円), シートの集計(円), 差(円), シートの内訳
    explanation: str
    chart_frame: pl.DataFrame = field(repr=False)  # item, source_label, amount_yen


def _item_breakdown(mine: pl.DataFrame) -> str:
    parts = []
    dated = mine.filter(pl.col("status") == COUNTED_DATED)
    if not dated.is_empty():
        years = sorted(dated["fiscal_year"].unique().to_list())
        span = (fy_label_long(years[0]) if len(years) == 1
                else f"{fy_label_long(years[0])}〜{fy_label_long(years[-1])}")
        parts.append(f"年度別 {yen_text(dated['amount_yen'].sum())} ({span}, {dated.height} 件)")
    undated = mine.filter(pl.col("status") == COUNTED_UNDATED)
    if not undated.is_empty():
        parts.append(f"年度不明 {yen_text(undated['amount_yen'].sum())} ({undated.height} 件)")
    excluded = mine.filter(pl.col("status").str.starts_with("除外"))
    if not excluded.is_empty():
        parts.append(f"除外 {yen_text(excluded['amount_yen'].sum())} ({excluded.height} 件: 総額・再掲・費用)")
    return "、".join(parts) or "シートに金額の記載なし"


def reconcile(rows: pl.DataFrame) -> Reconciliation | None:
    """Compare one document's stated total and main items with its sheet amounts (pure).

    ``rows`` are one document's classified rows (all filters but the document ignored, since the
    stated total is a fact about the whole plan). None when the document states no total.
    """
    stated = rows.filter((pl.col("source") == "summary") & pl.col("initiative_id").is_null())
    if stated.is_empty():
        return None
    stated_total = int(stated["amount_yen"].sum())
    sums = totals(rows)
    items = []
    chart = []
    for r in rows.filter((pl.col("source") == "summary") & pl.col("initiative_id").is_not_null()).iter_rows(named=True):
        mine = rows.filter((pl.col("source") == "sheet") & (pl.col("initiative_id") == r["initiative_id"]))
        found = int(effects(mine)["amount_yen"].sum() or 0)
        label = initiative_label(r["level"], r["code"], r["title"])
        items.append({"取組": label, "計画の記載(円)": r["amount_yen"], "シートの集計(円)": found,
                      "差(円)": found - r["amount_yen"], "シートの内訳": _item_breakdown(mine),
                      "取組一覧": explorer_url(r["initiative_id"], r["municipality"])})
        short = " ".join(p for p in (r["code"], r["title"]) if p)
        chart += [{"item": short, "item_full": label, "source_label": "計画の記載", "amount_yen": r["amount_yen"]},
                  {"item": short, "item_full": label, "source_label": "シートの集計", "amount_yen": found}]
    chart = [{"item": "合計", "item_full": "財政効果額 合計", "source_label": "計画の記載", "amount_yen": stated_total},
             {"item": "合計", "item_full": "財政効果額 合計", "source_label": "シートの集計",
              "amount_yen": sums.counted}] + chart
    first = stated.row(0, named=True)
    return Reconciliation(
        document_id=first["document_id"], municipality=first["municipality"],
        document_title=first["document_title"] or first["document_id"], stated_total=stated_total,
        stated_line=first["line"], totals=sums,
        items=pl.DataFrame(items, schema={"取組": pl.String, "計画の記載(円)": pl.Int64, "シートの集計(円)": pl.Int64,
                                          "差(円)": pl.Int64, "シートの内訳": pl.String, "取組一覧": pl.String}),
        explanation=explain(stated_total, sums),
        chart_frame=pl.DataFrame(chart, schema={"item": pl.String, "item_full": pl.String,
                                                "source_label": pl.String, "amount_yen": pl.Int64}),
    )


def explain(stated_total: int, sums: Totals) -> str:
    """The difference between the plan's statement and the sheets, in words."""
    gap = sums.found - stated_total
    reasons = []
    if sums.overlap or sums.repeat or sums.undated:
        reasons.append(f"年度のない金額 {yen_text(sums.overlap + sums.repeat + sums.undated)} "
                       f"(うち年度別の金額の総額・予算額などの重複 {yen_text(sums.overlap)}、"
                       f"同じ金額の再掲 {yen_text(sums.repeat)})")
    if sums.expense:
        reasons.append(f"費用 (支出) の記載 {yen_text(sums.expense)}")
    text = (f"計画の記載 {yen_text(stated_total)} に対し、進捗状況シートの記述から拾えた金額の合計は "
            f"{yen_text(sums.found)} ({sums.found_count} 件) です。差は {yen_text(gap)}")
    text += (f"。シートには{'、'.join(reasons)}が含まれるため、単純に足すと計画の記載と一致しません。"
             if reasons else "。")
    text += (f"費用は財政効果ではないので除き、年度別の金額と重なる総額と再掲を除くと {yen_text(sums.counted)} "
             f"(年度別 {yen_text(sums.dated)}、年度不明 {yen_text(sums.undated)}) で、"
             f"計画の記載との差は {yen_text(sums.counted - stated_total)} です。"
             "残る差は、見込み額や計画の集計期間・端数の違いなど、シートの文章からは確かめられない部分です。")
    return text


@cached
def reconciliations(municipality: str | None) -> list[Reconciliation]:
    """One comparison per document that states a plan total (only the 自治体 filter applies)."""
    rows = classify(fiscal_rows().sort("document_id", "line", "amount_yen"))
    if municipality:
        rows = rows.filter(pl.col("municipality") == municipality)
    result = []
    for document_id in rows["document_id"].unique(maintain_order=True).to_list():
        found = reconcile(rows.filter(pl.col("document_id") == document_id))
        if found is not None:
            result.append(found)
    return result


def comparisons(filters: Filters, rows: pl.DataFrame) -> list[Reconciliation]:
    """The plan-vs-sheets comparisons of the documents whose amounts are on screen."""
    shown = set(rows["document_id"].unique().to_list())
    return [r for r in reconciliations(filters.municipality) if r.document_id in shown]


def cumulative_reference(filters: Filters, rows: pl.DataFrame) -> Reconciliation | None:
    """The stated total to draw on the running total: only for one document and the whole period."""
    found = comparisons(filters, rows)
    return found[0] if len(found) == 1 and filters.fiscal_year is None else None


def document_ids(rows: pl.DataFrame) -> list[str]:
    """Documents the amounts on screen come from (the cards' 出典)."""
    return sorted(d for d in rows["document_id"].unique().to_list() if d)


def kinds(rows: pl.DataFrame) -> list[str]:
    """The 区分 of the counted amounts, sorted (the colour domain shared by the page's charts)."""
    return sorted(k for k in effects(rows)["kind"].unique().to_list() if k is not None)
