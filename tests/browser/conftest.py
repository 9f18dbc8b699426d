"""Real Chromium (Debian's package) against a real Streamlit server on a demo database, at tablet size."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"

# Demo accounts created by `manage.py seed-demo` (shared by every browser test).
DEMO_PASSWORD = "5b3h-demo-2026"
DEMO_USERS = {"volunteer": "tinhnguyen", "admin": "quantri", "coordinator": "dieuphoi", "leader": "lanhdao"}

IDLE_SELECTOR = '[data-testid="stApp"][data-test-script-state="notRunning"]'
STARTUP_SECONDS = 60


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium; skipped without it (a failure under REQUIRE_BROWSER=1). Never downloads one."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        message = f"{CHROMIUM} is missing (Debian package: chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 768, "height": 1024}, "locale": "vi-VN"}


# ---------------------------------------------------------------- the app under test


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def demo_env(tmp_path_factory, chromium_path) -> dict[str, str]:
    """Environment of a fresh SQLite database migrated and filled by `manage.py seed-demo`."""
    data_dir = tmp_path_factory.mktemp("demo-app")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{data_dir / 'demo.sqlite'}",
        "DATA_DIR": str(data_dir),
        "AUTO_SEED_DEMO": "0",
        "PYTHONUNBUFFERED": "1",
    }
    _manage(env, "init-db")
    _manage(env, "seed-demo", "--scale", "demo", "--seed", "1")
    return env


class StreamlitServer:
    """`streamlit run app.py` on a free port, stopped through its own process handle."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(self.port),
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:
                    if resp.read().decode().strip() == "ok":
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        log = self.log_path.read_text(errors="replace")[-3000:]
        pytest.fail(f"streamlit did not become healthy (exit code {self.proc.returncode}):\n{log}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()


def start_server(env: dict[str, str], log_path: Path) -> StreamlitServer:
    server = StreamlitServer(env, log_path)
    server.wait_healthy()
    return server


@pytest.fixture(scope="session")
def demo_app(demo_env, tmp_path_factory) -> Iterator[str]:
    """Base URL of a Streamlit server on the demo database, shared by the whole session."""
    server = start_server(demo_env, tmp_path_factory.mktemp("demo-app-log") / "streamlit.log")
    yield server.url
    server.stop()


@pytest.fixture
def fresh_app(demo_env, tmp_path) -> Iterator[str]:
    """Base URL of a server of its own, started for this test (no session has run app.py on it yet)."""
    server = start_server(demo_env, tmp_path / "streamlit.log")
    yield server.url
    server.stop()


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until the script has finished its run and the status widget ("Running...") is gone."""
    page.wait_for_selector(IDLE_SELECTOR, timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout
    )


@pytest.fixture
def shot(request) -> Callable[[object, str], Path]:
    """Save a screenshot of `page` as `<name>.png` under test-output/screenshots/ (or $SCREENSHOT_DIR)
    and print its path, so a reviewer can open every screen a test visited."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or PROJECT_ROOT / "test-output" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, full_page: bool = False) -> Path:
        path = folder / f"{name}.png"
        page.mouse.move(0, 0)
        page.screenshot(path=str(path), full_page=full_page)
        print(f"screenshot: {path}")
        return path

    return take
