"""Many people at once (issue 13): N browser sessions against one dashboard server while the
warehouse is rebuilt under it.

Each session (a Playwright context; all in one Chromium) opens 概要, switches to 取組一覧 and
評価の推移 through the sidebar, then changes the 自治体 filter, for a number of rounds; all
sessions start together. Twice during the run ``python -m etl`` rebuilds the server's warehouse.
Reported: errors (a view that did not draw, an error element on a page, a failed health check;
must be 0), p50/p95 view time, the server's peak RSS and the server process's own CPU time per
view — the browsers share the two cores with the server, so wall time alone would mostly
measure Chromium.

Run: ``python -m bench load`` (N = 10 and 30) or ``python -m bench load --sessions 8``.
``--polars-threads 1`` starts the server with POLARS_MAX_THREADS=1. ``--replicas 1 2`` runs each
size behind Caddy (deploy/Caddyfile: TLS, sticky sessions) with one and then two dashboard
replicas on this machine, for docs/scaling.md; CPU and memory are then summed over the replicas.
"""
from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = (10, 30)  # sessions, the default run
ROUNDS = 2
REBUILDS = 2
VIEW_TIMEOUT = 180  # seconds for one view to draw; 30 sessions on two cores queue for a while
# (url path, title in the sidebar and the page's h1, what shows the page has drawn its content)
PAGES = (("", "概要", '[data-testid="stMetric"]'),
         ("explorer", "取組一覧", '[data-testid="stDataFrame"]'),
         ("trends", "評価の推移", '[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]'))
# The 自治体 filter each round ends on, chosen on 評価の推移, in turn: the one town with graded
# items (評価の推移 draws charts for it), then 「すべて」 (clears the filter) again.
MUNICIPALITIES = ("苫小牧市", "すべて")
# Streamlit 1.67's uncaught exception box and our st.error alerts (ui/messages.failure).
ERROR_ELEMENTS = '[data-testid="stException"], [data-testid="stAlertContentError"]'

# True once the script run has ended, the page's title is up and its content is drawn and not
# stale (left over from the previous page or run), and the URL carries the expected 自治体.
_DRAWN = """([title, selector, municipality]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (municipality !== undefined && new URL(location.href).searchParams.get('m') !== municipality) return false;
  if (![...document.querySelectorAll('h1')].some(h => h.innerText.trim().startsWith(title))) return false;
  return [...document.querySelectorAll(selector)].some(e => !e.closest('[data-stale="true"]'));
}"""


@dataclass
class Report:
    sessions: int
    rounds: int
    views: list[tuple[str, float]] = field(default_factory=list)  # (view, seconds)
    errors: list[str] = field(default_factory=list)
    rebuilds: int = 0
    health_checks: int = 0
    health_slowest: float = 0.0
    peak_rss_mb: float = 0.0
    cpu_seconds: float = 0.0  # the server process's user + system time during the run
    wall_seconds: float = 0.0
    view_timeout: float = VIEW_TIMEOUT
    replicas: int = 0  # 0: one server reached directly; N: N servers behind Caddy

    def percentile(self, percent: int) -> float:
        """Linear interpolation between the ranked view times (NaN when no view drew)."""
        times = [seconds for _, seconds in self.views]
        if len(times) < 2:
            return times[0] if times else float("nan")
        return statistics.quantiles(times, n=100, method="inclusive")[percent - 1]

    @property
    def cpu_per_view(self) -> float:
        return self.cpu_seconds / len(self.views) if self.views else float("nan")


class ServerMeter:
    """CPU time and peak resident memory of the server processes (summed over replicas), from
    /proc (Linux)."""

    def __init__(self, *pids: int):
        self._pids = pids
        self._ticks = os.sysconf("SC_CLK_TCK")

    def cpu_seconds(self) -> float:
        total = 0
        for pid in self._pids:
            # /proc/<pid>/stat: the command may contain spaces; utime and stime are fields 14 and 15.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / self._ticks

    def peak_rss_mb(self) -> float:
        total = 0.0
        for pid in self._pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):  # the kernel's high-water mark of the resident set
                    total += int(line.split()[1]) / 1024
        return total


class HealthWatch(threading.Thread):
    """Asks /_stcore/health every half second; a hung server stops answering it."""

    def __init__(self, url: str, timeout: float = 10.0):
        super().__init__(daemon=True)
        self._url, self._timeout = f"{url}/_stcore/health", timeout
        self._done = threading.Event()
        self.failures: list[str] = []
        self.checks, self.slowest = 0, 0.0

    def run(self) -> None:
        import ssl

        # Behind Caddy the certificate is from Caddy's own CA, which this machine does not trust.
        insecure = ssl.create_default_context()
        insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
        while not self._done.wait(0.5):
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(self._url, timeout=self._timeout, context=insecure) as response:
                    ok = response.status == 200
            except OSError as error:
                ok, reason = False, str(error)
            else:
                reason = "not 200"
            self.checks += 1
            self.slowest = max(self.slowest, time.perf_counter() - started)
            if not ok:
                self.failures.append(f"/_stcore/health did not answer ({reason})")

    def stop(self) -> None:
        self._done.set()
        self.join()


