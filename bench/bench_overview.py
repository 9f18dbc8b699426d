"""Benchmark: the leaders' overview data (services.overview) for the province and for one commune, read
from the rollups, beside the same figures by raw GROUP BY over the base tables; both are checked equal.

    .venv/bin/python bench/bench_overview.py --db sqlite:////path/to/province.sqlite [--runs 10]
    .venv/bin/python bench/bench_overview.py            # a fresh commune-scale SQLite database

Read-only on the given database. Prints the median of --runs for each, the ratio, and how many rollup
rows the overview read. DuckDB (the issue's optional third peer) is skipped when not installed.
Targets (issue #10): province overview data <= 50 ms and >= 20x faster than the raw GROUP BY.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from core.clock import today
from models.db import make_engine, read_session
from models.migrate import upgrade_to_head
from services import overview as ov
from services.access import Actor

RAW_RESIDENTS = """
SELECT COALESCE(r.birth_year, 0) AS y, count(*),
  sum(CASE WHEN r.first_guided_on IS NOT NULL THEN 1 ELSE 0 END),
  sum(CASE WHEN COALESCE(m.mastered, 0) = 5 THEN 1 ELSE 0 END),
  sum(CASE WHEN r.has_smartphone IS TRUE THEN 1 ELSE 0 END),
  sum(CASE WHEN r.has_payment_account IS TRUE THEN 1 ELSE 0 END),
  sum(CASE WHEN r.vneid_level = 2 THEN 1 ELSE 0 END),
  sum(CASE WHEN COALESCE(m.online, 0) > 0 THEN 1 ELSE 0 END)
FROM resident r JOIN household h ON h.id = r.household_id JOIN area a ON a.id = h.village_id
LEFT JOIN (SELECT resident_id, sum(CASE WHEN level = 3 THEN 1 ELSE 0 END) AS mastered,
  sum(CASE WHEN level = 3 AND skill IN ('submit', 'pay', 'feedback', 'receive') THEN 1 ELSE 0 END) AS online
  FROM resident_skill GROUP BY resident_id) m ON m.resident_id = r.id
WHERE r.status = 'active' AND h.status = 'active' AND a.path LIKE :p
GROUP BY COALESCE(r.birth_year, 0)
"""
RAW_OUTCOMES = """
SELECT x.outcome, count(*) FROM (
  SELECT v.household_id, v.outcome,
    row_number() OVER (PARTITION BY v.household_id ORDER BY v.visited_on DESC, v.id DESC) AS n
  FROM visit v JOIN household h ON h.id = v.household_id JOIN area a ON a.id = h.village_id
  WHERE v.status = 'active' AND h.status = 'active' AND a.path LIKE :p) x
WHERE x.n = 1 GROUP BY x.outcome
"""
RAW_SKILLS = """
SELECT s.skill, s.level, count(*) FROM resident_skill s JOIN resident r ON r.id = s.resident_id
JOIN household h ON h.id = r.household_id JOIN area a ON a.id = h.village_id
WHERE r.status = 'active' AND h.status = 'active' AND a.path LIKE :p AND s.level = 3 GROUP BY s.skill, s.level
"""


def actor_for(session, area_id: int) -> Actor:
    code, name, level, path = session.execute(
        text("SELECT code, name, level, path FROM area WHERE id = :i"), {"i": area_id}
    ).one()
    return Actor(0, "bench", "bench", "leader", area_id, path, code, name, level)


def raw_figures(session, path: str, as_of: date) -> dict:
    """The headline figures and indicators by GROUP BY over resident, household, visit, resident_skill."""
    out = dict.fromkeys(("residents", "adults", "guided", "all_five", "smartphone", "pay", "online"), 0)
    for y, n, guided, five, phone, pay, _vn, online in session.execute(
        text(RAW_RESIDENTS), {"p": path + "%"}
    ):
        out["residents"] += n
        out["guided"] += guided
        out["all_five"] += five
        if y and as_of.year - y >= 15:
            out["adults"] += n
            out["smartphone"] += phone
            out["pay"] += pay
            out["online"] += online
    out["outcomes"] = dict(session.execute(text(RAW_OUTCOMES), {"p": path + "%"}).all())
    out["mastered"] = {s: n for s, _lv, n in session.execute(text(RAW_SKILLS), {"p": path + "%"})}
    return out


def from_overview(o: ov.Overview) -> dict:
    h, ind = o.headline, {i.code: i for i in o.indicators}
    return {
        "residents": h.residents,
        "adults": h.adults,
        "guided": h.guided,
        "all_five": h.all_five,
        "smartphone": ind["adults_smartphone"].numerator,
        "pay": ind["adults_payment_account"].numerator,
        "online": ind["adults_online_services"].numerator,
        "outcomes": {k: getattr(h.outcomes, k) for k in ov.OUTCOMES if getattr(h.outcomes, k)},
        "mastered": {m.skill: m.residents for m in h.mastered if m.residents},
    }


def median_ms(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a fresh commune-scale SQLite database)")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    url = args.db
    if url is None:
        from demo.seed import seed_database

        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench_overview.sqlite'}"
        engine = make_engine(url)
        upgrade_to_head(engine)
        print("seeding a commune-scale database …", flush=True)
        seed_database(engine, scale="commune", seed=1)
    engine = make_engine(url)
    period = ov.this_week(today())
    with read_session(engine) as s:
        root = s.execute(text("SELECT id FROM area WHERE parent_id IS NULL ORDER BY id")).scalar()
        commune = s.execute(
            text("SELECT id FROM area WHERE level = 'commune' ORDER BY id"),
        ).scalar()
        targets = [("top area", root)] + ([("one commune", commune)] if commune and commune != root else [])
        for label, area_id in targets:
            actor = actor_for(s, area_id)
            path = actor.area_path
            fast, o = median_ms(
                lambda a=actor: ov.overview(s, actor=a, period=period, use_cache=False), args.runs
            )
            slow, raw = median_ms(lambda p=path: raw_figures(s, p, period.end), max(1, args.runs // 2))
            same = from_overview(o) == raw
            print(
                f"{label}: overview data {fast:.1f} ms (median of {args.runs},"
                f" {o.rollup_rows_read} rollup rows read) | raw GROUP BY {slow:.1f} ms"
                f" | {slow / fast:.0f}x | equal: {same}"
            )
            if not same:
                print("  overview:", from_overview(o), "\n  raw:     ", raw)
                sys.exit(1)
    try:
        import duckdb  # noqa: F401
    except ImportError:
        print("DuckDB is not installed: its comparison is skipped (pip install duckdb to add it).")
    else:
        print("DuckDB is installed, but its comparison is not written yet.")


if __name__ == "__main__":
    main()
