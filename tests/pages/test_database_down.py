"""A database that does not answer, or a malformed DATABASE_URL, gives a plain message, not a traceback."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.i18n import t
from tests.pg import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("script", ["app.py", "pages/visit.py", "pages/home.py"])
def test_unreachable_database_says_so_in_vietnamese(monkeypatch, script):
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    at = AppTest.from_file(str(ROOT / script), default_timeout=30)
    at.session_state["auth.user_id"] = 1  # a signed-in tablet whose database went away
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("err.db_unavailable_page", "vi")]
    assert [b.label for b in at.button if b.key == "db_retry"] == [t("journey.retry", "vi")]


def test_malformed_database_url_says_so(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:secret@host:notaport/db")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["auth.user_id"] = 1
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("err.db_config", "vi")]
    assert "secret" not in str([e.value for e in at.error])
