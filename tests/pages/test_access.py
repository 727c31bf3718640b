"""Roles 閲覧 / 編集 (ui/access.py) in AppTest: a session on this machine, one from elsewhere,
閲覧専用モード, and with login configured an anonymous visitor, a viewer and an editor.

The login itself (a real OIDC provider in Chromium) is tests/browser/test_login.py.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.pages.conftest import PAGE_FILES
from ui import access

WORKBOOK = ROOT / "tests" / "etl" / "workbooks" / "kakuu-city-plan.xlsx"
IMPORT_PAGE = next(page for page in PAGE_FILES if page.endswith("/data_import.py"))
REAL_AUTH_CONFIGURED = access.auth_configured
AUTH = {"auth": {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
                 "client_id": "gyokaku", "client_secret": "s",
                 "server_metadata_url": "http://127.0.0.1:9400/.well-known/openid-configuration"}}
HANAKO = {"is_logged_in": True, "email": "hanako@city.example.lg.jp", "email_verified": True, "name": "閲覧 花子"}
TARO = {"is_logged_in": True, "email": "Taro@City.example.lg.jp", "name": "編集 太郎"}
GROUP_MEMBER = {"is_logged_in": True, "email": "jiro@city.example.lg.jp", "groups": ["/staff", "gyokaku-editors"]}


def dashboard(*, secrets: dict | None = None, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if secrets:
        at.secrets.update(secrets)
    if user is not None:
        at.user = user
    return at


def import_page(*, secrets: dict | None = None, user: dict | None = None) -> AppTest:
    """The import page run on its own, as a crafted request for it would (no navigation)."""
    at = AppTest.from_file(str(ROOT / IMPORT_PAGE), default_timeout=60)
    if secrets:
        at.secrets.update(secrets)
    if user is not None:
        at.user = user
    return at.run()


def navigation_pages(at: AppTest) -> list[str]:
    """The page files this session's navigation registered (AppTest refuses to switch to others)."""
    registered = []
    for page in PAGE_FILES:
        try:
            at.switch_page(page)
        except ValueError as error:
            assert "Could not find a navigation page" in str(error)
        else:
            registered.append(Path(page).name)
    return registered


def texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


@pytest.fixture
def remote(monkeypatch):
    monkeypatch.setattr(access, "direct_local_connection", lambda: False)


@pytest.fixture
def login(monkeypatch, tmp_path):
    """[auth] configured (through AppTest's secrets) and an editors file naming 太郎 and a group."""
    monkeypatch.setattr(access, "auth_configured", REAL_AUTH_CONFIGURED)
    editors = tmp_path / "editors.toml"
    editors.write_text('emails = ["taro@city.example.lg.jp"]\ngroups = ["gyokaku-editors"]\n', encoding="utf-8")
    monkeypatch.setenv(access.EDITORS_ENV, str(editors))
    return editors


def test_a_session_on_this_machine_edits():
    at = dashboard().run()
    assert not at.exception
    assert "data_import.py" in navigation_pages(at)
    assert "この端末から接続しています（編集できます）" in texts(at.sidebar, "caption")
    page = import_page()
    assert texts(page, "title") == ["データの取り込み"] and page.get("file_uploader") and not page.error


def test_a_session_from_elsewhere_only_views(remote):
    at = dashboard().run()
    assert not at.exception
    pages = navigation_pages(at)
    assert "data_import.py" not in pages and "overview.py" in pages and "quality.py" in pages
    assert any(c.startswith("閲覧のみ") for c in texts(at.sidebar, "caption"))
    page = import_page()
    assert not page.get("file_uploader") and not page.get("download_button")
    assert texts(page, "error") == [access.refusal()]
    assert "ダッシュボードを動かしているマシン上のブラウザ" in page.error[0].value


def test_read_only_mode_removes_the_import_page_even_on_this_machine(monkeypatch):
    monkeypatch.setenv(access.READ_ONLY_ENV, "1")
    at = dashboard().run()
    assert "data_import.py" not in navigation_pages(at)
    assert "閲覧専用モード（GYOKAKU_READ_ONLY=1）" in texts(at.sidebar, "caption")
    page = import_page()
    assert not page.get("file_uploader")
    assert "閲覧専用モード (GYOKAKU_READ_ONLY=1)" in page.error[0].value


