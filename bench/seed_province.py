"""Time `seed-demo` at a scale (default: province) and print the figures beside a naive ORM baseline.

    python bench/seed_province.py [--scale province|commune|demo] [--keep PATH]

Seeds a fresh SQLite file (migrated by the real revisions), prints elapsed and CPU seconds, rows per
second and the file size, then times `check-rollups`' full recount. The baseline inserts residents
through ORM objects (session.add_all, one flush) and extrapolates that rate to the seeded row count.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from core.clock import utcnow
from core.text import search_key
from demo.seed import COLUMNS, seed_database
from models.db import make_engine, read_session, write_session
from models.migrate import upgrade_to_head
from models.tables import Area, Household, Resident
from services.rollups.recount import compare

BASELINE_ROWS = 20_000


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def _total_rows(engine) -> int:
    with read_session(engine) as s:
        return sum(s.exec(select(func.count()).select_from(_table(t))).scalar_one() for t in COLUMNS)


def _table(name: str):
    from sqlmodel import SQLModel

    return SQLModel.metadata.tables[name]


def naive_residents_per_second(directory: Path) -> float:
    """ORM objects, the way a one-off script would do it."""
    engine = make_engine(f"sqlite:///{directory / 'naive.sqlite'}")
    upgrade_to_head(engine)
    now = utcnow()
    with write_session(engine) as s:
        area = Area(code="01", name="Tỉnh", name_key="tinh", level="province", path="/1/", created_at=now)
        s.add(area)
        s.flush()
        household = Household(code="H1", village_id=area.id, created_at=now, updated_at=now)
        s.add(household)
        s.flush()
        hid = household.id
    started = time.perf_counter()
    with write_session(engine) as s:
        s.add_all(
            Resident(
                household_id=hid,
                full_name=f"Nguyễn Văn {i}",
                name_key=search_key(f"Nguyễn Văn {i}"),
                birth_year=1970,
                created_at=now,
                updated_at=now,
            )
            for i in range(BASELINE_ROWS)
        )
    elapsed = time.perf_counter() - started
    engine.dispose()
    return BASELINE_ROWS / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="province", choices=("demo", "commune", "province"))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", help="write the database here (kept) instead of a temporary file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="5b3h-bench-") as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / f"{args.scale}.sqlite"
        if path.exists():
            print(f"{path} exists; remove it first", file=sys.stderr)
            return 1
        engine = make_engine(f"sqlite:///{path}")
        upgrade_to_head(engine)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        report = seed_database(engine, scale=args.scale, seed=args.seed)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        rows = _total_rows(engine)
        print(f"seed {args.scale}: {wall:.1f} s elapsed, {cpu:.1f} s CPU in this process")
        print(
            f"  {report.areas} areas, {report.households} households, {report.residents} residents, "
            f"{report.visits} visits, {report.skill_events} skill events; {rows} rows in all"
        )
        print(f"  {rows / wall:,.0f} rows/s; database file {_size(path) / 1e6:,.0f} MB")
        started = time.perf_counter()
        with read_session(engine) as s:
            diffs = compare(s)
        print(
            f"check-rollups (full recount): {time.perf_counter() - started:.1f} s, {len(diffs)} differences"
        )
        engine.dispose()
        naive = naive_residents_per_second(Path(tmp))
        print(
            f"naive baseline (ORM add_all, {BASELINE_ROWS} residents): {naive:,.0f} rows/s -> "
            f"~{rows / naive:,.0f} s for the same {rows} rows (without generating them)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
