"""The pages' database sessions: `reading()` and `writing()`, bound to the cached engine, turn a database
that does not answer (down, unreachable, locked for too long) into the plain message the pages show.

- `with reading() as session:` — when the database does not answer, the page says so («Thử lại» reruns
  it) and this run stops there: what was drawn above stays, nothing below is drawn.
- `with writing() as session:` — one transaction (committed at the end of the block); when the database
  does not answer, nothing is saved and `DatabaseDown` is raised. It is an `AppError` whose message is
  "Dữ liệu bạn nhập vẫn còn, hãy thử lại": a page that shows `AppError`s next to its form needs nothing
  more, and the form keeps its input because the page run goes on. A page with its own wording (the visit
  forms' "Chưa lưu được … «Thử lại»") catches `DatabaseDown` before `AppError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session

from core.labels import N_
from models.db import DatabaseUnavailable, read_session, write_session
from services.errors import AppError
from webui.state import engine, t

# The database did not answer.
DB_ERRORS = (OperationalError, InterfaceError, DatabaseUnavailable)
RETRY_KEY = "db_retry"


class DatabaseDown(AppError):
    """A write did not reach the database: nothing was saved."""

    def __init__(self) -> None:
        super().__init__(N_("err.db_unavailable"))


def stop_unavailable() -> None:
    """Say that the database does not answer, offer «Thử lại» (a press reruns the page), stop the run."""
    st.error(t("err.db_unavailable_page"))
    st.button(t("journey.retry"), key=RETRY_KEY, type="primary")
    st.stop()


@contextmanager
def reading(*, stop: bool = True) -> Iterator[Session]:
    """A read-only session. `stop=False` for a read the page can do without (a draft to offer): it
    raises `DatabaseDown` instead of stopping the page, and the caller goes on without it."""
    try:
        with read_session(engine()) as session:
            yield session
    except DB_ERRORS as exc:
        if not stop:
            raise DatabaseDown() from exc
        stop_unavailable()


@contextmanager
def writing() -> Iterator[Session]:
    """One write transaction; `DatabaseDown` when the database does not answer (nothing saved)."""
    try:
        with write_session(engine()) as session:
            yield session
    except DB_ERRORS as exc:
        raise DatabaseDown() from exc
