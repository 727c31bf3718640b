"""Read side of the score pages: 評価の推移 (score trends) and レーダー (criterion radar).

Terms: 総合評価 overall self-evaluation grade A–D (A best); 自己評価 self-evaluation with four
criteria scored 0–3 — 進捗度 (progress), 連携度 (collaboration), 効率性 (efficiency),
創造性 (creativity) — and their 合計 (sum, 0–12); 委員評価 the committee's rating 1–5;
総括 the plan-period summary (fiscal_year NULL); 取組項目 / 実践項目 the Tomakomai groups and
their practice items; テーマ theme, 担当部署 department, 自治体 municipality.

Queries take the shared ``Filters`` (the slice is ``queries.initiatives(filters)``, so every
page agrees on which initiatives a filter selects) and pass ids only as ``?`` parameters.
The pure functions below them (``grade_history``, ``movers``, ``disagreements`` …) turn the
small frames into what the pages show and are tested without a warehouse.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from vocab import CRITERIA, fy_label
from warehouse.connection import query
from warehouse.filters import Filters
from warehouse.queries import cached, initiatives

# Grade → number for sparklines and movement: A=4 … D=1 (higher is better).
GRADE_POINTS = {"A": 4, "B": 3, "C": 2, "D": 1}
SUMMARY_YEAR = 0  # widget sentinel for 総括 (a selectbox cannot hold None as a choice)

MOVER_ORDERS = ("改善した順", "悪化した順", "番号順")


# -- the slice ---------------------------------------------------------------------------

def _ids(filters: Filters, level: str | None = None) -> list[str]:
    rows = initiatives(filters)
    if level is not None:
        rows = rows.filter(pl.col("level") == level)
    return rows["initiative_id"].to_list()


@cached
def graded_levels(filters: Filters) -> tuple[tuple[str, int], ...]:
    """Levels (階層) of the slice that carry 総合評価 grades, with how many initiatives each,
    in the slice's level order."""
    ids = _ids(filters)
    if not ids:
        return ()
    found = query("SELECT i.level, count(DISTINCT e.initiative_id) AS n FROM evaluations e "
                  "JOIN initiatives i USING (initiative_id) WHERE e.evaluator = 'self' "
                  "AND e.criterion = '総合評価' AND e.grade IS NOT NULL AND list_contains(?, e.initiative_id) "
                  "GROUP BY ALL", [ids])
    counts = dict(zip(found["level"], found["n"]))
    order = initiatives(filters)["level"].unique(maintain_order=True).to_list()
    return tuple((level, counts[level]) for level in order if level in counts)


@cached
def yearly_grades(filters: Filters, level: str) -> pl.DataFrame:
    """Every self-evaluation 総合評価 (all years and 総括) of the slice's initiatives at ``level``:
    initiative_id, fiscal_year (NULL = 総括), grade."""
    ids = _ids(filters, level)
    if not ids:
        return pl.DataFrame(schema={"initiative_id": pl.String, "fiscal_year": pl.Int32, "grade": pl.String})
    return query("SELECT initiative_id, fiscal_year, grade FROM evaluations WHERE evaluator = 'self' "
                 "AND criterion = '総合評価' AND grade IS NOT NULL AND list_contains(?, initiative_id) "
                 "ORDER BY initiative_id, coalesce(fiscal_year, 9999)", [ids])


@cached
def grade_counts(filters: Filters, level: str) -> pl.DataFrame:
    """Grades per fiscal year (NULL = 総括): fiscal_year, grade, count, share (0–1 within the year)."""
    return grade_shares(yearly_grades(filters, level))


def grade_shares(grades: pl.DataFrame) -> pl.DataFrame:
    """(fiscal_year, grade) counts and their share of the year's graded initiatives."""
    counts = grades.group_by("fiscal_year", "grade").len("count")
    return (counts.with_columns((pl.col("count") / pl.col("count").sum().over("fiscal_year")).alias("share"))
            .sort(pl.col("fiscal_year").fill_null(9999), "grade"))


