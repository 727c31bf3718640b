"""発表モード (presentation mode) and the print stylesheet, through the real entry point."""
from __future__ import annotations

import datetime as dt

import pytest

from ui.downloads import JST
from ui.printing import print_header
from warehouse import Filters


def headings(at, prefix: str) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith(prefix)]


def button(at, label: str):
    """The presentation bar's button: the page under it (hidden) may have its own 前へ/次へ, e.g. a
    table's pager."""
    return next(b for b in at.button if b.label == label and (b.key or "").startswith("present_"))


def images(at) -> list:
    found = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", "") == "image":
                found.append(child)
            walk(child)

    walk(at.main)
    return found


def test_presentation_shows_one_card_with_its_takeaway_and_picture(app):
    at = app("app_pages/trends.py", m="苫小牧市", present="1")
    assert not at.exception
    assert headings(at, "# ") == ["# 総合評価の分布 (年度別)"]
    assert headings(at, "## ")[0].startswith("## A評価の割合は R5 (2023) で")
    assert "**1 / 3**" in [m.value for m in at.markdown]
    assert len(images(at)) == 1
    assert button(at, "前へ").disabled and not button(at, "次へ").disabled


def test_next_and_previous_move_through_the_cards_and_the_url_keeps_the_position(app):
    at = app("app_pages/trends.py", m="苫小牧市", present="1")
    button(at, "次へ").click().run()
    assert at.query_params["card"] == "2"
    assert headings(at, "# ") == ["# 観点別スコアの推移 (平均)"]
    button(at, "次へ").click().run()
    assert headings(at, "# ") == ["# 自己評価合計と委員評価"]
    assert button(at, "次へ").disabled
    button(at, "前へ").click().run()
    assert headings(at, "# ") == ["# 観点別スコアの推移 (平均)"]
    assert at.query_params["m"] == "苫小牧市"  # the filters stay


def test_a_card_number_beyond_the_page_shows_the_last_card(app):
    at = app("app_pages/trends.py", m="苫小牧市", present="1", card="99")
    assert not at.exception
    assert headings(at, "# ") == ["# 自己評価合計と委員評価"]


def test_ending_the_mode_removes_the_flag_and_shows_the_page_again(app):
    at = app("app_pages/trends.py", m="苫小牧市", present="1")
    button(at, "発表モードを終了").click().run()
    assert "present" not in at.query_params and "card" not in at.query_params
    assert [t.value for t in at.title] == ["評価の推移"]
    assert not images(at)


def test_a_page_without_charts_says_so(app):
    at = app("app_pages/explorer.py", present="1")
    assert not at.exception
    assert any("発表できるグラフがありません" in i.value for i in at.info)


def test_the_sidebar_toggle_enters_the_mode(app):
    at = app("app_pages/radar.py")
    at.toggle(key="present_toggle").set_value(True).run()
    assert at.query_params["present"] == "1"
    assert headings(at, "# ") == ["# 観点別プロフィール (レーダー)"]


@pytest.mark.parametrize("page", ["app_pages/overview.py", "app_pages/fiscal.py", "app_pages/trends.py"])
def test_every_page_carries_the_a4_landscape_print_style_and_a_paper_header(app, page):
    at = app(page, m="狛江市")
    html = "".join(h.proto.body for h in at.get("html"))
    assert "@page { size: A4 landscape" in html
    assert "自治体: 狛江市" in html and "print-only" in html


def test_print_header_states_page_filters_and_time_and_escapes_text():
    header = print_header("財政効果", Filters(municipality="苫小牧市", search="<b>"), dt.datetime(2026, 11, 23, 9, 5, tzinfo=JST))
    assert "「財政効果」" in header and "自治体: 苫小牧市" in header and "年度: すべて" in header
    assert "印刷: 2026-11-23 09:05" in header
    assert "<b>" not in header and "&lt;b&gt;" in header