async def _view(page, report: Report, name: str, title: str, selector: str, act,
                municipality: str | None | object = ...) -> bool:
    """Run ``act`` (a navigation or a click) and time it until the view has drawn; False if it
    did not draw (the session stops there: what follows would start from a broken page)."""
    started = time.perf_counter()
    try:
        await act()
        args = [title, selector] if municipality is ... else [title, selector, municipality]
        await page.wait_for_function(_DRAWN, arg=args, timeout=report.view_timeout * 1000, polling=100)
    except Exception as error:  # a timeout or a crashed page: the finding is that it did not draw
        report.errors.append(f"{name}: did not draw ({type(error).__name__}: {str(error).splitlines()[0]}); "
                             f"the page showed: {await _state(page, selector)}")
        return False
    report.views.append((name, time.perf_counter() - started))
    if await page.locator(ERROR_ELEMENTS).count():
        text = await page.locator(ERROR_ELEMENTS).first.inner_text()
        report.errors.append(f"{name}: error on the page: {text.strip()[:200]}")
    return True


async def _state(page, selector: str) -> str:
    """What a page that did not draw shows instead (for the error message)."""
    try:
        return await page.evaluate("""selector => {
          const app = document.querySelector('[data-testid="stApp"]');
          const h1 = [...document.querySelectorAll('h1')].map(h => h.innerText.trim()).join(' / ');
          const content = [...document.querySelectorAll(selector)];
          const alerts = [...document.querySelectorAll('[data-testid="stAlertContainer"], [data-testid="stException"]')]
            .map(e => e.innerText.trim().slice(0, 120)).join(' / ');
          return `url ${location.pathname}${location.search}, script ${app && app.getAttribute('data-test-script-state')}, `
            + `h1 「${h1}」, content ${content.length} (stale ${content.filter(e => e.closest('[data-stale="true"]')).length})`
            + (alerts ? `, alerts 「${alerts}」` : '');
        }""", selector)
    except Exception as error:
        return f"(unreadable: {type(error).__name__})"


async def _session(browser, url: str, report: Report, done: list[int]) -> None:
    context = await browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ja-JP",
                                        ignore_https_errors=True)
    page = await context.new_page()
    nav = page.locator(".st-key-sidebar-nav")
    try:
        for round_ in range(report.rounds):
            for path, title, selector in PAGES:
                if round_ == 0 and path == "":
                    act = (lambda: page.goto(url, wait_until="commit"))
                else:
                    act = (lambda t=title: nav.get_by_text(t, exact=True).click())
                if not await _view(page, report, title, title, selector, act):
                    return
                done[0] += 1
            town = MUNICIPALITIES[round_ % len(MUNICIPALITIES)]

            async def choose(town=town):
                box = page.get_by_test_id("stSidebar").locator('[data-testid="stSelectbox"]').filter(
                    has_text="自治体").first
                await box.click()
                # The list is virtualised: with many municipalities the wanted one may not be drawn
                # until the list is narrowed by typing, as a person would.
                await page.keyboard.type(town)
                await page.get_by_role("option", name=town, exact=True).click()

            _, title, selector = PAGES[-1]
            if not await _view(page, report, "自治体の変更", title, selector, choose,
                               municipality=None if town == "すべて" else town):
                return
            done[0] += 1
    finally:
        await context.close()


async def _rebuilds(warehouse: Path, report: Report, done: list[int], total: int) -> None:
    """Rebuild at one third and two thirds of the views (the sessions keep going meanwhile)."""
    from settings import DEFAULT_RAW_DIR as raw  # the bundled documents, whatever GYOKAKU_RAW says

    for n in range(1, REBUILDS + 1):
        while done[0] < total * n / (REBUILDS + 1):
            await asyncio.sleep(0.1)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "etl", "--raw", str(raw), "--out", str(warehouse), "--quiet", cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, stderr = await process.communicate()
        if process.returncode:
            report.errors.append(f"rebuild {n} failed: {stderr.decode(errors='replace').strip()[:200]}")
        report.rebuilds += 1


async def _drive(url: str, warehouse: Path, report: Report, health: HealthWatch) -> None:
    from playwright.async_api import async_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        done = [0]
        total = report.sessions * report.rounds * (len(PAGES) + 1)
        rebuilds = asyncio.create_task(_rebuilds(warehouse, report, done, total))
        sessions = [asyncio.create_task(_session(browser, url, report, done)) for _ in range(report.sessions)]
        running = asyncio.gather(*sessions, return_exceptions=True)
        # A server that stops answering its health check has hung (issue 13); waiting for every
        # view to time out would add nothing but minutes.
        while not running.done():
            if health.failures:
                report.errors.append("sessions stopped: the server stopped answering /_stcore/health")
                for task in sessions:
                    task.cancel()
                break
            await asyncio.wait([running], timeout=0.5)
        results = await running
        report.errors += [f"session failed: {r!r}" for r in results
                          if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError)]
        done[0] = total  # let the rebuilds that are still waiting run
        await rebuilds
        await browser.close()


