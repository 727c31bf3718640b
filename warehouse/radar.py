"""Read side of the レーダー (criterion radar) page: profiles of the four 自己評価 criteria.

A profile is one initiative (取組・実践項目) or the average of a テーマ (theme), 担当部署
(department) or 自治体 (municipality), for a fiscal year or 総括 (the plan-period summary,
fiscal_year NULL). Criteria: 進捗度, 連携度, 効率性, 創造性, each scored 0–3.
"""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from etl.normalize import match_key, match_keys
from vocab import CRITERIA, fy_label
from warehouse.connection import query
from warehouse.filters import Filters, municipality_member
from warehouse.municipalities import label_of
from warehouse.queries import cached
from warehouse.selection import SLICE_ORDER, with_slice

SUMMARY_YEAR = 0  # widget sentinel for 総括 (a selectbox cannot hold None as a choice)

KINDS = {"item": "取組・実践項目", "theme": "テーマ", "department": "担当部署", "municipality": "自治体"}


@dataclass(frozen=True)
class Profile:
    """One radar polygon: an initiative (kind item, key = initiative_id) or the average of a
    theme / department (key = its name) or municipality (key = its 自治体コード, or its name when
    it has none; an old link's name still works), for a fiscal year (None = 総括)."""
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
    items: pl.DataFrame  # initiative_id, municipality, municipality_code, level, code, title, themes, departments, label
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


# How many 対象 (target) choices one selectbox lists; above it the page asks for a search
# (at national scale one level alone has 86,000 initiatives).
TARGET_LIMIT = 200


@cached
def radar_options(filters: Filters) -> RadarOptions:
    """What the radar can draw in the slice: the initiatives with criterion scores, and the
    themes, departments and municipalities of those initiatives."""
    head, params = with_slice(filters)
    items = query(f"""{head} SELECT i.initiative_id, i.municipality, i.municipality_code, i.level, i.code, i.title, i.themes, i.departments
        FROM sel JOIN initiatives i USING (initiative_id) JOIN _initiatives s USING (initiative_id)
        WHERE i.initiative_id IN (SELECT initiative_id FROM evaluations WHERE evaluator = 'self'
              AND list_contains(?, criterion) AND score IS NOT NULL AND initiative_id IN (SELECT initiative_id FROM sel))
        ORDER BY {SLICE_ORDER}""", [*params, list(CRITERIA)])
    items = items.with_columns(pl.format("{} {} {}", pl.col("level"), pl.col("code").fill_null(""),
                                         pl.col("title")).alias("label"))
    departments = sorted(set(items["departments"].explode().drop_nulls().to_list()))
    # Keyed by code, so the two 府中市 are two profiles; listed by label (「府中市（東京都）」).
    towns = sorted(set(items["municipality_code"].fill_null(items["municipality"]).drop_nulls().to_list()),
                   key=lambda key: (label_of(key), key))
    # Themes keep the documents' order (first appearance), which reads better than code points.
    themes = list(dict.fromkeys(items["themes"].explode().drop_nulls().to_list()))
    return RadarOptions(items, tuple(themes), tuple(departments), tuple(towns))


def _members(kind: str, key: str) -> str:
    """SQL (one ``?``, the key) selecting the initiatives a profile averages over."""
    if kind == "municipality":
        return municipality_member(key)
    return {
        "item": "i.initiative_id = ?",
        "theme": "list_contains(i.themes, ?)",
        "department": "list_contains(i.departments, ?)",
    }[kind]


# Group averages use the finest scored level: an initiative whose children carry scores for
# the same year (a Tomakomai 取組項目 over its 実践項目) is left out, so nothing counts twice.
# Every step is restricted to the profile's members first: scanning all evaluations for the
# children check took seconds at national scale. Parameters: the criteria, the key, the kind.
_LEAVES = """
    WITH members AS (SELECT i.initiative_id FROM initiatives i WHERE {members}),
    scored AS (
        SELECT e.initiative_id, e.fiscal_year, e.criterion, e.score FROM evaluations e
        WHERE e.evaluator = 'self' AND list_contains(?, e.criterion) AND e.score IS NOT NULL
          AND e.initiative_id IN (SELECT initiative_id FROM members)
    ), covered AS (  -- (parent, year) pairs whose children carry scores
        SELECT DISTINCT c.parent_id AS initiative_id, coalesce(k.fiscal_year, -1) AS year
        FROM initiatives c JOIN evaluations k ON k.initiative_id = c.initiative_id
        WHERE c.parent_id IN (SELECT initiative_id FROM members) AND k.evaluator = 'self'
          AND list_contains(?, k.criterion) AND k.score IS NOT NULL
    )
    SELECT s.* FROM scored s
    WHERE ? = 'item' OR NOT EXISTS (SELECT 1 FROM covered v WHERE v.initiative_id = s.initiative_id
                                     AND v.year = coalesce(s.fiscal_year, -1))
"""


