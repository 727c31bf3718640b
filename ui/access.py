"""Who may do what: the roles 閲覧 (view) and 編集 (edit).

閲覧 sees every page and every export. 編集 may also use データの取り込み (import), undo an
import and delete an imported municipality. Which one a session has:

- ``GYOKAKU_READ_ONLY=1``: nobody edits, and the import page is not in the navigation.
- ``[auth]`` in ``.streamlit/secrets.toml`` (Streamlit's own OIDC login): anonymous visitors
  get the login screen only; a logged-in user is 編集 when named in ``.streamlit/editors.toml``
  (by e-mail address or by a group claim of the ID token), else 閲覧. A login older than
  ``GYOKAKU_LOGIN_HOURS`` (12) counts as none.
- No ``[auth]``: 編集 only for a direct connection from this machine (loopback address, a
  loopback Host, and no proxy headers), 閲覧 for everyone else. A reverse proxy on the same
  machine connects from loopback too, so a deployment behind one must configure ``[auth]``
  or set ``GYOKAKU_READ_ONLY=1`` (README, 「ログインと権限」); the proxy-header check is a
  second line, not the plan.

Hiding a page is not access control: the pages call :func:`require_edit` when drawn and
again at the moment of the action, so a crafted rerun or a direct URL cannot import.
"""
from __future__ import annotations

import getpass
import logging
import os
import threading
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from settings import ROOT

log = logging.getLogger("gyokaku")

VIEW = "閲覧"
EDIT = "編集"
READ_ONLY_ENV = "GYOKAKU_READ_ONLY"
LOGIN_HOURS_ENV = "GYOKAKU_LOGIN_HOURS"  # how long a login lasts before the provider is asked again
DEFAULT_LOGIN_HOURS = 12.0  # a working day
EDITORS_ENV = "GYOKAKU_EDITORS"  # another editors file (tests, or a deployment's own path)
EDITORS_FILE = ROOT / ".streamlit" / "editors.toml"
# Pages only 編集 may open, by url_path (dashboard.py's navigation drops them for 閲覧).
EDIT_PAGES = frozenset({"data_import"})
LOGIN_FAILED = "access_login_failed"  # why st.login could not start (shown once)

# Host names that mean "this machine" in the Host header of the browser's connection.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Headers a reverse proxy adds; a connection carrying any of them did not come straight from a
# browser on this machine, whatever its (loopback) peer address says.
PROXY_HEADERS = ("X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP", "Forwarded", "Via")
# Escaped in names from the identity provider: no link, image, emphasis, :icon: or :color[...].
MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~$:")


class EditorsFileError(ValueError):
    """``.streamlit/editors.toml`` cannot be read or has a wrong shape (message in Japanese)."""


@dataclass(frozen=True)
class Editors:
    """Who has 編集 once login is configured: e-mail addresses (lower case) or ID-token groups."""
    emails: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    group_claim: str = "groups"

    def includes(self, claims: Mapping[str, object]) -> bool:
        email = claims.get("email")
        # A provider that says the address is unverified (Google, Keycloak) does not vouch for it.
        if isinstance(email, str) and claims.get("email_verified") is not False \
                and email.strip().lower() in self.emails:
            return True
        groups = claims.get(self.group_claim)
        if isinstance(groups, str):
            groups = [groups]
        return isinstance(groups, list) and any(isinstance(g, str) and g in self.groups for g in groups)


def editors_file() -> Path:
    return Path(os.environ.get(EDITORS_ENV) or EDITORS_FILE)