def test_an_anonymous_visitor_gets_the_login_screen_only(login):
    at = dashboard(secrets=AUTH, user={"is_logged_in": False}).run()
    assert not at.exception
    assert texts(at, "title") == ["行革ダッシュボード"]
    assert [b.label for b in at.button] == ["ログイン"]
    assert not at.sidebar.selectbox and not at.get("vega_lite_chart")  # no filter bar, no page
    at.switch_page(next(p for p in PAGE_FILES if p.endswith("/explorer.py"))).run()  # a deep link: still the login
    assert [b.label for b in at.button] == ["ログイン"] and not at.get("arrow_data_frame")
    page = import_page(secrets=AUTH, user={"is_logged_in": False})
    assert not page.get("file_uploader") and "ログインが必要です" in page.error[0].value


def test_a_logged_in_viewer_views_every_page_but_not_the_import(login, remote):
    at = dashboard(secrets=AUTH, user=HANAKO).run()
    assert not at.exception
    pages = navigation_pages(at)
    assert "data_import.py" not in pages and len(pages) == len(PAGE_FILES) - 1
    assert "ログイン中: hanako@city\\.example\\.lg\\.jp（閲覧）" in texts(at.sidebar, "caption")
    assert "ログアウト" in [b.label for b in at.sidebar.button]
    page = import_page(secrets=AUTH, user=HANAKO)
    assert not page.get("file_uploader")
    assert "「閲覧」です" in page.error[0].value and "hanako@city" in page.error[0].value


def test_login_decides_even_on_this_machine(login):
    """With [auth] the machine does not matter: a viewer on localhost is still a viewer."""
    at = dashboard(secrets=AUTH, user=HANAKO).run()
    assert "data_import.py" not in navigation_pages(at)


@pytest.mark.parametrize("user", [TARO, GROUP_MEMBER], ids=["by e-mail (any case)", "by group claim"])
def test_an_editor_named_in_the_editors_file_imports(login, remote, user):
    at = dashboard(secrets=AUTH, user=user).run()
    assert "data_import.py" in navigation_pages(at)
    assert any(c.endswith("（編集）") for c in texts(at.sidebar, "caption"))
    page = import_page(secrets=AUTH, user=user)
    assert page.get("file_uploader") and not page.error


def test_logout_returns_to_the_login_screen(login):
    at = dashboard(secrets=AUTH, user=dict(TARO)).run()
    at.sidebar.button(key="logout").click().run()
    assert not at.exception
    assert at.user == {"is_logged_in": False}
    assert [b.label for b in at.button] == ["ログイン"]


def test_a_login_older_than_the_login_hours_asks_to_log_in_again(login, monkeypatch):
    import time

    monkeypatch.setenv(access.LOGIN_HOURS_ENV, "8")
    expired = TARO | {"iat": int(time.time()) - 9 * 3600}
    at = dashboard(secrets=AUTH, user=expired).run()
    assert [b.label for b in at.button] == ["ログイン"]
    assert texts(at, "warning") == ["ログインの有効期限（8 時間）が切れました。もう一度ログインしてください。"]
    assert "ログインが必要です" in import_page(secrets=AUTH, user=expired).error[0].value
    at = dashboard(secrets=AUTH, user=TARO | {"iat": int(time.time()) - 7 * 3600}).run()
    assert "data_import.py" in navigation_pages(at)


def test_a_broken_editors_file_means_nobody_edits_and_says_why(login, remote):
    login.write_text('emails = "taro@city.example.lg.jp"\n', encoding="utf-8")
    at = dashboard(secrets=AUTH, user=TARO).run()
    assert "data_import.py" not in navigation_pages(at)
    assert any(access.plain("editors.toml: emails は文字列の配列で書いてください") in e for e in texts(at.sidebar, "error"))


def upload(page: AppTest) -> AppTest:
    page.file_uploader[0].upload(WORKBOOK.name, WORKBOOK.read_bytes())
    return page.run()


