"""First visit through Caddy (deploy/Caddyfile) against straight to Streamlit, on this machine's
loopback and on a throttled link (Chromium's network emulation: 10 Mbit/s down, 5 Mbit/s up,
40 ms round trip, as a municipal network might be).

A first visit is a new browser profile with an empty cache opening a chart page, timed until the
first table or chart is drawn (bench/pages.py's DRAWN). Target (issue 15): under 3 s on chart
pages. Run: ``python -m bench proxy`` (builds a temporary warehouse; needs Debian caddy).
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.pages import DRAWN, FIRST_DRAW_TARGET, ROOT, CpuSlowdown, _url_path, _wait_for_title, _wait_until_idle

VISITS = 5
PAGES = ("app_pages/overview.py", "app_pages/trends.py", "app_pages/fiscal.py")  # chart pages, the default one first
# DevTools network emulation; throughput in bytes per second.
THROTTLED = {"offline": False, "latency": 40, "downloadThroughput": 10_000_000 / 8,
             "uploadThroughput": 5_000_000 / 8}
LINKS = ("loopback", "10 Mbit/s, 40 ms")
ROUTES = ("direct", "Caddy")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes have used so far (Linux /proc)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def first_visits(direct: str, proxied: str, server_pids: dict[str, list[int]], cpu_slowdown: float = 1.0
                 ) -> tuple[dict[tuple[str, str, str], list[float]], dict[str, list[float]]]:
    """{(page, link, route): [seconds, …]} for VISITS first visits each, interleaved so that a
    busy moment of the machine does not land on one column only; and per route, the server CPU
    seconds each visit cost (Streamlit, plus Caddy on that route): unlike the wall time, that
    does not depend on what else the machine is doing."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    bases = {"direct": direct, "Caddy": proxied}
    results: dict[tuple[str, str, str], list[float]] = {}
    cpu: dict[str, list[float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for _ in range(VISITS):
            for page_name in PAGES:
                for link in LINKS:
                    for route in ROUTES:
                        context = browser.new_context(viewport={"width": 1440, "height": 1000},
                                                      ignore_https_errors=True)
                        tab = context.new_page()
                        if link != "loopback":
                            cdp = context.new_cdp_session(tab)
                            cdp.send("Network.enable")
                            cdp.send("Network.emulateNetworkConditions", THROTTLED)
                        _wait_until_idle()
                        cpu_before = cpu_seconds(server_pids[route])
                        with CpuSlowdown(tab, cpu_slowdown):
                            started = time.perf_counter()
                            tab.goto(f"{bases[route]}/{_url_path(page_name)}", timeout=120_000)
                            tab.wait_for_selector(DRAWN, timeout=120_000)
                            elapsed = time.perf_counter() - started
                        _wait_for_title(tab, page_name)  # (untimed) the address opened this page
                        tab.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
                        cpu.setdefault(route, []).append(cpu_seconds(server_pids[route]) - cpu_before)
                        results.setdefault((page_name, link, route), []).append(elapsed)
                        context.close()
        browser.close()
    return results, cpu


def transferred_bytes(direct: str, proxied: str) -> dict[str, tuple[int, int]]:
    """Per route: (bytes on the link, bytes unpacked) of a first visit's static files."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    sizes = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for route, base in (("direct", direct), ("Caddy", proxied)):
            context = browser.new_context(ignore_https_errors=True)
            tab = context.new_page()
            tab.goto(f"{base}/{_url_path(PAGES[1])}", timeout=120_000)
            tab.wait_for_selector(DRAWN, timeout=120_000)
            sizes[route] = tuple(tab.evaluate("""performance.getEntriesByType('resource')
                .filter(e => e.name.includes('/static/'))
                .reduce((s, e) => [s[0] + e.encodedBodySize, s[1] + e.decodedBodySize], [0, 0])"""))
            context.close()
        browser.close()
    return sizes


def main(cpu_slowdown: float = 1.0) -> int:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from etl.pipeline import build
    from settings import DEFAULT_RAW_DIR
    from tests.deploy.conftest import Stack

    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "warehouse.duckdb"
        build(DEFAULT_RAW_DIR, warehouse)
        stack = Stack(warehouse, Path(tmp) / "caddy")
        try:
            sizes = transferred_bytes(stack.direct, stack.proxied)
            pids = {"direct": [stack.dashboard.pid], "Caddy": [stack.dashboard.pid, stack.caddy.pid]}
            times, cpu = first_visits(stack.direct, stack.proxied, pids, cpu_slowdown)
        finally:
            stack.stop()
    from bench.pages import _nav_title

    median = statistics.median
    ok = True
    print(f"First visit, direct vs through Caddy (deploy/Caddyfile), {os.cpu_count()} cores; median of "
          f"{VISITS} (slowest), target < {FIRST_DRAW_TARGET} s on the throttled link"
          + (f"; Chromium's page CPU slowed {cpu_slowdown:g}x" if cpu_slowdown > 1 else ""))
    header = "".join(f" {f'{route} {link}':>26}" for link in LINKS for route in ROUTES)
    print(f"  {'page':<12}{header}")
    for page_name in PAGES:
        cells = []
        for link in LINKS:
            for route in ROUTES:
                t = times[(page_name, link, route)]
                cells.append(f" {median(t):>17.2f}s ({max(t):.2f})")
        throttled_caddy = median(times[(page_name, LINKS[1], "Caddy")])
        row_ok = throttled_caddy < FIRST_DRAW_TARGET
        ok &= row_ok
        print(f"  {_nav_title(page_name):<10}{''.join(cells)} {'OK' if row_ok else 'OVER'}")
    for route, seconds in cpu.items():
        print(f"  server CPU per first visit ({route}): {median(seconds):.2f} s "
              f"({'Streamlit + Caddy' if route == 'Caddy' else 'Streamlit'}; median over all pages and links)")
    for route, (encoded, decoded) in sizes.items():
        print(f"  static files of a first visit ({route}): {encoded / 1e6:.2f} MB on the link, "
              f"{decoded / 1e6:.2f} MB unpacked")
    print(f"  throttled: Chromium network emulation, {THROTTLED['downloadThroughput'] * 8 / 1e6:g} Mbit/s down, "
          f"{THROTTLED['uploadThroughput'] * 8 / 1e6:g} Mbit/s up, {THROTTLED['latency']} ms round trip; "
          "Caddy: TLS (internal CA), HTTP/2, zstd/gzip")
    return 0 if ok else 1
