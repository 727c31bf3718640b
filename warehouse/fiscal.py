"""Read side of the 財政効果 (fiscal effects) page.

Terms, glossed once:
- 財政効果額: the fiscal effect of a reform in yen (revenue gained or cost avoided). Whether an
  amount enters it is decided once, by the ETL (``etl.money.decide``): the warehouse's
  ``counted`` and ``excluded_reason``. This module sums ``counted`` rows and never re-decides;
  :func:`fiscal_effect` is the one headline figure for any filter (overview, this page, cards,
  slides, exports).
- 計画の記載: figures a plan itself states (basis 計画記載: its total and 主な取組), shown beside
  the counted total with the difference explained, never added to it.
- ``source`` 'summary' = the plan's summary, 'sheet' = amounts found in sheet or narrative text,
  each with its evidence sentence; ``kind`` is the effect type (寄附, 売却収入, 経費削減, 費用 …).
- 年度不明: an amount whose sentence names no fiscal year.

Queries are memoised with ``@cached``; everything else here is a pure function over the small
frames they return, so the pages only lay things out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from etl.money import (REASON_BUDGET, REASON_COST, REASON_GROSS, REASON_OVERLAP, REASON_REPEAT,
                       REASON_TARGET)
from etl.municipality_codes import label_sql
from vocab import NO_VALUE, fy_label_long
from warehouse import queries
from warehouse.connection import query
from warehouse.filters import Filters, explorer_url, same_municipality
from warehouse.queries import cached
from yen import yen_text

UNKNOWN_YEAR = "年度不明"
PLAN_PERIOD = "計画期間 (総括)"
SOURCE_LABELS = {"summary": "計画の記載", "sheet": "文書の記述", "workbook": "取込ブック"}
STATED_BASIS = "計画記載"

# How each amount enters the sums (column ``status``), from the ETL's counted/excluded_reason.
COUNTED_DATED = "集計 (年度別)"
COUNTED_UNDATED = "集計 (年度不明)"
STATED = "計画の記載"
COUNTED = (COUNTED_DATED, COUNTED_UNDATED)
# Short names of the ETL's reasons, for sentences ("費用 3.1億円、予算額 11.5億円 …").
REASON_SHORT = {REASON_COST: "費用 (支出)", REASON_BUDGET: "予算額", REASON_TARGET: "目標額",
                REASON_GROSS: "交付金の受入・積立額", REASON_OVERLAP: "年度別の金額と重なる総額・言い換え",
                REASON_REPEAT: "同じ金額の再掲"}
BOUND_LABELS = {"exact": "", "約": "約", "以上": "以上", "以下": "以下"}


# ---------------------------------------------------------------- fiscal effects: data


@cached
def fiscal_rows() -> pl.DataFrame:
    """Every fiscal-effect amount with its meaning, whether it is counted, its initiative and place."""
    rows = query(
        f"SELECT {label_sql('f')} AS municipality, f.municipality_code, f.document_id, d.title AS document_title, d.file, f.line, f.location, "
        "f.initiative_id, i.level, i.code, i.title, f.fiscal_year, f.amount_yen, f.amount_max_yen, f.kind, "
        "f.basis, f.recurrence, f.bound, f.counted, f.excluded_reason, f.source, f.evidence "
        "FROM _fiscal_effects f LEFT JOIN initiatives i USING (initiative_id) "
        "LEFT JOIN _documents d ON d.document_id = f.document_id "
        "ORDER BY f.document_id, f.line, f.amount_yen")
    return with_status(rows)


def with_status(rows: pl.DataFrame) -> pl.DataFrame:
    """Add ``status`` from the ETL's decision (vectorised): 集計 (年度別 / 年度不明), 計画の記載,
    or 「除外: <reason>」."""
    return rows.with_columns(
        pl.when(pl.col("counted") & pl.col("fiscal_year").is_not_null()).then(pl.lit(COUNTED_DATED))
        .when(pl.col("counted")).then(pl.lit(COUNTED_UNDATED))
        .when(pl.col("basis") == STATED_BASIS).then(pl.lit(STATED))
        .otherwise(pl.concat_str([pl.lit("除外: "), pl.col("excluded_reason").fill_null("")]))
        .alias("status"))


def narrows(filters: Filters) -> bool:
    """True when a filter beyond 自治体 and 年度 narrows the initiatives."""
    return bool(filters.theme or filters.department or filters.grade or filters.search or filters.category)


@cached
def fiscal_slice(filters: Filters) -> pl.DataFrame:
    """The amounts the current filters select, with the ETL's decision.

    自治体 selects the municipality; 年度 keeps that year's amounts only (年度不明 ones cannot be
    placed in a year); テーマ・担当部署・評価・検索 keep amounts of initiatives in the filtered slice.
    Whether an amount is counted was decided per document by the ETL, so a repeat stays a repeat.
    """
    rows = fiscal_rows()
    if filters.municipality:
        rows = rows.filter(same_municipality(filters.municipality))
    if filters.fiscal_year is not None:
        rows = rows.filter(pl.col("fiscal_year") == filters.fiscal_year)
    if narrows(filters) or filters.fiscal_year is not None:
        ids = queries.initiatives(filters)["initiative_id"].to_list()
        rows = rows.filter(pl.col("initiative_id").is_in(ids))
    return rows


def effects(rows: pl.DataFrame) -> pl.DataFrame:
    """The counted amounts (``counted`` in the warehouse)."""
    return rows.filter(pl.col("counted"))


@dataclass(frozen=True)
class Headline:
    """財政効果額 for one filter: the sum of counted amounts, and whose documents it covers."""

    yen: int
    count: int
    municipalities: tuple[str, ...]  # those with counted amounts, in document order
    document_ids: tuple[str, ...]

    @property
    def whose(self) -> str:
        """「苫小牧市・前橋市の合計」, 「苫小牧市」 — the municipalities the figure adds up; beyond
        ``NAMED`` of them 「苫小牧市・前橋市・… ほか 1,739 団体の合計」 (a label, not a list of 1,741)."""
        return named_towns(self.municipalities, total=True)

    @property
    def text(self) -> str:
        return yen_text(self.yen) if self.count else NO_VALUE


NAMED = 5  # municipalities a label names before 「ほか N 団体」


def named_towns(towns: tuple[str, ...] | list[str], total: bool = False) -> str:
    """「苫小牧市・前橋市」 (「…の合計」 with ``total``); more than ``NAMED``: the first three and
    「ほか N 団体」."""
    towns = list(towns)
    names = "・".join(towns) if len(towns) <= NAMED else f"{'・'.join(towns[:3])} ほか {len(towns) - 3:,} 団体"
    return f"{names}の合計" if total and len(towns) > 1 else names


def headline(rows: pl.DataFrame) -> Headline:
    """The headline of a slice of rows (pure): sum of ``counted`` amounts."""
    counted = effects(rows)
    towns = counted["municipality"].drop_nulls().unique(maintain_order=True).to_list()
    return Headline(int(counted["amount_yen"].sum() or 0), counted.height, tuple(towns),
                    tuple(sorted(counted["document_id"].unique().to_list())))


def fiscal_effect(filters: Filters, document_id: str | None = None) -> Headline:
    """財政効果額 for any filter (optionally one document): the one figure every screen shows."""
    rows = fiscal_slice(filters)
    if document_id is not None:
        rows = rows.filter(pl.col("document_id") == document_id)
    return headline(rows)


def fiscal_effects_by_document(filters: Filters) -> dict[str, Headline]:
    """:func:`fiscal_effect` of every document of the slice at once (one pass, not one call per
    document): document_id -> its Headline, for the overview's document cards and table."""
    return _by_document(filters)