def _warm_up(url: str) -> None:
    """One visit to each page first, untimed: the numbers are for a server that is already up."""
    async def visit() -> None:
        from playwright.async_api import async_playwright

        from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = await browser.new_page(ignore_https_errors=True)
            for path, title, selector in PAGES:
                await page.goto(f"{url}/{path}")
                await page.wait_for_function(_DRAWN, arg=[title, selector], timeout=120_000)
            await browser.close()

    _run_async(visit())


def _run_async(coroutine) -> None:
    """asyncio.run in a thread of its own: the caller's thread may hold Playwright's sync API
    (a pytest session with the browser fixture), whose event loop must not be nested."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as error:  # re-raised in the caller
            failure.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def run_load(warehouse: Path, sessions: int, rounds: int = ROUNDS, server_env: dict | None = None,
             view_timeout: float = VIEW_TIMEOUT, replicas: int = 0) -> Report:
    """Start a server on ``warehouse`` (rebuilt during the run: pass a private copy), drive
    ``sessions`` concurrent sessions for ``rounds`` rounds, and measure. ``replicas`` > 0: that
    many servers behind Caddy (deploy/Caddyfile) instead of one reached directly."""
    sys.path.insert(0, str(ROOT))
    from tests.browser.conftest import _free_port, start_server, wait_until_healthy

    log: deque[str] = deque(maxlen=20)
    if replicas:
        from tests.deploy.conftest import Stack

        if server_env:
            raise ValueError("server_env is not passed to replicas behind Caddy")
        stack = Stack(warehouse, warehouse.parent / f"caddy-{replicas}", replicas=replicas)
        servers, url, stop = stack.dashboards, stack.proxied, stack.stop
    else:
        port = _free_port()
        server = start_server(warehouse, port, env=server_env)
        servers, url = [server], f"http://127.0.0.1:{port}"
        # Read the server's stderr as it comes: a full pipe would block every thread that logs,
        # and the benchmark would measure its own harness.
        threading.Thread(target=lambda: log.extend(line.decode(errors="replace").rstrip() for line in server.stderr),
                         daemon=True).start()

        def stop() -> None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:  # a deadlocked server ignores SIGTERM (issue 13)
                server.kill()
                server.wait()
                report.errors.append("the server ignored SIGTERM and was killed")
    report = Report(sessions=sessions, rounds=rounds, view_timeout=view_timeout, replicas=replicas)
    try:
        if not replicas:
            wait_until_healthy(url)
        _warm_up(url)
        meter = ServerMeter(*(s.pid for s in servers))
        health = HealthWatch(url)
        health.start()
        cpu_before, started = meter.cpu_seconds(), time.perf_counter()
        try:
            _run_async(_drive(url, warehouse, report, health))
        finally:
            health.stop()
        report.wall_seconds = time.perf_counter() - started
        report.cpu_seconds = meter.cpu_seconds() - cpu_before
        report.peak_rss_mb = meter.peak_rss_mb()
        report.health_checks, report.health_slowest = health.checks, health.slowest
        report.errors += health.failures
        for server in servers:
            if server.poll() is not None:
                report.errors.append(f"a server exited with {server.returncode}: " + " | ".join(log))
    finally:
        stop()
    return report


def print_table(reports: list[Report], note: str = "") -> None:
    print(f"Load: concurrent sessions, {os.cpu_count()} cores; each session: 概要 → 取組一覧 → "
          f"評価の推移 → 自治体の変更, per round; warehouse rebuilt {REBUILDS}x during the run{note}")
    print(f"  {'server':>10} {'sessions':>8} {'rounds':>6} {'views':>6} {'errors':>6} {'p50':>7} {'p95':>7} "
          f"{'peak RSS':>9} {'server CPU/view':>16} {'health max':>11} {'wall':>7}")
    for r in reports:
        server = f"Caddy+{r.replicas}" if r.replicas else "direct"
        print(f"  {server:>10} {r.sessions:>8} {r.rounds:>6} {len(r.views):>6} {len(r.errors):>6} "
              f"{r.percentile(50):>6.2f}s {r.percentile(95):>6.2f}s {r.peak_rss_mb:>6.0f} MB "
              f"{r.cpu_per_view * 1000:>13.0f} ms {r.health_slowest:>10.2f}s {r.wall_seconds:>6.1f}s")
    for r in reports:
        for error in r.errors[:10]:
            print(f"  ERROR ({r.sessions} sessions): {error}")


def main(sizes: tuple[int, ...] = SIZES, rounds: int = ROUNDS, polars_threads: int | None = None,
         replicas: tuple[int, ...] = ()) -> int:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from etl.pipeline import build
    from settings import DEFAULT_RAW_DIR

    server_env = {"POLARS_MAX_THREADS": str(polars_threads)} if polars_threads else None
    reports = []
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "warehouse.duckdb"
        build(DEFAULT_RAW_DIR, warehouse)
        for sessions in sizes:
            for count in replicas or (0,):
                reports.append(run_load(warehouse, sessions, rounds, server_env, replicas=count))
    print_table(reports, f"; server POLARS_MAX_THREADS={polars_threads}" if polars_threads else "")
    return 0 if all(not r.errors for r in reports) else 1
