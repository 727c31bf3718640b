"""Refresh docs/accessibility.md (``python -m bench a11y``): the axe-core audit of every page
and state (tests/browser/audit.py) against a warehouse built from data/raw.

Not a measurement: like ``screenshots`` it is a by-hand command that rewrites a tracked file;
the browser test runs the same audit and writes only to tests/browser/output/.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "accessibility.md"


def run_audit(warehouse: Path) -> tuple[dict, str]:
    """Start one server and one browser, audit every state; (results by state, axe version)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.audit import VIEWPORT, audit, states
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port, start_server, wait_until_healthy

    port = _free_port()
    server = start_server(warehouse, port)
    url = f"http://127.0.0.1:{port}"
    results, version = {}, "?"
    try:
        wait_until_healthy(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport=VIEWPORT, locale="ja-JP")
            page = context.new_page()
            page.set_default_timeout(60_000)
            previous = None
            for state in states():
                results[state] = audit(page, url, state, previous)
                previous = state
                print(f"{state.page:12} {state.state:20} "
                      + (", ".join(f"{v['id']}:{v['impact']}×{len(v['nodes'])}" for v in results[state]) or "0"),
                      flush=True)
            version = page.evaluate("window.axe && axe.version") or "?"
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    return results, version


def main() -> int:
    from etl.pipeline import build
    from settings import DEFAULT_RAW_DIR
    from tests.browser.audit import BLOCKING, markdown_report

    with tempfile.TemporaryDirectory() as folder:
        warehouse = Path(folder) / "warehouse.duckdb"
        build(DEFAULT_RAW_DIR, warehouse)
        results, version = run_audit(warehouse)
    REPORT.write_text(markdown_report(results, version), encoding="utf-8")
    print(f"{REPORT.relative_to(ROOT)} を書きました。")
    blocking = sum(len(v["nodes"]) for vs in results.values() for v in vs if v["impact"] in BLOCKING)
    return 1 if blocking else 0


if __name__ == "__main__":
    sys.exit(main())