def parse_editors(text: str, name: str = "editors.toml") -> Editors:
    """The editors file's content → :class:`Editors`; a Japanese :class:`EditorsFileError` if wrong."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise EditorsFileError(f"{name}: TOML として読めません ({error})") from None
    unknown = sorted(set(table) - {"emails", "groups", "group_claim"})
    if unknown:
        raise EditorsFileError(f"{name}: 知らない項目 {', '.join(unknown)}（使えるのは emails, groups, group_claim）")

    def strings(key: str) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise EditorsFileError(f"{name}: {key} は文字列の配列で書いてください（例: {key} = [\"…\"]）")
        return [v.strip() for v in value]

    claim = table.get("group_claim", "groups")
    if not isinstance(claim, str) or not claim.strip():
        raise EditorsFileError(f"{name}: group_claim は ID トークンのクレーム名（例: \"groups\"）で書いてください")
    return Editors(frozenset(e.lower() for e in strings("emails")), frozenset(strings("groups")), claim.strip())


_cache_lock = threading.Lock()
_cache: dict[Path, tuple[tuple[int, int], Editors]] = {}


def editors() -> Editors:
    """The editors file, re-read whenever it changes: removing an editor takes effect at their
    next action, without a restart. No file: nobody is 編集 once login is configured."""
    path = editors_file()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return Editors()
    key = (stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        cached = _cache.get(path)
        if cached and cached[0] == key:
            return cached[1]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise EditorsFileError(f"{path.name}: 読めません ({error})") from None
    parsed = parse_editors(text, path.name)
    with _cache_lock:
        _cache[path] = (key, parsed)
    return parsed


def read_only() -> bool:
    return os.environ.get(READ_ONLY_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def auth_configured() -> bool:
    """``[auth]`` is in the secrets (Streamlit's OIDC login is set up)."""
    try:
        return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)
    except Exception:  # noqa: BLE001 - an unreadable secrets file is "not configured", logged
        log.exception("secrets could not be read")
        return False


def logged_in() -> bool:
    return auth_configured() and st.user.get("is_logged_in") is True and not login_expired()


def login_hours() -> float:
    try:
        return float(os.environ.get(LOGIN_HOURS_ENV) or DEFAULT_LOGIN_HOURS)
    except ValueError:
        return DEFAULT_LOGIN_HOURS


def login_expired() -> bool:
    """The login is older than ``GYOKAKU_LOGIN_HOURS`` (ID token's ``iat``).

    Streamlit keeps its login cookie 30 days and never looks at the token's times, so an account
    disabled at the provider would still view for a month; a fresh login goes back to the
    provider (usually without a password, while its own session lasts).
    """
    issued = st.user.get("iat")
    if st.user.get("is_logged_in") is not True or isinstance(issued, bool) or not isinstance(issued, (int, float)):
        return False
    return time.time() - issued > login_hours() * 3600


def login_required() -> bool:
    """Login is configured and this visitor has not logged in: they see the login screen only."""
    return auth_configured() and not logged_in()


def direct_local_connection() -> bool:
    """The browser connected straight from this machine (see :func:`is_direct_local`)."""
    return is_direct_local(st.context.headers, st.context.ip_address)


def is_direct_local(headers: Mapping[str, str] | None, ip_address: str | None) -> bool:
    """A connection with these handshake headers and this ``st.context.ip_address`` is local.

    ``st.context.ip_address`` is None for a peer at 127.0.0.1 / ::1 (and when there is no
    browser connection at all, which the headers tell apart: a real connection has a Host).
    Streamlit's server (uvicorn) already replaces a loopback peer by the X-Forwarded-For
    client, but a proxy that sets no such header would look local: refuse any proxy header,
    and a Host that is not a loopback name (a DNS-rebinding page in a local browser).
    """
    lowered = {name.lower(): value for name, value in (headers or {}).items()}
    host = lowered.get("host")
    if not host or ip_address is not None:
        return False
    if any(name.lower() in lowered for name in PROXY_HEADERS):
        return False
    hostname = host[1:host.find("]")] if host.startswith("[") else host.rsplit(":", 1)[0]
    return hostname.lower() in LOOPBACK_HOSTS


def plain(text: str) -> str:
    """``text`` (a claim from the identity provider) shown literally in markdown, never rendered."""
    return "".join("\\" + c if c in MARKDOWN_SPECIAL else c for c in text.replace("\n", " "))


def _claims() -> dict[str, object]:
    return st.user.to_dict() if logged_in() else {}


def may_edit() -> bool:
    """This session has 編集 right now (checked afresh at every call)."""
    if read_only():
        return False
    if auth_configured():
        if not logged_in():
            return False
        try:
            return editors().includes(_claims())
        except EditorsFileError:
            log.exception("editors file unreadable; nobody edits")
            return False
    return direct_local_connection()


def role() -> str | None:
    """閲覧 or 編集; None for an anonymous visitor who still has to log in."""
    if login_required():
        return None
    return EDIT if may_edit() else VIEW


def user_label() -> str:
    """Who acts, for import history: the login's e-mail (or name, or subject), else this machine's user."""
    if logged_in():
        claims = _claims()
        for key in ("email", "preferred_username", "name", "sub"):
            value = claims.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return "ログイン利用者"
    if direct_local_connection():
        return f"この端末 ({getpass.getuser()})"
    return "ログインなしの閲覧者"


