"""A real dashboard server on 127.0.0.1 and Debian's headless Chromium driven by Playwright.

Never ``playwright install``: the browser is /usr/bin/chromium from Debian (scripts/install.sh).
Screenshots go to tests/browser/output/ (git-ignored). docs/screenshots/ holds the published ones
(the README shows them); they change only when asked for: ``python -m bench screenshots`` or
``UPDATE_SCREENSHOTS=1 ./scripts/test.sh tests/browser`` — a plain test run leaves the clone clean.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = ROOT / "tests" / "browser" / "output"
NO_SECRETS = ROOT / "tests" / "browser" / "no-secrets.toml"  # never created: Streamlit reads no secrets
PUBLISHED = ROOT / "docs" / "screenshots"
UPDATE_SCREENSHOTS = "UPDATE_SCREENSHOTS"  # environment variable: "1" refreshes docs/screenshots/
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic",
                 # Chromium 15x builds its address-bar popup (a WebUI page, ~1 s of CPU) for every
                 # new window, i.e. every browser context; a person's browser did that long before
                 # opening the dashboard, and on two cores it would be timed as ours.
                 "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(warehouse: Path, port: int, raw: Path | None = None, secrets: Path | None = None,
                 env: dict[str, str] | None = None, log: Path | None = None) -> subprocess.Popen:
    """``raw``: the data/raw folder imports write to (tests pass a copy, never the repo's).
    ``secrets``: the secrets.toml Streamlit reads (login tests); by default none at all, so a
    developer's own .streamlit/secrets.toml ([auth]) never puts a login screen before a test.
    ``env``: more environment (GYOKAKU_READ_ONLY, GYOKAKU_EDITORS); those are never inherited.
    ``log``: a file for the server's log (else a pipe)."""
    base = {k: v for k, v in os.environ.items() if k not in ("GYOKAKU_READ_ONLY", "GYOKAKU_EDITORS")}
    env = dict(base, GYOKAKU_WAREHOUSE=str(warehouse), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", **(env or {}))
    if raw is not None:
        env["GYOKAKU_RAW"] = str(raw)
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
         "--secrets.files", str(secrets or NO_SECRETS)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=log.open("ab") if log is not None else subprocess.PIPE)


def wait_until_healthy(url: str, timeout: float = 60) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"dashboard did not start at {url}")


@pytest.fixture(scope="session")
def server(built_warehouse):
    port = _free_port()
    process = start_server(built_warehouse, port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


# The ``browser`` and ``page`` fixtures live in tests/conftest.py: one Playwright for the whole
# run (tests/deploy uses them too), since a second sync Playwright in the same thread refuses to start.


def screenshot(page, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def published_screenshot(page, name: str) -> Path:
    """A README screenshot (viewport, not full page): always to tests/browser/output/published/,
    and over docs/screenshots/<name>.png only when UPDATE_SCREENSHOTS=1."""
    path = OUTPUT / "published" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    if os.environ.get(UPDATE_SCREENSHOTS) == "1":
        PUBLISHED.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, PUBLISHED / f"{name}.png")
    return path


def wait_for_app(page) -> None:
    """Streamlit has finished its script run and drawn the result.

    The app root carries data-test-script-state (running / notRunning); a short settle time
    covers a rerun that starts right after a run ends (e.g. after a widget change).
    """
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)


def wait_for_nav_links(page) -> None:
    """The sidebar's page links (ui.navigation) are drawn: Streamlit shows a placeholder until the
    page-link code has loaded, so reading them right after a script run may find none."""
    page.locator(".st-key-sidebar-nav a").first.wait_for()
    page.wait_for_function("() => !document.querySelector('.st-key-sidebar-nav [data-testid=\"stSkeleton\"]')")


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the sidebar selectbox labelled ``label``."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    page.keyboard.type(option)  # the list is virtualised: narrow it so the option is drawn
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)
