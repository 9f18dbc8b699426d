"""Benchmark: the overview page (pages/overview.py through app.py) under Streamlit's AppTest, as the
province leader and as a commune leader: the first run (cold: the page's imports, the engine, the overview
cache empty), reruns with the overview cache cleared, and warm reruns, each with the overview service's
part of it; and the process's RSS after them.

    .venv/bin/python bench/bench_overview_page.py --db sqlite:////path/to/province.sqlite [--runs 5]
    .venv/bin/python bench/bench_overview_page.py            # a fresh commune-scale SQLite database
    .venv/bin/python bench/bench_overview_page.py --db URL_OF_A_COPY --server [--password PW]

Each role runs in a process of its own (both cold), signed in through session state as the page tests
do: read-only on the database. It uses an existing leader (or, for the province, the admin); where there
is none, --create-user inserts one (a write: give it a copy). AppTest runs the page inside this process,
so its RSS stands for a server process that has served the page (Python, Streamlit, the app, its engine
and caches). --server also starts `streamlit run app.py` on a loopback port, signs the province user in
with Debian's Chromium (the demo password unless --password; signing in writes a token and an audit row:
give it a copy), opens the overview from the menu twice and reads that server process's RSS.
Targets (issue #10): the overview page (AppTest, province leader) <= 1.5 s; the process <= 400 MB RSS.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from bench.bench_overview import check_revision, fresh_database
from core.settings import PROJECT_ROOT
from models.db import make_engine, read_session, write_session

APP = str(PROJECT_ROOT / "app.py")
PAGE = "pages/overview.py"
USER_ID = "auth.user_id"
# Who opens the page, best first, by the scope benchmarked (SCOPE says which areas that is).
WANTED = {
    "province": ("leader", "admin"),
    "commune": ("leader", "coordinator"),
}
FIND_USER = """
SELECT u.id, u.username, u.role, a.code, a.name FROM app_user u JOIN area a ON a.id = u.area_id
WHERE u.is_active AND u.role = :role AND {where} ORDER BY u.id LIMIT 1
"""
BARE_MODE_LOGGERS = (
    "streamlit.runtime.scriptrunner_utils.script_run_context",
    "streamlit.runtime.state.session_state_proxy",
)
CHROMIUM = "/usr/bin/chromium"  # Debian's package, as the browser tests use; never downloaded
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
IDLE_SELECTOR = '[data-testid="stApp"][data-test-script-state="notRunning"]'
NO_STATUS_WIDGET = "() => !document.querySelector('[data-testid=stStatusWidget]')"
SCOPE = {"province": "a.parent_id IS NULL", "commune": "a.level = 'commune'"}


def rss_mb() -> tuple[float, float]:
    """This process's resident set now (VmRSS) and at its peak (ru_maxrss), in MB."""
    now = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            now = int(line.split()[1]) / 1024
    return now, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def find_user(engine, scope: str) -> tuple | None:
    with read_session(engine) as s:
        for role in WANTED[scope]:
            row = s.execute(text(FIND_USER.format(where=SCOPE[scope])), {"role": role}).first()
            if row:
                return tuple(row)
    return None


def create_user(engine, scope: str) -> tuple:
    """A leader of the first area of `scope`, with a random password nobody knows (--create-user)."""
    from services.auth import create_user as create

    with read_session(engine) as s:
        code = s.execute(text(f"SELECT code FROM area a WHERE {SCOPE[scope]} ORDER BY id")).scalar()
    with write_session(engine) as s:
        create(
            s,
            actor=None,
            username=f"bench.{scope}.{secrets.token_hex(3)}",
            password=secrets.token_urlsafe(16),
            role="leader",
            area_code=code,
        )
    print(f"--create-user: wrote a {scope} leader into the database")
    return find_user(engine, scope)


def timed_run(at) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        sys.exit(f"the page raised: {[e.message for e in at.exception]}")
    if at.error:
        sys.exit(f"the page showed an error: {[e.value for e in at.error]}")
    return elapsed


class ServiceTimer:
    """Wraps services.overview.overview (the page calls it through the module) to time each call."""

    def __init__(self, svc) -> None:
        self.calls: list[float] = []
        self._real = svc.overview
        svc.overview = self

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self._real(*args, **kwargs)
        finally:
            self.calls.append(time.perf_counter() - start)

    def since(self, mark: int) -> float:
        return sum(self.calls[mark:])


def series(at, timer: ServiceTimer, runs: int, before=None) -> str:
    """`runs` reruns of the page (each after `before()`): the median page time and the service's part."""
    pages, data = [], []
    for _ in range(runs):
        if before:
            before()
        mark = len(timer.calls)
        pages.append(timed_run(at))
        data.append(timer.since(mark))
    return f"{statistics.median(pages) * 1000:.0f} ms (service {statistics.median(data) * 1000:.0f} ms)"


