"""Benchmark: the search box (20 typical queries) per scope, beside a naive `LIKE '%...%'` scan on the raw
full name over the same scope.

    python bench/bench_search.py                            # builds a commune-scale SQLite database
    python bench/bench_search.py --db sqlite:///province.sqlite --repeat 5

Scopes: a volunteer (their team's villages), a commune coordinator, and a province-level user when the
database has one. Read-only. Prints p50/p95 in milliseconds per scope; not a test.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text

from bench.bench_visit_commit import open_database, pct, pick_volunteer
from core.text import search_key
from models.db import make_engine, read_session
from models.enums import AreaLevel, Role
from models.tables import Area, Household, Resident, User
from services.access import Actor, load_actor
from services.visits.search import search_households
from services.visits.worklist import scope_village_ids


def _actor_at(session, role: str, level: str) -> Actor | None:
    user_id = session.exec(
        select(User.id)
        .join(Area, Area.id == User.area_id)
        .where(User.role == role, Area.level == level, User.is_active.is_(True))
        .order_by(User.id)
        .limit(1)
    ).scalar()
    return load_actor(session, user_id) if user_id else None


def _strip(name: str) -> str:
    return search_key(name)


def typical_queries(session, village_ids: list[int], rng: random.Random) -> list[str]:
    """20 queries the way people type them, drawn from residents in scope."""
    rows = session.exec(
        select(Resident.full_name, Resident.phone, Household.code, Household.address)
        .join(Household, Household.id == Resident.household_id)
        .where(Household.village_id.in_(village_ids[:50]), Resident.status == "active")
        .limit(3000)
    ).all()
    rows = [r for r in rows if len(r.full_name.split()) >= 2]
    pick = rng.sample(rows, min(len(rows), 12))
    with_phone = [r for r in rows if r.phone]
    queries: list[str] = []
    for i, r in enumerate(pick):
        words = r.full_name.split()
        if i % 6 == 0:
            queries.append(_strip(r.full_name))  # full name, no diacritics
        elif i % 6 == 1:
            queries.append(r.full_name)  # full name, with diacritics
        elif i % 6 == 2:
            queries.append(_strip(words[-1]))  # given name only
        elif i % 6 == 3:
            queries.append(_strip(f"{words[0]} {words[-1]}"))  # family + given name
        elif i % 6 == 4:
            queries.append(_strip(r.full_name)[:-2])  # still typing
        else:
            queries.append(_strip(f"{words[-1]} {words[0]}"))  # words swapped
    for r in rng.sample(rows, 3):
        queries.append(r.code)  # household code
    queries.append(rng.choice(rows).code.split("-")[-1])  # code tail, e.g. "H0012"
    for r, digits in zip(rng.sample(with_phone, min(4, len(with_phone))), (4, 4, 3, 3), strict=False):
        queries.append(r.phone[-digits:])  # last digits of a phone
    return queries[:20]


def naive(session, village_ids: list[int], query: str) -> int:
    """What a first version would do: the raw text anywhere in the full name, no keys, no index."""
    ids = ",".join(str(v) for v in village_ids)
    return len(
        session.exec(
            text(
                "SELECT DISTINCT r.household_id FROM resident r JOIN household h ON h.id = r.household_id "
                f"WHERE h.village_id IN ({ids}) AND r.full_name LIKE :q LIMIT 20"
            ),
            params={"q": f"%{query}%"},
        ).all()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: build a commune-scale SQLite database)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    url, described = open_database(args.db, copy=False)
    engine = make_engine(url)
    rng = random.Random(args.seed)
    print(f"database: {described}")
    with read_session(engine) as s:
        residents = s.exec(text("SELECT count(*) FROM resident")).scalar_one()
        print(f"{residents} residents")
        scopes = [
            ("volunteer (team villages)", pick_volunteer(s)),
            ("commune coordinator", _actor_at(s, Role.COORDINATOR, AreaLevel.COMMUNE)),
            (
                "province user",
                _actor_at(s, Role.ADMIN, AreaLevel.PROVINCE) or _actor_at(s, Role.LEADER, AreaLevel.PROVINCE),
            ),
        ]
    for label, actor in scopes:
        if actor is None:
            print(f"{label}: no such user in this database, skipped")
            continue
        with read_session(engine) as s:
            villages = scope_village_ids(s, actor)
            queries = typical_queries(s, villages, rng)
            fast: list[float] = []
            slow: list[float] = []
            found = 0
            for _ in range(args.repeat):
                for q in queries:
                    started = time.perf_counter()
                    hits = search_households(s, actor=actor, query=q)
                    fast.append((time.perf_counter() - started) * 1000)
                    found += bool(hits)
                    started = time.perf_counter()
                    naive(s, villages, q)
                    slow.append((time.perf_counter() - started) * 1000)
        print(f"{label}: {len(villages)} villages, {len(queries)} queries x {args.repeat}, {found} with hits")
        print(f"  search_households       p50 {pct(fast, 0.5):7.1f} ms   p95 {pct(fast, 0.95):7.1f} ms")
        print(f"  naive LIKE '%q%' scan   p50 {pct(slow, 0.5):7.1f} ms   p95 {pct(slow, 0.95):7.1f} ms")
    print("queries of the last scope:", "; ".join(queries))
    engine.dispose()


if __name__ == "__main__":
    main()
