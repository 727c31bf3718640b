"""One function per question the UI asks, returning small Polars frames.

Filters become SQL only through fixed fragments with ``?`` parameters; user text is never
formatted into a query. Results are cached per warehouse version (see ``cached``), so a
rebuild shows up at the next rerun without restarting the app.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

import polars as pl

from vocab import CRITERIA, LEVELS
from warehouse.connection import query, reading, warehouse_version
from warehouse.filters import YEARS_OF, Filters, municipality_member, where_clause

# Data-quality notes in document order: by sheet, then line as a number (「…:18」 before 「…:108」).
QUALITY_ORDER = "sheet NULLS FIRST, line NULLS FIRST, location"

T = TypeVar("T")


def cached(function: Callable[..., T]) -> Callable[..., T]:
    """Memoise on (warehouse version, arguments): a rebuilt warehouse invalidates everything."""
    inner = functools.lru_cache(maxsize=512)(lambda version, *args: function(*args))

    @functools.wraps(function)
    def wrapper(*args: Any) -> T:
        return inner(warehouse_version(), *args)

    wrapper.cache_clear = inner.cache_clear  # type: ignore[attr-defined]
    return wrapper


_SUMMARY = f"""
WITH grades AS (
    SELECT initiative_id, fiscal_year, grade,
           row_number() OVER (PARTITION BY initiative_id ORDER BY coalesce(fiscal_year, 9999) DESC) AS rn
    FROM evaluations
    WHERE evaluator = 'self' AND criterion = '総合評価' AND grade IS NOT NULL
      AND (CAST(? AS INTEGER) IS NULL OR fiscal_year = ?)
), scores AS (
    SELECT initiative_id, fiscal_year,
           {", ".join(f"max(score) FILTER (WHERE criterion = '{c}') AS {c}" for c in CRITERIA)},
           max(score) FILTER (WHERE criterion = '合計') AS 合計,
           row_number() OVER (PARTITION BY initiative_id ORDER BY coalesce(fiscal_year, 9999) DESC) AS rn
    FROM evaluations
    WHERE evaluator = 'self' AND criterion IN ('進捗度', '連携度', '効率性', '創造性', '合計')
      AND (CAST(? AS INTEGER) IS NULL OR fiscal_year = ?)
    GROUP BY initiative_id, fiscal_year
), committee AS (
    SELECT initiative_id, avg(score) AS committee FROM evaluations
    WHERE criterion = '委員評価' GROUP BY initiative_id
), money AS (
    SELECT initiative_id, sum(amount_yen) AS fiscal_effect FROM fiscal_effects
    WHERE counted AND initiative_id IS NOT NULL AND (CAST(? AS INTEGER) IS NULL OR fiscal_year = ?)
    GROUP BY initiative_id
)
SELECT i.initiative_id, i.municipality, i.level, i.code, i.title, i.departments, i.themes,
       i.fiscal_year, i.start_fy, i.end_fy, i.parent_id, i.document_id,
       g.grade, g.fiscal_year AS grade_year,
       {", ".join(f"sc.{c}" for c in CRITERIA)}, sc.合計, sc.fiscal_year AS score_year,
       c.committee, m.fiscal_effect, i.categories
