"""Every form of cell the reader must tell apart (``tests/etl/cell_variants.py``) gives the
``check`` result recorded from openpyxl's reader, which the streaming reader replaced: the same
problems (message, sheet, row, column) and the same values, types included (2021 vs 2021.0,
dates, booleans, error values, rich and phonetic text, damaged cells).

The expectations in ``cell_variants.expected.json`` were written by ``record()`` below, run
against the openpyxl-based reader; regenerate them only for a deliberate change of behaviour.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.workbook import check
from tests.etl.cell_variants import VARIANTS

EXPECTED = Path(__file__).parent / "workbooks" / "cell_variants.expected.json"


def observed(name: str) -> dict:
    result = check(VARIANTS[name](), f"{name}.xlsx")
    extract = result.extract
    return {
        "problems": [p.as_dict() for p in result.problems],
        "counts": result.counts,
        "initiatives": [[i.key, repr(i.title), repr(i.start_fy), i.departments] for i in extract.initiatives]
        if extract else None,
        "evaluations": [[e.initiative_key, repr(e.fiscal_year), e.criterion, repr(e.score), repr(e.grade)]
                        for e in extract.evaluations] if extract else None,
    }


def record() -> None:
    """Write the expectations from the reader in use (see the module docstring)."""
    lines = [f"{json.dumps(name, ensure_ascii=False)}: {json.dumps(observed(name), ensure_ascii=False)}"
             for name in VARIANTS]  # one variant per line: a change shows as that line
    EXPECTED.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


def test_every_variant_has_its_expectation():
    assert sorted(json.loads(EXPECTED.read_text(encoding="utf-8"))) == sorted(VARIANTS)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_a_cell_variant_reads_as_openpyxl_read_it(name):
    assert observed(name) == json.loads(EXPECTED.read_text(encoding="utf-8"))[name]


def test_the_variants_cover_what_they_claim():
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    messages = {name: " ".join(p["message_ja"] for p in case["problems"]) for name, case in expected.items()}
    for name in ("date_builtin", "date_custom", "time", "duration", "date_1904", "iso_date"):
        assert "日付・時刻として入力されています" in messages[name], name
    assert "TRUE/FALSE は入力できません（True）" in messages["boolean"]
    assert "エラー値「#VALUE!」" in messages["date_out_of_range"]
    assert "ブックの内容を読めません（IndexError）" in messages["shared_index_out_of_range"]
    titles = {name: case["initiatives"] and case["initiatives"][1][1] for name, case in expected.items()}
    assert titles["rich_inline"] == repr("窓口 委託") and titles["phonetic_inline"] == repr("窓口")
    assert titles["shared"] == repr("窓口業務") and titles["shared_negative_index"] == repr("last")
    assert expected["float_year"]["initiatives"][1][2] == "2021"  # a float year becomes an int year
    assert expected["float_score"]["evaluations"][0][3] == "2.5"
