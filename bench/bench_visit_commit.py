"""Benchmark: committing one visit (5 residents × 5 skills, derived state and rollups included), beside a
bare insert of the same rows (visit, visit_member, visit_resident, visit_guidance, skill_event; nothing
derived, nothing read), each in its own write transaction on the same engine.

    python bench/bench_visit_commit.py                      # builds a commune-scale SQLite database
    python bench/bench_visit_commit.py --db sqlite:///province.sqlite --commits 200

A SQLite file given with --db is copied first (the visits would otherwise stay in it); pass --in-place
to write into it, which a PostgreSQL URL always does. Prints p50/p95 in milliseconds and the SQL
statements each commit sends; not a test.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, select
from sqlalchemy.engine import make_url

from core.clock import today, utcnow
from models.db import make_engine, read_session, write_session
from models.enums import SKILLS, Role
from models.tables import (
    Household,
    Resident,
    SkillEvent,
    User,
    Visit,
    VisitGuidance,
    VisitMember,
    VisitResident,
)
from services.access import load_actor
from services.visits.record import ResidentInput, VisitInput, record_visit

RESIDENTS_PER_VISIT = 5


def open_database(url: str | None, *, copy: bool, scale: str = "commune") -> tuple[str, str]:
    """A database URL to work on and a description. Without `url`, seeds a fresh SQLite file."""
    if url is None:
        from demo.seed import seed_database
        from models.migrate import upgrade_to_head

        path = Path(tempfile.mkdtemp(prefix="bench5b3h-")) / "bench.sqlite"
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        upgrade_to_head(engine)
        started = time.perf_counter()
        report = seed_database(engine, scale=scale)
        engine.dispose()
        return (
            url,
            f"fresh {scale}-scale seed ({report.residents} residents, {time.perf_counter() - started:.0f} s)",
        )
    parsed = make_url(url)
    if copy and parsed.get_backend_name() == "sqlite":
        target = Path(tempfile.mkdtemp(prefix="bench5b3h-")) / "copy.sqlite"
        source = make_engine(url)
        with source.connect() as conn:  # fold the WAL into the file before copying it
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        source.dispose()
        shutil.copy(parsed.database, target)
        return f"sqlite:///{target}", f"copy of {parsed.database}"
    return url, url.split("@")[-1]


def pick_volunteer(session):
    """A volunteer whose team has villages, as an Actor."""
    for (user_id,) in session.exec(
        select(User.id).where(User.role == Role.VOLUNTEER, User.is_active.is_(True)).order_by(User.id)
    ).all():
        actor = load_actor(session, user_id)
        if actor.village_ids:
            return actor
    raise SystemExit("no volunteer with villages in this database")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _record(engine, actor, data: VisitInput) -> None:
    with write_session(engine) as s:
        record_visit(s, actor=actor, data=data)


def village_residents(engine) -> tuple[object, int, list[int]]:
    """The first volunteer, their first village and its active residents."""
    with read_session(engine) as s:
        actor = pick_volunteer(s)
        village = actor.village_ids[0]
        residents = list(
            s.exec(
                select(Resident.id)
                .join(Household, Household.id == Resident.household_id)
                .where(
                    Household.village_id == village, Resident.status == "active", Household.status == "active"
                )
            ).scalars()
        )
    if len(residents) < RESIDENTS_PER_VISIT:
        raise SystemExit("the volunteer's first village has fewer than 5 residents")
    return actor, village, residents


def draw_form(rng: random.Random, residents: list[int], village: int) -> VisitInput:
    """A group-session visit of RESIDENTS_PER_VISIT residents, each guided in two things with new levels."""
    items = [
        ResidentInput(
            rid,
            guidance=set(rng.sample(["guide_submit", "guide_pay", "guide_apps"], 2)),
            levels={skill.value: rng.randint(1, 3) for skill in SKILLS},
            reasons={skill.value: "bench" for skill in SKILLS},  # levels may go down
        )
        for rid in rng.sample(residents, RESIDENTS_PER_VISIT)
    ]
    return VisitInput(
        idempotency_key=uuid.uuid4().hex,
        visited_on=today(),
        place="community",
        outcome="done",
        session_area_id=village,
        residents=items,
    )


def bare_insert(engine, actor, village: int, data: VisitInput) -> None:
    """The same rows record_visit writes, inserted as they are: no checks, rollups, derived state or audit."""
    now = utcnow()
    with write_session(engine) as s:
        visit_id = s.exec(
            insert(Visit)
            .values(
                idempotency_key=data.idempotency_key,
                kind="session",
                village_id=village,
                team_id=actor.team_id,
                visited_on=data.visited_on,
                place=data.place,
                outcome=data.outcome,
                notes="",
                status="withdrawn",  # kept out of the rollups and the derived state
                created_by=actor.user_id,
                created_at=now,
                updated_at=now,
            )
            .returning(Visit.id)
        ).scalar_one()
        if actor.member_id is not None:  # record_visit adds the actor's own member record
            s.exec(insert(VisitMember), params=[{"visit_id": visit_id, "member_id": actor.member_id}])
        s.exec(
            insert(VisitResident),
            params=[{"visit_id": visit_id, "resident_id": r.resident_id} for r in data.residents],
        )
        s.exec(
            insert(VisitGuidance),
            params=[
                {"visit_id": visit_id, "resident_id": r.resident_id, "kind": k}
                for r in data.residents
                for k in sorted(r.guidance)
            ],
        )
        s.exec(insert(SkillEvent), params=skill_event_rows(actor, data, visit_id, now))


def skill_event_rows(actor, data: VisitInput, visit_id: int, now) -> list[dict]:
    return [
        {
            "resident_id": r.resident_id,
            "skill": skill,
            "level": level,
            "previous_level": 0,
            "observed_on": data.visited_on,
            "visit_id": visit_id,
            "active": False,
            "recorded_by": actor.user_id,
            "recorded_at": now,
        }
        for r in data.residents
        for skill, level in r.levels.items()
    ]


def statements_of(engine, work) -> int:
    """How many SQL statements `work()` sends (BEGIN included)."""
    count = [0]

    def _count(*_args):
        count[0] += 1

    event.listen(engine, "before_cursor_execute", _count)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    return count[0]


def timed_ms(work) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: build a commune-scale SQLite database)")
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--in-place", action="store_true", help="write into the given SQLite file")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    url, described = open_database(args.db, copy=not args.in_place)
    engine = make_engine(url)
    rng = random.Random(args.seed)
    actor, village, residents = village_residents(engine)
    print(f"database: {described}")
    print(f"volunteer {actor.username}, village {village}, {len(residents)} residents to draw from")

    def form() -> VisitInput:
        return draw_form(rng, residents, village)

    full_ms: list[float] = []
    bare_ms: list[float] = []
    for _ in range(5):  # warm-up: caches, statement compilation
        _record(engine, actor, form())
        bare_insert(engine, actor, village, form())
    for _ in range(args.commits):  # interleaved, so machine noise hits both alike
        data = form()
        full_ms.append(timed_ms(lambda data=data: _record(engine, actor, data)))
        data = form()
        bare_ms.append(timed_ms(lambda data=data: bare_insert(engine, actor, village, data)))
    data = form()
    full_sql = statements_of(engine, lambda: _record(engine, actor, data))
    bare_sql = statements_of(engine, lambda: bare_insert(engine, actor, village, form()))
    print(f"{args.commits} commits, {RESIDENTS_PER_VISIT} residents x {len(SKILLS)} skills each")
    print(f"  SQL statements per commit (BEGIN included): record_visit {full_sql}, bare {bare_sql}")
    for label, values in (
        ("record_visit (rollups, derived state, audit)", full_ms),
        ("bare insert of the same rows", bare_ms),
    ):
        print(f"  {label:46} p50 {pct(values, 0.5):7.1f} ms   p95 {pct(values, 0.95):7.1f} ms")
    print(f"  ratio of medians: {statistics.median(full_ms) / statistics.median(bare_ms):.1f}x")
    engine.dispose()


if __name__ == "__main__":
    main()