@cached
def criterion_means(filters: Filters, level: str) -> pl.DataFrame:
    """Mean self-evaluation score per fiscal year and criterion (0–3) over the slice at ``level``:
    fiscal_year (NULL = 総括), criterion, score, n."""
    ids = _ids(filters, level)
    if not ids:
        return pl.DataFrame(schema={"fiscal_year": pl.Int32, "criterion": pl.String,
                                    "score": pl.Float64, "n": pl.Int64})
    means = query("SELECT fiscal_year, criterion, avg(score) AS score, count(*) AS n FROM evaluations "
                  "WHERE evaluator = 'self' AND list_contains(?, criterion) AND score IS NOT NULL "
                  "AND list_contains(?, initiative_id) GROUP BY fiscal_year, criterion", [list(CRITERIA), ids])
    return means.sort(pl.col("fiscal_year").fill_null(9999),
                      pl.col("criterion").replace_strict(list(CRITERIA), list(range(len(CRITERIA)))))


# -- yearly grades per initiative and the movers -------------------------------------------

def grade_history(slice_rows: pl.DataFrame, grades: pl.DataFrame) -> pl.DataFrame:
    """One row per graded initiative, in the slice's order.

    Columns: initiative_id, municipality, level, code, title, one column per fiscal year
    labelled like 「R3 (2021)」 with that year's grade, 総括, trend (the yearly grades as
    numbers A=4 … D=1, oldest first, for a sparkline), first/last (the first and last yearly
    grade), change (last − first in grade steps; NULL with fewer than two yearly grades).
    """
    if grades.is_empty():
        return pl.DataFrame()
    years = sorted(y for y in grades["fiscal_year"].unique().to_list() if y is not None)
    ids = grades["initiative_id"].unique().to_list()
    base = (slice_rows.filter(pl.col("initiative_id").is_in(ids))
            .select("initiative_id", "municipality", "level", "code", "title")
            .with_row_index("order"))
    by_year = {(i, y): g for i, y, g in grades.iter_rows()}
    records: list[dict[str, Any]] = []
    for row in base.iter_rows(named=True):
        yearly = [by_year.get((row["initiative_id"], y)) for y in years]
        graded = [g for g in yearly if g in GRADE_POINTS]
        record = dict(row)
        record.update({fy_label(y): g for y, g in zip(years, yearly)})
        record[fy_label(None)] = by_year.get((row["initiative_id"], None))
        record["trend"] = [GRADE_POINTS[g] for g in graded]
        record["first"] = graded[0] if graded else None
        record["last"] = graded[-1] if graded else None
        record["change"] = (GRADE_POINTS[graded[-1]] - GRADE_POINTS[graded[0]]) if len(graded) > 1 else None
        records.append(record)
    schema = {"order": pl.UInt32, "initiative_id": pl.String, "municipality": pl.String, "level": pl.String,
              "code": pl.String, "title": pl.String, **{fy_label(y): pl.String for y in years},
              fy_label(None): pl.String, "trend": pl.List(pl.Int64), "first": pl.String, "last": pl.String,
              "change": pl.Int64}
    return pl.DataFrame(records, schema=schema)


@cached
def grade_history_for(filters: Filters, level: str) -> pl.DataFrame:
    """``grade_history`` of the slice's initiatives at ``level``."""
    return grade_history(initiatives(filters), yearly_grades(filters, level))


def movers(history: pl.DataFrame, order: str) -> pl.DataFrame:
    """Sort the grade history: 改善した順 (largest improvement first), 悪化した順 (largest decline
    first) or 番号順 (the document's order). Initiatives without a change sort last; ties keep
    the document's order."""
    if history.is_empty() or order == "番号順":
        return history
    descending = order == "改善した順"
    return history.sort([pl.col("change").is_null(), "change", "order"],
                        descending=[False, descending, False])


