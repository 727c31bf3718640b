"""The accessibility audit: axe-core (WCAG 2.0/2.1 A and AA rules, bundled by the PyPI package
axe-playwright-python, nothing downloaded) on every page and state a council member meets.

Shared by the browser test (tests/browser/test_accessibility.py, which fails on any serious or
critical violation and writes its report to tests/browser/output/) and by the by-hand command
``python -m bench a11y``, which writes the reviewers' copy to docs/accessibility.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

from tests.conftest import ROOT

VIEWPORT = {"width": 1366, "height": 768}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
IMPACT_ORDER = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3, None: 4}

# (url_path, title) of every screen, in the order dashboard.py registers them.
PAGES = [(re.search(r'url_path="(\w+)"', call).group(1) if "url_path=" in call else "overview",
          re.search(r'title="([^"]+)"', call).group(1))
         for call in re.findall(r'st\.Page\("app_pages/[^)]*\)', (ROOT / "dashboard.py").read_text(encoding="utf-8"))]


@dataclass(frozen=True)
class State:
    """One page in one state: where to go and what to do before the audit."""
    page: str  # url_path ("overview" for the default page)
    state: str  # a short Japanese description for the report
    query: str = ""
    act: Callable | None = None  # what a person does after the page has loaded

    def url(self, server: str) -> str:
        path = "" if self.page == "overview" else self.page
        return f"{server}/{path}{'?' + self.query if self.query else ''}"


def _open_full_text(page) -> None:
    page.get_by_text(re.compile("^全文を読む")).first.click()
    page.wait_for_timeout(300)


def states() -> list[State]:
    town = "m=" + quote("苫小牧市")
    out = [State(path, "初期表示") for path, _ in PAGES]
    out += [State(path, "自治体を選択 (苫小牧市)", town) for path, _ in PAGES]
    out += [
        State("explorer", "行を開いた (詳細表示)", "id=" + quote("tomakomai-sokaku-r6/実践項目:2")),
        State("cases", "「全文を読む」を開いた", act=_open_full_text),
        State("trends", "発表モード", f"{town}&present=1"),
    ]
    return out


def wait_for_app(page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
    # Charts draw after the script run; axe should see them.
    page.wait_for_timeout(200)


TITLES = dict(PAGES)


def open_state(page, server: str, state: State, previous: State | None = None) -> None:
    """Open ``state``: through the sidebar link when the previous state was another page with the
    same URL parameters (as a person switches pages, and without reloading Streamlit's
    scripts), else by its URL."""
    if previous is not None and previous.query == state.query and previous.act is None \
            and previous.page != state.page and "present=1" not in state.query:
        page.locator(".st-key-sidebar-nav").get_by_role("link", name=TITLES[state.page], exact=True).click()
        page.wait_for_url(lambda url: state.page == "overview" or f"/{state.page}" in url)
    else:
        page.goto(state.url(server))
    if "present=1" in state.query:
        page.wait_for_selector(".st-key-present-view h2", timeout=60_000)
    else:
        page.get_by_role("heading", name=TITLES[state.page], exact=True).wait_for(timeout=60_000)
    wait_for_app(page)
    if "present=1" not in state.query:  # axe should see the links, not their loading placeholders
        page.locator(".st-key-sidebar-nav a").first.wait_for()
        page.wait_for_function("() => !document.querySelector('.st-key-sidebar-nav [data-testid=\"stSkeleton\"]')")
    if state.act is not None:
        state.act(page)
        wait_for_app(page)


def audit(page, server: str, state: State, previous: State | None = None) -> list[dict]:
    """Open ``state`` in ``page`` and return axe's violations (id, impact, help, nodes)."""
    from axe_playwright_python.sync_playwright import Axe

    open_state(page, server, state, previous)
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS},
                                      "resultTypes": ["violations"]})
    return result.response["violations"]


# What a screen reader needs beyond axe's rules: the page's language, one h1, a text alternative
# on every chart and picture (empty alt only where decorative, which we have none of).
STRUCTURE_JS = """() => {
  const visible = (e) => e.offsetParent !== null;
  const main = document.querySelector('[data-testid="stMain"]');
  const problems = [];
  if (document.documentElement.lang !== 'ja') problems.push(`html lang="${document.documentElement.lang}"`);
  const h1 = [...main.querySelectorAll('h1')].filter(visible);
  if (h1.length !== 1) problems.push(`${h1.length} h1: ${h1.map(h => h.innerText).join(' / ')}`);
  for (const chart of main.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
    if (visible(chart) && !(chart.getAttribute('aria-label') || '').includes('。'))
      problems.push(`chart without a text alternative: ${chart.getAttribute('aria-label')}`);
  }
  for (const img of document.querySelectorAll('img')) {
    if (visible(img) && !img.alt && img.getAttribute('aria-hidden') !== 'true')
      problems.push(`img without alt: ${img.src.slice(0, 80)}`);
  }
  return problems;
}"""


def structure_problems(page) -> list[str]:
    return page.evaluate(STRUCTURE_JS)


def report_rows(results: dict[State, list[dict]]) -> list[dict]:
    rows = []
    for state, violations in results.items():
        for v in violations:
            rows.append({"page": state.page, "state": state.state, "rule": v["id"], "impact": v["impact"],
                         "count": len(v["nodes"]), "help": v["help"],
                         "targets": [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]})
    return sorted(rows, key=lambda r: (IMPACT_ORDER.get(r["impact"], 4), r["page"], r["rule"]))


def markdown_report(results: dict[State, list[dict]], axe_version: str) -> str:
    rows = report_rows(results)
    blocking = [r for r in rows if r["impact"] in BLOCKING]
    lines = ["# アクセシビリティ監査 (axe-core)", "",
             f"axe-core {axe_version}、規則: {', '.join(TAGS)} (WCAG 2.0/2.1 A・AA、JIS X 8341-3:2016 AA 相当)。",
             f"Chromium {VIEWPORT['width']}×{VIEWPORT['height']}、{len(results)} の画面・状態。",
             "生成: `python -m bench a11y` (テストは同じ監査を tests/browser/output/ に書きます)。", "",
             f"重大 (serious/critical) な違反: **{sum(r['count'] for r in blocking)} 件**。", ""]
    lines += ["| 画面 | 状態 | 規則 | 件数 | 影響度 |", "|---|---|---|---:|---|"]
    for r in rows:
        lines.append(f"| {r['page']} | {r['state']} | `{r['rule']}` | {r['count']} | {r['impact']} |")
    if not rows:
        lines.append("| (すべて) | (すべて) | — | 0 | — |")
    lines += ["", "## 監査した画面と状態", ""]
    for state in results:
        lines.append(f"- {state.page} — {state.state}{' (`?' + state.query + '`)' if state.query else ''}: "
                     f"違反 {sum(len(v['nodes']) for v in results[state])} 件")
    return "\n".join(lines) + "\n"
