"""Read side of the 指標 (KPI indicators) page.

指標: an indicator with 基準値 (baseline), 実績値 (actuals) and 目標値 (target); 以上 means higher
is better, 以下 lower is better. 括弧内の値 is the alternative value the report prints in brackets.

Queries are memoised with ``@cached``; everything else here is a pure function over the small
frames they return, so the page only lays things out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from etl.normalize import match_key
from vocab import INDICATOR_LABELS, NO_VALUE, fy_label, fy_label_long
from warehouse import queries
from warehouse.connection import query
from warehouse.filters import Filters
from warehouse.queries import cached


_VALUES = ("SELECT x.municipality, x.municipality_code, x.document_id, d.file, x.indicator_no, x.name, x.unit, x.fiscal_year, "
           "x.kind, x.value, x.note, x.line FROM _indicators x LEFT JOIN _documents d USING (document_id) ")
_ORDER = "ORDER BY x.document_id, try_cast(x.indicator_no AS INTEGER), x.indicator_no, x.fiscal_year, x.kind"


@cached
def indicator_meta() -> pl.DataFrame:
    """Per indicator: 以上/以下 as stated or inferred, description, footnotes, related 基本事業."""
    return query(
        "SELECT document_id, indicator_no, direction, direction_inferred, description, footnotes, related_kihon, line "
        "FROM src_komae_indicator_meta")


def _related_ids(document_id: str, related: str | None) -> list[str]:
    return [f"{document_id}/{key.strip()}" for key in (related or "").split(",") if key.strip()]


def key_of(document_id: str, indicator_no: str) -> str:
    """An indicator's address: 「document_id#indicator_no」."""
    return f"{document_id}#{indicator_no}"


@cached
def indicator_index(filters: Filters) -> pl.DataFrame:
    """The indicators the filters select, one row each (key, document_id, indicator_no,
    municipality, name), in document and number order — counted in SQL, without their values,
    so a page can show one page of them (national scale: ~12,000 indicators).

    自治体 selects the municipality. テーマ・担当部署・検索 keep an indicator when one of its
    関連基本事業 (related basic projects) or their 取組項目 is in the filtered slice, or when the search
    words appear in its name or description. 評価 (grade) does not apply (indicators carry no grade).
    年度 does not remove indicators: the page measures progress with the actuals up to that year.
    """
    index = query(
        "SELECT x.document_id || '#' || x.indicator_no AS key, x.document_id, x.indicator_no, "
        "any_value(x.municipality) AS municipality, any_value(x.name) AS name, list(DISTINCT x.name) AS names "
        "FROM _indicators x WHERE (CAST(? AS VARCHAR) IS NULL OR ? IN (x.municipality_code, x.municipality)) "
        "GROUP BY x.document_id, x.indicator_no "
        "ORDER BY x.document_id, try_cast(x.indicator_no AS INTEGER), x.indicator_no",
        [filters.municipality, filters.municipality])
    if not (filters.theme or filters.department or filters.search):
        return index.drop("names")
    ids = set(queries.initiatives(filters.without("grade", "fiscal_year"))
              .select("initiative_id", "parent_id").unpivot()["value"].drop_nulls().to_list())
    key = match_key(filters.search) if filters.search else None
    names = {(r["document_id"], r["indicator_no"]): r["names"] for r in index.iter_rows(named=True)}
    keep = set()
    for m in indicator_meta().iter_rows(named=True):  # only documents with indicator metadata (狛江市)
        here = (m["document_id"], m["indicator_no"])
        if any(r in ids for r in _related_ids(m["document_id"], m["related_kihon"])):
            keep.add(here)
        if key and not (filters.theme or filters.department):
            if any(key in match_key(t or "") for t in list(names.get(here, [])) + [m["description"]]):
                keep.add(here)
    kept = pl.DataFrame(sorted(keep), schema={"document_id": pl.String, "indicator_no": pl.String}, orient="row")
    return index.join(kept, on=["document_id", "indicator_no"], how="semi", maintain_order="left").drop("names")


@cached
def indicator_keys(filters: Filters) -> frozenset[str]:
    return frozenset(indicator_index(filters)["key"].to_list())


@cached
def _values_for(keys: tuple[str, ...]) -> pl.DataFrame:
    """The values of the indicators ``keys`` (one query for all of them)."""
    if not keys:
        return query(_VALUES + "WHERE FALSE")
    return query(_VALUES + "WHERE list_contains(?, x.document_id || '#' || x.indicator_no) " + _ORDER, [list(keys)])