def grade_columns(history: pl.DataFrame) -> list[str]:
    """The grade columns of a ``grade_history`` frame: the fiscal years, then 総括."""
    start, end = history.columns.index("title") + 1, history.columns.index("trend")
    return history.columns[start:end]


@cached
def slice_documents(filters: Filters, level: str | None = None) -> list[str]:
    """Source documents (document_id) of the slice's initiatives, for the cards' 出典 line."""
    rows = initiatives(filters)
    if level is not None:
        rows = rows.filter(pl.col("level") == level)
    return rows["document_id"].unique(maintain_order=True).to_list()


@dataclass(frozen=True)
class MoverCounts:
    improved: int
    declined: int
    unchanged: int
    single: int  # fewer than two yearly grades


def mover_counts(history: pl.DataFrame) -> MoverCounts:
    if history.is_empty():
        return MoverCounts(0, 0, 0, 0)
    change = history["change"]
    return MoverCounts(int((change > 0).sum()), int((change < 0).sum()), int((change == 0).sum()),
                       int(change.is_null().sum()))


# -- self-evaluation against the committee ---------------------------------------------------

@cached
def committee_pairs(filters: Filters) -> pl.DataFrame:
    """Initiatives with a committee rating (委員評価, 1–5) and a plan-period self-evaluation:
    initiative_id, municipality, document_id, level, code, title, self_total (合計 0–12, or the sum of the
    four criteria), self_mean (mean of the four criteria, 0–3), committee.

    Candidates are the slice's initiatives and the parents of the slice's initiatives: the
    committee rates Tomakomai's 取組項目, while departments and most text belong to the
    practice items (実践項目) below them.
    """
    rows = initiatives(filters)
    ids = list(dict.fromkeys(rows["initiative_id"].to_list() + rows["parent_id"].drop_nulls().to_list()))
    if not ids:
        return pl.DataFrame(schema={"initiative_id": pl.String, "municipality": pl.String, "document_id": pl.String,
                                    "level": pl.String, "code": pl.String, "title": pl.String, "self_total": pl.Float64,
                                    "self_mean": pl.Float64, "committee": pl.Float64})
    criteria = ", ".join(f"max(e.score) FILTER (WHERE e.criterion = '{c}') AS \"{c}\"" for c in CRITERIA)
    return query(f"""
        WITH self AS (
            SELECT e.initiative_id, {criteria},
                   max(e.score) FILTER (WHERE e.criterion = '合計') AS total
            FROM evaluations e WHERE e.evaluator = 'self' AND e.fiscal_year IS NULL GROUP BY ALL
        ), committee AS (
            SELECT initiative_id, avg(score) AS committee FROM evaluations
            WHERE criterion = '委員評価' AND fiscal_year IS NULL AND score IS NOT NULL GROUP BY ALL
        )
        SELECT i.initiative_id, i.municipality, i.document_id, i.level, i.code, i.title,
               coalesce(s.total, {" + ".join(f's."{c}"' for c in CRITERIA)}) AS self_total,
               ({" + ".join(f's."{c}"' for c in CRITERIA)}) / 4.0 AS self_mean,
               c.committee
        FROM initiatives i JOIN committee c USING (initiative_id) JOIN self s USING (initiative_id)
        JOIN _initiatives x USING (initiative_id)
        WHERE list_contains(?, i.initiative_id) AND coalesce(s.total, s."進捗度") IS NOT NULL
        ORDER BY i.municipality, x.line""", [ids])


