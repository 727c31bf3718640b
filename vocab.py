"""The shared vocabulary: the words the documents, the warehouse and every screen agree on.

One place for the closed vocabularies of the public views (docs: DESIGN "Vocabularies") and the
labels every screen and file uses for them, so the ETL that writes them and the read side that
shows them cannot drift apart. Pure data and small pure functions: no Streamlit or chart imports,
so any layer may import it (Polars is imported only by ``fy_labels``, which builds an expression).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

ALL = "すべて"  # a filter's "no restriction" choice
NO_VALUE = "—"  # a value the data does not give (an empty cell, a year without a grade): tables,
                # cards and slides show this mark; exported files keep the cell empty

# ---------------------------------------------------------------- fiscal years

# 年度 (fiscal year, April–March) is stored as the Gregorian year of its April and shown as a
# 令和 (Reiwa, 2019–), 平成 (Heisei, 1989–2018) or 昭和 era year next to it.
SUMMARY_LABEL = "総括"  # a NULL fiscal year: the plan-period summary (総括)


def _era(year: int) -> tuple[str, str, int]:
    """(long era name, one-letter era, era year) of a Gregorian fiscal year."""
    if year >= 2019:
        return "令和", "R", year - 2018
    if year >= 1989:
        return "平成", "H", year - 1988
    return "昭和", "S", year - 1925


def fy_label(year: int | None) -> str:
    """Short label for axes: 2021 → 「R3 (2021)」, 2018 → 「H30 (2018)」, None → 「総括」."""
    if year is None:
        return SUMMARY_LABEL
    year = int(year)
    _, letter, n = _era(year)
    return f"{letter}{n} ({year})"


def fy_label_long(year: int | None) -> str:
    """Label for text: 2021 → 「令和3年度 (2021)」, 2019 → 「令和元年度 (2019)」, None → 「総括」."""
    if year is None:
        return SUMMARY_LABEL
    year = int(year)
    era, _, n = _era(year)
    number = "元" if n == 1 else str(n)
    return f"{era}{number}年度 ({year})"


def fy_labels(column: str = "fiscal_year", null: str | None = SUMMARY_LABEL) -> "pl.Expr":
    """``fy_label`` over a column as a vectorised expression (no Python callback: see
    ``rowwise``). NULL becomes ``null`` — 「総括」 (the plan-period evaluation) by default; pass
    ``None`` where a NULL year means an unknown year and must stay empty."""
    import polars as pl

    year = pl.col(column).cast(pl.Int64)
    era = (pl.when(year >= 2019).then(pl.lit("R")).when(year >= 1989).then(pl.lit("H"))
           .otherwise(pl.lit("S")))
    number = (pl.when(year >= 2019).then(year - 2018).when(year >= 1989).then(year - 1988)
              .otherwise(year - 1925))
    label = pl.concat_str([era, number.cast(pl.String), pl.lit(" ("), year.cast(pl.String), pl.lit(")")])
    return (label if null is None else label.fill_null(pl.lit(null))).alias(column)  # keeps its name, as a map would

# ---------------------------------------------------------------- initiatives

# initiatives.level in hierarchy order: the documents' own words.
LEVELS = ("施策", "方向性", "基本事業", "取組項目", "実践項目", "改善取組", "DX事例", "WG")

# awards.award, highest first: 小金井市's campaign awards 最優秀 (top), 優秀 (excellence), 奨励 (encouragement).
AWARDS = ("最優秀", "優秀", "奨励")

# ---------------------------------------------------------------- evaluations

# The four 観点 (criteria) of the self-evaluation, each scored 0–3.
CRITERIA = ("進捗度", "連携度", "効率性", "創造性")
TOTAL = "合計"  # their sum, 0–12
GRADE_CRITERION = "総合評価"  # the overall grade A–D (the one criterion carried by a grade)
COMMITTEE_CRITERION = "委員評価"  # the committee's 1–5 rating
ALL_CRITERIA = (*CRITERIA, TOTAL, GRADE_CRITERION, COMMITTEE_CRITERION)  # evaluations.criterion
GRADES = ("A", "B", "C", "D")
CRITERION_MAX = 3
COMMITTEE_MIN, COMMITTEE_MAX = 1, 5
SCORE_RANGES = {  # criterion -> (min, max) on the documents' scales
    **{criterion: (0, CRITERION_MAX) for criterion in CRITERIA},
    TOTAL: (0, CRITERION_MAX * len(CRITERIA)), COMMITTEE_CRITERION: (COMMITTEE_MIN, COMMITTEE_MAX),
}

# indicators.kind and its label
INDICATOR_LABELS = {"baseline": "基準値", "actual": "実績値", "target": "目標値"}

# ---------------------------------------------------------------- data_quality.kind


class QualityKind:
    """``data_quality.kind``: what the ETL noted about a place in a source (the code's words).

    The data-quality page shows ``QUALITY_LABELS`` and ``QUALITY_HELP``; a kind without a label
    is shown as 「その他 (kind)」 (``kind_label``).
    """

    CORRECTION = "correction"  # a corrections.csv row applied
    CORRECTION_UNUSED = "correction_unused"  # a corrections.csv row whose text is not in the document
    REPAIR = "repair"  # broken table structure restored by rule
    DISAGREEMENT = "disagreement"  # two printed copies of one fact differ
    MISMATCH = "mismatch"  # a stated total/count differs from the recomputed one
    SKIPPED = "skipped"  # text left out on purpose (figure captions, headers)
    UNPARSED = "unparsed"  # a value that could not be read
    MISSING = "missing"  # an expected value or section is absent
    INFO = "info"  # a reading decision, recorded
    CHECKSUM_CHANGED = "checksum_changed"  # the file differs from its manifest SHA-256
    UNKNOWN_FILE = "unknown_file"  # a file in the raw folder that nothing imports
    ORPHAN = "orphan"  # an initiative whose parent is not in the document
    UNMATCHED = "unmatched"  # an award row with no initiative of that title
    WORKBOOK = "workbook"  # a warning about an imported template workbook
    UNATTRIBUTED = "unattributed"  # no municipality, and the written rule could not decide one (etl.attribution)
    UNCATEGORIZED = "uncategorized"  # no category of the common taxonomy (etl.categories)
    # A municipality name without a 全国地方公共団体コード (etl.municipality_codes): not on the
    # national list, or shared by several municipalities and not decided by the prefecture.
    MUNICIPALITY_UNLISTED = "municipality_unlisted"
    MUNICIPALITY_AMBIGUOUS = "municipality_ambiguous"



QUALITY_LABELS = {
    QualityKind.CORRECTION: "訂正",
    QualityKind.CORRECTION_UNUSED: "未適用の訂正",
    QualityKind.REPAIR: "修復",
    QualityKind.DISAGREEMENT: "写しの不一致",
    QualityKind.MISMATCH: "集計の不一致",
    QualityKind.SKIPPED: "取り込まず",
    QualityKind.UNPARSED: "解析できず",
    QualityKind.MISSING: "欠落",
    QualityKind.INFO: "情報",
    QualityKind.CHECKSUM_CHANGED: "文書の更新",
    QualityKind.UNKNOWN_FILE: "不明なファイル",
    QualityKind.ORPHAN: "親なし",
    QualityKind.UNMATCHED: "照合できず",
    QualityKind.UNATTRIBUTED: "自治体不明",
    QualityKind.UNCATEGORIZED: "分類なし",
    QualityKind.MUNICIPALITY_UNLISTED: "コードのない自治体",
    QualityKind.MUNICIPALITY_AMBIGUOUS: "同名の自治体",
}
QUALITY_HELP = {
    QualityKind.CORRECTION: "訂正ファイル (corrections.csv) の行を適用して印字を直した箇所",
    QualityKind.CORRECTION_UNUSED: "訂正ファイルの行のうち、文書に該当する文字列がなく使われなかったもの",
    QualityKind.REPAIR: "表の崩れ・行の分かれなどを読み取り時に補った箇所",
    QualityKind.DISAGREEMENT: "同じ値が文書の複数の写し (表) で異なっていた箇所",
    QualityKind.MISMATCH: "合計・件数などが文書内の他の値と合わない箇所",
    QualityKind.SKIPPED: "図の中の文字などで、取り込まなかった箇所",
    QualityKind.UNPARSED: "値として読めなかった箇所",
    QualityKind.MISSING: "あるはずの値・節が文書にない箇所",
    QualityKind.INFO: "読み取りの判断の記録",
    QualityKind.CHECKSUM_CHANGED: "マニフェストの登録時から文書が更新されている",
    QualityKind.UNKNOWN_FILE: "マニフェストにないファイル",
    QualityKind.ORPHAN: "上位の項目が見つからない取組",
    QualityKind.UNMATCHED: "表彰などの表から取組一覧に対応する行が見つからない",
    QualityKind.UNATTRIBUTED: "文書が自治体を示さず、本文からも規則で決められなかった取組（外部の団体名では決めない）",
    QualityKind.UNCATEGORIZED: "共通分類 (カテゴリ) のキーワードが見つからない取組",
    QualityKind.MUNICIPALITY_UNLISTED: "全国地方公共団体コードの一覧にない自治体名（自治体コードは空欄のまま）",
    QualityKind.MUNICIPALITY_AMBIGUOUS: "同じ名前の自治体が複数あり、都道府県からも決められない自治体名（自治体コードは空欄のまま）",
}


def kind_label(kind: str | None) -> str:
    """Japanese label of a data-quality kind; unknown kinds stay readable as 「その他 (kind)」."""
    if kind is None:
        return "その他"
    return QUALITY_LABELS.get(kind, f"その他 ({kind})")


def kind_order(kinds: list[str]) -> list[str]:
    """The kinds once each, in QUALITY_LABELS order; unlabelled ones last, alphabetically."""
    known = list(QUALITY_LABELS)
    return sorted(set(kinds), key=lambda k: (known.index(k) if k in known else len(known), k))
