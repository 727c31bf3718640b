"""The main flow with the keyboard only (WCAG 2.1.1, 2.1.2, 2.4.7): Tab / Shift+Tab, Enter,
Space, arrows and typing, never the mouse. Every step checks that the focused control shows a
focus ring, and the walk through a whole page ends back at the top (no keyboard trap).
"""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot, wait_for_app, wait_for_nav_links

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {tag: e.tagName, role: e.getAttribute('role') || '', label: e.getAttribute('aria-label') || '',
          lines: (e.innerText || '').split('\\n').map(line => line.trim()).filter(Boolean),
          ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
}"""


def focused(page) -> dict:
    """The focused element; ``text`` is its visible words without Material icon names."""
    now = page.evaluate(FOCUSED)
    now["text"] = " ".join(line for line in now.pop("lines") if not re.fullmatch(r"[a-z_]+", line))
    return now


def tab_to(page, matches, limit: int = 120, key: str = "Tab") -> dict:
    """Press Tab until the focused element ``matches``; it must show a focus ring."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if matches(now):
            assert now["ring"], f"no visible focus ring on {now}"
            return now
    raise AssertionError(f"not reached with {limit} × {key}; last focus: {focused(page)}")


def named(text: str):
    return lambda f: f["text"] == text or f["label"] == text


def test_the_main_flow_with_the_keyboard_only(server, page):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(server)
    page.get_by_role("heading", name="概要", exact=True).wait_for()
    wait_for_app(page)
    wait_for_nav_links(page)

    # Switch page from the sidebar.
    tab_to(page, named("評価の推移"))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="評価の推移", exact=True).wait_for()
    wait_for_app(page)
    assert "/trends" in page.url

    # Change a filter: open the list with the arrow key, type to narrow it, Enter to choose.
    tab_to(page, lambda f: f["role"] == "combobox" and f["label"] == "自治体")
    page.keyboard.press("ArrowDown")
    page.keyboard.type("苫小牧")
    page.keyboard.press("Enter")
    wait_for_app(page)
    assert "m=012131" in page.url  # the URL carries 苫小牧市's 自治体コード
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()

    # 資料に追加 on the first card.
    tab_to(page, named("資料に追加"))
    page.keyboard.press("Enter")
    wait_for_app(page)
    page.get_by_text(re.compile("を資料に追加しました")).first.wait_for()  # the toast

    # A download from the card's menu: Enter opens it, Tab reaches a file, Enter saves it.
    tab_to(page, named("ダウンロード"))
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.closest('[data-testid=\"stPopoverBody\"]')")
    tab_to(page, lambda f: f["tag"] == "BUTTON" and "Excel" in f["text"], limit=5)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".xlsx")
    page.keyboard.press("Escape")

    # 発表モード: Space on the switch, arrows between cards, Escape back.
    tab_to(page, lambda f: f["label"] == "発表モード" or f["text"] == "発表モード")
    page.keyboard.press("Space")
    wait_for_app(page)
    page.locator('[data-testid="stImage"] img').wait_for()
    assert "present=1" in page.url
    page.keyboard.press("ArrowRight")
    wait_for_app(page)
    page.wait_for_url(re.compile("card=2"))
    page.keyboard.press("Escape")
    wait_for_app(page)
    page.get_by_role("heading", name="評価の推移", exact=True).wait_for()
    assert "present" not in page.url
    screenshot(page, "keyboard_after_presentation")


def test_no_keyboard_trap_on_the_explorer(server, page):
    """Tab from the top runs through the sidebar, the table (cell by cell) and the downloads and
    comes round to the first link again; Shift+Tab goes back the same way."""
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{server}/explorer")
    page.get_by_role("heading", name="取組一覧", exact=True).wait_for()
    wait_for_app(page)
    wait_for_nav_links(page)
    first = tab_to(page, named("概要"))
    seen = []
    for _ in range(150):
        page.keyboard.press("Tab")
        now = focused(page)
        seen.append((now["tag"], now["label"], now["text"]))
        if now["text"] == first["text"] and now["tag"] == "A":
            break
    else:
        raise AssertionError(f"Tab did not come round to the first link: ended on {seen[-5:]}")
    assert ("CANVAS", "", "") in seen and any("CSV" in text for _, _, text in seen)
    tab_to(page, lambda f: f["role"] == "combobox" and f["label"] == "自治体", key="Shift+Tab", limit=150)