FROM initiatives i
JOIN _initiatives s USING (initiative_id)
LEFT JOIN grades g ON g.initiative_id = i.initiative_id AND g.rn = 1
LEFT JOIN scores sc ON sc.initiative_id = i.initiative_id AND sc.rn = 1
LEFT JOIN committee c ON c.initiative_id = i.initiative_id
LEFT JOIN money m ON m.initiative_id = i.initiative_id
"""


@cached
def initiatives(filters: Filters) -> pl.DataFrame:
    """The filtered slice, one row per initiative, with its latest (or the chosen year's) grade,
    criterion scores, committee rating and fiscal effect (財政効果額, yen)."""
    where, params = where_clause(filters)
    year = filters.fiscal_year
    sql = _SUMMARY + f" WHERE {where}"
    args: list[Any] = [year, year, year, year, year, year] + params
    if filters.grade:
        sql += " AND g.grade = ?"
        args.append(filters.grade)
    level_rank = "CASE i.level " + " ".join(f"WHEN '{lv}' THEN {n}" for n, lv in enumerate(LEVELS)) + " ELSE 99 END"
    sql += f" ORDER BY i.municipality, {level_rank}, i.fiscal_year NULLS FIRST, s.line"
    return query(sql, args)


# -- filter bar choices -----------------------------------------------------------------

@dataclass(frozen=True)
class FilterChoices:
    municipalities: tuple[str, ...]
    fiscal_years: tuple[int, ...]
    themes: tuple[str, ...]
    departments: tuple[str, ...]
    categories: tuple[str, ...] = ()


@cached
def filter_choices(municipality: str | None) -> FilterChoices:
    """What each filter can take; years, themes, departments and categories depend on the
    municipality (as lead or partner; its code, or its name when it has none).
    ``municipalities`` are the filter's values (codes; names for those without a code)."""
    towns = query("SELECT DISTINCT coalesce(municipality_code, municipality) AS municipality "
                  "FROM initiative_municipalities ORDER BY 1")
    scope = ("WHERE (CAST(? AS VARCHAR) IS NULL OR " + municipality_member(municipality or "")
             + ")")
    years = query(f"SELECT DISTINCT y.fiscal_year FROM ({YEARS_OF}) y JOIN initiatives i USING (initiative_id) "
                  f"{scope} ORDER BY 1", [municipality, municipality])
    themes = query(f"SELECT DISTINCT unnest(themes) AS v FROM initiatives i {scope} ORDER BY 1",
                   [municipality, municipality])
    departments = query(f"SELECT DISTINCT unnest(departments) AS v FROM initiatives i {scope} ORDER BY 1",
                        [municipality, municipality])
    categories = query(f"SELECT DISTINCT unnest(categories) AS v FROM initiatives i {scope}",
                       [municipality, municipality])
    order = {c: n for n, c in enumerate(category_order())}
    return FilterChoices(tuple(towns["municipality"]), tuple(years["fiscal_year"]),
                         tuple(themes["v"]), tuple(departments["v"]),
                         tuple(sorted(categories["v"], key=lambda c: (order.get(c, len(order)), c))))


@cached
def category_order() -> tuple[str, ...]:
    """The taxonomy's categories in the dictionary's order (data/raw/categories.csv, as built)."""
    return tuple(query("SELECT category FROM _categories ORDER BY position")["category"])


# -- one initiative ---------------------------------------------------------------------

@dataclass(frozen=True)
class InitiativeDetail:
    row: dict[str, Any]
    parent: dict[str, Any] | None
    children: pl.DataFrame
    evaluations: pl.DataFrame
    narratives: pl.DataFrame
    fiscal_effects: pl.DataFrame
    awards: pl.DataFrame
    source: dict[str, Any]
    quality: pl.DataFrame


@cached
def initiative_detail(initiative_id: str) -> InitiativeDetail | None:
    rows = query("SELECT i.*, s.line, s.copy FROM initiatives i JOIN _initiatives s USING (initiative_id) "
                 "WHERE initiative_id = ?", [initiative_id])
    if rows.is_empty():
        return None
    row = rows.row(0, named=True)
    row["extra"] = json.loads(row["extra"]) if isinstance(row["extra"], str) else (row["extra"] or {})
    parent = None
    if row["parent_id"]:
        found = query("SELECT initiative_id, level, code, title FROM initiatives WHERE initiative_id = ?",
                      [row["parent_id"]])
        parent = found.row(0, named=True) if not found.is_empty() else None
    return InitiativeDetail(
        row=row,
        parent=parent,
        children=query("SELECT i.initiative_id, i.level, i.code, i.title, i.end_fy FROM initiatives i "
                       "JOIN _initiatives s USING (initiative_id) WHERE i.parent_id = ? ORDER BY s.line",
                       [initiative_id]),
        evaluations=query("SELECT fiscal_year, evaluator, criterion, score, grade, line, copy FROM _evaluations "
                          "WHERE initiative_id = ? ORDER BY coalesce(fiscal_year, 9999), evaluator, criterion",
                          [initiative_id]),
        narratives=query("SELECT fiscal_year, section, text, line FROM _narratives WHERE initiative_id = ? "
                         "ORDER BY coalesce(fiscal_year, 9999), line", [initiative_id]),
        fiscal_effects=query("SELECT fiscal_year, amount_yen, kind, basis, recurrence, bound, counted, excluded_reason, "
                             "source, evidence, line, location FROM _fiscal_effects "
                             "WHERE initiative_id = ? ORDER BY coalesce(fiscal_year, 9999), line", [initiative_id]),
        awards=query("SELECT fiscal_year, award, program, winner FROM awards WHERE initiative_id = ?",
                     [initiative_id]),
        source=query("SELECT title, file, published FROM _documents WHERE document_id = ?",
                     [row["document_id"]]).row(0, named=True),
        quality=query(f"SELECT kind, location, message, resolution FROM _data_quality WHERE initiative_id = ? "
                      f"ORDER BY {QUALITY_ORDER}", [initiative_id]),
    )


# -- documents and data quality ---------------------------------------------------------

@cached
def documents() -> pl.DataFrame:
    """Source documents with their publication date and when the warehouse was built (freshness)."""
    return query("SELECT d.document_id, d.municipality, d.municipality_code, d.title, d.file, d.published, d.sha256, "
                 "(SELECT max(built_at) FROM _build) AS built_at FROM _documents d ORDER BY d.municipality")


@cached
def data_quality(document_id: str | None = None) -> pl.DataFrame:
    return query("SELECT q.document_id, d.municipality, q.kind, q.location, q.message, q.resolution, "
                 "q.initiative_id FROM _data_quality q LEFT JOIN _documents d USING (document_id) "
                 "WHERE (CAST(? AS VARCHAR) IS NULL OR q.document_id = ?) "
                 f"ORDER BY q.document_id, q.kind, {QUALITY_ORDER}",
                 [document_id, document_id])


def template_workbook(municipality: str, document_id: str | None = None) -> bytes:
    """One document of ``municipality`` in the import template's form (.xlsx bytes), read from
    the current warehouse file even if a rebuild replaces it meanwhile."""
    from etl.workbook import export_workbook  # openpyxl: loaded only when someone exports

    with reading() as cursor:
        return export_workbook(cursor, municipality, document_id)
