"""Caddy (deploy/Caddyfile) in front of the dashboard (serve.py, as deploy/ starts it), both on
free loopback ports, for the proxy tests and ``python -m bench proxy``."""
from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import _free_port, wait_until_healthy
from tests.conftest import ROOT

CADDY = shutil.which("caddy") or "/usr/bin/caddy"
CADDYFILE = ROOT / "deploy" / "Caddyfile"


def streamlit_static() -> Path:
    """The installed package's static files, which Caddy serves itself (STREAMLIT_STATIC)."""
    import streamlit

    return Path(streamlit.__file__).parent / "static"


def start_dashboard(warehouse: Path, port: int) -> subprocess.Popen:
    """The dashboard as gyokaku-dashboard.service starts it (serve.py on loopback)."""
    env = dict(os.environ, GYOKAKU_WAREHOUSE=str(warehouse))
    return subprocess.Popen(
        [sys.executable, "serve.py", "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def start_caddy(upstream_ports: list[int], https_port: int, http_port: int, state: Path) -> subprocess.Popen:
    """deploy/Caddyfile as shipped (TLS from Caddy's internal CA), pointed at these ports through
    the environment variables caddy.env sets in production (several upstream ports: replicas,
    docs/scaling.md). Caddy's CA and certificates go to ``state``, never to this machine's trust
    store or root's home."""
    env = dict(os.environ, GYOKAKU_SITE=f"https://localhost:{https_port}", GYOKAKU_HTTPS_PORT=str(https_port),
               GYOKAKU_HTTP_PORT=str(http_port), GYOKAKU_CADDY_ADMIN="off",
               STREAMLIT_UPSTREAM=" ".join(f"127.0.0.1:{port}" for port in upstream_ports), STREAMLIT_STATIC=str(streamlit_static()),
               HOME=str(state),
               XDG_DATA_HOME=str(state / "data"), XDG_CONFIG_HOME=str(state / "config"))
    env.pop("GYOKAKU_TLS", None)
    return subprocess.Popen([CADDY, "run", "--adapter", "caddyfile", "--config", str(CADDYFILE)],
                            cwd=state, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_until_proxied(url: str, timeout: float = 60) -> None:
    """The dashboard answers through Caddy (its certificate is from Caddy's own CA)."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2, context=context) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"Caddy did not serve the dashboard at {url}")


class Stack:
    """Dashboard replicas + Caddy. ``direct`` (the first replica) and ``proxied`` are two addresses
    of the same service; ``dashboards`` holds every replica's process, ``ports`` their ports."""

    def __init__(self, warehouse: Path, state: Path, replicas: int = 1):
        self.ports = [_free_port() for _ in range(replicas)]
        self.port, self.https_port, self.http_port = self.ports[0], _free_port(), _free_port()
        self.direct = f"http://127.0.0.1:{self.port}"
        self.proxied = f"https://localhost:{self.https_port}"
        state.mkdir(parents=True, exist_ok=True)
        self.dashboards = [start_dashboard(warehouse, port) for port in self.ports]
        self.dashboard = self.dashboards[0]
        self.caddy = None
        self._processes = list(self.dashboards)
        try:
            for port in self.ports:
                wait_until_healthy(f"http://127.0.0.1:{port}")
            self.caddy = start_caddy(self.ports, self.https_port, self.http_port, state)
            self._processes.append(self.caddy)
            wait_until_proxied(self.proxied)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for process in reversed(self._processes):
            process.terminate()
        for process in self._processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def stack(built_warehouse, tmp_path_factory):
    if not Path(CADDY).exists():
        pytest.skip("Debian caddy is not installed (run scripts/install.sh --browser)")
    running = Stack(built_warehouse, tmp_path_factory.mktemp("caddy"))
    yield running
    running.stop()
