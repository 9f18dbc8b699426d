"""How a visit is written: a fixed number of statements whatever the number of residents, levels from
the latest observation by date, and pooled SQLite connections that come back as new ones start."""

from sqlalchemy import event

from models.db import read_session, write_session
from models.tables import ResidentSkill
from services.rollups.recount import compare
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f


def _world(engine, residents=5):
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    actor = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    hh = f.create_household(engine, village_id=ids["A1"])
    people = [
        f.create_resident(engine, household_id=hh, full_name=f"Lò Văn Sáu {i}") for i in range(residents)
    ]
    return actor, hh, people


def _form(key, hh, residents, *, days_ago=0, levels=None, reasons=None):
    return VisitInput(
        idempotency_key=key,
        visited_on=f.today_minus(days_ago),
        place="home",
        outcome="done",
        household_id=hh,
        residents=[
            ResidentInput(
                r,
                guidance={"guide_submit", "guide_pay"},
                levels=dict(levels or {"submit": 1, "pay": 2, "feedback": 1, "receive": 3, "apps": 2}),
                evidence={"submit": "H17.99-000001"},
                reasons=dict(reasons or {}),
                barriers={"has_smartphone": True, "vneid_level": 2},
            )
            for r in residents
        ],
    )


def _statements(engine, work) -> int:
    count = [0]

    def _count(*_args):
        count[0] += 1

    event.listen(engine, "before_cursor_execute", _count)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    return count[0]


def _record(engine, actor, data):
    with write_session(engine) as s:
        return record_visit(s, actor=actor, data=data)


def _level(engine, resident_id, skill):
    with read_session(engine) as s:
        row = s.get(ResidentSkill, (resident_id, skill))
        return 0 if row is None else row.level


def test_statements_do_not_grow_with_the_residents_of_a_visit(engine):
    actor, hh, people = _world(engine)
    _record(engine, actor, _form("warm-up", hh, []))  # first use: statement caches, the actor's rows
    one = _statements(engine, lambda: _record(engine, actor, _form("one", hh, people[:1])))
    five = _statements(engine, lambda: _record(engine, actor, _form("five", hh, people[1:])))
    assert five == one
    with read_session(engine) as s:
        assert compare(s) == []


def test_a_late_entry_does_not_override_a_later_observation(engine):
    actor, hh, (r1, r2) = _world(engine, residents=2)
    _record(engine, actor, _form("today", hh, [r1, r2], levels={"pay": 2, "apps": 3}))
    # Today again: r2 lost the skill (level 0 is the latest observation, its current row goes away).
    _record(engine, actor, _form("today-2", hh, [r2], levels={"pay": 0}, reasons={"pay": "forgot"}))
    assert _level(engine, r2, "pay") == 0
    # A visit entered late, dated three days ago, saw other levels: the later observations still win.
    late = _form(
        "late", hh, [r1, r2], days_ago=3, levels={"pay": 3, "apps": 1}, reasons={"apps": "re-checked"}
    )
    _record(engine, actor, late)
    assert [_level(engine, r1, "pay"), _level(engine, r1, "apps")] == [2, 3]
    assert [_level(engine, r2, "pay"), _level(engine, r2, "apps")] == [0, 3]
    with read_session(engine) as s:
        assert compare(s) == []


def test_a_reused_sqlite_connection_starts_like_a_new_one(sqlite_engine):
    engine = sqlite_engine
    with engine.connect() as conn:  # leaves a temporary database and a big page cache behind
        conn.exec_driver_sql("PRAGMA cache_size = -100000")
        conn.exec_driver_sql("CREATE TEMP TABLE scratch (x INTEGER)")
        conn.exec_driver_sql("INSERT INTO scratch VALUES (1)")
        conn.commit()
        first = conn.connection.driver_connection
    with write_session(engine) as s:
        conn = s.connection()
        assert conn.connection.driver_connection is first  # the pooled connection, reused
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -2000
        # A bulk job sets temp storage inside its write transaction (demo.seed does).
        conn.exec_driver_sql("PRAGMA temp_store = MEMORY")
        assert first.in_transaction