@cached
def profile_table(kind: str, key: str) -> pl.DataFrame:
    """Every year's criterion means of a profile in one query: fiscal_year (NULL = 総括),
    criterion, score (mean 0–3), n (initiatives averaged)."""
    return query(f"SELECT fiscal_year, criterion, avg(score) AS score, count(DISTINCT initiative_id) AS n "
                 f"FROM ({_LEAVES.format(members=_members(kind, key))}) GROUP BY fiscal_year, criterion",
                 [key, list(CRITERIA), list(CRITERIA), kind])


@cached
def profile_years(kind: str, key: str) -> tuple[int | None, ...]:
    """Fiscal years with criterion scores for a profile, 総括 (None) first, then oldest first."""
    years = profile_table(kind, key)["fiscal_year"].unique().to_list()
    return tuple(sorted(years, key=lambda y: -1 if y is None else y))


@cached
def profile_scores(profile: Profile) -> pl.DataFrame:
    """The profile's four criteria: criterion, score (mean 0–3), n (initiatives averaged)."""
    table = profile_table(profile.kind, profile.key)
    year = pl.col("fiscal_year")
    scores = table.filter(year.is_null() if profile.year is None else year == profile.year).drop("fiscal_year")
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
        rows = query(f"SELECT DISTINCT i.document_id FROM initiatives i WHERE {_members(profile.kind, profile.key)}",
                     [profile.key])
        found.update(dict.fromkeys(rows["document_id"].to_list()))
    return list(found)


def profile_label(profile: Profile, labels: dict[str, str]) -> str:
    """Legend label: what the profile is, then its year (総括 or 「R3 (2021)」)."""
    if profile.kind == "item":
        name = labels.get(profile.key, profile.key)
    else:
        shown = label_of(profile.key) if profile.kind == "municipality" else profile.key
        name = f"{KINDS[profile.kind]}平均: {_short(shown, 16)}"
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
    if first["municipality_code"] or first["municipality"]:
        result.append(Profile("municipality", first["municipality_code"] or first["municipality"], year))
    return result


def across_years(profile: Profile, limit: int = 4) -> list[Profile]:
    """The same initiative or group in up to ``limit`` fiscal years: 総括 and the latest years."""
    years = profile_years(profile.kind, profile.key)
    summary = [None] if None in years else []
    dated = [y for y in years if y is not None][-(limit - len(summary)):]
    return [Profile(profile.kind, profile.key, y) for y in [*dated, *summary]]


@dataclass(frozen=True)
class Targets:
    """The 対象 choices a selectbox lists: at most ``TARGET_LIMIT`` of ``matches``."""
    keys: tuple[str, ...]
    labels: dict[str, str]  # key → label, for the listed keys
    matches: int  # how many targets match the search (all of them without one)
    total: int  # how many targets the 種類 has


@cached
def find_targets(filters: Filters, choice: str, text: str | None = None, keep: str | None = None) -> Targets:
    """The first ``TARGET_LIMIT`` targets of a 種類 choice whose name (label, number) contains
    ``text`` (matched in normalised form, see ``match_key``), plus ``keep`` (the current choice)
    when it is a target, so a chosen profile never disappears from its own list."""
    options = radar_options(filters)
    if choice.startswith("item:"):
        frame = options.items.filter(pl.col("level") == choice[5:]).select(pl.col("initiative_id").alias("key"), "label")
    else:
        names = options.keys(choice)
        shown = [label_of(n) for n in names] if choice == "municipality" else names
        frame = pl.DataFrame({"key": names, "label": shown}, schema={"key": pl.String, "label": pl.String})
    total = frame.height
    key = match_key(text) if text else ""
    found = frame.filter(match_keys(pl.col("label")).str.contains(key, literal=True)) if key else frame
    shown = found.head(TARGET_LIMIT)
    if keep is not None and keep not in shown["key"] and keep in frame["key"]:
        shown = pl.concat([frame.filter(pl.col("key") == keep), shown])
    return Targets(tuple(shown["key"]), dict(zip(shown["key"], shown["label"])), found.height, total)


@cached
def slice_item_labels(filters: Filters) -> dict[str, str]:
    """``item_labels`` of every initiative the radar offers in the slice, computed on the frame
    (passing 86,000 ids back to DuckDB as a list scanned the table once per id)."""
    items = radar_options(filters).items
    title = pl.col("title").fill_null("")
    short = pl.when(title.str.len_chars() <= 18).then(title).otherwise(title.str.slice(0, 17) + "…")
    labels = items.select("initiative_id", pl.format("{} {} {}", pl.col("level"), pl.col("code").fill_null(""), short)
                          .str.replace_all("  ", " ", literal=True).alias("label"))
    return dict(zip(labels["initiative_id"], labels["label"]))