def test_a_click_after_the_role_was_withdrawn_imports_nothing(login, remote, monkeypatch):
    """The role is checked in the run that would import, not remembered from when the button
    was drawn: 太郎 sees the confirm button, is removed from the editors file, then clicks."""
    import etl.upload

    calls = []
    monkeypatch.setattr(etl.upload, "import_workbook", lambda *args, **kwargs: calls.append(args))
    page = upload(import_page(secrets=AUTH, user=TARO))
    button = page.button(key="import_confirm")
    assert button.label == "架空市のデータを取り込む"
    login.write_text('emails = ["someone.else@city.example.lg.jp"]\n', encoding="utf-8")
    button.click().run()
    assert calls == []
    assert "「閲覧」です" in page.error[0].value


def test_an_editor_click_imports(login, remote, monkeypatch):
    """The same click by a current editor reaches etl.upload.import_workbook (the control case)."""
    import etl.upload

    calls = []
    monkeypatch.setattr(etl.upload, "import_workbook", lambda *args, **kwargs: calls.append(args))
    page = upload(import_page(secrets=AUTH, user=TARO))
    page.button(key="import_confirm").click().run()
    assert [(args[1]) for args in calls] == [WORKBOOK.name]


# --- the pieces, without a session ---------------------------------------------------------

LOCAL = {"Host": "127.0.0.1:8501", "Origin": "http://127.0.0.1:8501"}


@pytest.mark.parametrize(("headers", "ip", "local"), [
    (LOCAL, None, True),
    ({"host": "localhost:8501"}, None, True),
    ({"Host": "[::1]:8501"}, None, True),
    ({"Host": "LOCALHOST"}, None, True),
    ({"Host": "192.0.2.7:8501"}, "192.0.2.7", False),  # another machine
    (LOCAL | {"X-Forwarded-For": "127.0.0.1"}, None, False),  # through a proxy on this machine
    (LOCAL | {"x-real-ip": "203.0.113.9"}, None, False),
    (LOCAL | {"Via": "1.1 caddy"}, None, False),
    (LOCAL | {"Forwarded": "for=203.0.113.9"}, None, False),
    ({"Host": "rebound.example:8501"}, None, False),  # DNS rebinding from a local browser
    ({"Host": "localhost.example.com:8501"}, None, False),
    ({}, None, False),  # no browser connection at all
    (None, None, False),
])
def test_only_a_direct_loopback_connection_is_local(headers, ip, local):
    assert access.is_direct_local(headers, ip) is local


@pytest.mark.parametrize(("text", "message"), [
    ("emails = [", "editors.toml: TOML として読めません"),
    ('email = ["a@b.jp"]', "editors.toml: 知らない項目 email（使えるのは emails, groups, group_claim）"),
    ('groups = ["", "x"]', "editors.toml: groups は文字列の配列で書いてください"),
    ("group_claim = 3", "editors.toml: group_claim は ID トークンのクレーム名"),
])
def test_a_wrong_editors_file_is_named_in_japanese(text, message):
    with pytest.raises(access.EditorsFileError, match=message):
        access.parse_editors(text)


def test_editors_match_verified_addresses_and_configured_groups():
    editors = access.parse_editors('emails = ["Taro@City.example.lg.jp"]\ngroups = ["g1"]\ngroup_claim = "roles"')
    assert editors.includes({"email": "taro@city.example.lg.jp"})
    assert editors.includes({"email": " TARO@city.example.lg.jp ", "email_verified": True})
    assert not editors.includes({"email": "taro@city.example.lg.jp", "email_verified": False})
    assert editors.includes({"roles": ["x", "g1"]}) and editors.includes({"roles": "g1"})
    assert not editors.includes({"groups": ["g1"]})  # another claim than the configured one
    assert not editors.includes({"email": "hanako@city.example.lg.jp", "roles": ["g2"]})
    assert not access.Editors().includes({"email": "taro@city.example.lg.jp", "groups": ["g1"]})


def test_names_from_the_identity_provider_are_shown_as_text():
    assert access.plain("![x](http://example.com/a.png) :red[x]") == \
        "\\!\\[x\\]\\(http\\://example\\.com/a\\.png\\) \\:red\\[x\\]"


def test_only_an_editor_may_build_a_missing_warehouse(remote, tmp_path, monkeypatch):
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(tmp_path / "absent.duckdb"))
    at = dashboard().run()
    assert not at.exception and not at.button
    assert "管理者に作成を依頼してください" in at.warning[0].value
    assert not (tmp_path / "absent.duckdb").exists()
