"""Read side of the 事例 page: the Tokyo DX case collection and 前橋市's working groups.

Terms (glossed once): DX事例 are the Tokyo collection of municipal DX case write-ups, in three
部門 (categories); each case is a 取組 (implemented) or a 提案 (proposal). WG: 前橋市's DX
working groups (ワーキンググループ) with their 目指す未来 (the future they aim at) and 該当頁 (pages
in the source).
"""
from __future__ import annotations

import json
from typing import Any

import polars as pl

from etl.normalize import match_key
from warehouse.connection import query
from warehouse.filters import Filters, where_clause
from warehouse.queries import cached

CASE_LEVELS = ("DX事例", "WG")
WG_SECTION = "前橋市 WG"
NO_MUNICIPALITY = "記載なし"


def _extra(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    return json.loads(value) if value else {}


_EFFECT_SECTIONS = ("効果", "得られる効果（予測）", "得られる効果", "提案実現後の姿")


@cached
def case_entries(filters: Filters) -> pl.DataFrame:
    """DX事例 and WG entries in the slice, with their display facts (grade does not apply)."""
    where, params = where_clause(filters.without("grade"))
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
