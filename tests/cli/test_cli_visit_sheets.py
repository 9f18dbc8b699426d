"""manage.py visit-sheets records the sheets it prints (so they can be typed back in), reuses the ids
of an unchanged reprint, and records nothing when the output folder does not exist."""

from __future__ import annotations

import json

from sqlalchemy import select

from models.db import read_session
from models.tables import VisitSheet
from tests.cli.test_cli_printing import manage, village_with_households


def recorded(engine) -> list[tuple]:
    with read_session(engine) as s:
        return [
            (row.id, json.loads(row.household_ids), row.printed_by)
            for row in s.exec(select(VisitSheet).order_by(VisitSheet.id)).scalars()
        ]


def test_visit_sheets_from_the_command_line_are_recorded(tmp_path, sqlite_engine):
    world = village_with_households(sqlite_engine)
    missing = tmp_path / "no-such-folder" / "sheets.pdf"
    result = manage("visit-sheets", "--village", "A1", "--out", str(missing))
    assert result.returncode == 1 and "no such folder" in result.stderr
    assert recorded(sqlite_engine) == []

    out = tmp_path / "sheets.pdf"
    first = manage("visit-sheets", "--village", "A1", "--out", str(out))
    assert first.returncode == 0, first.stderr
    sheet_id = first.stdout.split("sheets: ")[1].split()[0]
    assert recorded(sqlite_engine) == [(sheet_id, [world["household"]], None)]

    again = manage("visit-sheets", "--village", "A1", "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert again.stdout.split("sheets: ")[1].split()[0] == sheet_id
    assert len(recorded(sqlite_engine)) == 1
