"""比較 (comparison): the same reform category side by side across municipalities.

Every initiative of the filtered slice counts once per category it has (``categories``) and
once per municipality it belongs to (``initiative_municipalities``: 主体 lead and 共同 partner),
so a joint case shows under each partner. Grades are the latest self-evaluated 総合評価 (as in
the explorer); money is the sum of the initiative's ``fiscal_effects`` amounts that are
``counted`` (the ETL's one rule: no plan statements, expenses or repeats), in yen.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from etl.comparison import (CATEGORY_COUNTS, INITIATIVE_FIGURES, MUNICIPALITY_FIGURES, PER_MUNICIPALITY,
                            category_counts)
from etl.municipality_codes import label_sql

from vocab import CRITERIA

from warehouse.connection import query
from warehouse.filters import Filters, explorer_url, where_clause
from warehouse.queries import _SUMMARY, cached, category_order

GRADES = ("A", "B", "C", "D")


@cached
def partners(initiative_id: str) -> pl.DataFrame:
    """The municipalities of one initiative with their role (主体 first)."""
    return query("SELECT municipality, role FROM initiative_municipalities WHERE initiative_id = ? "
                 "ORDER BY role = '共同', municipality", [initiative_id])


def _slice(filters: Filters) -> tuple[str, list[Any]]:
    """The filtered slice as SQL (``queries.initiatives`` without its ORDER BY) and its parameters."""
    where, params = where_clause(filters)
    year = filters.fiscal_year
    if year is None and _built_with()[0]:
        # No 年度 chosen: each initiative's latest grade and money were computed by the ETL
        # (etl.comparison, the same rule as queries.initiatives); no scan of every evaluation.
        sql = (f"SELECT i.initiative_id, i.level, i.code, i.title, i.document_id, i.fiscal_year, i.categories, "
               f"f.grade, f.fiscal_effect FROM initiatives i JOIN _initiatives s USING (initiative_id) "
               f"LEFT JOIN {INITIATIVE_FIGURES} f USING (initiative_id) WHERE {where}")
        args: list[Any] = list(params)
        grade = "f.grade"
    else:
        sql = _SUMMARY + f" WHERE {where}"
        args = [year] * 6 + params
        grade = "g.grade"
    if filters.grade:
        sql += f" AND {grade} = ?"
        args.append(filters.grade)
    return sql, args


def _members(filters: Filters, category: str | None = None) -> tuple[str, list[Any]]:
    """(category, member, initiative) rows of the slice as SQL: each initiative once per category
    it has and per municipality it belongs to; only the filter's 自治体 and カテゴリ (and
    ``category``) when set — an item's other categories are not what was asked for."""
    sql, args = _slice(filters)
    chosen = filters.category or category
    members = f"""
        WITH slice AS ({sql}),
        exploded AS (SELECT *, unnest(categories) AS category FROM slice WHERE len(categories) > 0
                     AND (CAST(? AS VARCHAR) IS NULL OR list_contains(categories, ?)))
        SELECT e.*, {label_sql("im")} AS member, im.role, im.municipality_code AS member_code
        FROM exploded e JOIN initiative_municipalities im USING (initiative_id)
        WHERE (CAST(? AS VARCHAR) IS NULL OR {target_condition("im")})
          AND (CAST(? AS VARCHAR) IS NULL OR e.category = ?)
          AND (CAST(? AS VARCHAR) IS NULL OR e.category = ?)"""
    return members, args + [chosen] * 2 + [filters.municipality] * 2 + [filters.category] * 2 + [chosen] * 2


def _category_rank() -> str:
    order = category_order()
    return ("CASE category " + " ".join(f"WHEN ? THEN {n}" for n in range(len(order)))
            + f" ELSE {len(order)} END"), list(order)


