"""README promises, checked: its two set-up commands exist, CI runs the test command, and
every screen it shows has a screenshot."""
from __future__ import annotations

import os
import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _command_blocks() -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", README, flags=re.S)]


def test_readme_gives_the_run_and_test_commands_first():
    blocks = _command_blocks()
    assert blocks[:2] == ["./scripts/run.sh", "./scripts/test.sh"]
    for script in ("scripts/run.sh", "scripts/test.sh", "scripts/install.sh", ".ci/run"):
        assert os.access(ROOT / script, os.X_OK), script


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./scripts/test.sh" in ci
    test_script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "install.sh --browser" in test_script and "pytest" in test_script


def test_run_command_builds_a_missing_or_stale_warehouse_before_starting():
    run = (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")
    assert run.index("-m etl --if-stale") < run.index("streamlit run dashboard.py")
    assert "gatherUsageStats false" in run


def test_every_screenshot_in_the_readme_exists_and_every_page_has_one():
    shown = re.findall(r"!\[[^\]]*\]\((docs/screenshots/[\w.]+)\)", README)
    pages = re.findall(r'st\.Page\("pages/(\w+)\.py"', (ROOT / "dashboard.py").read_text(encoding="utf-8"))
    assert {f"docs/screenshots/{p}.png" for p in pages} <= set(shown)  # plus e.g. presentation mode
    for path in shown:
        assert (ROOT / path).stat().st_size > 10_000, path


def test_warehouse_is_a_build_output_not_committed():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "data/warehouse.duckdb" in ignored
