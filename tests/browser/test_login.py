"""Login end to end: Streamlit's OIDC login in Chromium against a real OpenID provider
(oidc-provider-mock, started here on 127.0.0.1), roles from an editors file.

- an anonymous visitor sees only the login screen, at every address;
- a viewer (閲覧) has no データの取り込み in the navigation, its URL gives "Page not found",
  and an editor's own import click replayed over the viewer's WebSocket (a crafted rerun)
  neither shows the page nor imports;
- an editor (編集, by the ID token's group claim) imports a workbook, then logs out.

Nothing but loopback is contacted: the browser's requests to other hosts are refused and
recorded (only the provider's own page asks for one, a stylesheet on a CDN).
The secrets and editors files are written to a temporary folder, never the repository's.
"""
from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from streamlit.util import calc_hash

from etl.pipeline import build
from tests.browser.conftest import (_free_port, published_screenshot, screenshot, start_server, wait_for_app,
                                    wait_for_nav_links, wait_until_healthy)
from tests.conftest import RAW_DIR, ROOT
from tests.pages.conftest import registered_pages

pytestmark = pytest.mark.browser
WORKBOOK = ROOT / "tests" / "etl" / "workbooks" / "kakuu-city-plan.xlsx"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
VIEWER = {"sub": "hanako", "email": "hanako@city.example.lg.jp", "email_verified": True, "name": "閲覧 花子"}
EDITOR = {"sub": "taro", "email": "taro@city.example.lg.jp", "email_verified": True, "name": "編集 太郎",
          "groups": ["/staff", "gyokaku-editors"]}


