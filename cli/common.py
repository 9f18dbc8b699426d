"""What every manage.py command shares: the error line, the settings and the database or exit 2,
problem reports, input and output paths.

Exit codes: 0 done, 1 refused (bad input, a rejected file, an unknown id), 2 the installation cannot
be used (a bad environment variable, a malformed DATABASE_URL, a database that does not answer).
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import Engine

from core.i18n import t
from core.settings import Settings, SettingsError, get_settings
from models.db import DatabaseConfigError, DatabaseUnavailable, check_connection, make_engine
from services.errors import ValidationFailed

LANG = ["vi"]  # the language of the messages: set from --lang by manage.py before a command runs


def say(key: str, **params: object) -> str:
    """A message of the command line in the chosen language."""
    return t(key, LANG[0], **params)


def fail(message: str, code: int = 1) -> int:
    """Print `lỗi: message` (`error: message` in English) on stderr; returns the exit code."""
    print(say("cli.error", message=message), file=sys.stderr)
    return code


def settings_or_exit() -> Settings:
    """The settings; a bad environment variable exits 2 with a message naming it."""
    try:
        return get_settings()
    except SettingsError as exc:
        raise SystemExit(fail(str(exc), 2)) from exc


def engine_or_exit() -> Engine:
    """The configured database (migrated to head is NOT assumed); a bad URL or no answer exits 2."""
    settings_or_exit()
    try:
        engine = make_engine()
        check_connection(engine)
    except DatabaseConfigError as exc:
        raise SystemExit(fail(str(exc), 2)) from exc
    except DatabaseUnavailable as exc:
        raise SystemExit(fail(say("cli.db_no_answer", reason=str(exc)), 2)) from exc
    return engine


def report_problems(exc: ValidationFailed, lang: str) -> None:
    """Every problem on its own line of stderr: `  line 3, field: message`."""
    for p in exc.problems:
        where = say("cli.line", line=p.line) + ", " if p.line else ""
        print(f"  {where}{p.field}: {p.message(lang)}", file=sys.stderr)


def rejected(headline: str, exc: ValidationFailed, lang: str) -> int:
    """`lỗi: headline` and the problems under it; exit code 1."""
    print(say("cli.error", message=headline), file=sys.stderr)
    report_problems(exc, lang)
    return 1


def file_rejected(path: Path, exc: ValidationFailed, lang: str) -> int:
    """An all-or-nothing import refused: nothing was written."""
    return rejected(say("cli.file_rejected", name=path.name), exc, lang)


def input_file(name: str) -> Path:
    """The file to read; a missing one exits 1."""
    path = Path(name)
    if not path.is_file():
        raise SystemExit(fail(say("cli.no_file", path=str(path))))
    return path


def output_folder_or_exit(name: str) -> Path:
    """The file to write; a missing folder exits 1 (before anything is done)."""
    path = Path(name)
    if not path.parent.is_dir():
        raise SystemExit(fail(say("cli.no_folder", path=str(path.parent))))
    return path


def admin_of(area):
    """The command line acts as an administrator of `area` (it already has the database)."""
    from services.access import Actor

    return Actor(
        user_id=0,
        username="cli",
        full_name="cli",
        role="admin",
        area_id=area.id,
        area_path=area.path,
        area_code=area.code,
        area_name=area.name,
        area_level=area.level,
    )
