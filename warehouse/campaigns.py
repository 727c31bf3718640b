"""Read side of the 改善取組, 事例 and データ品質 pages: queries and pure computations.

Terms (glossed once):
- 改善取組: the staff improvement initiatives of 小金井市's campaign 「ＣｏＣｏからチャレンジ・こがねい」,
  listed per fiscal year (年度) with their 部 (division) and 課 (section), the category marks
  (分類: サービス, 業務効率, コスト, その他) and the number of 共同実施者 (co-implementers).
  The campaign awards 最優秀 / 優秀 / 奨励 取組 and publishes a 最多取組実施部署 (sections with the most
  initiatives) ranking with 件数 (count) and 参加者数 (participants).
- DX事例: the Tokyo collection of municipal DX case write-ups, in three 部門 (categories); each
  case is a 取組 (implemented) or a 提案 (proposal). WG: 前橋市's DX working groups (ワーキンググループ)
  with their 目指す未来 (the future they aim at) and 該当頁 (pages in the source).
- データ品質: everything the ETL recorded while reading the documents (訂正 corrections from the
  corrections file, 修復 repairs, 写しの不一致 disagreements between copies, 集計の不一致 totals that do
  not add up, …).

Queries take the shared ``Filters`` and reuse ``queries._slice`` so the pages honour the filter bar
exactly like the explorer; every value reaches SQL as a ``?`` parameter.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from charts.theme import fy_label, fy_labels
from etl.normalize import match_key, match_keys
from rowwise import rowwise
from warehouse.connection import query
from warehouse.filters import Filters, explorer_url
from warehouse.queries import QUALITY_ORDER, _slice, cached

KAIZEN_LEVEL = "改善取組"
CATEGORIES = ("サービス", "業務効率", "コスト", "その他")
AWARD_ORDER = ("最優秀", "優秀", "奨励")
CASE_LEVELS = ("DX事例", "WG")
WG_SECTION = "前橋市 WG"
NO_MUNICIPALITY = "記載なし"


def _extra(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    return json.loads(value) if value else {}


# ===================================================================== 改善取組 (Koganei)

_KAIZEN_SCHEMA = {"initiative_id": pl.String, "document_id": pl.String, "fiscal_year": pl.Int32,
                  "code": pl.String, "title": pl.String, "departments": pl.List(pl.String),
                  "themes": pl.List(pl.String), "division": pl.String, "co_implementers": pl.Int64}


@cached
def kaizen_initiatives(filters: Filters) -> pl.DataFrame:
    """The 改善取組 in the slice (grade does not apply: the campaign has no grades)."""
    where, params = _slice(filters.without("grade"))
    return query(
        "SELECT i.initiative_id, i.document_id, i.fiscal_year, i.code, i.title, i.departments, i.themes, "
        "json_extract_string(i.extra, '$.部') AS division, "
        "TRY_CAST(json_extract_string(i.extra, '$.共同実施者数') AS BIGINT) AS co_implementers "
        "FROM initiatives i JOIN _initiatives s USING (initiative_id) "
        f"WHERE i.level = ? AND {where} ORDER BY i.fiscal_year, s.line",
        [KAIZEN_LEVEL, *params])


@cached
def kaizen_awards(filters: Filters) -> pl.DataFrame:
    """Award winners (表彰) of the campaign for the 改善取組 in the slice."""
    where, params = _slice(filters.without("grade"))
    return query(
        "SELECT a.fiscal_year, a.award, a.title, a.winner, a.initiative_id, a.program, "
        "i.departments FROM awards a JOIN initiatives i USING (initiative_id) "
        "JOIN _initiatives s USING (initiative_id) "
        f"WHERE i.level = ? AND {where} "
        "ORDER BY a.fiscal_year, CASE a.award WHEN '最優秀' THEN 0 WHEN '優秀' THEN 1 WHEN '奨励' THEN 2 "
        "ELSE 3 END, s.line",
        [KAIZEN_LEVEL, *params])


@cached
def published_ranking() -> pl.DataFrame:
    """The published 最多取組実施部署 ranking (empty when the source table is absent)."""
    exists = query("SELECT count(*) AS n FROM information_schema.tables "
                   "WHERE table_name = 'src_koganei_top_departments'")
    if not exists["n"][0]:
        return pl.DataFrame(schema={"document_id": pl.String, "fiscal_year": pl.Int64, "rank": pl.Int64,
                                    "department": pl.String, "count": pl.Float64,
                                    "participants": pl.Int64, "line": pl.Int64})
    return query("SELECT document_id, fiscal_year, rank, department, count, participants, line "
                 "FROM src_koganei_top_departments ORDER BY fiscal_year, rank")


@cached
def document_quality(document_id: str, kinds: tuple[str, ...]) -> pl.DataFrame:
    """Data-quality rows of one document, restricted to some kinds."""
    return query("SELECT kind, location, message, resolution, initiative_id FROM _data_quality "
                 f"WHERE document_id = ? AND list_contains(?, kind) ORDER BY {QUALITY_ORDER}",
                 [document_id, list(kinds)])


def _year_labels(frame: pl.DataFrame, column: str = "fiscal_year") -> pl.DataFrame:
    # NULL stays empty: for kaizen and award years it means an unknown year, not 総括.
    return frame.with_columns(fy_labels(column, null=None).alias("年度"))


def year_order(frame: pl.DataFrame, column: str = "fiscal_year") -> list[str]:
    return [fy_label(y) for y in sorted(frame[column].drop_nulls().unique().to_list())]


def per_unit(frame: pl.DataFrame, unit: str) -> pl.DataFrame:
    """Initiatives per 部 (``unit="division"``) or 課 (``"department"``) and year: 年度, 部署, 件数."""
    data = frame.explode("departments").rename({"departments": "department"}) if unit == "department" else frame
    counted = (data.filter(pl.col(unit).is_not_null())
               .group_by(unit, "fiscal_year").len("件数").sort("fiscal_year", unit))
    counted = counted.with_columns(pl.col("件数").cast(pl.Int64))
    return _year_labels(counted).select("年度", pl.col(unit).alias("部署"), "件数")


def category_mix(frame: pl.DataFrame) -> pl.DataFrame:
    """Category marks (分類) per year; an initiative with several marks counts once in each."""
    counted = (frame.explode("themes").filter(pl.col("themes").is_not_null())
               .group_by("fiscal_year", "themes").len("件数").with_columns(pl.col("件数").cast(pl.Int64)))
    order = {c: n for n, c in enumerate(CATEGORIES)}
    counted = counted.with_columns(pl.col("themes").replace_strict(order, default=99).alias("_o"))
    return _year_labels(counted.sort("fiscal_year", "_o")).select("年度", pl.col("themes").alias("分類"), "件数")


def co_implementer_distribution(frame: pl.DataFrame) -> pl.DataFrame:
    """How many initiatives had 0, 1, 2, … co-implementers, per year (every count up to the max)."""
    data = frame.filter(pl.col("co_implementers").is_not_null())
    if data.is_empty():
        return pl.DataFrame(schema={"年度": pl.String, "共同実施者数": pl.String, "件数": pl.Int64})
    years = sorted(data["fiscal_year"].unique().to_list())
    grid = pl.DataFrame({"fiscal_year": [y for y in years for _ in range(int(data["co_implementers"].max()) + 1)],
                         "co_implementers": [n for _ in years for n in range(int(data["co_implementers"].max()) + 1)]},
                        schema={"fiscal_year": data["fiscal_year"].dtype, "co_implementers": pl.Int64})
    counted = data.group_by("fiscal_year", "co_implementers").len("件数")
    full = grid.join(counted, on=["fiscal_year", "co_implementers"], how="left").with_columns(
        pl.col("件数").fill_null(0).cast(pl.Int64))
    return _year_labels(full.sort("fiscal_year", "co_implementers")).select(
        "年度", (pl.col("co_implementers").cast(pl.String) + "人").alias("共同実施者数"), "件数")


@dataclass(frozen=True)
class YearSummary:
    fiscal_year: int
    initiatives: int
    co_implementers: int
    participants: int  # one 実施者 per initiative + its co-implementers (the published 参加者数)
    awards: int


def year_summaries(frame: pl.DataFrame, awards: pl.DataFrame) -> list[YearSummary]:
    result = []
    for year in sorted(frame["fiscal_year"].drop_nulls().unique().to_list()):
        rows = frame.filter(pl.col("fiscal_year") == year)
        co = int(rows["co_implementers"].fill_null(0).sum())
        result.append(YearSummary(year, rows.height, co, rows.height + co,
                                  awards.filter(pl.col("fiscal_year") == year).height))
    return result


def recomputed_ranking(frame: pl.DataFrame) -> pl.DataFrame:
    """Count and participants per 課 and year from the list, with the competition rank (1, 2, 2, 4)."""
    data = frame.explode("departments").filter(pl.col("departments").is_not_null())
    return (data.group_by("fiscal_year", pl.col("departments").alias("department"))
            .agg(pl.len().cast(pl.Int64).alias("count"),
                 (pl.len().cast(pl.Int64) + pl.col("co_implementers").fill_null(0).sum()).alias("participants"),
                 pl.col("code").sort_by(pl.col("code").cast(pl.Int64, strict=False)).alias("codes"))
            .with_columns(pl.col("count").rank("min", descending=True).over("fiscal_year")
                          .cast(pl.Int64).alias("rank"))
            .sort("fiscal_year", "rank", "department"))


def ranking_comparison(published: pl.DataFrame, listed: pl.DataFrame) -> pl.DataFrame:
    """Published ranking beside the one recomputed from the list.

    Rows: every published row, plus any 課 the list places at or above the published ranks that
    the publication left out. ``differs`` marks rows where count, participants or presence differ.
    """
    recomputed = recomputed_ranking(listed).with_columns(pl.col("fiscal_year").cast(pl.Int64))
    if published.is_empty():
        return pl.DataFrame()
    published = published.with_columns(pl.col("fiscal_year").cast(pl.Int64))
    depth = published.group_by("fiscal_year").agg(pl.col("rank").max().alias("depth"))
    top = (recomputed.join(depth, on="fiscal_year").filter(pl.col("rank") <= pl.col("depth"))
           .select("fiscal_year", "department"))
    keys = pl.concat([published.select("fiscal_year", "department"), top]).unique(maintain_order=True)
    merged = (keys.join(published.select("fiscal_year", "department", pl.col("rank").alias("published_rank"),
                                         pl.col("count").alias("published_count"),
                                         pl.col("participants").alias("published_participants")),
                        on=["fiscal_year", "department"], how="left")
              .join(recomputed.select("fiscal_year", "department", pl.col("rank").alias("recomputed_rank"),
                                      pl.col("count").alias("recomputed_count"),
                                      pl.col("participants").alias("recomputed_participants"), "codes"),
                    on=["fiscal_year", "department"], how="left"))
    differs = (pl.col("published_count").is_null() | pl.col("recomputed_count").is_null()
               | (pl.col("published_count") != pl.col("recomputed_count").cast(pl.Float64))
               | (pl.col("published_participants") != pl.col("recomputed_participants")))
    return (merged.with_columns(differs.fill_null(True).alias("differs"))
            .sort("fiscal_year", pl.col("published_rank").fill_null(99), "recomputed_rank"))


def count_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}"


def ranking_table(comparison: pl.DataFrame) -> pl.DataFrame:
    """The comparison as users see and export it (Japanese headers)."""
    if comparison.is_empty():
        return comparison
    rows = []
    for r in comparison.iter_rows(named=True):
        if r["published_count"] is None:
            note = "公表の順位表にない"
        elif r["recomputed_count"] is None:
            note = "一覧表にない"
        elif r["differs"]:
            parts = []
            if r["published_count"] != r["recomputed_count"]:
                parts.append(f"件数 {count_text(r['published_count'])} → {r['recomputed_count']}")
            if r["published_participants"] != r["recomputed_participants"]:
                parts.append(f"参加者数 {r['published_participants']} → {r['recomputed_participants']}")
            note = "、".join(parts)
        else:
            note = "一致"
        rows.append({
            "年度": fy_label(r["fiscal_year"]),
            "所属課": r["department"],
            "比較": note,
            "公表の順位": f"{r['published_rank']}位" if r["published_rank"] is not None else "—",
            "公表の件数": count_text(r["published_count"]),
            "再集計の件数": r["recomputed_count"],
            "再集計の順位": f"{r['recomputed_rank']}位" if r["recomputed_rank"] is not None else "—",
            "公表の参加者数": r["published_participants"],
            "再集計の参加者数": r["recomputed_participants"],
            "一覧表の No.": "、".join(r["codes"] or []),
        })
    return pl.DataFrame(rows, schema_overrides={"再集計の件数": pl.Int64, "公表の参加者数": pl.Int64,
                                                "再集計の参加者数": pl.Int64})


def awards_table(awards: pl.DataFrame) -> pl.DataFrame:
    return awards.select(
        fy_labels(null=None).alias("年度"),
        (pl.col("award") + "取組").alias("賞"),
        pl.col("title").alias("取組名"),
        pl.col("winner").alias("受賞者"),
        pl.col("departments").list.join("、").alias("一覧表の課"),
        rowwise(awards["initiative_id"], explorer_url, name="取組一覧").fill_null(""),
    )


# ===================================================================== 事例 (DX cases, WGs)

_EFFECT_SECTIONS = ("効果", "得られる効果（予測）", "得られる効果", "提案実現後の姿")


@cached
def case_entries(filters: Filters) -> pl.DataFrame:
    """DX事例 and WG entries in the slice, with their display facts (grade does not apply)."""
    where, params = _slice(filters.without("grade"))
    frame = query(
        "SELECT i.initiative_id, i.level, i.code, i.title, i.municipality, i.departments, i.themes, i.extra, "
        "i.document_id, s.line, s.search_key FROM initiatives i JOIN _initiatives s USING (initiative_id) "
        f"WHERE list_contains(?, i.level) AND {where} "
        "ORDER BY CASE i.level WHEN 'DX事例' THEN 0 ELSE 1 END, s.line",
        [list(CASE_LEVELS), *params])
    if frame.is_empty():
        return frame
    texts = case_sections(tuple(frame["initiative_id"]))
    return assemble_cases(frame, texts)


@cached
def case_sections(ids: tuple[str, ...]) -> pl.DataFrame:
    """Narrative sections of the given cases in document order."""
    return query("SELECT initiative_id, section, text, line, search_key FROM _narratives "
                 "WHERE list_contains(?, initiative_id) ORDER BY initiative_id, line", [list(ids)])


def first_line(text: str | None, limit: int = 80) -> str | None:
    if not text:
        return None
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    line = line.lstrip("・●○◆◇■□-– ")
    return line[:limit] + ("…" if len(line) > limit else "") if line else None


def effect_line(sections: dict[str, str], extra: dict[str, Any]) -> str | None:
    """One line saying what the case achieves: the first line of its 効果 section (a proposal's
    提案実現後の姿; a WG's 得られる効果), else the WG's 目指す未来."""
    for name in _EFFECT_SECTIONS:
        if sections.get(name):
            return first_line(sections[name])
    return first_line(extra.get("目指す未来"))


def assemble_cases(frame: pl.DataFrame, sections: pl.DataFrame) -> pl.DataFrame:
    """One row per card: title (or a stand-in when none is printed), 部門, 区分, effect, search key."""
    by_id: dict[str, list[dict[str, Any]]] = {}
    for row in sections.iter_rows(named=True):
        by_id.setdefault(row["initiative_id"], []).append(row)
    rows = []
    for r in frame.iter_rows(named=True):
        extra = _extra(r["extra"])
        parts = by_id.get(r["initiative_id"], [])
        named = {p["section"]: p["text"] for p in parts}
        is_wg = r["level"] == "WG"
        title = r["title"] or extra.get("副題")
        if not title:
            lead = first_line(named.get("取組内容") or named.get("提案内容") or named.get("経緯・動機"), 40)
            title = f"（表題の記載なし）{lead}" if lead else "（表題の記載なし）"
        rows.append({
            "initiative_id": r["initiative_id"],
            "level": r["level"],
            "document_id": r["document_id"],
            "code": r["code"],
            "title": title,
            "printed_title": bool(r["title"]),
            "subtitle": extra.get("副題") if r["title"] else None,
            "municipality": r["municipality"] or NO_MUNICIPALITY,
            "section": WG_SECTION if is_wg else ("、".join(r["themes"]) or "部門の記載なし"),
            "kind": "WG" if is_wg else (extra.get("区分") or "記載なし"),
            "departments": "、".join(r["departments"] or []),
            "future": extra.get("目指す未来"),
            "pages": extra.get("該当頁"),
            "effect": effect_line(named, extra),
            "sections": [(p["section"], p["text"]) for p in parts],
            "search_key": (r["search_key"] or "") + "".join(p["search_key"] or "" for p in parts)
                          + match_key(f"{title}{extra.get('副題') or ''}{r['municipality'] or ''}"
                                      f"{extra.get('目指す未来') or ''}"),
            "line": r["line"],
        })
    return pl.DataFrame(rows, schema_overrides={"sections": pl.List(pl.List(pl.String))})


def filter_cases(cases: pl.DataFrame, *, sections: list[str] | None = None, kinds: list[str] | None = None,
                 municipalities: list[str] | None = None, keyword: str | None = None) -> pl.DataFrame:
    """The page's own filters (部門, 区分, 自治体, キーワード) on top of the shared ones."""
    if cases.is_empty():
        return cases
    out = cases
    if sections:
        out = out.filter(pl.col("section").is_in(sections))
    if kinds:
        out = out.filter(pl.col("kind").is_in(kinds))
    if municipalities:
        out = out.filter(pl.col("municipality").is_in(municipalities))
    if keyword and match_key(keyword):
        out = out.filter(pl.col("search_key").str.contains(match_key(keyword), literal=True))
    return out


def case_counts(cases: pl.DataFrame) -> pl.DataFrame:
    """Cards per 部門 (WGs as 「前橋市 WG」)."""
    counted = cases.group_by("section").len("件数").with_columns(pl.col("件数").cast(pl.Int64))
    return counted.rename({"section": "部門"}).sort("件数", "部門", descending=[True, False])


def page_slice(frame: pl.DataFrame, page: int, size: int) -> pl.DataFrame:
    pages = max(1, -(-frame.height // size))
    page = min(max(1, page), pages)
    return frame.slice((page - 1) * size, size)


def page_count(rows: int, size: int) -> int:
    return max(1, -(-rows // size))


# ===================================================================== データ品質

KIND_LABELS = {
    "correction": "訂正",
    "correction_unused": "未適用の訂正",
    "repair": "修復",
    "disagreement": "写しの不一致",
    "mismatch": "集計の不一致",
    "skipped": "取り込まず",
    "unparsed": "解析できず",
    "missing": "欠落",
    "info": "情報",
    "checksum_changed": "文書の更新",
    "unknown_file": "不明なファイル",
    "orphan": "親なし",
    "unmatched": "照合できず",
}
KIND_HELP = {
    "correction": "訂正ファイル (corrections.csv) の行を適用して印字を直した箇所",
    "correction_unused": "訂正ファイルの行のうち、文書に該当する文字列がなく使われなかったもの",
    "repair": "表の崩れ・行の分かれなどを読み取り時に補った箇所",
    "disagreement": "同じ値が文書の複数の写し (表) で異なっていた箇所",
    "mismatch": "合計・件数などが文書内の他の値と合わない箇所",
    "skipped": "図の中の文字などで、取り込まなかった箇所",
    "unparsed": "値として読めなかった箇所",
    "missing": "あるはずの値・節が文書にない箇所",
    "info": "読み取りの判断の記録",
    "checksum_changed": "マニフェストの登録時から文書が更新されている",
    "unknown_file": "マニフェストにないファイル",
    "orphan": "上位の項目が見つからない取組",
    "unmatched": "表彰などの表から取組一覧に対応する行が見つからない",
}


def kind_label(kind: str | None) -> str:
    """Japanese label of a data-quality kind; unknown kinds stay readable as 「その他 (kind)」."""
    if kind is None:
        return "その他"
    return KIND_LABELS.get(kind, f"その他 ({kind})")


def kind_labels(column: str = "kind") -> pl.Expr:
    """:func:`kind_label` as a vectorised expression."""
    kind = pl.col(column)
    return (pl.when(kind.is_null()).then(pl.lit("その他"))
            .otherwise(kind.replace_strict(KIND_LABELS, default=pl.format("その他 ({})", kind),
                                           return_dtype=pl.String)))


def kind_order(kinds: list[str]) -> list[str]:
    known = list(KIND_LABELS)
    return sorted(set(kinds), key=lambda k: (known.index(k) if k in known else len(known), k))


@cached
def quality_rows() -> pl.DataFrame:
    """Every data-quality row with its document and, when set, the affected initiative."""
    return query(
        "SELECT q.document_id, d.title AS document_title, d.municipality AS document_municipality, "
        "q.kind, q.location, q.message, q.resolution, q.initiative_id, "
        "i.municipality AS initiative_municipality, i.level, i.code, i.title AS initiative_title "
        "FROM _data_quality q LEFT JOIN _documents d USING (document_id) "
        "LEFT JOIN initiatives i USING (initiative_id) "
        f"ORDER BY q.document_id NULLS LAST, q.kind, {QUALITY_ORDER}")


def scope_quality(rows: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    """Rows under the shared filters that make sense here: municipality (the document's or the
    affected initiative's) and the keyword (message, location, resolution, initiative title)."""
    out = rows
    if filters.municipality:
        out = out.filter((pl.col("document_municipality") == filters.municipality)
                         | (pl.col("initiative_municipality") == filters.municipality))
    if filters.search and match_key(filters.search):
        key = match_key(filters.search)
        text = pl.concat_str([pl.col(c).fill_null("") for c in
                              ("message", "location", "resolution", "initiative_title", "document_id")])
        out = out.filter(match_keys(text).str.contains(key, literal=True))
    return out


def pick_quality(rows: pl.DataFrame, documents: list[str] | tuple[str, ...] = (),
                 kinds: list[str] | tuple[str, ...] = ()) -> pl.DataFrame:
    """The data-quality screen's own choices (文書, 種類) on top of :func:`scope_quality`; empty = all."""
    if documents:
        rows = rows.filter(pl.col("document_id").is_in(list(documents)))
    if kinds:
        rows = rows.filter(pl.col("kind").is_in(list(kinds)))
    return rows


def quality_documents(rows: pl.DataFrame) -> list[str]:
    """The documents of the rows, in their order (the 文書 choices)."""
    return [d for d in dict.fromkeys(rows["document_id"].to_list()) if d is not None]


def quality_counts(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows per document and kind (Japanese labels), documents in their order, kinds in KIND_LABELS order."""
    if rows.is_empty():
        return pl.DataFrame(schema={"文書": pl.String, "種類": pl.String, "件数": pl.Int64})
    counted = rows.group_by("document_id", "kind").len("件数").with_columns(pl.col("件数").cast(pl.Int64))
    order = kind_order(counted["kind"].to_list())
    counted = counted.with_columns(pl.col("kind").replace_strict({k: n for n, k in enumerate(order)},
                                                                 return_dtype=pl.Int64).alias("_o"))
    return counted.sort("document_id", "_o").select(
        pl.col("document_id").fill_null("（文書なし）").alias("文書"),
        kind_labels().alias("種類"), "件数")


def quality_matrix(counts: pl.DataFrame) -> pl.DataFrame:
    """The counts as a document × kind table with a 合計 column."""
    if counts.is_empty():
        return counts
    kinds = list(dict.fromkeys(counts["種類"].to_list()))
    wide = counts.pivot(on="種類", index="文書", values="件数", aggregate_function="sum").fill_null(0)
    ordered = [k for k in [kind_label(k) for k in KIND_LABELS] + kinds if k in wide.columns]
    ordered = list(dict.fromkeys(ordered))
    return wide.select("文書", *ordered).with_columns(pl.sum_horizontal(ordered).alias("合計"))


def quality_table(rows: pl.DataFrame) -> pl.DataFrame:
    """The listed rows as users see and export them."""
    return rows.select(
        pl.col("document_id").alias("文書"),
        kind_labels().alias("種類"),
        pl.col("message").alias("内容"),
        pl.col("resolution").alias("対応"),
        pl.when(pl.col("initiative_id").is_not_null())
          .then(pl.concat_str([pl.col("level").fill_null(""), pl.col("code").fill_null(""),
                               pl.col("initiative_title").fill_null("")], separator=" ").str.strip_chars())
          .otherwise(pl.lit("")).alias("取組"),
        rowwise(rows["initiative_id"], explorer_url, name="取組一覧").fill_null(""),
        pl.col("location").alias("場所"),
    )


_CORRECTION = re.compile(r"^「(?P<find>.*)」→「(?P<replace>.*)」: (?P<reason>.*)$", re.S)
_CORRECTION_ROW = re.compile(r"corrections\.csv:(\d+)")


def corrections_table(rows: pl.DataFrame) -> pl.DataFrame:
    """Applied (and unused) corrections split into 訂正前 / 訂正後 / 理由 with the corrections-file row."""
    data = rows.filter(pl.col("kind").is_in(["correction", "correction_unused"]))
    out = []
    for r in data.iter_rows(named=True):
        m = _CORRECTION.match(r["message"] or "")
        row = _CORRECTION_ROW.search(f"{r['resolution'] or ''} {r['location'] or ''}")
        out.append({
            "文書": r["document_id"],
            "場所": r["location"],
            "訂正前": m["find"] if m else None,
            "訂正後": m["replace"] if m else None,
            "理由": m["reason"] if m else r["message"],
            "訂正ファイルの行": int(row[1]) if row else None,
            "状態": kind_label(r["kind"]),
        })
    return pl.DataFrame(out, schema={"文書": pl.String, "場所": pl.String, "訂正前": pl.String,
                                     "訂正後": pl.String, "理由": pl.String, "訂正ファイルの行": pl.Int64,
                                     "状態": pl.String})