def disagreements(pairs: pl.DataFrame, top: int = 5) -> pl.DataFrame:
    """The initiatives whose committee rating and self-evaluation disagree most.

    Both scores are standardised over the plotted initiatives (z = (x − mean) / standard
    deviation); gap = z(委員評価) − z(自己評価合計). A positive gap means the committee rated the
    initiative higher than its self-evaluation suggests, a negative gap lower. Sorted by |gap|,
    largest first; empty with fewer than three initiatives or no spread in either score.
    """
    data = pairs.filter(pl.col("self_total").is_not_null() & pl.col("committee").is_not_null())
    if data.height < 3:
        return data.clear().with_columns(pl.lit(None, pl.Float64).alias("gap"))
    sd_self, sd_committee = data["self_total"].std(), data["committee"].std()
    if not sd_self or not sd_committee:
        return data.clear().with_columns(pl.lit(None, pl.Float64).alias("gap"))
    z_self = (pl.col("self_total") - data["self_total"].mean()) / sd_self
    z_committee = (pl.col("committee") - data["committee"].mean()) / sd_committee
    return (data.with_columns((z_committee - z_self).alias("gap"))
            .sort(pl.col("gap").abs(), descending=True).head(top))


# -- radar profiles --------------------------------------------------------------------------

KINDS = {"item": "取組・実践項目", "theme": "テーマ", "department": "担当部署", "municipality": "自治体"}


@dataclass(frozen=True)
class Profile:
    """One radar polygon: an initiative (kind item, key = initiative_id) or the average of a
    theme / department / municipality (key = its name), for a fiscal year (None = 総括)."""
    kind: str
    key: str
    year: int | None = None

    def to_param(self) -> str:
        return f"{self.kind}|{self.key}|{self.year if self.year is not None else SUMMARY_YEAR}"

    @classmethod
    def from_param(cls, text: str | None) -> "Profile | None":
        parts = (text or "").split("|")
        if len(parts) != 3 or parts[0] not in KINDS or not parts[1] or not parts[2].isdigit():
            return None
        year = int(parts[2])
        return cls(parts[0], parts[1][:200], None if year == SUMMARY_YEAR else year)


@dataclass(frozen=True)
class RadarOptions:
    items: pl.DataFrame  # initiative_id, municipality, level, code, title, themes, departments, label
    themes: tuple[str, ...]
    departments: tuple[str, ...]
    municipalities: tuple[str, ...]

    def keys(self, kind: str) -> list[str]:
        if kind == "item":
            return self.items["initiative_id"].to_list()
        return list({"theme": self.themes, "department": self.departments,
                     "municipality": self.municipalities}[kind])

    def is_empty(self) -> bool:
        return self.items.is_empty()


_SCORED = """
    SELECT DISTINCT initiative_id FROM evaluations
    WHERE evaluator = 'self' AND list_contains(?, criterion) AND score IS NOT NULL
"""


@cached
def radar_options(filters: Filters) -> RadarOptions:
    """What the radar can draw in the slice: the initiatives with criterion scores, and the
    themes, departments and municipalities of those initiatives."""
    rows = initiatives(filters)
    scored = query(_SCORED, [list(CRITERIA)])["initiative_id"]
    items = (rows.filter(pl.col("initiative_id").is_in(scored.implode()))
             .select("initiative_id", "municipality", "level", "code", "title", "themes", "departments")
             .with_columns(pl.format("{} {} {}", pl.col("level"), pl.col("code").fill_null(""),
                                     pl.col("title")).alias("label")))
    departments = sorted(set(items["departments"].explode().drop_nulls().to_list()))
    towns = sorted(set(items["municipality"].drop_nulls().to_list()))
    # Themes keep the documents' order (first appearance), which reads better than code points.
    themes = list(dict.fromkeys(items["themes"].explode().drop_nulls().to_list()))
    return RadarOptions(items, tuple(themes), tuple(departments), tuple(towns))


def _members(kind: str) -> str:
    """SQL (one ``?``) selecting the initiatives a profile averages over."""
    return {
        "item": "i.initiative_id = ?",
        "theme": "list_contains(i.themes, ?)",
        "department": "list_contains(i.departments, ?)",
        "municipality": "i.municipality = ?",
    }[kind]