@cached
def _by_document(filters: Filters) -> dict[str, Headline]:
    counted = effects(fiscal_slice(filters))
    grouped = counted.group_by("document_id", maintain_order=True).agg(
        pl.col("amount_yen").sum(), pl.len().alias("count"),
        pl.col("municipality").drop_nulls().unique(maintain_order=True).alias("towns"))
    return {d: Headline(int(yen or 0), int(n), tuple(towns), (d,))
            for d, yen, n, towns in grouped.select("document_id", "amount_yen", "count", "towns").iter_rows()}


def initiative_label(level: str | None, code: str | None, title: str | None) -> str:
    parts = [p for p in (level, code, title) if p]
    return " ".join(parts) if parts else "（計画全体）"


def initiative_labels() -> pl.Expr:
    """:func:`initiative_label` as a column expression (35,000 amounts at national scale)."""
    parts = [pl.when(pl.col(c) != "").then(pl.col(c)) for c in ("level", "code", "title")]
    joined = pl.concat_str(parts, separator=" ", ignore_nulls=True)
    return pl.when(joined.is_null() | (joined == "")).then(pl.lit("（計画全体）")).otherwise(joined)


def by_initiative(rows: pl.DataFrame) -> pl.DataFrame:
    """Counted amounts per initiative and kind, with a short label (番号 取組名) and the full one."""
    data = effects(rows)
    if data.is_empty():
        return pl.DataFrame(schema={"initiative": pl.String, "initiative_full": pl.String,
                                    "kind": pl.String, "amount_yen": pl.Int64, "total_yen": pl.Int64})
    data = data.with_columns(
        initiative_labels().alias("initiative_full"),
        pl.concat_str([pl.col("code").fill_null(""), pl.col("title").fill_null("")], separator=" ")
          .str.strip_chars().alias("initiative"),
    )
    if data["municipality"].n_unique() > 1:
        # Plans share numbers and titles (「1-3 ふるさと納税の推進」 in many municipalities): the chart
        # groups by label, so a label must name its municipality once several are on screen.
        town = pl.col("municipality").fill_null("")
        data = data.with_columns(pl.concat_str([town, pl.col("initiative")], separator=" ").alias("initiative"),
                                 pl.concat_str([town, pl.col("initiative_full")], separator=" ")
                                 .alias("initiative_full"))
    grouped = data.group_by("initiative_id", "initiative", "initiative_full", "kind").agg(
        pl.col("amount_yen").sum())
    return grouped.with_columns(pl.col("amount_yen").sum().over("initiative_id").alias("total_yen")).sort(
        ["total_yen", "initiative", "kind"], descending=[True, False, False])