def refusal() -> str:
    """Why this session may not edit, and what would let it (Japanese, one or two sentences)."""
    if read_only():
        return (f"閲覧専用モード ({READ_ONLY_ENV}=1) で動いているため、データの取り込み・取り消し・削除はできません。")
    if auth_configured():
        if not logged_in():
            return "データの取り込み・取り消し・削除には、ログインが必要です。"
        return (f"{plain(user_label())} さんの権限は「{VIEW}」です。データの取り込み・取り消し・削除には「{EDIT}」の権限が必要です。"
                "管理者に編集者への登録を依頼してください。")
    return ("ログインが設定されていないため、データの取り込み・取り消し・削除は、ダッシュボードを動かしている"
            "マシン上のブラウザ (http://localhost) からだけ行えます。")


def require_edit() -> None:
    """Stop the script run with a Japanese message unless this session may edit.

    Call it where a page is drawn and again right before the action itself (import, undo,
    delete): the role is checked at the moment of the action, not when the button was drawn.
    """
    if not may_edit():
        st.error(refusal(), icon=":material/lock:")
        st.stop()


def allowed_pages(pages: Mapping[str, list]) -> dict[str, list]:
    """dashboard.py's navigation without the pages this session may not use (empty sections dropped)."""
    edit = may_edit()
    kept = {section: [p for p in entries if edit or p.url_path not in EDIT_PAGES] for section, entries in pages.items()}
    return {section: entries for section, entries in kept.items() if entries}


def navigation(pages: Mapping[str, list]):
    """``st.navigation`` over the pages this session may use.

    An anonymous visitor (login configured, not logged in) gets the login screen and the run
    stops; the navigation is still declared (hidden) so a deep link keeps its address instead
    of showing "Page not found".
    """
    allowed = allowed_pages(pages)
    if login_required():
        st.navigation(allowed, position="hidden")
        login_screen()
        st.stop()
    return st.navigation(allowed)


def providers() -> list[str | None]:
    """The OIDC providers in ``[auth]``: None for the unnamed default, else ``[auth.<name>]``."""
    section = st.secrets.get("auth", {})
    named = [name for name, value in section.items() if isinstance(value, Mapping) and "client_id" in value]
    return ([None] if "client_id" in section else []) + named


def login_screen() -> None:
    st.title("行革ダッシュボード")
    st.info("このダッシュボードを見るには、組織のアカウントでログインしてください。", icon=":material/lock:")
    if login_expired():
        st.warning(f"ログインの有効期限（{login_hours():g} 時間）が切れました。もう一度ログインしてください。",
                   icon=":material/schedule:")
    choices = providers()
    if not choices:
        st.error("ログインの設定 (.streamlit/secrets.toml の [auth]) に client_id がありません。管理者に連絡してください。",
                 icon=":material/error:")
        return
    if failed := st.session_state.pop(LOGIN_FAILED, None):
        st.error(f"ログインを始められませんでした。管理者に連絡してください（{failed}）。", icon=":material/error:")
    for provider in choices:
        label = "ログイン" if provider is None else f"{provider} でログイン"
        # on_click: st.login runs before the script draws anything (as Streamlit's docs do it)
        st.button(label, type="primary", icon=":material/login:", key=f"login_{provider or 'default'}",
                  on_click=_login, args=(provider,))


def _login(provider: str | None) -> None:
    try:
        st.login(provider)
    except Exception as error:  # noqa: BLE001 - a misconfiguration, told in Japanese
        log.exception("login failed")
        st.session_state[LOGIN_FAILED] = type(error).__name__


def sidebar_account() -> None:
    """The sidebar's account box: who is logged in and with which role, the logout button,
    or why this session only views."""
    box = st.sidebar.container(key="account")
    current = role()
    if logged_in():
        box.caption(f"ログイン中: {plain(user_label())}（{current}）")
        try:
            editors()
        except EditorsFileError as error:
            box.error(f"{plain(str(error))}。全員が閲覧のみになっています。", icon=":material/error:")
        box.button("ログアウト", icon=":material/logout:", key="logout", on_click=st.logout)
    elif read_only():
        box.caption(f"閲覧専用モード（{READ_ONLY_ENV}=1）")
    elif current == EDIT:
        box.caption("この端末から接続しています（編集できます）")
    else:
        box.caption("閲覧のみ（データの取り込みは、ダッシュボードを動かしているマシンから行えます）")
