"""The shared vocabulary: the words the documents, the warehouse and every screen agree on.

One place for the closed vocabularies of the public views (docs: DESIGN "Vocabularies"), so
the ETL that writes them and the read side that shows them cannot drift apart. Pure data and
small pure functions only: no Streamlit, Polars or chart imports, so any layer may import it.
"""
from __future__ import annotations

# ---------------------------------------------------------------- initiatives

# initiatives.level in hierarchy order: the documents' own words.
LEVELS = ("施策", "方向性", "基本事業", "取組項目", "実践項目", "改善取組", "DX事例", "WG")

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

# ---------------------------------------------------------------- data_quality.kind


class QualityKind:
    """``data_quality.kind``: what the ETL noted about a place in a source (the code's words).

    The data-quality page shows them in Japanese; a kind it has no label for is shown as
    「その他 (kind)」.
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