def _meaning(r: dict[str, Any]) -> str:
    """「見込・毎年度・約」: the amount's basis, recurrence and bound in a few words."""
    parts = [r["basis"], r["recurrence"] if r["recurrence"] != "単年度" else None, BOUND_LABELS.get(r["bound"])]
    if r["amount_max_yen"] is not None:
        parts.append(f"上限 {r['amount_max_yen']:,}円")
    return "・".join(p for p in parts if p)


def trace_table(rows: pl.DataFrame) -> pl.DataFrame:
    """Every amount with its sentence and place in the source file (Japanese headers, for screen and export)."""
    columns = ("年度", "取組", "区分", "金額(円)", "性質", "集計", "根拠", "出典行", "出所", "自治体", "取組一覧")
    if rows.is_empty():
        return pl.DataFrame(schema={c: pl.Int64 if c == "金額(円)" else pl.String for c in columns})
    records = list(rows.iter_rows(named=True))
    return pl.DataFrame({
        "年度": [fy_label_long(r["fiscal_year"]) if r["fiscal_year"] is not None
               else PLAN_PERIOD if r["basis"] == STATED_BASIS else UNKNOWN_YEAR for r in records],
        "取組": [initiative_label(r["level"], r["code"], r["title"]) for r in records],
        "区分": rows["kind"],
        "金額(円)": rows["amount_yen"],
        "性質": [_meaning(r) for r in records],
        "集計": rows["status"],
        "根拠": rows["evidence"],
        "出典行": rows["location"],
        "出所": rows["source"].replace_strict(SOURCE_LABELS, default=rows["source"]),
        "自治体": rows["municipality"],
        "取組一覧": pl.Series([explorer_url(r["initiative_id"], r.get("municipality_code") or r["municipality"])
                               for r in records], dtype=pl.String),
    })


@cached
def trace_of(filters: Filters) -> pl.DataFrame:
    """:func:`trace_table` of the whole slice (the download when the screen shows one page of it)."""
    return trace_table(fiscal_slice(filters))


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
    """Sums over a slice of rows, in yen, from the ETL's counted/excluded_reason."""

    found: int          # every amount the documents' text states (the plan's own figures aside)
    found_count: int
    dated: int          # counted, with a fiscal year
    undated: int        # counted, 年度不明
    undated_count: int
    excluded: dict[str, int] = field(default_factory=dict)  # excluded_reason -> yen
    expected: int = 0   # counted amounts that are 見込 (expected, not yet achieved)
    recurring: int = 0  # counted amounts stated per year (毎年度), each counted as one year

    @property
    def counted(self) -> int:
        return self.dated + self.undated

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


def totals(rows: pl.DataFrame) -> Totals:
    found = rows.filter(pl.col("basis") != STATED_BASIS)
    counted = effects(found)
    dated = counted.filter(pl.col("fiscal_year").is_not_null())
    undated = counted.filter(pl.col("fiscal_year").is_null())
    excluded = (found.filter(~pl.col("counted")).group_by("excluded_reason", maintain_order=True)
                .agg(pl.col("amount_yen").sum()))
    return Totals(
        found=int(found["amount_yen"].sum() or 0), found_count=found.height,
        dated=int(dated["amount_yen"].sum() or 0), undated=int(undated["amount_yen"].sum() or 0),
        undated_count=undated.height,
        excluded={r: int(a) for r, a in zip(excluded["excluded_reason"].to_list(), excluded["amount_yen"].to_list())},
        expected=int(counted.filter(pl.col("basis") == "見込")["amount_yen"].sum() or 0),
        recurring=int(counted.filter(pl.col("recurrence") == "毎年度")["amount_yen"].sum() or 0),
    )


