"""Resident import and the write lock: the file is parsed, checked and planned with no write lock held
(a tablet saving a visit meanwhile commits at once), then written in one short transaction that plans
again when what the plan relied on changed meanwhile: still all or nothing, nothing duplicated."""

from __future__ import annotations

import argparse
import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from cli import residents as cli_residents
from models.db import read_session, write_session
from models.tables import Area, AuditLog, Household, Resident
from services.areas import create_area
from services.errors import ValidationFailed
from services.people.importing import apply as resident_import
from services.people.importing import import_residents
from services.rollups.recount import compare
from tests import factories as f
from tests.services.people.importing.files import GOOD, as_csv, dump

ROWS = 3000
WAIT = 30  # s, for a thread to reach a point; the test passes long before


@pytest.fixture
def commune(sqlite_engine):
    ids = f.create_tree(sqlite_engine)
    actor = f.actor_for(sqlite_engine, f.create_user(sqlite_engine, role="coordinator", area_code="A"))
    return sqlite_engine, ids, actor


def big_file(rows: int = ROWS) -> bytes:
    """`rows` residents, three to a household, in villages A1 and A2."""
    lines = []
    for n in range(rows):
        village = "A1" if n // 3 % 2 else "A2"
        head = "x" if n % 3 == 0 else ""
        lines.append([f"L{n // 3:05d}", village, f"Số {n // 3}", f"Nguyễn Văn Số{n}", str(1940 + n % 60),
                      "", "", head, ""])  # fmt: skip
    return as_csv(lines)


def two_phase(engine, actor, data, **kw) -> object:
    return import_residents(
        read=lambda: read_session(engine),
        write=lambda: write_session(engine),
        actor=actor,
        area_code="A",
        data=data,
        filename="list.csv",
        **kw,
    )


def count(engine, table) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(table)).scalar_one()


def after_first_plan(monkeypatch, change) -> list[int]:
    """Run `change()` (its own write transaction) once the read phase has planned; returns the calls
    to make_plan as they happen (a second one is the plan made again under the write lock)."""
    original = resident_import.make_plan
    calls: list[int] = []

    def hooked(*args, **kwargs):
        plan = original(*args, **kwargs)
        calls.append(len(calls) + 1)
        if len(calls) == 1:
            change()
        return plan

    monkeypatch.setattr(resident_import, "make_plan", hooked)
    return calls


def test_a_tablet_saves_while_the_command_line_parses_a_large_file(commune, tmp_path, monkeypatch):
    """manage.py import-residents: while the file is being parsed, another connection takes the write
    lock (BEGIN IMMEDIATE), inserts and commits within a second; the import then commits every row."""
    engine, _ids, _actor = commune
    parsing, release = threading.Event(), threading.Event()
    original = resident_import.parse_rows

    def slow_parse(*args, **kwargs):
        parsing.set()
        assert release.wait(WAIT)
        return original(*args, **kwargs)

    monkeypatch.setattr(resident_import, "parse_rows", slow_parse)
    src = tmp_path / "list.csv"
    src.write_bytes(big_file())
    args = argparse.Namespace(
        file=str(src), commune="A", create_villages=False, dry_run=False, max_rows=None, lang="en"
    )
    result: list[object] = []

    def run():
        try:
            result.append(cli_residents.cmd_import_residents(args))
        except BaseException as exc:  # reported below
            result.append(exc)
        finally:
            release.set()

    importer = threading.Thread(target=run, name="importer")
    importer.start()
    try:
        assert parsing.wait(WAIT), "the import never started parsing"
        tablet = sqlite3.connect(make_url(str(engine.url)).database, timeout=1.0, isolation_level=None)
        try:
            started = time.monotonic()
            tablet.execute("BEGIN IMMEDIATE")
            tablet.execute(
                "INSERT INTO audit_log (at, action, entity, details) "
                "VALUES ('2024-01-01 00:00:00', 'visit.recorded', 'visit', '{}')"
            )
            tablet.execute("COMMIT")
            took = time.monotonic() - started
        finally:
            tablet.close()
    finally:
        release.set()
        importer.join(120)
    assert took < 1.0
    assert result == [0]
    assert count(engine, Resident) == ROWS and count(engine, Household) == ROWS // 3
    with read_session(engine) as s:
        actions = s.exec(select(AuditLog.action).order_by(AuditLog.id)).scalars().all()
        assert "visit.recorded" in actions and actions[-1] == "residents.imported"
        assert compare(s) == []


