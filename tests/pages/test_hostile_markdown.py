"""Markdown and HTML in imported text (and in the URL) render as text on every page.

A workbook whose every free-text field carries ``![x](http://attacker.invalid/…)``, an ``<img>``,
a link, an autolink, emphasis, a colour directive and math is imported; every page then runs
with its municipality selected (and the explorer's detail panel, 発表モード with the payload as the
search, the deck builder with a crafted ``deck`` parameter). Every string Streamlit renders as
markdown — bodies of st.markdown / captions / titles / alerts / toasts, and the labels and help
tooltips of widgets, metrics, expanders and page links — must hold the payload only escaped.
(``st.text`` and ``st.code`` show text as text; they are not markdown.)
"""
from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path

import pytest

from etl.upload import import_workbook
from etl.workbook import check
from tests.conftest import RAW_DIR
from tests.etl import hostile
from tests.pages.conftest import registered_pages

MARKDOWN_FIELDS = {"body", "label", "help"}
PLAIN_ELEMENTS = {"Text", "Code"}  # st.text, st.code: never markdown
HTML_ELEMENTS = {"Html"}  # st.html (the print header): the data in it must be HTML-escaped


@pytest.fixture(scope="module")
def hostile_warehouse(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("hostile_markdown")
    raw = folder / "raw"
    shutil.copytree(RAW_DIR, raw)
    target = folder / "warehouse.duckdb"
    data = hostile.markdown_workbook()
    from etl.pipeline import build

    build(raw, target)
    import_workbook(data, "evil.xlsx", raw, target)
    return target, check(data, "evil.xlsx").plan.municipality


@pytest.fixture
def hostile_app(app, hostile_warehouse, monkeypatch):
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(hostile_warehouse[0]))
    return app


def _strings(proto, out: list[str]) -> None:
    for field, value in proto.ListFields():
        if field.message_type is not None:
            for item in ([value] if hasattr(value, "ListFields") else value):
                if hasattr(item, "ListFields"):
                    _strings(item, out)
        elif field.name in MARKDOWN_FIELDS and isinstance(value, str):
            out.append(value)


def markdown_strings(at, kinds: set[str] | None = None) -> list[str]:
    """Every string of the app's element tree that Streamlit renders as markdown (``kinds``:
    of these element types instead)."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        name = type(proto).__name__
        if proto is not None and ((name in kinds) if kinds else name not in PLAIN_ELEMENTS | HTML_ELEMENTS):
            _strings(proto, out)
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)

    walk(at._tree)
    return out


def unsafe_html(at) -> list[str]:
    return [s for s in markdown_strings(at, HTML_ELEMENTS) if f"{hostile.ATTACKER}" in s and
            ("<img" in s.replace("<img src=", "", 0) and f"<img src=http://{hostile.ATTACKER}" in s
             or f'href="http://{hostile.ATTACKER}' in s or f"<a href=http://{hostile.ATTACKER}" in s)]


def unsafe(strings: list[str]) -> list[str]:
    """Strings where the payload's syntax survives: what is left once every backslash-escaped
    character is taken out still holds an image, a link, HTML, an autolink or a directive."""
    tokens = ("![", "](", "<img", f"http://{hostile.ATTACKER}", ":red[", "$x")
    return [s for s in strings if any(t in re.sub(r"\\.", "", s) for t in tokens)]


def shown(strings: list[str]) -> bool:
    """The payload is on screen (escaped): the check below is not vacuous."""
    return any("!\\[x\\](http\u2060://" in s for s in strings)


@pytest.mark.parametrize("page", registered_pages())
def test_every_page_shows_imported_markdown_as_text(page, hostile_app, hostile_warehouse):
    at = hostile_app(page, m=hostile_warehouse[1])
    assert not at.exception
    strings = markdown_strings(at)
    assert unsafe(strings) == [] and unsafe_html(at) == []
    if page in ("app_pages/overview.py", "app_pages/explorer.py", "app_pages/trends.py", "app_pages/fiscal.py",
                "app_pages/indicators.py", "app_pages/quality.py"):
        assert shown(strings), page


def test_the_detail_panel_shows_imported_markdown_as_text(hostile_app, hostile_warehouse):
    at = hostile_app("app_pages/explorer.py", m=hostile_warehouse[1], id="xlsx-evil/1-1")
    assert not at.exception
    strings = markdown_strings(at)
    assert any("窓口業務の委託" in s for s in strings)  # the detail panel is open
    assert unsafe(strings) == [] and shown(strings)


def test_presentation_mode_does_not_reflect_markdown_from_the_url(hostile_app):
    search = hostile.payload("q")
    at = hostile_app("app_pages/trends.py", present="1", q=search)
    assert not at.exception
    strings = markdown_strings(at)
    assert unsafe(strings) == []
    assert any(f"http\u2060://{hostile.ATTACKER}/q.png" in s for s in strings)  # the bar states the search


def test_the_deck_builder_does_not_reflect_markdown_from_the_url(hostile_app):
    token = base64.urlsafe_b64encode(json.dumps(
        [f"![x](http://{hostile.ATTACKER}/deck.png)", {}, {}]).encode()).decode().rstrip("=")
    at = hostile_app("app_pages/deck.py", deck=f"v1.{token}")
    assert not at.exception
    strings = markdown_strings(at)
    assert unsafe(strings) == [] and shown(strings)


def test_the_overview_of_all_municipalities_names_sources_as_text(hostile_app):
    at = hostile_app("app_pages/overview.py")  # the summary's figures name the municipalities they sum
    assert not at.exception
    strings = markdown_strings(at)
    assert unsafe(strings) == [] and shown(strings)