def excluded_text(sums: Totals) -> str:
    """「費用 (支出) 1,034万円、予算額 11.5億円 …」: what was left out, by the ETL's reason."""
    return "、".join(f"{REASON_SHORT.get(reason, reason)} {yen_text(amount)}"
                    for reason, amount in sums.excluded.items()) or "なし"


# ---------------------------------------------------------------- fiscal effects: plan vs counted


@dataclass(frozen=True)
class Reconciliation:
    """A plan's stated fiscal effect (計画の記載) next to the counted amounts of the same document."""

    document_id: str
    municipality: str
    document_title: str
    stated_total: int
    stated_line: int | None
    totals: Totals
    items: pl.DataFrame  # 主な取組: 取組, 計画の記載(円), 集計(円), 差(円), 内訳
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
    excluded = mine.filter(~pl.col("counted") & (pl.col("basis") != STATED_BASIS))
    if not excluded.is_empty():
        reasons = "・".join(REASON_SHORT.get(r, r) for r in excluded["excluded_reason"].unique(maintain_order=True))
        parts.append(f"除外 {yen_text(excluded['amount_yen'].sum())} ({excluded.height} 件: {reasons})")
    return "、".join(parts) or "金額の記載なし"


def reconcile(rows: pl.DataFrame) -> Reconciliation | None:
    """Compare one document's stated total and main items with its counted amounts (pure).

    ``rows`` are one document's rows (all filters but the document ignored, since the stated total
    is a fact about the whole plan). None when the document states no total.
    """
    stated_rows = rows.filter(pl.col("basis") == STATED_BASIS)
    stated = stated_rows.filter(pl.col("initiative_id").is_null())
    if stated.is_empty():
        return None
    stated_total = int(stated["amount_yen"].sum())
    sums = totals(rows)
    items = []
    chart = []
    for r in stated_rows.filter(pl.col("initiative_id").is_not_null()).iter_rows(named=True):
        mine = rows.filter((pl.col("basis") != STATED_BASIS) & (pl.col("initiative_id") == r["initiative_id"]))
        found = int(effects(mine)["amount_yen"].sum() or 0)
        label = initiative_label(r["level"], r["code"], r["title"])
        items.append({"取組": label, "計画の記載(円)": r["amount_yen"], "集計(円)": found,
                      "差(円)": found - r["amount_yen"], "内訳": _item_breakdown(mine),
                      "取組一覧": explorer_url(r["initiative_id"], r.get("municipality_code") or r["municipality"])})
        short = " ".join(p for p in (r["code"], r["title"]) if p)
        chart += [{"item": short, "item_full": label, "source_label": "計画の記載", "amount_yen": r["amount_yen"]},
                  {"item": short, "item_full": label, "source_label": "集計", "amount_yen": found}]
    chart = [{"item": "合計", "item_full": "財政効果額 合計", "source_label": "計画の記載", "amount_yen": stated_total},
             {"item": "合計", "item_full": "財政効果額 合計", "source_label": "集計",
              "amount_yen": sums.counted}] + chart
    first = stated.row(0, named=True)
    return Reconciliation(
        document_id=first["document_id"], municipality=first["municipality"],
        document_title=first["document_title"] or first["document_id"], stated_total=stated_total,
        stated_line=first["line"], totals=sums,
        items=pl.DataFrame(items, schema={"取組": pl.String, "計画の記載(円)": pl.Int64, "集計(円)": pl.Int64,
                                          "差(円)": pl.Int64, "内訳": pl.String, "取組一覧": pl.String}),
        explanation=explain(stated_total, sums),
        chart_frame=pl.DataFrame(chart, schema={"item": pl.String, "item_full": pl.String,
                                                "source_label": pl.String, "amount_yen": pl.Int64}),
    )


def explain(stated_total: int, sums: Totals) -> str:
    """The difference between the plan's statement and the counted total, in words, from the
    warehouse's basis / excluded_reason columns."""
    text = (f"計画の記載 {yen_text(stated_total)} に対し、文書の記述から拾えた金額は {yen_text(sums.found)} "
            f"({sums.found_count} 件) で、そのうち集計した財政効果額は {yen_text(sums.counted)} "
            f"(年度別 {yen_text(sums.dated)}、年度不明 {yen_text(sums.undated)}) です。")
    if sums.excluded:
        text += f"集計から除いたのは {excluded_text(sums)} です (費用・予算額・目標額・計画の記載は効果額ではなく、総額や再掲は同じお金を二度数えるため)。"
    gap = sums.counted - stated_total
    text += f"計画の記載との差は {'+' if gap >= 0 else ''}{yen_text(gap)} です。"
    notes = []
    if sums.expected:
        notes.append(f"見込額 {yen_text(sums.expected)}")
    if sums.recurring:
        notes.append(f"毎年度の金額 {yen_text(sums.recurring)} (1年分として集計)")
    if notes:
        text += f"集計には{'、'.join(notes)}が含まれます。"
    text += "残る差は、計画の集計期間や端数の違いなど、文書の文章からは確かめられない部分です。"
    return text


