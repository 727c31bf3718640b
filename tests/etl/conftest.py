"""ETL test helpers: a writable copy of data/raw and the CLI run as a user runs it."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RAW_DIR, ROOT


@pytest.fixture
def raw_copy(tmp_path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    return raw


def run_etl(raw: Path, out: Path) -> subprocess.CompletedProcess:
    """``python -m etl --raw RAW --out OUT --quiet`` in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "etl", "--raw", str(raw), "--out", str(out), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
