"""scripts/test.sh fails when a test run changed the clone, and refreshing the README's
screenshots is the only change it allows, and only when asked for (UPDATE_SCREENSHOTS=1).

The script runs in a scratch git repository with stand-ins for install.sh and .venv/bin/python,
whose ``-m pytest`` does what the case says (change a file, fail, nothing)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

PYTHON_STAND_IN = """#!/usr/bin/env bash
# -m etl: nothing to build here; -m pytest: run the case's action, exit with its status
[[ "$2" == pytest ]] || exit 0
eval "${PYTEST_ACTION:-true}"
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                   cwd=repo, check=True, capture_output=True)


@pytest.fixture
def clone(tmp_path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "clone"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "test.sh", repo / "scripts" / "test.sh")
    (repo / "scripts" / "install.sh").write_text("#!/usr/bin/env bash\nexit 0\n")
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "python").write_text(PYTHON_STAND_IN)
    for script in ("scripts/test.sh", "scripts/install.sh", ".venv/bin/python"):
        os.chmod(repo / script, 0o755)
    (repo / ".gitignore").write_text(".venv/\noutput/\n")
    (repo / "docs" / "screenshots").mkdir(parents=True)
    (repo / "docs" / "screenshots" / "overview.png").write_bytes(b"old picture")
    (repo / "tracked.txt").write_text("as committed\n")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "scratch")
    return repo


def run(repo: Path, action: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "UPDATE_SCREENSHOTS"}
    return subprocess.run(["./scripts/test.sh"], cwd=repo, capture_output=True, text=True,
                          env=dict(environment, PYTEST_ACTION=action, **env))


def test_a_run_that_leaves_the_clone_alone_passes(clone):
    assert run(clone, "mkdir -p output && echo x > output/shot.png").returncode == 0  # ignored folder


def test_a_run_that_rewrites_a_tracked_file_fails_and_names_it(clone):
    result = run(clone, "echo changed > docs/screenshots/overview.png")
    assert result.returncode == 1
    assert "作業ツリーのファイルが変わりました" in result.stderr
    assert "docs/screenshots/overview.png" in result.stderr


def test_a_new_file_outside_the_ignored_places_fails(clone):
    assert run(clone, "echo x > stray.png").returncode == 1


def test_a_file_already_edited_by_hand_counts_only_if_the_run_changes_it_again(clone):
    (clone / "tracked.txt").write_text("edited before the run\n")
    assert run(clone, "true").returncode == 0
    assert run(clone, "echo again >> tracked.txt").returncode == 1


def test_pytest_failures_still_fail_the_command(clone):
    assert run(clone, "exit 3").returncode == 3


def test_asked_for_screenshot_refresh_may_change_only_docs_screenshots(clone):
    refresh = "echo new > docs/screenshots/overview.png"
    assert run(clone, refresh, UPDATE_SCREENSHOTS="1").returncode == 0
    _git(clone, "checkout", "-q", "--", ".")
    assert run(clone, refresh + " && echo x >> tracked.txt", UPDATE_SCREENSHOTS="1").returncode == 1


def test_outside_a_git_checkout_there_is_nothing_to_compare(clone):
    shutil.rmtree(clone / ".git")
    assert run(clone, "echo changed > tracked.txt").returncode == 0


def test_browser_screenshots_reach_docs_only_when_asked(tmp_path, monkeypatch):
    from tests.browser import conftest as browser

    monkeypatch.setattr(browser, "OUTPUT", tmp_path / "output")
    monkeypatch.setattr(browser, "PUBLISHED", tmp_path / "docs" / "screenshots")

    class Page:
        def screenshot(self, path: str) -> None:
            Path(path).write_bytes(b"picture")

    monkeypatch.delenv(browser.UPDATE_SCREENSHOTS, raising=False)
    written = browser.published_screenshot(Page(), "overview")
    assert written == tmp_path / "output" / "published" / "overview.png" and written.exists()
    assert not (tmp_path / "docs").exists()
    monkeypatch.setenv(browser.UPDATE_SCREENSHOTS, "1")
    browser.published_screenshot(Page(), "overview")
    assert (tmp_path / "docs" / "screenshots" / "overview.png").read_bytes() == b"picture"


def test_the_screenshot_command_runs_every_test_that_publishes_a_screenshot():
    from bench.screenshots import TESTS

    publishing = {p.relative_to(ROOT).as_posix() for p in (ROOT / "tests" / "browser").glob("test_*.py")
                  if "published_screenshot(" in p.read_text(encoding="utf-8")
                  or "UPDATE_SCREENSHOTS) == \"1\"" in p.read_text(encoding="utf-8")}
    assert publishing == {t.split("::")[0] for t in TESTS}
    for test in TESTS:
        file, _, name = test.partition("::")
        assert not name or f"def {name}(" in (ROOT / file).read_text(encoding="utf-8"), test
    for path in (ROOT / "tests" / "browser").glob("*.py"):  # nothing else writes into docs/
        assert '"docs"' not in path.read_text(encoding="utf-8").replace('PUBLISHED = ROOT / "docs"', ""), path
