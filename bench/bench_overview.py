"""Benchmark: the leaders' overview data (services.overview) for the province and for one commune, read
from the rollups, beside the same figures by raw GROUP BY over the base tables and, when DuckDB is
installed, by the same queries in DuckDB over an in-memory copy of those tables; all are checked equal.

    .venv/bin/python bench/bench_overview.py --db sqlite:////path/to/province.sqlite [--runs 10]
    .venv/bin/python bench/bench_overview.py            # a fresh commune-scale SQLite database
    .venv/bin/pip install -r bench/requirements-peers.txt   # DuckDB, the optional third peer

Read-only on the given database. Prints the median of --runs for each (half as many for the raw GROUP BY),
the ratios, how many rollup rows the overview read, and the time of the DuckDB copy on its own (the base
tables' needed columns, read through the database's own driver: DuckDB's SQLite extension would have to be
downloaded; DuckDB uses all cores). The figures are for this week; the top area's overview is also timed for
the campaign the page offers first (its default period), which adds the quota progress.
Targets (issue #10): province overview data <= 50 ms and >= 20x faster than the raw GROUP BY.
The page itself (AppTest, process RSS) is bench_overview_page.py.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, text

from core.clock import today, week_start
from models.db import make_engine, read_session
from models.enums import SKILLS
from models.migrate import current_revision, head_revision, upgrade_to_head
from services.access import Actor
from services.teams.campaigns import list_campaigns

try:
    from services import overview as ov
except Exception as exc:  # the overview code is being edited, or needs a newer schema module
    sys.exit(f"services.overview does not import ({type(exc).__name__}: {exc}); retry once it does.")

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

# The columns the raw queries read, with their DuckDB types, copied table by table.
DUCK_TABLES = {
    "area": {"id": "BIGINT", "path": "VARCHAR"},
    "household": {
        "id": "BIGINT",
        "village_id": "BIGINT",
        "status": "VARCHAR",
        "first_visited_on": "DATE",
        "follow_up_on": "DATE",
    },
    "resident": {
        "id": "BIGINT",
        "household_id": "BIGINT",
        "birth_year": "INTEGER",
        "first_guided_on": "DATE",
        "has_smartphone": "BOOLEAN",
        "has_payment_account": "BOOLEAN",
        "vneid_level": "INTEGER",
        "status": "VARCHAR",
    },
    "resident_skill": {
        "resident_id": "BIGINT",
        "skill": "VARCHAR",
        "level": "INTEGER",
        "mastered_on": "DATE",
    },
    "visit": {
        "id": "BIGINT",
        "household_id": "BIGINT",
        "visited_on": "DATE",
        "outcome": "VARCHAR",
        "status": "VARCHAR",
    },
}
COPY_CHUNK = 200_000

# A query runner: (SQL with :p, {"p": ...}) -> rows.
Rows = Callable[[str, dict], Iterable[tuple]]


def actor_for(session, area_id: int) -> Actor:
    code, name, level, path = session.execute(
        text("SELECT code, name, level, path FROM area WHERE id = :i"), {"i": area_id}
    ).one()
    return Actor(0, "bench", "bench", "leader", area_id, path, code, name, level)


def check_revision(engine: Engine) -> None:
    """Stop with a plain message when the database's schema is not the code's newest (never upgrade it)."""
    have, head = current_revision(engine), head_revision()
    if have != head:
        sys.exit(
            f"The database is at revision {have}, the code's newest is {head}: migrate a copy of it"
            " (DATABASE_URL=... manage.py init-db) before benchmarking; this benchmark never writes it."
        )


RAW_DATES = """
SELECT s.skill, s.mastered_on, count(*) FROM resident_skill s JOIN resident r ON r.id = s.resident_id
JOIN household h ON h.id = r.household_id JOIN area a ON a.id = h.village_id
WHERE r.status = 'active' AND h.status = 'active' AND a.path LIKE :p AND s.level = 3
GROUP BY s.skill, s.mastered_on
UNION ALL
SELECT 'guided', r.first_guided_on, count(*) FROM resident r JOIN household h ON h.id = r.household_id
JOIN area a ON a.id = h.village_id
WHERE r.status = 'active' AND h.status = 'active' AND a.path LIKE :p AND r.first_guided_on IS NOT NULL
GROUP BY r.first_guided_on
UNION ALL
SELECT 'done', h.first_visited_on, count(*) FROM household h JOIN area a ON a.id = h.village_id
WHERE h.status = 'active' AND a.path LIKE :p AND h.first_visited_on IS NOT NULL GROUP BY h.first_visited_on
UNION ALL
SELECT 'follow_up', h.follow_up_on, count(*) FROM household h JOIN area a ON a.id = h.village_id
WHERE h.status = 'active' AND a.path LIKE :p AND h.follow_up_on IS NOT NULL GROUP BY h.follow_up_on
"""


def dated_figures(rows: Rows, path: str, period: ov.Period, as_of: date) -> dict:
    """The trend (residents reaching level 3 per skill and week, running totals), the 7-day change and
    the overdue revisits, from per-day GROUP BYs (weeks as the overview draws them)."""
    days: dict[tuple[str, date], int] = defaultdict(int)
    for measure, day, n in rows(RAW_DATES, {"p": path + "%"}):
        days[(measure, date.fromisoformat(str(day)[:10]))] += n
    since, last = as_of - timedelta(days=6), week_start(as_of)
    first = min(week_start(period.start), last - timedelta(weeks=ov.TREND_MIN_WEEKS - 1))
    trend = {}
    for skill in SKILLS:
        total = sum(n for (m, d), n in days.items() if m == skill.value and d < first)
        week = first
        while week <= last:
            reached = sum(
                n
                for (m, d), n in days.items()
                if m == skill.value and week <= d <= min(week + timedelta(days=6), as_of)
            )
            total += reached
            trend[(week, skill.value)] = (reached, total)
            week += timedelta(weeks=1)

    def new(measure: str) -> int:
        return sum(n for (m, d), n in days.items() if m == measure and since <= d <= as_of)

    return {
        "trend": trend,
        "overdue": sum(n for (m, d), n in days.items() if m == "follow_up" and d < as_of),
        "change": (new("guided"), new("done"), tuple(new(s.value) for s in SKILLS)),
    }


def raw_figures(rows: Rows, path: str, as_of: date, period: ov.Period | None = None) -> dict:
    """The headline figures and indicators by GROUP BY over resident, household, visit, resident_skill."""
    out = dict.fromkeys(("residents", "adults", "guided", "all_five", "smartphone", "pay", "online"), 0)
    for y, n, guided, five, phone, pay, _vn, online in rows(RAW_RESIDENTS, {"p": path + "%"}):
        out["residents"] += n
        out["guided"] += guided
        out["all_five"] += five
        if y and as_of.year - y >= 15:
            out["adults"] += n
            out["smartphone"] += phone
            out["pay"] += pay
            out["online"] += online
    out["outcomes"] = dict(rows(RAW_OUTCOMES, {"p": path + "%"}))
    out["mastered"] = {s: n for s, _lv, n in rows(RAW_SKILLS, {"p": path + "%"})}
    if period is not None:
        out.update(dated_figures(rows, path, period, as_of))
    return out


def sql_rows(session) -> Rows:
    return lambda sql, params: session.execute(text(sql), params).all()


def duck_rows(duck) -> Rows:
    """The same SQL in DuckDB, whose named parameters are written $p."""
    return lambda sql, params: duck.execute(sql.replace(":p", "$p"), params).fetchall()


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
        "trend": {(r.week, r.skill): (r.reached, r.cumulative) for r in o.trend.rows},
        "overdue": h.overdue,
        "change": (h.change.guided, h.change.households_done, tuple(n for _s, n in h.change.mastered)),
    }


def median_ms(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def copy_to_duckdb(engine: Engine):
    """An in-memory DuckDB database holding DUCK_TABLES, read in chunks through the engine; with the
    seconds it took and the rows copied per table. None when DuckDB is not installed."""
    try:
        import duckdb
        import pyarrow as pa
    except ImportError:
        return None
    start = time.perf_counter()
    duck, counts = duckdb.connect(":memory:"), {}
    with engine.connect() as conn:
        for table, columns in DUCK_TABLES.items():
            duck.execute(f"CREATE TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
            casts = ", ".join(f"CAST({c} AS {t})" for c, t in columns.items())
            result = conn.execution_options(stream_results=True).execute(
                text(f"SELECT {', '.join(columns)} FROM {table}")
            )
            counts[table] = 0
            while chunk := result.fetchmany(COPY_CHUNK):
                batch = pa.table(
                    {c: pa.array(v) for c, v in zip(columns, zip(*chunk, strict=True), strict=True)}
                )
                duck.register("chunk", batch)
                duck.execute(f"INSERT INTO {table} SELECT {casts} FROM chunk")
                duck.unregister("chunk")
                counts[table] += len(chunk)
    return duck, time.perf_counter() - start, counts


def measure(session, duck, label: str, area_id: int, period: ov.Period, runs: int) -> dict:
    """One area: the overview (no cache) and each peer, timed; stop when a peer's figures differ."""
    actor = actor_for(session, area_id)
    path, raw_runs = actor.area_path, max(1, runs // 2)
    fast, o = median_ms(lambda: ov.overview(session, actor=actor, period=period, use_cache=False), runs)
    want = from_overview(o)
    row = {"label": label, "overview": fast, "rollup_rows": o.rollup_rows_read, "duck": None}
    peers = [("raw", sql_rows(session), raw_runs)] + ([("duck", duck_rows(duck), runs)] if duck else [])
    as_of = min(period.end, today())
    for name, rows, n in peers:
        row[name], got = median_ms(lambda r=rows: raw_figures(r, path, as_of, period), n)
        if got != want:
            print(f"{label}: the {name} figures differ from the overview's")
            print(f"  overview: {want}\n  {name}: {got}")
            sys.exit(1)
    return row


def campaign_line(session, area_id: int, runs: int) -> str | None:
    """The overview of `area_id` for the campaign the page offers first (its default period when there is
    one), which adds the quota progress; timed only: the peers count the headline alone."""
    actor = actor_for(session, area_id)
    offered = list_campaigns(session, actor=actor)
    if not offered:
        return None
    c = offered[0]
    period = ov.Period("campaign", c.starts_on, c.ends_on, campaign_id=c.id)
    ms, _ = median_ms(lambda: ov.overview(session, actor=actor, period=period, use_cache=False), runs)
    return (
        f"top area, campaign period (the page's default, with quota progress): overview data {ms:.1f} ms"
        f" (median of {runs})"
    )


def print_table(rows: list[dict], backend: str, runs: int, copy: tuple[float, dict] | str) -> None:
    """The table; `copy` is the DuckDB copy's (seconds, rows per table), or why DuckDB was skipped."""
    raw_runs = max(1, runs // 2)
    w = (12, 9, 7, 12, 9, 9, 9, 9)
    head1 = ("", "overview", "rollup", f"raw {backend}", "DuckDB", "raw/", "DuckDB/", "raw/")
    head2 = ("", "ms", "rows", "ms", "ms", "overview", "overview", "DuckDB")
    for head in (head1, head2):
        print(f"{head[0]:{w[0]}}" + "".join(f" {h:>{n}}" for h, n in zip(head[1:], w[1:], strict=True)))
    for r in rows:
        duck = r["duck"]
        cells = (
            f"{r['overview']:.1f}",
            str(r["rollup_rows"]),
            f"{r['raw']:.1f}",
            "-" if duck is None else f"{duck:.1f}",
            f"{r['raw'] / r['overview']:.0f}x",
            "-" if duck is None else f"{duck / r['overview']:.0f}x",
            "-" if duck is None else f"{r['raw'] / duck:.0f}x",
        )
        line = "".join(f" {c:>{n}}" for c, n in zip(cells, w[1:], strict=True))
        print(f"{r['label']:{w[0]}}{line}   equal: yes")
    print(f"period: this week; medians of {runs} runs (raw GROUP BY: {raw_runs}); overview without its cache")
    if isinstance(copy, str):
        print(copy)
    else:
        seconds, counts = copy
        tables = ", ".join(f"{t} {n:,}" for t, n in counts.items())
        print(f"DuckDB copy of the base tables (in memory, once): {seconds:.1f} s ({tables} rows)")


def fresh_database() -> str:
    from demo.seed import seed_database

    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench_overview.sqlite'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    print("seeding a commune-scale database …", flush=True)
    seed_database(engine, scale="commune", seed=1)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a fresh commune-scale SQLite database)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-duckdb", action="store_true", help="skip DuckDB even when it is installed")
    args = parser.parse_args()
    engine = make_engine(args.db or fresh_database())
    check_revision(engine)
    period = ov.this_week(today())
    copied = None if args.no_duckdb else copy_to_duckdb(engine)
    duck = copied[0] if copied else None
    if copied:
        note = copied[1:]
    elif args.no_duckdb:
        note = "DuckDB skipped (--no-duckdb)."
    else:
        note = "DuckDB is not installed: its comparison is skipped (see bench/requirements-peers.txt)."
    with read_session(engine) as s:
        root = s.execute(text("SELECT id FROM area WHERE parent_id IS NULL ORDER BY id")).scalar()
        commune = s.execute(text("SELECT id FROM area WHERE level = 'commune' ORDER BY id")).scalar()
        targets = [("top area", root)] + ([("one commune", commune)] if commune and commune != root else [])
        rows = [measure(s, duck, label, area_id, period, args.runs) for label, area_id in targets]
        campaign = campaign_line(s, root, args.runs)
    print_table(rows, engine.dialect.name, args.runs, note)
    if campaign:
        print(campaign)


if __name__ == "__main__":
    main()
