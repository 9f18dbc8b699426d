"""DATABASE_URL handling: malformed and unsupported URLs, unreachable servers, the SQLite default."""

import pytest

from core.settings import get_settings
from models.db import DatabaseConfigError, DatabaseUnavailable, check_connection, make_engine, normalise_url


@pytest.mark.parametrize(
    "url", ["not a url", "mysql://u@h/db", "sqlite://", "sqlite:///:memory:", "postgresql://h"]
)
def test_bad_urls_are_refused_with_a_reason(url):
    with pytest.raises(DatabaseConfigError):
        normalise_url(url)


def test_plain_postgresql_urls_use_psycopg3():
    assert normalise_url("postgresql://u:p@db.local:5432/x").startswith(
        "postgresql+psycopg://u:p@db.local:5432/x"
    )


def test_unreachable_server_is_reported():
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(DatabaseUnavailable):
        check_connection(engine)


def test_unset_url_means_a_sqlite_file_under_data(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    url = get_settings().database_url
    assert url == f"sqlite:///{tmp_path / '5b3h.sqlite'}"
    engine = make_engine()
    check_connection(engine)
    assert (tmp_path / "5b3h.sqlite").exists()
