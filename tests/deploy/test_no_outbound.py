"""No outbound call: scripts/run.sh, traced with strace, talks to nobody but loopback — at start,
while Chromium loads a page, and when a page on another site tries to open our websocket.

strace sees every connect()/sendto()/sendmsg() system call of run.sh and all its children
(install check, ``python -m etl --if-stale``, the server, DuckDB's own C++ code), which a Python
audit hook would not; a DNS query shows up as a datagram to the resolver (port 53).
"""
from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.browser.conftest import _free_port, wait_for_app, wait_until_healthy
from tests.conftest import ROOT

STRACE = shutil.which("strace")
pytestmark = pytest.mark.skipif(STRACE is None, reason="strace is not installed (scripts/install.sh --browser)")

_ADDRESS = re.compile(r'sin6?_port=htons\((\d+)\).*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")')


def network_calls(trace: str, calls: tuple[str, ...]) -> list[tuple[str, str, int]]:
    """(call, address, port) for every IPv4/IPv6 address in the traced ``calls``."""
    found = []
    for line in trace.splitlines():
        call = re.match(r"\d+\s+(\w+)\(", line)
        if not call or call.group(1) not in calls or "AF_INET" not in line:
            continue
        for port, v4, v6 in _ADDRESS.findall(line):
            found.append((call.group(1), v4 or v6, int(port)))
    return found


def outside(calls: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    def loopback(address: str) -> bool:
        ip = ipaddress.ip_address(address)
        return ip.is_loopback or (ip.version == 6 and ip.ipv4_mapped is not None and ip.ipv4_mapped.is_loopback)

    return [(call, address, port) for call, address, port in calls if not loopback(address) or port == 53]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@pytest.fixture
def traced_run_sh(tmp_path, request):
    """scripts/run.sh under strace on a free port; yields (url, trace file, port, expected
    listening address). ``HOST`` comes from the test's parameter (None: run.sh's default)."""
    # run.sh starts with scripts/install.sh, which reaches PyPI when requirements.txt changed since
    # the last install; that is installing, not starting (CI installs first: scripts/test.sh).
    stamp = ROOT / ".venv" / ".requirements.sha256"
    wanted = hashlib.sha256((ROOT / "requirements.txt").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != wanted:
        pytest.skip("requirements.txt differs from the installed packages: run scripts/install.sh first")
    port = _free_port()
    trace = tmp_path / "strace.txt"
    env = {k: v for k, v in os.environ.items() if k != "HOST"}
    env["PORT"] = str(port)
    if request.param:
        env["HOST"] = request.param
    process = subprocess.Popen(
        [STRACE, "-f", "-qq", "-e", "trace=connect,bind,sendto,sendmsg", "-o", str(trace), "scripts/run.sh"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, timeout=300)  # run.sh may build the warehouse first
        yield url, trace, port, request.param or "127.0.0.1"
    finally:
        # End the server (run.sh exec'ed into it: strace's child), then strace follows it out.
        for pid in _children(process.pid):
            os.kill(pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _foreign_origin_websocket(port: int) -> int | None:
    """Open the app's websocket as a page on another site would; returns the refusal status."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    try:
        with connect(f"ws://127.0.0.1:{port}/_stcore/stream", origin="http://council.example",
                     subprotocols=["streamlit"], open_timeout=10):
            return None
    except InvalidStatus as refused:
        return refused.response.status_code


@pytest.mark.parametrize("traced_run_sh", [None, "0.0.0.0"], indirect=True, ids=["default", "HOST=0.0.0.0"])
def test_run_sh_calls_nothing_outside_this_machine(traced_run_sh, page):
    url, trace, port, host = traced_run_sh
    page.goto(url)
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stDataFrame"], [data-testid="stVegaLiteChart"]')
    page.goto(f"{url}/explorer")
    wait_for_app(page)
    # Streamlit's origin check would look up its external address for this one (serve.py).
    assert _foreign_origin_websocket(port) == 403, "a foreign page's websocket must still be refused"
    time.sleep(2.5)  # longer than Streamlit's two 1 s look-up timeouts, had they started

    text = trace.read_text()
    binds = network_calls(text, ("bind",))
    # Listens where run.sh says: loopback unless HOST opens it (this also shows strace saw the server).
    assert {address for _, address, bound in binds if bound == port} == {host}, binds
    connects = network_calls(text, ("connect", "sendto", "sendmsg"))
    assert outside(connects) == [], f"outbound calls: {outside(connects)}"
