"""A Streamlit server on a private copy of the demo database, for browser tests that write (the other
browser tests share the session's demo database and must not see those writes)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.browser.conftest import start_server


@contextmanager
def private_app(demo_env: dict[str, str], folder: Path) -> Iterator[tuple[str, str]]:
    """(base URL, database URL) of a server on a copy of the demo database made in `folder`."""
    source = demo_env["DATABASE_URL"].removeprefix("sqlite:///")
    target = folder / "private.sqlite"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    env = {**demo_env, "DATABASE_URL": f"sqlite:///{target}", "DATA_DIR": str(folder)}
    server = start_server(env, folder / "streamlit.log")
    try:
        yield server.url, env["DATABASE_URL"]
    finally:
        server.stop()
