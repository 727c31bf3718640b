"""JIS X 8341-3 / WCAG 2.1 AA in the browser: axe-core on every page and state a council member
meets (tests/browser/audit.py), and what a screen reader needs (language, one h1, chart text).

One server, one browser context, pages switched through the sidebar as a person does. The report
goes to tests/browser/output/accessibility.md; ``python -m bench a11y`` refreshes the reviewers'
copy in docs/accessibility.md.
"""
from __future__ import annotations

import json

import pytest

from tests.browser.audit import BLOCKING, VIEWPORT, audit, markdown_report, report_rows, states, structure_problems
from tests.browser.conftest import OUTPUT

pytestmark = pytest.mark.browser


def test_no_serious_or_critical_violation_and_a_readable_structure_on_every_page(server, browser):
    context = browser.new_context(viewport=VIEWPORT, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(60_000)
    results, structure, previous = {}, {}, None
    try:
        for state in states():
            results[state] = audit(page, server, state, previous)
            structure[state] = structure_problems(page)
            previous = state
        version = page.evaluate("axe.version")
    finally:
        context.close()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "accessibility.md").write_text(markdown_report(results, version), encoding="utf-8")
    (OUTPUT / "accessibility.json").write_text(json.dumps(report_rows(results), ensure_ascii=False, indent=1),
                                               encoding="utf-8")

    assert len(results) >= 2 * 11 + 3  # every page twice, plus the three opened states
    blocking = [f"{r['page']} ({r['state']}): {r['rule']} ×{r['count']} {r['targets']}"
                for r in report_rows(results) if r["impact"] in BLOCKING]
    assert blocking == [], "\n".join(blocking)
    problems = [f"{state.page} ({state.state}): {p}" for state, found in structure.items() for p in found]
    assert problems == [], "\n".join(problems)
