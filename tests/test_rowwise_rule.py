"""The read side never hands Polars a Python function (see ``rowwise``): such callbacks run on
Polars' pool and deadlock against Streamlit's script threads (issue 13)."""
from __future__ import annotations

import re

import polars as pl

from rowwise import rowwise, rowwise_rows
from tests.conftest import ROOT

READ_SIDE = ("warehouse", "cards", "charts", "exports", "ui", "app_pages")
FORBIDDEN = re.compile(r"\.(map_elements|map_batches|map_groups|map_rows)\(")  # Polars 2 has no .apply


def test_no_python_callbacks_in_polars_on_the_read_side():
    offenders = []
    files = [ROOT / "dashboard.py"] + [p for d in READ_SIDE for p in (ROOT / d).rglob("*.py")]
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            # pandas' Styler.apply/map run on the calling thread; they are not Polars.
            if FORBIDDEN.search(line) and ".style" not in line and "styler" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_rowwise_runs_the_function_per_value_and_keeps_nulls_when_asked():
    values = pl.Series("x", [1, None, 3])
    assert rowwise(values, lambda v: f"<{v}>").to_list() == ["<1>", "<None>", "<3>"]
    assert rowwise(values, lambda v: f"<{v}>", skip_nulls=True).to_list() == ["<1>", None, "<3>"]
    frame = pl.DataFrame({"a": ["x", "y"], "b": [1, 2]})
    assert rowwise_rows(frame, lambda r: f"{r['a']}{r['b']}").to_list() == ["x1", "y2"]
