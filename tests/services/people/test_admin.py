"""Editing, moving, marking and merging keep every history row and the rollups exact."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, func, select

from models.db import read_session, write_session
from models.tables import AuditLog, Household, Resident, SkillEvent, Visit, VisitGuidance, VisitResident
from services.errors import PermissionDenied, ValidationFailed
from services.people import admin
from services.rollups.recount import compare
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f


@pytest.fixture
def world(engine):
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"], ids["A2"]))
    volunteer = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    coordinator = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))
    return engine, ids, volunteer, coordinator


def visit(engine, actor, key, household_id, days, residents):
    data = VisitInput(
        idempotency_key=key,
        visited_on=f.today_minus(days),
        place="home",
        outcome="done",
        household_id=household_id,
        residents=residents,
    )
    with write_session(engine) as s:
        return record_visit(s, actor=actor, data=data)


def counts(engine) -> dict:
    with read_session(engine) as s:
        return {
            model.__name__: s.exec(select(func.count()).select_from(model)).scalar()
            for model in (Visit, SkillEvent, VisitResident, VisitGuidance)
        }


def rollup_residents(engine, area_id) -> int:
    from models.tables import RollupArea

    with read_session(engine) as s:
        row = s.get(RollupArea, area_id)
        return row.residents if row else 0


def test_merge_residents_keeps_history(world):
    engine, ids, volunteer, coordinator = world
    hh = f.create_household(engine, village_id=ids["A1"])
    keep = f.create_resident(engine, household_id=hh, full_name="Nguyễn Văn An", birth_year=1970)
    dup = f.create_resident(engine, household_id=hh, full_name="Nguyen Van An", birth_year=None,
                            has_smartphone=True)  # fmt: skip
    visit(engine, volunteer, "v1", hh, 5, [ResidentInput(dup, guidance={"guide_pay"}, levels={"pay": 3})])
    visit(
        engine,
        volunteer,
        "v2",
        hh,
        2,
        [
            ResidentInput(keep, guidance={"guide_submit"}, levels={"submit": 2}),
            ResidentInput(dup, guidance={"guide_submit", "guide_apps"}, levels={"apps": 1}),
        ],
    )
    before = counts(engine)
    with write_session(engine) as s:
        admin.merge_residents(s, actor=coordinator, loser_id=dup, survivor_id=keep)
    after = counts(engine)
    assert after["Visit"] == before["Visit"] and after["SkillEvent"] == before["SkillEvent"]
    # the shared visit keeps one attendance row and one row per guidance kind
    assert after["VisitResident"] == before["VisitResident"] - 1
    assert after["VisitGuidance"] == before["VisitGuidance"] - 1
    with read_session(engine) as s:
        loser, survivor = s.get(Resident, dup), s.get(Resident, keep)
        assert (loser.status, loser.merged_into_id) == ("merged", keep)
        assert survivor.has_smartphone is True  # taken from the duplicate
        assert s.exec(select(func.count()).where(SkillEvent.resident_id == keep)).scalar() == 3
        assert s.exec(select(func.count()).where(VisitResident.resident_id == dup)).scalar() == 0
        assert compare(s) == []
    assert rollup_residents(engine, ids["A1"]) == 1
    with write_session(engine) as s, pytest.raises(ValidationFailed):
        admin.merge_residents(s, actor=coordinator, loser_id=dup, survivor_id=keep)


def test_merge_households_keeps_history(world):
    engine, ids, volunteer, coordinator = world
    h1 = f.create_household(engine, village_id=ids["A1"], code="K1")
    h2 = f.create_household(engine, village_id=ids["A2"], code="K2", address="Số 9")
    r1 = f.create_resident(engine, household_id=h1, full_name="Lê Văn Tám")
    r2 = f.create_resident(engine, household_id=h2, full_name="Lê Thị Chín")
    visit(engine, volunteer, "a", h1, 3, [ResidentInput(r1, guidance={"guide_pay"}, levels={"pay": 3})])
    visit(engine, volunteer, "b", h2, 1, [ResidentInput(r2, levels={"submit": 3}, guidance={"guide_submit"})])
    before = counts(engine)
    with write_session(engine) as s:
        admin.merge_households(s, actor=coordinator, loser_id=h2, survivor_id=h1)
    assert counts(engine) == before
    with read_session(engine) as s:
        loser, survivor = s.get(Household, h2), s.get(Household, h1)
        assert (loser.status, loser.merged_into_id) == ("merged", h1)
        assert survivor.address == "Số 9"
        assert s.get(Resident, r2).household_id == h1
        assert set(s.exec(select(Visit.household_id)).scalars()) == {h1}
        assert survivor.last_visited_on == f.today_minus(1)
        assert compare(s) == []
        assert s.exec(select(func.count()).where(AuditLog.action == "household.merged")).scalar() == 1
    assert rollup_residents(engine, ids["A1"]) == 2 and rollup_residents(engine, ids["A2"]) == 0


def test_moved_and_deceased_drop_out_of_rollups(world):
    engine, ids, _volunteer, coordinator = world
    hh = f.create_household(engine, village_id=ids["A1"])
    a = f.create_resident(engine, household_id=hh, full_name="Hồ Văn Một", has_smartphone=False)
    b = f.create_resident(engine, household_id=hh, full_name="Hồ Văn Hai")
    c = f.create_resident(engine, household_id=hh, full_name="Hồ Văn Ba")
    with write_session(engine) as s:
        admin.set_resident_status(s, actor=coordinator, resident_id=a, status="moved")
        admin.set_resident_status(s, actor=coordinator, resident_id=b, status="deceased")
    assert rollup_residents(engine, ids["A"]) == 1
    with read_session(engine) as s:
        assert compare(s) == []
        assert s.get(Resident, a).status == "moved"  # kept for history
    with write_session(engine) as s:
        admin.set_household_status(s, actor=coordinator, household_id=hh, status="moved")
    assert rollup_residents(engine, ids["A"]) == 0
    with write_session(engine) as s:
        admin.set_household_status(s, actor=coordinator, household_id=hh, status="active")
        admin.set_resident_status(s, actor=coordinator, resident_id=a, status="active")
    assert rollup_residents(engine, ids["A"]) == 2
    with read_session(engine) as s:
        assert compare(s) == []
    with write_session(engine) as s, pytest.raises(ValidationFailed):
        admin.set_resident_status(s, actor=coordinator, resident_id=c, status="merged")


def test_edit_and_move_resident(world):
    engine, ids, _volunteer, coordinator = world
    h1 = f.create_household(engine, village_id=ids["A1"], code="E1")
    h2 = f.create_household(engine, village_id=ids["A2"], code="E2")
    rid = f.create_resident(engine, household_id=h1, full_name="Đinh Văn Tư")
    with write_session(engine) as s:
        changes = admin.update_resident(
            s, actor=coordinator, resident_id=rid,
            values={"full_name": "đinh văn  tú", "phone": "+84 912 345 678", "has_smartphone": False},
        )  # fmt: skip
    assert changes["full_name"] == ("Đinh Văn Tư", "Đinh Văn Tú")
    with write_session(engine) as s, pytest.raises(ValidationFailed) as err:
        admin.update_resident(
            s, actor=coordinator, resident_id=rid, values={"birth_year": 1800, "phone": "12"}
        )
    assert {p.field for p in err.value.problems} == {"birth_year", "phone"}
    with write_session(engine) as s:
        admin.move_resident(s, actor=coordinator, resident_id=rid, target_household_id=h2)
        admin.update_household(s, actor=coordinator, household_id=h1, values={"village_id": ids["A2"]})
    with read_session(engine) as s:
        r = s.get(Resident, rid)
        assert (r.household_id, r.phone, r.phone_rev, r.name_key) == (h2, "0912345678", "8765432190",
                                                                      "dinh van tu")  # fmt: skip
        assert compare(s) == []
        edits = s.exec(select(AuditLog.action).where(AuditLog.entity == "resident")).scalars().all()
        assert "resident.edited" in edits and "resident.moved_household" in edits


def test_scope_refusals(world):
    engine, ids, volunteer, coordinator = world
    hb = f.create_household(engine, village_id=ids["B1"])
    rb = f.create_resident(engine, household_id=hb)
    ha = f.create_household(engine, village_id=ids["A1"])
    ra = f.create_resident(engine, household_id=ha)
    with write_session(engine) as s:
        with pytest.raises(PermissionDenied):
            admin.update_resident(s, actor=coordinator, resident_id=rb, values={"full_name": "X"})
        with pytest.raises(PermissionDenied):
            admin.merge_residents(s, actor=coordinator, loser_id=ra, survivor_id=rb)
        with pytest.raises(PermissionDenied):
            admin.move_resident(s, actor=coordinator, resident_id=ra, target_household_id=hb)
        with pytest.raises(PermissionDenied):
            admin.set_resident_status(s, actor=volunteer, resident_id=ra, status="moved")
        with pytest.raises(ValidationFailed):
            admin.find_household(s, actor=coordinator, code=s.get(Household, hb).code)


# ---------------------------------------------------------------- a visit committing mid-write

WAIT = 1.0  # seconds the writer holds still after its "before" read, for a visit to slip in


def race(monkeypatch, owner, name, write, visit) -> bool:
    """Run `write` in one thread; as soon as it has called `owner.name` (its "before" read), run
    `visit` in a second thread and hold the writer still until the visit commits or WAIT passes.
    Returns whether the visit committed in between: with the writer's row locks (PostgreSQL) or its
    database lock (SQLite) it cannot, and the rollups stay exact; without them it counted twice."""
    original = getattr(owner, name)
    before_taken, visit_done = threading.Event(), threading.Event()
    errors: list[Exception] = []
    slipped_in: list[bool] = []

    def hooked(*args, **kwargs):
        result = original(*args, **kwargs)
        if threading.current_thread().name == "writer" and not before_taken.is_set():
            before_taken.set()
            slipped_in.append(visit_done.wait(WAIT))
        return result

    monkeypatch.setattr(owner, name, hooked)

    def run(work, done=None):
        try:
            if done is not None:
                assert before_taken.wait(30), "the writer never took its before snapshot"
            work()
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            if done is not None:
                done.set()

    threads = [
        threading.Thread(target=run, args=(write,), name="writer"),
        threading.Thread(target=run, args=(visit, visit_done), name="visitor"),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert slipped_in == [False]
    return slipped_in[0]


def test_a_visit_cannot_commit_between_the_before_read_and_the_update(world, monkeypatch):
    """Editing a resident while a volunteer records their new skill level, and moving a
    household to another village while a visit to it is recorded: the visit waits for the write, and
    the rollups match a recount."""
    engine, ids, volunteer, coordinator = world
    hh = f.create_household(engine, village_id=ids["A1"], code="R1")
    rid = f.create_resident(engine, household_id=hh, full_name="Lý Văn Ba")
    other = f.create_resident(engine, household_id=hh, full_name="Lý Thị Tư")

    def edit_resident():
        with write_session(engine) as s:
            admin.update_resident(s, actor=coordinator, resident_id=rid, values={"has_smartphone": False})

    race(
        monkeypatch, admin._Ledger, "snapshot", edit_resident,
        lambda: visit(engine, volunteer, "race-1", hh, 0, [ResidentInput(rid, levels={"submit": 2})]),
    )  # fmt: skip
    with read_session(engine) as s:
        assert compare(s) == []
    monkeypatch.undo()

    def move_household():
        with write_session(engine) as s:
            admin.update_household(s, actor=coordinator, household_id=hh, values={"village_id": ids["A2"]})

    race(
        monkeypatch, admin._Ledger, "snapshot", move_household,
        lambda: visit(engine, volunteer, "race-2", hh, 0, [ResidentInput(other, levels={"pay": 3})]),
    )  # fmt: skip
    with read_session(engine) as s:
        assert compare(s) == []
        assert s.get(Household, hh).village_id == ids["A2"]


@pytest.mark.parametrize(
    "write",
    [
        lambda s, a, w: admin.update_resident(
            s, actor=a, resident_id=w["r1"], values={"has_smartphone": True}
        ),
        lambda s, a, w: admin.move_resident(s, actor=a, resident_id=w["r1"], target_household_id=w["h2"]),
        lambda s, a, w: admin.set_household_status(s, actor=a, household_id=w["h1"], status="moved"),
        lambda s, a, w: admin.merge_households(s, actor=a, loser_id=w["h1"], survivor_id=w["h2"]),
        lambda s, a, w: admin.merge_residents(s, actor=a, loser_id=w["r1"], survivor_id=w["r2"]),
    ],
    ids=["update_resident", "move_resident", "household_status", "merge_households", "merge_residents"],
)
def test_rows_are_locked_before_the_before_read(world, write):
    """On PostgreSQL every write locks its households and residents (FOR UPDATE) before it reads a
    resident's skill levels for its "before"; SQLite renders no FOR UPDATE (BEGIN IMMEDIATE)."""
    engine, ids, _volunteer, coordinator = world
    h1 = f.create_household(engine, village_id=ids["A1"], code="L1")
    h2 = f.create_household(engine, village_id=ids["A1"], code="L2")
    w = {
        "h1": h1,
        "h2": h2,
        "r1": f.create_resident(engine, household_id=h1, full_name="Mai Văn Một"),
        "r2": f.create_resident(engine, household_id=h2, full_name="Mai Văn Một"),
    }
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()).lower())

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with write_session(engine) as s:
            write(s, coordinator, w)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    locks = [i for i, sql in enumerate(statements) if sql.endswith("for update")]
    if engine.dialect.name != "postgresql":
        assert locks == []
        return
    locked_tables = {statements[i].split(" from ")[1].split()[0] for i in locks}
    assert locked_tables == {"household", "resident"}
    first_before_read = next(i for i, sql in enumerate(statements) if "from resident_skill" in sql)
    assert max(locks) < first_before_read
    with read_session(engine) as s:
        assert compare(s) == []
