"""scripts/run.sh starts the dashboard on the previous warehouse when ``python -m etl --if-stale``
fails (before, ``set -e`` stopped it although the previous warehouse was valid)."""
from __future__ import annotations

import shutil
import subprocess

from tests.conftest import ROOT


def _stub(path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/usr/bin/env bash\n" + body + "\n", encoding="utf-8")
    path.chmod(0o755)


def test_a_failed_build_does_not_stop_the_start(tmp_path):
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts", ignore=shutil.ignore_patterns("install.sh"))
    _stub(tmp_path / "scripts" / "install.sh", "exit 0")
    # The ETL (python -m etl) fails; the server (python serve.py / streamlit run) starts.
    _stub(tmp_path / ".venv" / "bin" / "python", 'echo "python $*" >> calls.log; [[ "$1" != -m ]]')
    _stub(tmp_path / ".venv" / "bin" / "streamlit", 'echo "streamlit $*" >> calls.log')
    result = subprocess.run(["bash", str(tmp_path / "scripts" / "run.sh")], cwd=tmp_path, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls.log").read_text(encoding="utf-8").splitlines()
    assert calls[0] == "python -m etl --if-stale"
    assert calls[1].startswith(("python serve.py ", "streamlit run dashboard.py "))
    assert "倉庫の作成に失敗しました。以前の倉庫で起動します" in result.stderr
