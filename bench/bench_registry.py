"""Benchmark: the first page of the resident registry with a filter, at province scale (~1M residents),
beside the naive way (load every resident of the area into Python, filter, sort, slice).

    .venv/bin/python bench/bench_registry.py --db sqlite:////path/to/province.sqlite
    .venv/bin/python bench/bench_registry.py --db postgresql+psycopg://user@host/db

The database is never written unless it lacks sort names: a SQLite file is then copied to a temporary
directory and filled there (use --in-place to fill the given database instead). Target: <= 300 ms a page.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from core.clock import today
from core.text import person_sort_key
from models.db import make_engine, read_session, write_session
from models.migrate import upgrade_to_head
from models.tables import Area, Household, Resident, ResidentSkill
from services.access import Actor
from services.people.registry import RegistryFilter, fill_missing_sort_names, list_residents

RUNS = 5


def province_actor(session) -> Actor:
    area = session.exec(select(Area).where(Area.parent_id.is_(None)).order_by(Area.id)).scalars().first()
    return Actor(
        user_id=0,
        username="bench",
        full_name="bench",
        role="coordinator",
        area_id=area.id,
        area_path=area.path,
        area_code=area.code,
        area_name=area.name,
        area_level=area.level,
    )


def timed(fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def naive(session, actor: Actor, keep) -> list[str]:
    """Every resident of the area into Python (as a page that loads the table into pandas would)."""
    rows = session.exec(
        select(
            Resident.id,
            Resident.full_name,
            Resident.birth_year,
            Resident.status,
            Resident.has_smartphone,
            Household.village_id,
            Household.last_visited_on,
        )
        .join(Household, Household.id == Resident.household_id)
        .join(Area, Area.id == Household.village_id)
        .where(Area.path.like(actor.area_path + "%"))
    ).all()
    levels: dict[int, int] = {}
    for rid, level in session.exec(
        select(ResidentSkill.resident_id, ResidentSkill.level).where(ResidentSkill.skill == "submit")
    ).all():
        levels[rid] = level
    chosen = [r for r in rows if keep(r, levels)]
    chosen.sort(key=lambda r: (person_sort_key(r[1]), r[0]))
    return [r[1] for r in chosen[:50]]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="database URL; default: the newest /tmp/*province*.sqlite")
    parser.add_argument(
        "--in-place", action="store_true", help="fill missing sort names in the given database"
    )
    parser.add_argument(
        "--naive",
        choices=("one", "all", "none"),
        default="one",
        help="run the naive way for one filter (default), every filter, or none",
    )
    args = parser.parse_args()
    url = args.db
    if url is None:
        found = sorted(Path("/tmp").glob("*province*.sqlite"), key=lambda p: p.stat().st_mtime)
        if not found:
            sys.exit("no --db given and no /tmp/*province*.sqlite found")
        url = f"sqlite:///{found[-1]}"
    engine = make_engine(url)
    with read_session(engine) as s:
        missing = s.exec(select(func.count()).where(Resident.sort_name.is_(None))).scalar()
    if missing:
        if engine.dialect.name == "sqlite" and not args.in_place:
            source = Path(make_url(url).database)
            copy = Path(tempfile.mkdtemp(prefix="bench_registry_")) / source.name
            print(f"{missing:,} residents lack a sort name: working on a copy {copy}")
            engine.dispose()
            shutil.copy(source, copy)
            url = f"sqlite:///{copy}"
            engine = make_engine(url)
        upgrade_to_head(engine)
        start = time.perf_counter()
        with write_session(engine) as s:
            filled = fill_missing_sort_names(s)
        print(f"filled {filled:,} sort names in {time.perf_counter() - start:.1f} s")

    year = today().year
    with read_session(engine) as s:
        actor = province_actor(s)
        total = s.exec(select(func.count()).select_from(Resident)).scalar()
        print(f"{total:,} residents under {actor.area_name} ({engine.dialect.name})")
        cases = [
            ("no filter", RegistryFilter(), lambda r, lv: r[3] == "active"),
            (
                "no smartphone",
                RegistryFilter(barrier="no_smartphone"),
                lambda r, lv: r[3] == "active" and r[4] is False,
            ),
            (
                "never visited",
                RegistryFilter(visit_status="never"),
                lambda r, lv: r[3] == "active" and r[6] is None,
            ),
            (
                "submit below level 3",
                RegistryFilter(skill="submit", below_level=3),
                lambda r, lv: r[3] == "active" and lv.get(r[0], 0) < 3,
            ),
            (
                "age 60+",
                RegistryFilter(age_min=60),
                lambda r, lv: r[3] == "active" and r[2] is not None and r[2] <= year - 60,
            ),
        ]
        for label, filters, keep in cases:
            took, page = timed(lambda f=filters: list_residents(s, actor=actor, filters=f, page_size=50))
            deep, _ = timed(
                lambda f=filters: list_residents(s, actor=actor, filters=f, page=20, page_size=50)
            )
            verdict = "met" if took <= 0.3 else "MISSED"
            line = f"{label:22s} first page {took * 1000:7.1f} ms ({verdict}), page 20 {deep * 1000:7.1f} ms"
            if args.naive == "all" or (args.naive == "one" and label == "no smartphone"):
                start = time.perf_counter()
                names = naive(s, actor, keep)
                naive_took = time.perf_counter() - start
                same = names == [r.full_name for r in page.rows]
                line += f"; naive load+filter+sort {naive_took:6.2f} s (same first page: {same})"
            print(line, flush=True)


if __name__ == "__main__":
    main()