@cached
def category_items(filters: Filters, category: str | None = None) -> pl.DataFrame:
    """One row per (category, municipality, initiative) of the slice — all categories, or only
    ``category``: member (the municipality it counts for), role, level, code, title, grade,
    fiscal_effect, document_id. Links to the explorer: ``with_urls``."""
    members, args = _members(filters, category)
    rank, order = _category_rank()
    return query(f"SELECT initiative_id, level, code, title, grade, fiscal_effect::BIGINT AS fiscal_effect, "
                 f"category, document_id, member, "
                 f"role, member_code FROM ({members}) "
                 f"ORDER BY {rank}, member, document_id, level, code, fiscal_year NULLS FIRST, initiative_id",
                 args + order)


def with_urls(items: pl.DataFrame) -> pl.DataFrame:
    """``items`` with ``url``, the explorer's link (for the few rows a page shows)."""
    codes = items["member_code"] if "member_code" in items.columns else items["member"]
    urls = [explorer_url(i, c or m) for i, c, m in zip(items["initiative_id"], codes, items["member"])]
    return items.with_columns(pl.Series("url", urls, dtype=pl.String))


@cached
def _category_counts(filters: Filters) -> pl.DataFrame:
    """All the slice's category counts in one query (``etl.comparison.category_counts``); with no
    filter, the ETL's stored copy."""
    if filters.is_empty() and _built_with()[0]:
        return query(f"SELECT * FROM {CATEGORY_COUNTS}")
    members, args = _members(filters)
    return query(category_counts(members), args)


@cached
def category_matrix(filters: Filters) -> pl.DataFrame:
    """Per (category, municipality): 取組数, graded count and A–D counts, the money sum."""
    order = {c: n for n, c in enumerate(category_order())}
    counts = _category_counts(filters).filter(pl.col("grouped") == 0)
    return (counts.with_columns(pl.col("category").replace_strict(order, default=len(order), return_dtype=pl.Int32)
                                .alias("position"))
            .sort("position", "member")
            .select("category", "member", "items", "graded", *GRADES, "fiscal_effect", "with_money"))


@cached
def category_overview(filters: Filters) -> pl.DataFrame:
    """Per category (taxonomy order): how many initiatives and municipalities the slice has."""
    counted = _category_counts(filters).filter(pl.col("grouped") == 1).select("category", "items", "municipalities")
    every = pl.DataFrame({"category": list(category_order())}, schema={"category": pl.String})
    return (every.join(counted, on="category", how="left")
            .with_columns(pl.col("items").fill_null(0), pl.col("municipalities").fill_null(0)))


@cached
def category_documents(filters: Filters) -> tuple[str, ...]:
    """The documents the slice's categorised initiatives come from (a card's sources)."""
    whole = _category_counts(filters).filter(pl.col("grouped") == 3)["documents"]
    return tuple(whole[0]) if len(whole) and whole[0] is not None else ()


# ---------------------------------------------------------------- 比較パネル: one municipality in context
#
# A municipality beside its prefecture (every municipality of the same ``municipalities.prefecture``,
# itself included) and beside the whole warehouse (全体). Prefecture bodies (a row whose name is its
# prefecture, e.g. 東京都) are in neither group: they are not peers of a 市区町村.
#
# - 総合評価 (overall grade, A–D) and the four criteria (進捗度・連携度・効率性・創造性, 0–3) are the
#   self-evaluations of each plan's latest fiscal year that has them (総括, the plan-period summary
#   with no year, is left out), pooled over the initiatives of the group's municipalities.
# - 財政効果額 is the sum of ``fiscal_effects`` amounts that are ``counted`` (the ETL's one rule, as
#   warehouse.fiscal.effects applies it) over every year; per capita (1人あたり) divides the money of
#   the municipalities whose 人口 (``municipalities.population``) is known by their population.
# The per-municipality figures are built once by the ETL (etl.comparison, ``_municipality_figures``);
# the panel is one query that puts them into the three groups.

SCOPES = ("自治体", "都道府県", "全体")  # the panel's columns, in order


