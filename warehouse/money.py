"""Read side of the 財政効果 (fiscal effects) and 指標 (KPI indicators) pages.

Terms, glossed once:
- 財政効果額: the fiscal effect of a reform in yen (revenue gained or cost avoided).
  ``source`` 'summary' = 計画の記載 (amounts the plan report itself states; its 合計 total has no
  initiative), 'sheet' = 進捗状況シート (amounts found in the text of progress sheets, each with
  the evidence sentence). ``kind`` is the category: 寄附 (donations), 広告料 (advertising),
  売却収入 (sales of property), 貸付収入 (leases), 経費削減 (cost savings), 費用 (an expense:
  money *spent*, never an effect) …
- 年度不明: an amount whose sentence names no fiscal year (often a plan-period total, an
  expectation 見込み, or the same amount restated 再掲).
- 指標: an indicator with 基準値 (baseline), 実績値 (actuals) and 目標値 (target); 以上 means
  higher is better, 以下 lower is better. 括弧内の値 is the alternative value the report prints
  in brackets.

Queries are memoised with ``@cached``; everything else here is a pure function over the small
frames they return, so the pages only lay things out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from charts.theme import fy_label, fy_label_long
from etl.normalize import match_key
from rowwise import rowwise_rows
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


# ---------------------------------------------------------------- formatting


def yen_text(amount: float | int | None) -> str:
    """Yen for prose: 3,760,000,000 → 「37.6億円」, 10,372,000 → 「1,037万円」."""
    if amount is None:
        return "—"
    sign = "−" if amount < 0 else ""
    value = abs(amount)
    if value >= 100_000_000:
        text = f"{value / 1e8:,.2f}".rstrip("0").rstrip(".")
        return f"{sign}{text}億円"
    if value >= 10_000:
        return f"{sign}{value / 1e4:,.0f}万円"
    return f"{sign}{value:,.0f}円"


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


# ---------------------------------------------------------------- indicators


@cached
def indicator_values() -> pl.DataFrame:
    """Every indicator value (基準値・実績値・目標値) with its line in the source file."""
    return query(
        "SELECT x.municipality, x.document_id, d.file, x.indicator_no, x.name, x.unit, x.fiscal_year, "
        "x.kind, x.value, x.note, x.line FROM _indicators x LEFT JOIN _documents d USING (document_id) "
        "ORDER BY x.document_id, try_cast(x.indicator_no AS INTEGER), x.indicator_no, x.fiscal_year, x.kind")


@cached
def indicator_meta() -> pl.DataFrame:
    """Per indicator: 以上/以下 as stated or inferred, description, footnotes, related 基本事業."""
    return query(
        "SELECT document_id, indicator_no, direction, direction_inferred, description, footnotes, related_kihon, line "
        "FROM src_komae_indicator_meta")


def _related_ids(document_id: str, related: str | None) -> list[str]:
    return [f"{document_id}/{key.strip()}" for key in (related or "").split(",") if key.strip()]


@cached
def indicator_slice(filters: Filters) -> pl.DataFrame:
    """Indicator values selected by the filters.

    自治体 selects the municipality. テーマ・担当部署・検索 keep an indicator when one of its
    関連基本事業 (related basic projects) or their 取組項目 is in the filtered slice, or when the search
    words appear in its name or description. 評価 (grade) does not apply (indicators carry no grade).
    年度 does not remove rows here: the page measures progress with the actuals up to that year.
    """
    values = indicator_values()
    if filters.municipality:
        values = values.filter(pl.col("municipality") == filters.municipality)
    if not (filters.theme or filters.department or filters.search):
        return values
    ids = set(queries.initiatives(filters.without("grade", "fiscal_year"))
              .select("initiative_id", "parent_id").unpivot()["value"].drop_nulls().to_list())
    key = match_key(filters.search) if filters.search else None
    keep = set()
    meta = indicator_meta()
    for m in meta.iter_rows(named=True):
        related = _related_ids(m["document_id"], m["related_kihon"])
        if any(r in ids for r in related):
            keep.add((m["document_id"], m["indicator_no"]))
        if key and not (filters.theme or filters.department):
            names = values.filter((pl.col("document_id") == m["document_id"])
                                  & (pl.col("indicator_no") == m["indicator_no"]))["name"].to_list()
            if any(key in match_key(t or "") for t in names + [m["description"]]):
                keep.add((m["document_id"], m["indicator_no"]))
    kept = pl.DataFrame(sorted(keep), schema={"document_id": pl.String, "indicator_no": pl.String}, orient="row")
    return values.join(kept, on=["document_id", "indicator_no"], how="semi", maintain_order="left")


_ALTERNATIVE = re.compile(r"括弧内の値:\s*([-+]?[\d,]+(?:\.\d+)?)")


def alternatives(note: str | None) -> list[float]:
    """The bracketed alternative values a note records (「括弧内の値: 60.3」)."""
    return [float(v.replace(",", "")) for v in _ALTERNATIVE.findall(note or "")]


def format_value(value: float | None, unit: str | None = None) -> str:
    if value is None:
        return "—"
    text = f"{value:,.1f}" if value != int(value) or abs(value) < 1000 else f"{value:,.0f}"
    return f"{text}{unit or ''}" if unit else text


@dataclass(frozen=True)
class Achievement:
    """Progress of one indicator toward its target as of a year (pure result)."""

    direction: str | None          # 以上 / 以下
    direction_stated: bool         # True: printed with the target (「90.0以下」); False: inferred
    baseline: tuple[int, float] | None
    latest: tuple[int, float] | None
    latest_alternatives: list[float]
    target: tuple[int, float] | None
    progress: float | None         # raw (actual − baseline) / (target − baseline)
    achieved: bool | None          # the latest actual already meets the target
    status: str                    # 達成 / 未達 / 基準値より後退 / 計算できません
    reason: str                    # how progress was (not) computed
    missing: list[str]             # 「—」 values after the latest actual, with their reason


def achievement(values: pl.DataFrame, direction: str | None, inferred: str | None,
                as_of: int | None = None) -> Achievement:
    """Progress toward the target, respecting the direction (pure).

    progress = (latest actual − baseline) / (target − baseline): 1.0 = target reached, negative =
    moved away from it. With 以上 a higher value is better, with 以下 a lower one; a target the
    baseline already meets (「90.0以下」 with baseline 89.6) has no distance to cover, so only
    達成/未達 is reported. ``as_of`` uses actuals up to that fiscal year.
    """
    stated = direction is not None
    direction = direction or inferred

    def pick(kind: str) -> pl.DataFrame:
        return values.filter((pl.col("kind") == kind) & pl.col("value").is_not_null()).sort("fiscal_year")

    base, target = pick("baseline"), pick("target")
    actual = pick("actual")
    if as_of is not None:
        actual = actual.filter(pl.col("fiscal_year") <= as_of)
    b = (base["fiscal_year"][0], base["value"][0]) if base.height else None
    t = (target["fiscal_year"][-1], target["value"][-1]) if target.height else None
    a = (actual["fiscal_year"][-1], actual["value"][-1]) if actual.height else None
    latest_notes = actual["note"][-1] if actual.height else None
    later = values.filter((pl.col("kind") == "actual") & pl.col("value").is_null()
                          & ((pl.col("fiscal_year") > (a[0] if a else 0))))
    if as_of is not None:
        later = later.filter(pl.col("fiscal_year") <= as_of)
    missing = [f"{fy_label_long(r['fiscal_year'])}: 「—」 {r['note'] or '理由の記載なし'}"
               for r in later.iter_rows(named=True)]
    if a is None or t is None or direction is None:
        why = ("実績値がありません" if a is None else "目標値がありません" if t is None else "目標の方向 (以上・以下) が分かりません")
        return Achievement(direction, stated, b, a, alternatives(latest_notes), t, None, None, "計算できません",
                           why, missing)
    better = 1 if direction == "以上" else -1
    achieved = (a[1] - t[1]) * better >= 0
    progress = None
    if b is not None and (t[1] - b[1]) * better > 0:
        progress = (a[1] - b[1]) / (t[1] - b[1])
        reason = "(実績値 − 基準値) ÷ (目標値 − 基準値)"
    elif b is not None:
        reason = "基準値の時点で目標を満たしているため、進捗率ではなく達成・未達で示します"
    else:
        reason = "基準値がないため、達成・未達のみ示します"
    if achieved:
        status = "達成"
    elif progress is not None and progress < 0:
        status = "基準値より後退"
    else:
        status = "未達"
    return Achievement(direction, stated, b, a, alternatives(latest_notes), t, progress, achieved, status,
                       reason, missing)


@dataclass(frozen=True)
class IndicatorCard:
    document_id: str
    indicator_no: str
    name: str
    unit: str | None
    description: str | None
    footnotes: str | None
    achievement: Achievement
    chart_frame: pl.DataFrame     # fiscal_year, kind, value, name, unit (for builders.indicator_chart)
    alternatives_frame: pl.DataFrame  # fiscal_year, value (括弧内の値)
    table: pl.DataFrame           # 年度, 区分, 値, 括弧内の値, 注記, 出典行


KIND_LABELS = {"baseline": "基準値", "actual": "実績値", "target": "目標値"}


def direction_text(a: Achievement, short: bool = False) -> str:
    """「以下 (低いほど良い・目標値に記載)」, or short 「以下・記載」 for table cells."""
    if a.direction is None:
        return "不明"
    if short:
        return f"{a.direction}・{'記載' if a.direction_stated else '推定'}"
    good = "高いほど良い" if a.direction == "以上" else "低いほど良い"
    how = "目標値に記載" if a.direction_stated else "推定: 目標値と基準値の大小から"
    return f"{a.direction} ({good}・{how})"


def notes(card: "IndicatorCard") -> list[str]:
    """Missing values with their reason, then the footnotes, each said once."""
    result: list[str] = []
    footnotes = [f.strip() for f in (card.footnotes or "").split("; ") if f.strip()]
    for text in card.achievement.missing:
        parts = [p for p in text.split("; ") if p.strip() and p.strip() not in footnotes]
        result.append("; ".join(parts))
    for f in footnotes:
        if f not in result:
            result.append(f)
    return result


def _card(values: pl.DataFrame, meta: dict[str, Any] | None, as_of: int | None) -> IndicatorCard:
    first = values.row(0, named=True)
    shown = values if as_of is None else values.filter(
        (pl.col("kind") != "actual") | (pl.col("fiscal_year") <= as_of))
    alt_rows = [{"fiscal_year": r["fiscal_year"], "value": v}
                for r in shown.iter_rows(named=True) for v in alternatives(r["note"])]
    table = pl.DataFrame({
        "年度": [fy_label_long(y) for y in shown["fiscal_year"].to_list()],
        "区分": shown["kind"].replace_strict(KIND_LABELS, default=shown["kind"]),
        "値": [format_value(v) for v in shown["value"].to_list()],
        "括弧内の値": ["、".join(format_value(v) for v in alternatives(n)) or None for n in shown["note"].to_list()],
        "注記": shown["note"],
        "出典行": [f"{f}:{n}" for f, n in zip(shown["file"].to_list(), shown["line"].to_list())],
    }, schema={"年度": pl.String, "区分": pl.String, "値": pl.String, "括弧内の値": pl.String, "注記": pl.String,
               "出典行": pl.String})
    return IndicatorCard(
        document_id=first["document_id"], indicator_no=first["indicator_no"], name=first["name"],
        unit=first["unit"], description=(meta or {}).get("description"), footnotes=(meta or {}).get("footnotes"),
        achievement=achievement(values, (meta or {}).get("direction"), (meta or {}).get("direction_inferred"), as_of),
        chart_frame=shown.select("fiscal_year", "kind", "value", "name", "unit"),
        alternatives_frame=pl.DataFrame(alt_rows, schema={"fiscal_year": pl.Int32, "value": pl.Float64}),
        table=table,
    )


@cached
def indicator_cards(filters: Filters) -> list[IndicatorCard]:
    values = indicator_slice(filters)
    meta = {(m["document_id"], m["indicator_no"]): m for m in indicator_meta().iter_rows(named=True)}
    cards = []
    for (document_id, no), group in values.group_by("document_id", "indicator_no", maintain_order=True):
        cards.append(_card(group, meta.get((document_id, no)), filters.fiscal_year))
    return cards


def progress_display(progress: float | None) -> float | None:
    """Progress clipped to 0–100 % for bars; the table keeps the raw number next to it."""
    return None if progress is None else max(0.0, min(1.0, progress)) * 100


def summary_table(cards: list[IndicatorCard]) -> pl.DataFrame:
    """One row per indicator: baseline, latest actual, target, progress (raw and clipped), status."""
    rows = []
    for c in cards:
        a = c.achievement

        def cell(pair: tuple[int, float] | None, suffix: str = "") -> str:
            return "—" if pair is None else f"{format_value(pair[1])}{suffix}　{fy_label(pair[0])}"

        latest = cell(a.latest)
        if a.latest_alternatives:
            latest += "　〔括弧内 " + "、".join(format_value(v) for v in a.latest_alternatives) + "〕"
        rows.append({
            "No.": c.indicator_no, "指標": f"{c.name} ({c.unit})" if c.unit else c.name,
            "方向": direction_text(a, short=True),
            "基準値": cell(a.baseline), "最新の実績値": latest,
            "目標値": cell(a.target, a.direction if a.direction_stated else ""),
            "進捗率(表示)": progress_display(a.progress),
            "進捗率(計算値%)": None if a.progress is None else round(a.progress * 100, 1),
            "判定": a.status, "計算": a.reason,
            "注記": "／".join(notes(c)) or None,
        })
    schema = {"No.": pl.String, "指標": pl.String, "判定": pl.String, "進捗率(表示)": pl.Float64,
              "進捗率(計算値%)": pl.Float64, "基準値": pl.String, "最新の実績値": pl.String, "目標値": pl.String,
              "方向": pl.String, "計算": pl.String, "注記": pl.String}
    return pl.DataFrame(rows, schema=schema).select(list(schema))
