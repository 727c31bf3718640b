"""The shared filter bar's state: 自治体, 年度, テーマ, 担当部署, 評価 (grade), free text, カテゴリ
(the common reform taxonomy, ``initiatives.categories``).

It round-trips through the URL query string so a filtered view can be bookmarked or sent.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Callable, Mapping
from urllib.parse import urlencode

import polars as pl

from etl.normalize import match_key
from vocab import ALL, GRADES, fy_label_long

# The filter bar's words for each filter (its labels, the export sheets' 条件, the pages' captions).
FILTER_LABELS = {"municipality": "自治体", "fiscal_year": "年度", "theme": "テーマ", "department": "担当部署",
                 "grade": "評価", "search": "キーワード", "category": "カテゴリ"}
PARAMS = {"municipality": "m", "fiscal_year": "fy", "theme": "t", "department": "d",
          "grade": "g", "search": "q", "category": "c"}


@dataclass(frozen=True)
class Filters:
    municipality: str | None = None
    fiscal_year: int | None = None
    theme: str | None = None
    department: str | None = None
    grade: str | None = None
    search: str | None = None
    category: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str],
                    municipality_key: Callable[[str], str | None] | None = None) -> "Filters":
        """Parse URL parameters; invalid values are ignored rather than failing the page.

        ``municipality_key`` turns ``m`` into the filter's value (``warehouse.municipalities.key_for``:
        a code stays, an old bookmark's unambiguous name becomes its code, an ambiguous one is
        dropped); without it ``m`` is taken as given."""
        values: dict[str, object] = {}
        for name, key in PARAMS.items():
            raw = params.get(key)
            if raw in (None, ""):
                continue
            if name == "fiscal_year":
                if str(raw).isdigit() and 1989 <= int(raw) <= 2100:
                    values[name] = int(raw)
            elif name == "grade":
                if raw in GRADES:
                    values[name] = raw
            elif name == "municipality" and municipality_key is not None:
                key = municipality_key(str(raw)[:200])
                if key:
                    values[name] = key
            else:
                values[name] = str(raw)[:200]
        return cls(**values)

    def to_params(self) -> dict[str, str]:
        return {PARAMS[f.name]: str(getattr(self, f.name)) for f in fields(self)
                if getattr(self, f.name) not in (None, "")}

    def without(self, *names: str) -> "Filters":
        return replace(self, **{n: None for n in names})

    def is_empty(self) -> bool:
        return not self.to_params()


# Every (initiative, fiscal year) the warehouse links: the 年度 filter keeps initiatives with that year.
YEARS_OF = """
    SELECT initiative_id, fiscal_year FROM initiatives WHERE fiscal_year IS NOT NULL
    UNION SELECT initiative_id, fiscal_year FROM evaluations WHERE fiscal_year IS NOT NULL
    UNION SELECT initiative_id, fiscal_year FROM narratives WHERE fiscal_year IS NOT NULL
    UNION SELECT initiative_id, fiscal_year FROM fiscal_effects
          WHERE fiscal_year IS NOT NULL AND initiative_id IS NOT NULL
"""


# The initiatives (alias ``i``) a municipality takes part in, as lead (主体) or partner (共同):
# by 自治体コード, or by name for a value that is not a code (a municipality without one).
MUNICIPALITY_MEMBER = ("i.initiative_id IN (SELECT initiative_id FROM initiative_municipalities "
                       "WHERE municipality_code = ?)")
MUNICIPALITY_MEMBER_BY_NAME = ("i.initiative_id IN (SELECT initiative_id FROM initiative_municipalities "
                               "WHERE municipality = ?)")


def is_code(value: str | None) -> bool:
    """A filter value that is a 6-digit 全国地方公共団体コード (else it is a name)."""
    return value is not None and len(value) == 6 and value.isdigit()


def municipality_member(value: str) -> str:
    """``MUNICIPALITY_MEMBER`` for a code, ``MUNICIPALITY_MEMBER_BY_NAME`` for a name (one ``?``)."""
    return MUNICIPALITY_MEMBER if is_code(value) else MUNICIPALITY_MEMBER_BY_NAME


def same_municipality(value: str, name: str = "municipality", code: str = "municipality_code") -> pl.Expr:
    """A Polars condition: the row's municipality is the filter's (by code, or by name when the
    value is not a code)."""
    return pl.col(code) == value if is_code(value) else pl.col(name) == value


def municipality_label(value: str | None) -> str | None:
    """What screens and files call the filter's municipality (「府中市（東京都）」), not its code."""
    from warehouse.municipalities import label_of  # it reads the warehouse; this module does not

    return label_of(value)


def where_clause(filters: Filters) -> tuple[str, list[Any]]:
    """The SQL condition and its ``?`` parameters selecting the initiatives of ``filters`` (every
    filter except 評価, which needs the evaluations: see ``queries.initiatives``).

    The condition reads alias ``i`` (``initiatives``) and ``s`` (``_initiatives``, for the
    search key); every value is a parameter, never formatted into the SQL."""
    clauses, params = ["TRUE"], []
    if filters.municipality:  # lead (主体) or partner (共同): a joint case shows for every partner
        clauses.append(municipality_member(filters.municipality))
        params.append(filters.municipality)
    if filters.category:
        clauses.append("list_contains(i.categories, ?)")
        params.append(filters.category)
    if filters.fiscal_year is not None:
        clauses.append(f"i.initiative_id IN (SELECT initiative_id FROM ({YEARS_OF}) WHERE fiscal_year = ?)")
        params.append(filters.fiscal_year)
    if filters.theme:
        clauses.append("list_contains(i.themes, ?)")
        params.append(filters.theme)
    if filters.department:
        clauses.append("list_contains(i.departments, ?)")
        params.append(filters.department)
    if filters.search and match_key(filters.search):
        key = match_key(filters.search)
        clauses.append("(contains(s.search_key, ?) OR i.initiative_id IN "
                       "(SELECT initiative_id FROM _narratives WHERE contains(search_key, ?)))")
        params += [key, key]
    return " AND ".join(clauses), params


def describe_filters(filters: Filters) -> list[tuple[str, str]]:
    """The filter conditions as (label, value) rows, for export sheets and slides."""
    labels = FILTER_LABELS
    return [
        (labels["municipality"], municipality_label(filters.municipality) or ALL),
        (labels["fiscal_year"], fy_label_long(filters.fiscal_year) if filters.fiscal_year else ALL),
        (labels["theme"], filters.theme or ALL),
        (labels["department"], filters.department or ALL),
        (labels["grade"], filters.grade or ALL),
        (labels["search"], filters.search or "なし"),
        (labels["category"], filters.category or ALL),
    ]


def conditions_text(filters: Filters) -> str:
    """The conditions in one line: 自治体 and 年度 always, the others only when set —
    「自治体: 苫小牧市 ／ 年度: 令和3年度 (2021) ／ テーマ: …」."""
    rows = describe_filters(filters)
    shown = [(label, value) for n, (label, value) in enumerate(rows) if n < 2 or value not in (ALL, "なし")]
    return " ／ ".join(f"{label}: {value}" for label, value in shown)


def explorer_url(initiative_id: str | None, municipality: str | None = None) -> str | None:
    """Link to the 取組一覧 (explorer) with one initiative selected (it reads ``id``);
    ``municipality`` is the row's 自治体コード (a name for one without a code: the explorer
    resolves an unambiguous name, as for an old bookmark)."""
    if not initiative_id:
        return None
    params = {PARAMS["municipality"]: municipality} if municipality else {}
    return "/explorer?" + urlencode(params | {"id": initiative_id})