_ALTERNATIVE = re.compile(r"括弧内の値:\s*([-+]?[\d,]+(?:\.\d+)?)")


def alternatives(note: str | None) -> list[float]:
    """The bracketed alternative values a note records (「括弧内の値: 60.3」)."""
    return [float(v.replace(",", "")) for v in _ALTERNATIVE.findall(note or "")]


def format_value(value: float | None, unit: str | None = None) -> str:
    if value is None:
        return NO_VALUE
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
    municipality: str | None = None


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
        "区分": shown["kind"].replace_strict(INDICATOR_LABELS, default=shown["kind"]),
        "値": [format_value(v) for v in shown["value"].to_list()],
        "括弧内の値": ["、".join(format_value(v) for v in alternatives(n)) or None for n in shown["note"].to_list()],
        "注記": shown["note"],
        "出典行": [f"{f}:{n}" for f, n in zip(shown["file"].to_list(), shown["line"].to_list())],
    }, schema={"年度": pl.String, "区分": pl.String, "値": pl.String, "括弧内の値": pl.String, "注記": pl.String,
               "出典行": pl.String})
    return IndicatorCard(
        document_id=first["document_id"], indicator_no=first["indicator_no"], name=first["name"],
        unit=first["unit"], municipality=first["municipality"], description=(meta or {}).get("description"), footnotes=(meta or {}).get("footnotes"),
        achievement=achievement(values, (meta or {}).get("direction"), (meta or {}).get("direction_inferred"), as_of),
        chart_frame=shown.select("fiscal_year", "kind", "value", "name", "unit"),
        alternatives_frame=pl.DataFrame(alt_rows, schema={"fiscal_year": pl.Int32, "value": pl.Float64}),
        table=table,
    )


@cached
def indicator_cards_for(filters: Filters, keys: tuple[str, ...]) -> list[IndicatorCard]:
    """The cards of indicators ``keys`` (those the filters select), in that order, from one query."""
    keys = tuple(k for k in keys if k in indicator_keys(filters))
    values = _values_for(keys)
    meta = {(m["document_id"], m["indicator_no"]): m for m in indicator_meta().iter_rows(named=True)}
    groups = {key_of(d, no): group
              for (d, no), group in values.group_by("document_id", "indicator_no", maintain_order=True)}
    return [_card(groups[k], meta.get(tuple(k.rsplit("#", 1))), filters.fiscal_year) for k in keys if k in groups]


def progress_display(progress: float | None) -> float | None:
    """Progress clipped to 0–100 % for bars; the table keeps the raw number next to it."""
    return None if progress is None else max(0.0, min(1.0, progress)) * 100


def summary_table(cards: list[IndicatorCard], towns: bool | None = None) -> pl.DataFrame:
    """One row per indicator: baseline, latest actual, target, progress (raw and clipped), status;
    first its 自治体 when ``towns`` (default: when the cards come from several municipalities)."""
    rows = []
    for c in cards:
        a = c.achievement

        def cell(pair: tuple[int, float] | None, suffix: str = "") -> str:
            return NO_VALUE if pair is None else f"{format_value(pair[1])}{suffix}　{fy_label(pair[0])}"

        latest = cell(a.latest)
        if a.latest_alternatives:
            latest += "　〔括弧内 " + "、".join(format_value(v) for v in a.latest_alternatives) + "〕"
        rows.append({
            "自治体": c.municipality,
            "No.": c.indicator_no, "指標": f"{c.name} ({c.unit})" if c.unit else c.name,
            "方向": direction_text(a, short=True),
            "基準値": cell(a.baseline), "最新の実績値": latest,
            "目標値": cell(a.target, a.direction if a.direction_stated else ""),
            "進捗率(表示)": progress_display(a.progress),
            "進捗率(計算値%)": None if a.progress is None else round(a.progress * 100, 1),
            "判定": a.status, "計算": a.reason,
            "注記": "／".join(notes(c)) or None,
        })
    schema = {"自治体": pl.String, "No.": pl.String, "指標": pl.String, "判定": pl.String, "進捗率(表示)": pl.Float64,
              "進捗率(計算値%)": pl.Float64, "基準値": pl.String, "最新の実績値": pl.String, "目標値": pl.String,
              "方向": pl.String, "計算": pl.String, "注記": pl.String}
    table = pl.DataFrame(rows, schema=schema).select(list(schema))
    # 自治体 only says something when the indicators come from several municipalities
    return table if (table["自治体"].n_unique() > 1 if towns is None else towns) else table.drop("自治体")
