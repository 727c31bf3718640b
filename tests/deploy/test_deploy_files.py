"""The shipped deploy/ files are valid as written: systemd units, Caddyfile, environment files."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import ROOT
from tests.deploy.conftest import CADDY, CADDYFILE

DEPLOY = ROOT / "deploy"
INSTALL_DIR = "/opt/gyokaku"
UNITS = ("gyokaku-dashboard.service", "gyokaku-etl.service", "gyokaku-etl.timer")
REPLICA = "gyokaku-dashboard@.service"  # a template: verified as an instance, one more replica

def _env_keys(name: str) -> set[str]:
    text = (DEPLOY / name).read_text(encoding="utf-8")
    return {line.split("=", 1)[0] for line in text.splitlines() if line and not line.startswith("#")}


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_units_verify(tmp_path):
    # Point the units at this checkout so systemd can check that the commands exist.
    files = {name: name for name in UNITS} | {REPLICA: "gyokaku-dashboard@8502.service"}
    for name, installed in files.items():
        (tmp_path / installed).write_text((DEPLOY / name).read_text(encoding="utf-8").replace(INSTALL_DIR, str(ROOT)),
                                          encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *(str(tmp_path / u) for u in files.values())],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr


def test_the_dashboard_unit_starts_what_run_sh_starts_on_loopback():
    unit = (DEPLOY / "gyokaku-dashboard.service").read_text(encoding="utf-8")
    start = re.search(r"^ExecStart=(.*(?:\\\n.*)*)", unit, re.M).group(1)
    assert f"{INSTALL_DIR}/.venv/bin/python serve.py" in start
    assert "--server.address 127.0.0.1 --server.port 8501" in start
    assert "serve.py" in (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")
    # A failed nightly or start-up build must not keep the dashboard down ("-" ignores it).
    assert "ExecStartPre=-/opt/gyokaku/.venv/bin/python -m etl --if-stale" in unit
    timer = (DEPLOY / "gyokaku-etl.timer").read_text(encoding="utf-8")
    assert "OnCalendar=*-*-* 02:30:00" in timer
    assert "ExecStart=/opt/gyokaku/.venv/bin/python -m etl --if-stale" in (DEPLOY / "gyokaku-etl.service").read_text()


def test_a_replica_unit_is_the_dashboard_unit_on_its_own_port_without_building():
    """docs/scaling.md: more replicas on one server; only the main unit and the timer build."""
    main = (DEPLOY / "gyokaku-dashboard.service").read_text(encoding="utf-8")
    replica = (DEPLOY / REPLICA).read_text(encoding="utf-8")
    assert "--server.port %i" in replica and "ExecStartPre" not in replica
    hardening = [line for line in main.splitlines() if line.startswith(("Protect", "ReadWritePaths", "User="))]
    assert hardening and all(line in replica.splitlines() for line in hardening)


def test_caddyfile_is_valid_and_defaults_to_tls(tmp_path):
    if shutil.which(CADDY) is None:
        pytest.skip("Debian caddy is not installed (run scripts/install.sh --browser)")
    text = CADDYFILE.read_text(encoding="utf-8")
    # Every variable the Caddyfile reads is set in the shipped caddy.env (or has a default).
    used = set(re.findall(r"\{\$(\w+)(?::[^}]*)?\}", text))
    without_default = {v for v in used if re.search(rf"\{{\${v}\}}", text)}
    assert without_default <= _env_keys("caddy.env")
    assert {"GYOKAKU_SITE", "GYOKAKU_TLS", "STREAMLIT_UPSTREAM"} <= used & _env_keys("caddy.env")
    # The shipped default is HTTPS with a certificate, whatever the test sets.
    assert "{$GYOKAKU_SITE:https://" in text and "tls {$GYOKAKU_TLS:internal}" in text
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "d"), "XDG_CONFIG_HOME": str(tmp_path / "c"),
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([CADDY, "validate", "--adapter", "caddyfile", "--config", str(CADDYFILE)],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0 and "Valid configuration" in result.stdout + result.stderr, result.stderr
    formatted = subprocess.run([CADDY, "fmt", str(CADDYFILE)], capture_output=True, text=True, timeout=60)
    assert formatted.stdout == text, "run `caddy fmt --overwrite deploy/Caddyfile`"