def _wait_for(url: str, timeout: float = 30) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """A real OpenID provider on loopback with the two users as one-click accounts."""
    port = _free_port()
    log = tmp_path_factory.mktemp("idp") / "idp.log"
    args = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    for user in (VIEWER, EDITOR):
        args += ["--user-claims", json.dumps(user, ensure_ascii=False)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/.well-known/openid-configuration")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def login_server(provider, tmp_path_factory):
    """The dashboard with [auth] pointing at the provider; imports go to a copy of data/raw."""
    folder = tmp_path_factory.mktemp("login")
    raw = folder / "raw"
    shutil.copytree(RAW_DIR, raw)
    warehouse = folder / "warehouse.duckdb"
    build(raw, warehouse)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(f"""[auth]
redirect_uri = "{url}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"
client_id = "gyokaku-dashboard"
client_secret = "{secrets.token_urlsafe(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""", encoding="utf-8")
    editors = folder / "editors.toml"
    editors.write_text('emails = ["somebody.else@city.example.lg.jp"]\ngroups = ["gyokaku-editors"]\n',
                       encoding="utf-8")
    process = start_server(warehouse, port, raw=raw, secrets=secrets_file, env={"GYOKAKU_EDITORS": str(editors)},
                           log=folder / "streamlit.log")
    try:
        wait_until_healthy(url)
        yield url, raw, warehouse
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def blocked():
    """Requests the browser tried to send off this machine: (url, address of the page asking)."""
    return []


@pytest.fixture
def browse(browser, blocked, provider):
    """A new browser (own cookies) that may reach loopback only; the test gets its page."""
    contexts = []

    def open_browser():
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ja-JP")
        contexts.append(context)

        def only_loopback(route):
            request = route.request
            if urlparse(request.url).hostname in LOOPBACK:
                route.continue_()
            else:
                blocked.append((request.url, request.frame.url))
                route.abort()

        context.route("**/*", only_loopback)
        page = context.new_page()
        page.set_default_timeout(60_000)
        return page

    yield open_browser
    for context in contexts:
        context.close()
    # The dashboard never asks for anything off this machine; the provider's page does (a CDN
    # stylesheet), and that request never left either.
    assert all(frame.startswith(provider) for _, frame in blocked), blocked


def log_in(page, url: str, user: dict) -> None:
    page.goto(url)
    wait_for_app(page)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/oauth2/authorize**")  # the provider's own page
    page.get_by_role("button", name=user["sub"], exact=True).click()
    page.wait_for_url(f"{url}/")
    wait_for_app(page)
    page.get_by_text(f"ログイン中: {user['email']}").wait_for()


def assert_no_import_page(page) -> None:
    assert page.get_by_role("heading", name="データの取り込み").count() == 0
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert page.locator('.st-key-sidebar-nav').get_by_text("データの取り込み").count() == 0


def test_an_anonymous_visitor_sees_only_the_login_screen(login_server, browse):
    url, _, _ = login_server
    page = browse()
    for address in ("", "/data_import", "/explorer?m=苫小牧市"):
        page.goto(url + address)
        wait_for_app(page)
        page.get_by_role("button", name="ログイン").wait_for()
        page.get_by_text("組織のアカウントでログインしてください").wait_for()
        assert page.locator('.st-key-sidebar-nav').count() == 0
        assert page.locator('[data-testid="stFileUploader"]').count() == 0
        assert page.locator('[data-testid="stSelectbox"]').count() == 0  # no filter bar: no data
    published_screenshot(page, "login")


class Socket:
    """The page's WebSocket to Streamlit, passed through; ``hold`` keeps outgoing import clicks
    back (recorded, not sent); ``pages_run`` lists the page of each run the server started."""

    def __init__(self, page):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.server = None
        self.hold = False
        self.held: list[bytes] = []
        self.pages_run: list[str] = []  # the page (script hash) of every run the server started

        def route(ws):
            server = ws.connect_to_server()
            self.server = server

            def outgoing(message):
                if self.hold and isinstance(message, bytes) and self._is_import_click(message):
                    self.held.append(message)
                else:
                    server.send(message)

            def incoming(message):
                if isinstance(message, bytes):
                    forward = ForwardMsg.FromString(message)
                    if forward.WhichOneof("type") == "navigation":
                        self.pages_run.append(forward.navigation.page_script_hash)
                ws.send(message)

            ws.on_message(outgoing)
            server.on_message(incoming)

        page.route_web_socket("**/_stcore/stream", route)

    @staticmethod
    def _is_import_click(message: bytes) -> bool:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        back = BackMsg.FromString(message)
        return back.WhichOneof("type") == "rerun_script" and any(
            w.id.endswith("-import_confirm") and w.trigger_value for w in back.rerun_script.widget_states.widgets)


def test_a_viewer_reaches_neither_the_import_page_nor_its_action(login_server, browse):
    url, raw, warehouse = login_server
    before = sorted(p.name for p in raw.iterdir()), warehouse.read_bytes()

    # An editor's click on 「取り込む」, kept back so it does not import: a real rerun request for
    # the import page with the button pressed, as a crafted request would be.
    editor = browse()
    socket = Socket(editor)
    log_in(editor, url, EDITOR)
    editor.goto(f"{url}/data_import")
    wait_for_app(editor)
    editor.locator("input[type=file]").set_input_files(files=[{
        "name": "replayed.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": WORKBOOK.read_bytes()}])
    wait_for_app(editor)
    socket.hold = True
    editor.get_by_role("button", name="架空市のデータを取り込む").click()
    editor.wait_for_timeout(1000)
    [crafted] = socket.held
    editor.context.close()

    viewer = browse()
    socket = Socket(viewer)
    log_in(viewer, url, VIEWER)
    viewer.get_by_text("ログイン中: hanako@city.example.lg.jp（閲覧）").wait_for()
    wait_for_nav_links(viewer)
    titles = [text.split("\n")[-1] for text in viewer.locator('.st-key-sidebar-nav a').all_inner_texts()]
    every_page = len(registered_pages())  # the viewer sees them all but データの取り込み
    assert len(titles) == every_page - 1 and "データ品質" in titles and "データの取り込み" not in titles
    assert_no_import_page(viewer)
    screenshot(viewer, "login_viewer")

    viewer.goto(f"{url}/data_import")  # by URL
    wait_for_app(viewer)
    viewer.get_by_text("Page not found").first.wait_for()
    assert_no_import_page(viewer)

    runs = len(socket.pages_run)
    socket.server.send(crafted)  # the crafted rerun, on the viewer's own connection
    viewer.wait_for_timeout(1500)
    wait_for_app(viewer)
    # Streamlit ran the default page instead: the import page is not this session's to run.
    assert socket.pages_run[runs:] == [calc_hash("overview")]
    viewer.get_by_role("heading", name="概要", exact=True).wait_for()
    assert_no_import_page(viewer)
    assert (sorted(p.name for p in raw.iterdir()), warehouse.read_bytes()) == before
    assert not (raw / "replayed.xlsx").exists()


def test_an_editor_imports_a_workbook_and_logs_out(login_server, browse):
    url, raw, _ = login_server
    page = browse()
    log_in(page, url, EDITOR)
    page.get_by_text("ログイン中: taro@city.example.lg.jp（編集）").wait_for()
    page.locator('.st-key-sidebar-nav').get_by_text("データの取り込み").click()
    wait_for_app(page)
    page.locator("input[type=file]").set_input_files(str(WORKBOOK))
    wait_for_app(page)
    page.get_by_text("問題は見つかりませんでした").wait_for()
    page.get_by_role("button", name="架空市のデータを取り込む").click()
    page.get_by_text("kakuu-city-plan.xlsx を取り込みました").wait_for(timeout=120_000)
    assert (raw / WORKBOOK.name).read_bytes() == WORKBOOK.read_bytes()
    wait_for_app(page)
    screenshot(page, "login_editor_imported")

    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/oauth2/end_session**")  # the provider ends its session too
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{url}/")
    wait_for_app(page)
    page.get_by_role("button", name="ログイン").wait_for()
    assert not [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]
    page.goto(f"{url}/data_import")
    wait_for_app(page)
    page.get_by_role("button", name="ログイン").wait_for()
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