def bench_role(scope: str, user: tuple, runs: int, timeout: float) -> None:
    """Open the overview as `user` in AppTest and print the times and this process's RSS."""
    from streamlit.testing.v1 import AppTest

    from services import overview as svc

    # AppTest formats widget options outside a script run: the page's t() then warns of a missing context.
    for name in BARE_MODE_LOGGERS:
        logging.getLogger(name).disabled = True
    timer = ServiceTimer(svc)
    before = rss_mb()[0]
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.session_state[USER_ID] = user[0]
    home = timed_run(at)  # app.py's first run: the home page, where a signed-in user lands
    at.switch_page(PAGE)
    mark = len(timer.calls)
    cold = timed_run(at)
    if not at.metric:
        sys.exit("the overview page drew no figures")
    cold_data = timer.since(mark)
    cleared = series(at, timer, runs, svc.clear_cache)
    warm = series(at, timer, runs)
    now, peak = rss_mb()
    print(f"{scope}: {user[2]} {user[1]} ({user[4]}); the home page's first run took {home * 1000:.0f} ms")
    print(f"  overview page, first run (cold)  {cold * 1000:.0f} ms (service {cold_data * 1000:.0f} ms)")
    print(f"  overview cache cleared, median   {cleared}")
    print(f"  warm (cached), median            {warm}")
    print(
        f"  process RSS after the runs: {now:.0f} MB (peak {peak:.0f} MB; {before:.0f} MB before the first"
        " run), AppTest in this process, not a server",
        flush=True,
    )


def proc_rss_mb(pid: int) -> tuple[float, float]:
    """Another process's resident set now (VmRSS) and at its peak (VmHWM), in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def start_server(url: str, log) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free loopback port, once it answers its health check."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "AUTO_SEED_DEMO": "0", "PYTHONUNBUFFERED": "1"}
    flags = ["--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port)]
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", *flags, "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return proc, base
        except OSError:
            time.sleep(0.2)
    stop(proc)
    log.seek(0)
    sys.exit(f"the Streamlit server did not start:\n{log.read()[-2000:].decode(errors='replace')}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def open_in_browser(page, base: str, username: str, password: str, timeout: float) -> list[float]:
    """Sign in, then open the overview from the menu twice (home in between): seconds until drawn."""
    from playwright.sync_api import Error as PlaywrightError

    from core.i18n import t

    ms, times = timeout * 1000, []

    def idle() -> None:
        page.wait_for_selector(IDLE_SELECTOR, timeout=ms)
        page.wait_for_function(NO_STATUS_WIDGET, timeout=ms)

    page.goto(base)
    idle()
    page.get_by_label(t("login.username", "vi")).fill(username)
    page.get_by_label(t("login.password", "vi")).fill(password)
    page.get_by_role("button", name=t("login.submit", "vi"), exact=True).click()
    try:
        page.get_by_test_id("stMetric").first.wait_for(timeout=ms)
    except PlaywrightError:
        sys.exit(f"{username} could not sign in on the server (a wrong --password?)")
    idle()
    for name in ("nav.overview", "nav.home", "nav.overview"):
        page.locator(".st-key-shell_menu").get_by_role("button").first.click()
        link = page.get_by_test_id("stPopoverBody").get_by_role("link", name=t(name, "vi"), exact=True)
        start = time.perf_counter()
        link.click()
        if name == "nav.overview":
            page.get_by_role("heading", name=t(name, "vi"), exact=True).wait_for(timeout=ms)
            page.locator(".vega-embed :is(canvas, svg)").first.wait_for(timeout=ms)
        idle()
        times.append(time.perf_counter() - start)
    return times[0::2]


def bench_server(url: str, username: str, password: str, timeout: float) -> None:
    """The overview in Chromium against a real server, and the server process's RSS (--server)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryFile() as log:
        proc, base = start_server(url, log)
        try:
            idle_rss = proc_rss_mb(proc.pid)[0]
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 768, "height": 1024}, locale="vi-VN")
                first, again = open_in_browser(page, base, username, password, timeout)
                now, peak = proc_rss_mb(proc.pid)
                browser.close()
        finally:
            stop(proc)
    print(f"server (streamlit run, Chromium, {username}): overview from the menu {first * 1000:.0f} ms,")
    print(f"  again after the home page {again * 1000:.0f} ms; until its first chart is drawn")
    print(f"  server process RSS: {now:.0f} MB after (peak {peak:.0f} MB; {idle_rss:.0f} MB started)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a fresh commune-scale SQLite database)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=300, help="AppTest's timeout for one run, seconds")
    parser.add_argument("--role", choices=("province", "commune"), help="one role only (in this process)")
    parser.add_argument(
        "--create-user", action="store_true", help="insert a leader where there is none (writes the database)"
    )
    parser.add_argument(
        "--server", action="store_true", help="also a real server and Chromium (signing in writes a token)"
    )
    parser.add_argument("--password", help="the province user's password for --server (default: the demo's)")
    args = parser.parse_args()
    url = args.db or fresh_database()
    if args.role is None:  # each role in a process of its own, so that both start cold
        for role in ("province", "commune"):
            cmd = [sys.executable, __file__, "--db", url, "--runs", str(args.runs), "--role", role]
            cmd += ["--timeout", str(args.timeout)] + (["--create-user"] if args.create_user else [])
            if subprocess.run(cmd, check=False).returncode:
                sys.exit(1)
        if args.server:
            from demo.context import DEMO_PASSWORD

            user = find_user(make_engine(url), "province")
            bench_server(url, user[1], args.password or DEMO_PASSWORD, min(args.timeout, 120))
        return
    os.environ["DATABASE_URL"] = url  # what the app's pages open
    engine = make_engine(url)
    check_revision(engine)
    user = find_user(engine, args.role)
    if user is None and args.create_user:
        user = create_user(engine, args.role)
    if user is None:
        sys.exit(f"No {args.role} leader in this database: pass --create-user (it writes one) to add one.")
    engine.dispose()
    bench_role(args.role, user, args.runs, args.timeout)


if __name__ == "__main__":
    main()