# Group averages use the finest scored level: an initiative whose children carry scores for
# the same year (a Tomakomai 取組項目 over its 実践項目) is left out, so nothing counts twice.
_LEAVES = """
    WITH scored AS (
        SELECT e.initiative_id, e.fiscal_year, e.criterion, e.score FROM evaluations e
        WHERE e.evaluator = 'self' AND list_contains(?, e.criterion) AND e.score IS NOT NULL
    )
    SELECT s.* FROM scored s JOIN initiatives i USING (initiative_id)
    WHERE ({members})
      AND (? = 'item' OR NOT EXISTS (
            SELECT 1 FROM initiatives c JOIN scored k ON k.initiative_id = c.initiative_id
            WHERE c.parent_id = s.initiative_id AND k.fiscal_year IS NOT DISTINCT FROM s.fiscal_year))
"""


@cached
def profile_years(kind: str, key: str) -> tuple[int | None, ...]:
    """Fiscal years with criterion scores for a profile, 総括 (None) first, then oldest first."""
    found = query(f"SELECT DISTINCT fiscal_year FROM ({_LEAVES.format(members=_members(kind))}) "
                  "ORDER BY fiscal_year NULLS FIRST", [list(CRITERIA), key, kind])
    return tuple(found["fiscal_year"].to_list())


@cached
def profile_scores(profile: Profile) -> pl.DataFrame:
    """The profile's four criteria: criterion, score (mean 0–3), n (initiatives averaged)."""
    scores = query(f"SELECT criterion, avg(score) AS score, count(DISTINCT initiative_id) AS n "
                   f"FROM ({_LEAVES.format(members=_members(profile.kind))}) "
                   "WHERE fiscal_year IS NOT DISTINCT FROM ? GROUP BY criterion",
                   [list(CRITERIA), profile.key, profile.kind, profile.year])
    return scores.sort(pl.col("criterion").replace_strict(list(CRITERIA), list(range(len(CRITERIA)))))


@cached
def item_labels(ids: tuple[str, ...]) -> dict[str, str]:
    """Short labels (「実践項目 1 ガバメント…」) of initiatives, also outside the current slice."""
    if not ids:
        return {}
    rows = query("SELECT initiative_id, level, code, title FROM initiatives WHERE list_contains(?, initiative_id)",
                 [list(ids)])
    return {r["initiative_id"]: f"{r['level']} {r['code'] or ''} {_short(r['title'])}".replace("  ", " ")
            for r in rows.iter_rows(named=True)}


def _short(text: str | None, limit: int = 18) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@cached
def profile_documents(profiles: tuple[Profile, ...]) -> list[str]:
    """Source documents (document_id) of the initiatives the profiles draw on."""
    found: dict[str, None] = {}
    for profile in profiles:
        rows = query(f"SELECT DISTINCT i.document_id FROM initiatives i WHERE {_members(profile.kind)}",
                     [profile.key])
        found.update(dict.fromkeys(rows["document_id"].to_list()))
    return list(found)


def profile_label(profile: Profile, labels: dict[str, str]) -> str:
    """Legend label: what the profile is, then its year (総括 or 「R3 (2021)」)."""
    if profile.kind == "item":
        name = labels.get(profile.key, profile.key)
    else:
        name = f"{KINDS[profile.kind]}平均: {_short(profile.key, 16)}"
    return f"{name} ({fy_label(profile.year)})"