def test_the_write_phase_is_all_or_nothing(commune, monkeypatch):
    """A failure in the middle of the write (after the households went in) leaves nothing behind."""
    engine, _ids, actor = commune
    before = dump(engine)

    def broken(*_args, **_kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(resident_import, "_insert_residents", broken)
    with pytest.raises(RuntimeError):
        two_phase(engine, actor, big_file())
    assert dump(engine) == before


def test_nothing_changed_meanwhile_means_one_plan(commune, monkeypatch):
    engine, _ids, actor = commune
    calls = after_first_plan(monkeypatch, lambda: None)
    report = two_phase(engine, actor, as_csv(GOOD))
    assert calls == [1] and report.applied
    assert (report.households_created, report.residents_created) == (2, 3)
    preview = two_phase(engine, actor, as_csv(GOOD), dry_run=True)
    assert preview.unchanged == 3 and not preview.applied


def test_a_household_added_meanwhile_in_the_commune_is_matched_not_duplicated(commune, monkeypatch):
    """H002 (and its resident Trần Văn Bình) is registered between the check and the write: the import
    plans again under the lock, updates H002 instead of inserting it again and keeps one Bình."""
    engine, ids, actor = commune

    def register():
        hid = f.create_household(engine, village_id=ids["A1"], code="H002", address="Xóm Trên")
        f.create_resident(engine, household_id=hid, full_name="Trần Văn Bình", birth_year=1985)

    calls = after_first_plan(monkeypatch, register)
    report = two_phase(engine, actor, as_csv(GOOD))
    assert calls == [1, 2]
    assert (report.households_created, report.households_updated) == (1, 1)
    assert (report.residents_created, report.residents_updated, report.unchanged) == (2, 1, 0)
    assert [c.fields for c in report.changes] == [
        {"village_id": (ids["A1"], ids["A2"])},
        {"is_head": (False, True)},
    ]
    with read_session(engine) as s:
        h2 = s.exec(select(Household).where(Household.code == "H002")).scalar_one()
        assert h2.village_id == ids["A2"]
        assert s.exec(select(func.count()).select_from(Resident)).scalar_one() == 3
        assert compare(s) == []


def test_a_household_code_taken_elsewhere_meanwhile_refuses_the_file(commune, monkeypatch):
    """H002 is registered in another commune between the check and the write: the file is refused
    with that row listed, and nothing of it is written."""
    engine, ids, actor = commune
    state: dict[str, object] = {}

    def register_elsewhere():
        f.create_household(engine, village_id=ids["B1"], code="H002")
        state["before"] = dump(engine)

    after_first_plan(monkeypatch, register_elsewhere)
    with pytest.raises(ValidationFailed) as err:
        two_phase(engine, actor, as_csv(GOOD))
    assert [(p.key, p.line) for p in err.value.problems] == [("imp.err.household_elsewhere", 4)]
    assert dump(engine) == state["before"]


def test_a_village_created_meanwhile_is_used_not_created_twice(commune, monkeypatch):
    """The file names a village that does not exist yet (create_villages); someone creates it between
    the check and the write: the file is read again under the lock and its rows go into that village."""
    engine, _ids, actor = commune

    def create_village():
        with write_session(engine) as s:
            create_area(s, actor=None, code="A-007", name="Thôn Mới", level="village", parent_code="A")

    after_first_plan(monkeypatch, create_village)
    rows = [["H020", "Thôn Mới", "", "Mai Văn Nam", "1970", "", "", "x", ""]]
    report = two_phase(engine, actor, as_csv(rows), create_villages=True)
    assert report.villages_created == [] and report.residents_created == 1
    with read_session(engine) as s:
        villages = s.exec(select(Area.code).where(Area.name == "Thôn Mới")).scalars().all()
        assert villages == ["A-007"]
        h = s.exec(select(Household).where(Household.code == "H020")).scalar_one()
        assert s.get(Area, h.village_id).code == "A-007"
        assert compare(s) == []


def test_one_session_still_works_and_both_forms_are_not_mixed(commune):
    engine, _ids, actor = commune
    with write_session(engine) as s:
        report = import_residents(s, actor=actor, area_code="A", data=as_csv(GOOD))
    assert report.applied and count(engine, Resident) == 3
    with pytest.raises(TypeError), read_session(engine) as s:
        import_residents(s, read=lambda: read_session(engine), actor=actor, area_code="A", data=b"")
    with pytest.raises(TypeError):
        import_residents(actor=actor, area_code="A", data=as_csv(GOOD))