def target_condition(alias: str = "m") -> str:
    """The one place that says how the filter bar's 自治体 value (the parameter) finds a
    municipality in a table with a ``municipality`` column (``m`` = ``municipalities``,
    ``im`` = ``initiative_municipalities``): its 自治体コード, or a name (a municipality without a
    code, or a name given by code elsewhere: every municipality of that name)."""
    code = "code" if alias == "m" else "municipality_code"
    return f"? IN ({alias}.{code}, {alias}.municipality)"


def _towns(figures: str, population: str) -> str:
    """CTEs ``towns`` (every municipality but prefecture bodies) and ``per_town`` (their figures:
    ``figures`` is the ETL's table or the same SQL inline; ``population`` a column or NULL)."""
    return f"""
towns AS (
    SELECT municipality, prefecture, code, coalesce(code, municipality) AS town_key,
           {population} AS population FROM municipalities
    WHERE prefecture IS NULL OR municipality <> prefecture
), per_town AS (
    SELECT t.municipality, t.prefecture, t.code, t.town_key, t.population, f.* EXCLUDE (town_key, amounts),
           coalesce(f.amounts, 0) AS amounts
    FROM towns t LEFT JOIN {figures} f ON f.town_key = t.town_key
)"""


# One group's figures from per_town rows (the same for the panel's columns and the prefecture table).
_GROUP_COLUMNS = f"""
       count(*) AS members,
       list(municipality ORDER BY municipality)[1:3] AS some_members,
       count(*) FILTER (WHERE graded > 0) AS graded_members,
       coalesce(sum(graded), 0)::BIGINT AS graded,
       {", ".join(f"coalesce(sum(grade_{g}), 0)::BIGINT AS {g}" for g in GRADES)},
       {", ".join(f"sum(sum_{n}) / nullif(sum(n_{n}), 0) AS {c}, "
                  f"count(*) FILTER (WHERE n_{n} > 0) AS {c}_members" for n, c in enumerate(CRITERIA))},
       min(first_year) AS first_year, max(last_year) AS last_year,
       sum(yen)::BIGINT AS fiscal_effect,
       count(*) FILTER (WHERE amounts > 0) AS money_members,
       sum(population)::BIGINT AS population,
       count(population) AS population_members,
       coalesce(sum(yen) FILTER (WHERE population IS NOT NULL), 0)::BIGINT AS money_with_population"""


def _panel_sql(figures: str, population: str) -> str:
    """The panel's one query: the selected municipality, its prefecture and 全体."""
    return f"""
WITH {_towns(figures, population)}, target AS (
    SELECT coalesce(m.code, m.municipality) AS town_key, m.prefecture FROM municipalities m
    WHERE {target_condition()}
), scoped AS (
    SELECT 0 AS position, p.* FROM per_town p JOIN target USING (town_key)
    UNION ALL
    SELECT 1, p.* FROM per_town p JOIN target ON p.prefecture = target.prefecture
    UNION ALL
    SELECT 2, p.* FROM per_town p
)
SELECT position,
       any_value(municipality) FILTER (WHERE position = 0) AS municipality,
       any_value(prefecture) AS prefecture, {_GROUP_COLUMNS}
FROM scoped GROUP BY position ORDER BY position
"""


def _prefectures_sql(figures: str, population: str) -> str:
    """One row per prefecture (in code order: 北海道 first) and 全体 first, in one query."""
    return f"""
WITH {_towns(figures, population)}
SELECT grouping(prefecture) AS whole, prefecture, {_GROUP_COLUMNS}
FROM per_town GROUP BY GROUPING SETS ((prefecture), ())
ORDER BY whole DESC, min(code) NULLS LAST, prefecture
"""


@cached
def _built_with() -> tuple[bool, bool]:
    """Whether this warehouse has the ETL's per-municipality figures and ``population`` (older
    builds have neither: the panel then computes the figures itself, without 人口)."""
    found = query("SELECT table_name, column_name FROM information_schema.columns "
                  "WHERE (table_name = ? AND column_name = 'municipality') "
                  "OR (table_name = 'municipalities' AND column_name = 'population')", [MUNICIPALITY_FIGURES])
    names = set(found["table_name"].to_list())
    return MUNICIPALITY_FIGURES in names, "municipalities" in names


