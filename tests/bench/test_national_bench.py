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


def test_the_real_national_list_with_its_shared_names_first():
    listed = national.towns(1741)
    assert len({t.code for t in listed}) == 1741 and len({t.name for t in listed}) == 1709
    assert [(t.name, t.prefecture, t.code) for t in listed[:2]] == [("府中市", "東京都", "132063"),
                                                                    ("府中市", "広島県", "342084")]
    assert [t.name for t in listed[2:6]] == ["池田町"] * 4
    assert {t.stated_code for t in listed[:2]} == {True, False}  # 自治体コード, or 都道府県 + 名称
    beyond = national.towns(1743)[1741:]
    assert [(t.name, t.code) for t in beyond] == [("府中市第2", ""), ("府中市第2", "")]


def test_a_workbook_states_its_code_or_its_prefecture():
    rng = national.random.Random(3)
    tokyo, hiroshima = national.towns(2)
    assert check(national.workbook(rng, tokyo), "a.xlsx").plan.code == "132063"
    plan = check(national.workbook(rng, hiroshima), "b.xlsx").plan
    assert (plan.code, plan.prefecture, plan.municipality) == (None, "広島県", "府中市")


def test_fifty_municipalities_build_and_every_page_runs_without_exception():
    report = national.run(50, seed=1, warm_runs=1)
    errors = {(scope, page): error for scope, pages in report["pages"].items()
              for page, (_, _, error) in pages.items() if error}
    assert errors == {}
    assert report["build_s"] > 0 and report["import_s"] > 0
    assert len(report["pages"]) == 2 and all(len(p) >= 11 for p in report["pages"].values())
