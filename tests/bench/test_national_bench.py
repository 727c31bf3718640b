"""``python -m bench national`` at N = 50 (issue 17: CI runs the national benchmark small and
asserts no exception; its speed targets are checked by running it at 200 and 1,741)."""
from __future__ import annotations

import io
import zipfile

from bench import national
from etl.workbook import check


def test_generated_workbooks_pass_the_projects_own_checker():
    rng = national.random.Random(3)
    towns = national.towns(3)
    data = national.workbook(rng, towns[0])
    result = check(data, "generated.xlsx")
    assert result.ok, result.report()
    assert zipfile.is_zipfile(io.BytesIO(data))


def test_names_repeat_as_in_japan_when_the_list_is_shorter_than_n():
    listed = national.towns(10_000)
    names = [t.name for t in listed]
    assert len(set(names)) < len(names) or any("第2" in n for n in names)


def test_fifty_municipalities_build_and_every_page_runs_without_exception():
    report = national.run(50, seed=1, warm_runs=1)
    errors = {(scope, page): error for scope, pages in report["pages"].items()
              for page, (_, _, error) in pages.items() if error}
    assert errors == {}
    assert report["build_s"] > 0 and report["import_s"] > 0
    assert len(report["pages"]) == 2 and all(len(p) >= 11 for p in report["pages"].values())