def profiles_frame(profiles: tuple[Profile, ...]) -> pl.DataFrame:
    """The chosen profiles' scores, one row per profile and criterion:
    profile (legend label), kind, year, criterion, score, n. Profiles without scores are left out."""
    labels = item_labels(tuple(p.key for p in profiles if p.kind == "item"))
    frames = []
    for profile in dict.fromkeys(profiles):
        scores = profile_scores(profile)
        if scores.is_empty():
            continue
        frames.append(scores.select(
            pl.lit(profile_label(profile, labels)).alias("profile"),
            pl.lit(KINDS[profile.kind]).alias("kind"),
            pl.lit(fy_label(profile.year)).alias("year"),
            "criterion", pl.col("score").cast(pl.Float64), pl.col("n").cast(pl.Int64)))
    if not frames:
        return pl.DataFrame(schema={"profile": pl.String, "kind": pl.String, "year": pl.String,
                                    "criterion": pl.String, "score": pl.Float64, "n": pl.Int64})
    return pl.concat(frames)


def profiles_table(frame: pl.DataFrame) -> pl.DataFrame:
    """The radar's numbers as a table: 対象, 年度, the four criteria, 合計, 件数 (initiatives averaged)."""
    if frame.is_empty():
        return pl.DataFrame()
    wide = frame.pivot(on="criterion", index=["profile", "year"], values="score", aggregate_function="mean")
    n = frame.group_by("profile", maintain_order=True).agg(pl.col("n").max())
    present = [c for c in CRITERIA if c in wide.columns]
    return (wide.join(n, on="profile", how="left", maintain_order="left")
            .select(pl.col("profile").alias("対象"), pl.col("year").alias("年度"),
                    *[pl.col(c).round(2) for c in present],
                    pl.sum_horizontal(present).round(2).alias("合計"),
                    pl.col("n").alias("件数")))


def kind_choices(options: RadarOptions) -> dict[str, str]:
    """Choices of the radar's 種類 selectbox: one per initiative level present (「item:実践項目」),
    then テーマ, 担当部署 and 自治体 averages — value → label."""
    levels = options.items["level"].unique(maintain_order=True).to_list()
    choices = {f"item:{level}": level for level in levels}
    for kind, keys in (("theme", options.themes), ("department", options.departments),
                       ("municipality", options.municipalities)):
        if keys:
            choices[kind] = f"{KINDS[kind]}の平均"
    return choices


def kind_choice(profile: Profile, options: RadarOptions) -> str | None:
    """The 種類 choice a stored profile belongs to (None when its initiative left the slice)."""
    if profile.kind != "item":
        return profile.kind
    level = options.items.filter(pl.col("initiative_id") == profile.key)["level"]
    return f"item:{level[0]}" if len(level) else None


def target_keys(choice: str, options: RadarOptions) -> list[str]:
    """The 対象 choices for a 種類 choice: initiative ids of that level, or group names."""
    if choice.startswith("item:"):
        return options.items.filter(pl.col("level") == choice[5:])["initiative_id"].to_list()
    return options.keys(choice)


def default_profiles(options: RadarOptions, year: int | None = None) -> list[Profile]:
    """An initiative of the slice against its first theme's and its municipality's averages,
    all for ``year`` (None = 総括) when the initiative has it. The initiative is the first of
    the most numerous scored level (Tomakomai: 実践項目 1), which also has yearly scores."""
    if options.is_empty():
        return []
    level = options.items["level"].value_counts(sort=True)["level"][0]
    first = options.items.filter(pl.col("level") == level).row(0, named=True)
    years = profile_years("item", first["initiative_id"])
    year = year if year in years else (None if None in years else (years[-1] if years else None))
    result = [Profile("item", first["initiative_id"], year)]
    if first["themes"]:
        result.append(Profile("theme", first["themes"][0], year))
    if first["municipality"]:
        result.append(Profile("municipality", first["municipality"], year))
    return result


def across_years(profile: Profile, limit: int = 4) -> list[Profile]:
    """The same initiative or group in up to ``limit`` fiscal years: 総括 and the latest years."""
    years = profile_years(profile.kind, profile.key)
    summary = [None] if None in years else []
    dated = [y for y in years if y is not None][-(limit - len(summary)):]
    return [Profile(profile.kind, profile.key, y) for y in [*dated, *summary]]