@dataclass(frozen=True)
class Group:
    """One column of the panel: the municipality, its prefecture or 全体 (the whole warehouse)."""

    scope: str  # one of SCOPES
    name: str  # 苫小牧市, 北海道, 全体
    members: int  # municipalities in the group (with or without data)
    some_members: tuple[str, ...]  # the first names, for 「北海道の自治体は苫小牧市だけ」
    graded_members: int  # municipalities with a graded (総合評価) latest year
    graded: int  # initiatives with a grade in their plan's latest year
    grades: dict[str, int]  # A–D -> initiatives
    criteria: dict[str, float | None]  # 進捗度 … -> average score (0–3) or None
    criteria_members: dict[str, int]
    first_year: int | None  # the latest years of the group's plans range from … to …
    last_year: int | None
    fiscal_effect: int | None  # 財政効果額 (counted, yen), None when no amount is counted
    money_members: int
    population: int | None  # total 人口 of the members whose population is known
    population_members: int
    money_with_population: int  # counted yen of the members whose population is known

    def share(self, grade: str) -> float | None:
        """Share of initiatives with ``grade`` among the graded ones (0–1), None without grades."""
        return self.grades[grade] / self.graded if self.graded else None

    @property
    def per_capita(self) -> float | None:
        """財政効果額 per person (円/人) over the members whose 人口 is known."""
        return self.money_with_population / self.population if self.population else None


@dataclass(frozen=True)
class Panel:
    """The 比較 panel: the selected municipality (None when none is chosen or it is unknown, or
    a prefecture body), its prefecture (None without a prefecture) and 全体."""

    municipality: Group | None
    prefecture: Group | None
    whole: Group

    @property
    def groups(self) -> tuple[Group, ...]:
        return tuple(g for g in (self.municipality, self.prefecture, self.whole) if g is not None)


def _group(row: dict, scope: str, name: str) -> Group:
    return Group(
        scope=scope, name=name, members=row["members"], some_members=tuple(row["some_members"] or ()),
        graded_members=row["graded_members"], graded=row["graded"], grades={g: row[g] for g in GRADES},
        criteria={c: row[c] for c in CRITERIA}, criteria_members={c: row[f"{c}_members"] for c in CRITERIA},
        first_year=row["first_year"], last_year=row["last_year"], fiscal_effect=row["fiscal_effect"],
        money_members=row["money_members"], population=row["population"],
        population_members=row["population_members"], money_with_population=row["money_with_population"])


@cached
def panel(municipality: str | None) -> Panel:
    """The 比較 panel for the filter bar's 自治体 (or only 全体 when none is chosen): one query."""
    rows = {r["position"]: r for r in query(_panel_sql(*_sources()), [municipality]).iter_rows(named=True)}
    whole = _group(rows[2], SCOPES[2], "全体")
    mine = rows.get(0)
    if mine is None:  # no municipality chosen, not in the warehouse, or a prefecture body
        return Panel(None, None, whole)
    prefecture = None
    if mine["prefecture"] is not None and 1 in rows:
        prefecture = _group(rows[1], SCOPES[1], mine["prefecture"])
    return Panel(_group(mine, SCOPES[0], mine["municipality"]), prefecture, whole)


def _sources() -> tuple[str, str]:
    figures, population = _built_with()
    return (MUNICIPALITY_FIGURES if figures else f"({PER_MUNICIPALITY})",
            "population" if population else "NULL::BIGINT")


@cached
def prefectures() -> tuple[Group, ...]:
    """全体 and then every prefecture with municipalities in the warehouse (code order), as
    panel columns: one query. A prefecture of NULL (unknown) is named 「都道府県不明」."""
    out = []
    for row in query(_prefectures_sql(*_sources())).iter_rows(named=True):
        if row["whole"]:
            out.append(_group(row, SCOPES[2], "全体"))
        else:
            out.append(_group(row, SCOPES[1], row["prefecture"] or "都道府県不明"))
    return tuple(out)