@cached
def _municipality_rows(municipality: str | None) -> pl.DataFrame:
    rows = fiscal_rows()
    return rows.filter(same_municipality(municipality)) if municipality else rows


@cached
def stated_documents(municipality: str | None) -> pl.DataFrame:
    """One row per document that states a plan total (only the 自治体 filter applies), in document
    order, with the sums its comparison states — grouped in one pass over the amounts, so a page
    with 1,741 plans lists them without reconciling each: document_id, 自治体, 文書, 計画の記載(円),
    集計(円), 差(円), 拾えた金額(円)."""
    rows = _municipality_rows(municipality)
    stated = pl.col("basis") == STATED_BASIS
    grouped = rows.group_by("document_id", maintain_order=True).agg(
        pl.col("municipality").filter(stated & pl.col("initiative_id").is_null()).first().alias("自治体"),
        pl.col("document_title").first().alias("文書"),
        pl.col("amount_yen").filter(stated & pl.col("initiative_id").is_null()).sum().alias("計画の記載(円)"),
        (stated & pl.col("initiative_id").is_null()).any().alias("_states"),
        pl.col("amount_yen").filter(~stated & pl.col("counted")).sum().alias("集計(円)"),
        pl.col("amount_yen").filter(~stated).sum().alias("拾えた金額(円)"))
    return (grouped.filter(pl.col("_states")).drop("_states")
            .with_columns(pl.col("文書").fill_null(pl.col("document_id")),
                          (pl.col("集計(円)") - pl.col("計画の記載(円)")).alias("差(円)"))
            .select("document_id", "自治体", "文書", "計画の記載(円)", "集計(円)", "差(円)", "拾えた金額(円)"))


@cached
def reconciliations_for(municipality: str | None, document_ids: tuple[str, ...]) -> list[Reconciliation]:
    """The comparisons of documents ``document_ids`` (in that order; those without a stated total
    left out)."""
    rows = _municipality_rows(municipality).filter(pl.col("document_id").is_in(list(document_ids)))
    parts = {d: part for (d,), part in rows.group_by("document_id", maintain_order=True)}
    found = [reconcile(parts[d]) for d in document_ids if d in parts]
    return [r for r in found if r is not None]


def compared_documents(filters: Filters, rows: pl.DataFrame) -> pl.DataFrame:
    """:func:`stated_documents` of the documents whose amounts are on screen."""
    shown = rows["document_id"].unique().to_list()
    return stated_documents(filters.municipality).filter(pl.col("document_id").is_in(shown))


def comparisons(filters: Filters, rows: pl.DataFrame, document_ids: list[str] | None = None) -> list[Reconciliation]:
    """The plan-vs-counted comparisons of the documents whose amounts are on screen (or of those of
    them in ``document_ids``)."""
    ids = compared_documents(filters, rows)["document_id"].to_list()
    if document_ids is not None:
        wanted = set(document_ids)
        ids = [d for d in ids if d in wanted]
    return reconciliations_for(filters.municipality, tuple(ids))


def cumulative_reference(filters: Filters, rows: pl.DataFrame) -> Reconciliation | None:
    """The stated total to draw on the running total: only for one document and the whole period,
    when the amounts on screen are that document's alone (a plan's total is no reference for the
    sum of 1,741 municipalities)."""
    compared = compared_documents(filters, rows)
    if filters.fiscal_year is not None or compared.height != 1 or document_ids(effects(rows)) != compared[
            "document_id"].to_list():
        return None
    found = comparisons(filters, rows)
    return found[0] if len(found) == 1 else None


def document_ids(rows: pl.DataFrame) -> list[str]:
    """Documents the amounts on screen come from (the cards' 出典)."""
    return sorted(d for d in rows["document_id"].unique().to_list() if d)


def kinds(rows: pl.DataFrame) -> list[str]:
    """The 区分 of the counted amounts, sorted (the colour domain shared by the page's charts)."""
    return sorted(k for k in effects(rows)["kind"].unique().to_list() if k is not None)
