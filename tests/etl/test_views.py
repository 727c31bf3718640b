"""The public views are the product's SQL interface: their names and columns are pinned."""
from etl.load import PUBLIC_VIEWS

EXPECTED = {
    "municipalities": ["municipality", "prefecture", "code", "population"],
    "documents": ["document_id", "municipality", "title", "file", "sha256"],
    "initiatives": ["initiative_id", "municipality", "document_id", "level", "code", "parent_id",
                    "title", "fiscal_year", "start_fy", "end_fy", "departments", "themes", "extra",
                    "categories"],
    "evaluations": ["initiative_id", "fiscal_year", "evaluator", "criterion", "score", "grade"],
    "narratives": ["initiative_id", "fiscal_year", "section", "text"],
    "fiscal_effects": ["municipality", "document_id", "initiative_id", "fiscal_year", "amount_yen",
                       "amount_max_yen", "kind", "basis", "recurrence", "bound", "counted",
                       "excluded_reason", "source", "evidence", "location"],
    "indicators": ["municipality", "indicator_no", "name", "unit", "fiscal_year", "kind", "value", "note"],
    "awards": ["municipality", "program", "fiscal_year", "award", "initiative_id", "title", "winner"],
    "data_quality": ["document_id", "location", "kind", "message", "resolution"],
    "similar_initiatives": ["initiative_id", "similar_id", "score", "rank"],
    "initiative_municipalities": ["initiative_id", "municipality", "role"],
}
TYPES = {("initiatives", "departments"): "VARCHAR[]", ("initiatives", "themes"): "VARCHAR[]",
         ("initiatives", "extra"): "JSON", ("evaluations", "score"): "DOUBLE",
         ("fiscal_effects", "amount_yen"): "BIGINT", ("fiscal_effects", "amount_max_yen"): "BIGINT",
         ("fiscal_effects", "counted"): "BOOLEAN", ("indicators", "value"): "DOUBLE",
         ("initiatives", "fiscal_year"): "INTEGER", ("similar_initiatives", "score"): "DOUBLE",
         ("similar_initiatives", "rank"): "INTEGER", ("initiatives", "categories"): "VARCHAR[]"}


def test_contract_constant_matches_design():
    assert PUBLIC_VIEWS == EXPECTED


def test_every_view_exists_with_exact_columns(warehouse):
    views = {r[0] for r in warehouse.sql(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert set(EXPECTED) <= views
    for view, columns in EXPECTED.items():
        described = warehouse.sql(f"DESCRIBE {view}").fetchall()
        assert [c[0] for c in described] == columns, view
        for name, type_, *_ in described:
            if (view, name) in TYPES:
                assert type_ == TYPES[(view, name)], (view, name, type_)


def test_all_five_documents_and_municipality_codes(warehouse):
    docs = warehouse.sql("SELECT document_id, municipality FROM documents ORDER BY 1").fetchall()
    assert [d[0] for d in docs] == ["koganei-kaizen-r3", "komae-gyokaku-r3", "maebashi-wg-r3",
                                    "tokyo-dx-2024", "tomakomai-sokaku-r6"]
    codes = dict(warehouse.sql("SELECT municipality, code FROM municipalities").fetchall())
    assert codes["小金井市"] == "132101"
    assert codes["苫小牧市"] == "012131"
    assert codes["前橋市"] == "102016"
    assert codes["狛江市"] == "132195"


def test_every_evaluation_and_initiative_traces_to_a_line(warehouse):
    assert warehouse.sql("SELECT count(*) FROM _initiatives WHERE line IS NULL OR line < 1").fetchall()[0][0] == 0
    assert warehouse.sql("SELECT count(*) FROM _evaluations WHERE line IS NULL").fetchall()[0][0] == 0
    assert warehouse.sql("SELECT count(*) FROM data_quality WHERE location IS NULL").fetchall()[0][0] == 0


def test_every_applied_correction_is_listed_in_data_quality(warehouse):
    import csv
    from tests.conftest import RAW_DIR

    with (RAW_DIR / "corrections.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    listed = warehouse.sql(
        "SELECT count(*) FROM data_quality WHERE kind IN ('correction', 'correction_unused')").fetchall()[0][0]
    assert listed == len(rows)
    assert warehouse.sql("SELECT count(*) FROM data_quality WHERE kind = 'correction_unused'").fetchall()[0][0] == 0
