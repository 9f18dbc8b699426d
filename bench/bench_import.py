"""Benchmark: import a province-scale resident CSV, beside a raw executemany of the same rows.

    .venv/bin/python bench/bench_import.py                       # 1M residents, SQLite file in a temp dir
    .venv/bin/python bench/bench_import.py --residents 100000
    .venv/bin/python bench/bench_import.py --db postgresql+psycopg://user@host/db   # an empty database

Targets: the import takes at most 90 s and at most 2.5x the raw floor. The floor inserts the same
households and residents with plain executemany (CSV parsed, no validation, no normalisation, no rollups).
Prints figures, among them how long the write transaction (the SQLite write lock) was held: the file is
parsed and checked in a read session first (--one-session: all in one write transaction, as before).
Never fails on time.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select

from core.clock import utcnow
from core.text import search_key
from models.db import make_engine, read_session, write_session
from models.migrate import upgrade_to_head
from models.tables import Area, Household, Resident
from services.areas import create_area
from services.people.importing import import_residents

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Thu", "Hồng", "Kim"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hà", "Hải", "Hòa", "Hùng", "Hương", "Khánh", "Lan",
         "Linh", "Long", "Mai", "Nam", "Nga", "Oanh", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Thủy", "Trang",
         "Tuấn", "Uyên", "Việt", "Yến", "Ánh", "Ân", "Ơn", "Ưng"]  # fmt: skip
HEADER = ["Mã hộ", "Thôn", "Địa chỉ", "Họ và tên", "Năm sinh", "Giới tính", "Số điện thoại", "Chủ hộ",
          "Điện thoại thông minh"]  # fmt: skip


def build_tree(engine, communes: int, villages: int) -> list[str]:
    """Province BP, communes BP-ccc, villages BP-ccc-vvv (created through the service)."""
    codes = []
    with write_session(engine) as s:
        create_area(s, actor=None, code="BP", name="Tỉnh Đo Lường", level="province", parent_code=None)
        for c in range(communes):
            commune = f"BP{c:03d}"
            create_area(s, actor=None, code=commune, name=f"Xã Số {c}", level="commune", parent_code="BP")
            for v in range(villages):
                code = f"{commune}-{v:03d}"
                create_area(
                    s, actor=None, code=code, name=f"Thôn {c}-{v}", level="village", parent_code=commune
                )
                codes.append(code)
    return codes


def make_csv(village_codes: list[str], residents: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADER)
    n = 0
    household = 0
    year = utcnow().year
    while n < residents:
        village = village_codes[household % len(village_codes)]
        code = f"{village}-{household:07d}"
        address = f"Số {rng.randint(1, 300)}, xóm {rng.randint(1, 9)}"
        family = rng.choice(FAMILY)
        seen: set[tuple[str, int]] = set()
        for member in range(min(rng.randint(1, 6), residents - n)):
            while True:  # the same person twice in one household would (rightly) reject the file
                name = f"{family} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
                born = rng.randint(1930, year - 1)
                if (search_key(name), born) not in seen:
                    seen.add((search_key(name), born))
                    break
            phone = f"09{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.6 else ""
            w.writerow(
                [
                    code, village, address, name, born, rng.choice(["Nam", "Nữ"]),
                    phone, "x" if member == 0 else "", rng.choice(["có", "không", ""]),
                ]
            )  # fmt: skip
            n += 1
        household += 1
    return out.getvalue().encode("utf-8")


def raw_floor(engine, data: bytes) -> float:
    """The same rows with plain executemany: parse the CSV, insert households, then residents."""
    start = time.perf_counter()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))[1:]
    now = utcnow()
    with write_session(engine) as s:
        villages = dict(s.exec(select(Area.code, Area.id)).all())
        households: dict[str, dict] = {}
        for r in rows:
            households.setdefault(
                r[0],
                {"code": r[0], "village_id": villages[r[1]], "address": r[2], "address_key": r[2],
                 "phone": None, "status": "active", "created_at": now, "updated_at": now},
            )  # fmt: skip
        conn = s.connection()
        items = list(households.values())
        for i in range(0, len(items), 10_000):
            conn.execute(insert(Household.__table__), items[i : i + 10_000])
        ids = dict(s.exec(select(Household.code, Household.id)).all())
        batch = []
        for r in rows:
            batch.append(
                {"household_id": ids[r[0]], "full_name": r[3], "name_key": r[3], "sort_name": r[3],
                 "birth_year": int(r[4]), "sex": r[5], "phone": r[6] or None, "phone_rev": None,
                 "is_head": r[7] == "x", "has_smartphone": None, "digital_course_done": False,
                 "status": "active", "created_at": now, "updated_at": now}
            )  # fmt: skip
            if len(batch) == 10_000:
                conn.execute(insert(Resident.__table__), batch)
                batch = []
        if batch:
            conn.execute(insert(Resident.__table__), batch)
    return time.perf_counter() - start


def fresh_database(url: str | None, name: str) -> str:
    """A SQLite file of its own for each run; a given URL (PostgreSQL) is emptied between runs instead."""
    if url is None:
        return f"sqlite:///{tempfile.mkdtemp(prefix='bench_import_')}/{name}.sqlite"
    engine = make_engine(url)
    upgrade_to_head(engine)
    with engine.begin() as conn:
        # Deleting row by row would check the unindexed merged_into_id self-references for every row.
        conn.exec_driver_sql(
            "TRUNCATE area, household, resident, rollup_area, rollup_skill, audit_log CASCADE"
        )
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", help="database URL (empty, or migrated and empty); default: a temp SQLite file"
    )
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--villages", type=int, default=12, help="villages per commune")
    parser.add_argument(
        "--one-session", action="store_true", help="one write transaction throughout (as before)"
    )
    parser.add_argument("--check", action="store_true", help="compare rollups with a full recount afterwards")
    args = parser.parse_args()
    engine = make_engine(fresh_database(args.db, "floor"))
    upgrade_to_head(engine)
    t0 = time.perf_counter()
    villages = build_tree(engine, args.communes, args.villages)
    print(
        f"area tree: 1 province, {args.communes} communes, {len(villages)} villages "
        f"({time.perf_counter() - t0:.1f} s)"
    )
    t0 = time.perf_counter()
    data = make_csv(villages, args.residents)
    print(f"CSV: {args.residents:,} residents, {len(data) / 1e6:.0f} MB ({time.perf_counter() - t0:.1f} s)")
    floor = raw_floor(engine, data)
    print(f"raw executemany floor:        {floor:7.1f} s")
    engine.dispose()

    engine = make_engine(fresh_database(args.db, "import"))
    upgrade_to_head(engine)
    build_tree(engine, args.communes, args.villages)
    stages: dict[str, float] = {}
    start = time.perf_counter()

    def progress(_fraction: float, stage: str) -> None:
        stages.setdefault(stage, time.perf_counter() - start)

    locked: list[float] = []

    @contextmanager
    def timed_write():
        """The write transaction, timed from its opening to its commit: how long the lock is held."""
        opened = time.perf_counter()
        try:
            with write_session(engine) as s:
                yield s
        finally:
            locked.append(time.perf_counter() - opened)

    # A province file is over the default 200,000-row cap: raise it as `import-residents --max-rows` does.
    options = dict(actor=None, area_code="BP", data=data, filename="province.csv", progress=progress,
                   max_rows=args.residents)  # fmt: skip
    if args.one_session:  # as before: one write transaction from parsing to commit
        with timed_write() as s:
            report = import_residents(s, **options)
    else:
        report = import_residents(read=lambda: read_session(engine), write=timed_write, **options)
    took = time.perf_counter() - start
    print(f"import-residents (validated): {took:7.1f} s  "
          f"({report.households_created:,} households, {report.residents_created:,} residents)")  # fmt: skip
    print(f"  write transaction (lock held): {locked[0]:.1f} s")
    print("  stage first reached at: " + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items()))
    verdict = "met" if took <= 90 else "MISSED"
    print(f"ratio to floor: {took / floor:.2f}x (target <= 2.5x); target <= 90 s: {verdict}")

    start = time.perf_counter()
    with read_session(engine) as s:
        again = import_residents(
            s, actor=None, area_code="BP", data=data, dry_run=True, max_rows=args.residents
        )
    print(f"re-import dry run (0 created expected: {again.residents_created}, "
          f"{again.unchanged:,} unchanged): {time.perf_counter() - start:.1f} s")  # fmt: skip
    if args.check:
        from services.rollups.recount import compare

        start = time.perf_counter()
        with read_session(engine) as s:
            diffs = compare(s)
            total = s.exec(select(func.count()).select_from(Resident)).scalar()
        took = time.perf_counter() - start
        print(f"rollups vs recount: {len(diffs)} differences, {total:,} residents ({took:.1f} s)")


if __name__ == "__main__":
    main()
