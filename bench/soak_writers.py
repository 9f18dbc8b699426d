"""Soak: many volunteers saving home visits at once, on SQLite and PostgreSQL, each failed attempt retried
with the same form key (exactly once), beside the same work done by one volunteer alone.

    python bench/soak_writers.py                                 # both engines, 20 writers x 60 s
    python bench/soak_writers.py --engine sqlite --writers 20 --seconds 60
    python bench/soak_writers.py --engine postgres --processes   # writers as processes, not threads
    python bench/soak_writers.py --engine sqlite --db sqlite:///data/x.sqlite   # works on a copy
    python bench/soak_writers.py --engine postgres --pg-url postgresql+psycopg://u@host/db

Each writer is a distinct volunteer (accounts `soak.NN` made for the run, each linked to a member of a
village team of the demo data) recording home visits, back to back, for households of its team's villages:
a fresh idempotency key per form; an attempt that raises is retried with the same key after a short
backoff until it succeeds or `--give-up` seconds have passed since the first attempt (a failed save). A
share of the successful saves is sent again (`--resend`, a double tap or a reply lost on the way): it must
return the same visit id. Threads share one engine, as the volunteers of one Streamlit server do;
`--processes` gives each writer a process and an engine of its own (several servers, or CLI jobs).

Printed per engine, beside one writer alone for the same time (the ratio of the two is the concurrency
speedup): saves/s, latency of a save (first attempt to success, retries and backoff included)
p50/p95/p99/max, errors (attempts that raised) by message, failed saves, lost visits (reported saved, not
in the database under that key and id), duplicated visits (more visits than forms, or a resend answered
with another id), incomplete visits (attendance rows missing), `check-rollups` (a full recount equal to
the stored rollups), and where each attempt's time went: waiting for a pooled connection, waiting in
BEGIN for the write lock (SQLite's `BEGIN IMMEDIATE`), inside the transaction. Target: 0 failed saves and
p99 <= 1 s at 20 writers on each engine.

Options to look further: `--gate none,fifo` runs the writers again with each of a process's writers
taking turns in arrival order before their transaction (a prototype of the fix proposed for SQLite's
busy-handler starvation; `fifo+flock` adds a file lock across processes), side by side; `--think S`
pauses a mean S seconds between a writer's saves (0: back to back, the worst case); `--faults F` fails a
share F of the attempts on purpose, before or after their commit, to exercise the retry with the same key.

Without --db, a fresh demo-scale SQLite file is seeded in a temporary directory; without --pg-url, a
throwaway PostgreSQL server is started (initdb/pg_ctl, as the tests do; fsync off) and stopped at the
end. Not a test; tests/services/visits/test_soak_short.py runs the same harness for a few seconds.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from core.clock import today, utcnow
from core.text import search_key
from models.db import make_engine, read_session, write_session
from models.enums import GUIDANCE_KINDS, SKILLS, MemberKind, Role, VisitOutcome
from models.tables import Area, Household, Member, Resident, Team, TeamVillage, User, Visit, VisitResident
from services.access import Actor, load_actor
from services.auth import hash_password
from services.errors import AppError
from services.rollups.recount import compare
from services.visits.record import ResidentInput, VisitInput, record_visit

TARGET_P99_S = 1.0
SOAK_PASSWORD = "soak-writer-password-1"
BACKOFF_S = (0.05, 0.1, 0.2, 0.4, 0.8)  # before the 2nd, 3rd, ... attempt; 1 s after that (jittered)
OTHER_OUTCOMES = [o.value for o in VisitOutcome if o != VisitOutcome.DONE]


# ---------------------------------------------------------------- the writers and their households


@dataclass(frozen=True)
class WriterPlan:
    """One volunteer: their account and the households (with active residents) they may visit."""

    user_id: int
    username: str
    homes: tuple[tuple[int, tuple[int, ...]], ...]  # (household id, its active residents' ids)


def prepare_writers(engine: Engine, count: int) -> list[WriterPlan]:
    """`count` volunteer accounts `soak.00`, `soak.01`, … (made on the first call, reused after), spread
    over the village teams in turn, each linked to a member of its team (an unlinked one, else a new one)."""
    with write_session(engine) as s:
        teams = list(
            s.exec(select(TeamVillage.team_id).where(Team.active.is_(True)).join(Team).distinct()).scalars()
        )
        if not teams:
            raise SystemExit("no team with villages in this database (seed it first: manage.py seed-demo)")
        teams.sort()
        user_ids = []
        password_hash = None
        for index in range(count):
            username = f"soak.{index:02d}"
            uid = s.exec(select(User.id).where(User.username == username)).scalar()
            if uid is None:
                password_hash = password_hash or hash_password(SOAK_PASSWORD)
                uid = _add_volunteer(s, username, teams[index % len(teams)], password_hash)
            user_ids.append(uid)
    plans = []
    with read_session(engine) as s:
        for uid in user_ids:
            actor = load_actor(s, uid)
            rows = s.exec(
                select(Household.id, Resident.id)
                .join(Resident, Resident.household_id == Household.id)
                .where(
                    Household.village_id.in_(actor.village_ids),
                    Household.status == "active",
                    Resident.status == "active",
                )
                .order_by(Household.id, Resident.id)
            ).all()
            homes: dict[int, list[int]] = {}
            for household_id, resident_id in rows:
                homes.setdefault(household_id, []).append(resident_id)
            if not homes:
                raise SystemExit(f"{actor.username}: no active household in the team's villages")
            plans.append(WriterPlan(uid, actor.username, tuple((h, tuple(r)) for h, r in homes.items())))
    return plans


def _add_volunteer(s, username: str, team_id: int, password_hash: str) -> int:
    """A volunteer account of the team's commune (one password hash shared, as the demo seed does:
    argon2 for each would cost seconds), linked to a member of the team."""
    village_id = (
        s.exec(select(TeamVillage.village_id).where(TeamVillage.team_id == team_id)).scalars().first()
    )
    now = utcnow()
    user = User(
        username=username,
        full_name=f"Soak {username[5:]}",
        password_hash=password_hash,
        role=Role.VOLUNTEER,
        area_id=s.get(Area, village_id).parent_id,
        team_id=team_id,
        password_changed_at=now,
        created_at=now,
    )
    s.add(user)
    s.flush()
    uid = user.id
    member = (
        s.exec(
            select(Member)
            .where(Member.team_id == team_id, Member.user_id.is_(None), Member.active.is_(True))
            .order_by(Member.id)
        )
        .scalars()
        .first()
    )
    if member is None:
        member = Member(
            team_id=team_id,
            full_name=f"Soak {username[5:]}",
            name_key=search_key(f"Soak {username[5:]}"),
            kind=MemberKind.OTHER,
            created_at=utcnow(),
        )
    member.user_id = uid
    s.add(member)
    s.flush()
    return uid


def draw_form(rng: random.Random, plan: WriterPlan) -> VisitInput:
    """A home visit to one of the writer's households, as the visit form sends it: mostly done, with
    guidance, observed levels (a reason given, so a lower level is allowed), ratings and a barrier."""
    household_id, residents = rng.choice(plan.homes)
    done = rng.random() < 0.85
    visited_on = today() - timedelta(days=rng.randint(0, 6))
    items = []
    if done:
        for rid in rng.sample(residents, rng.randint(1, min(3, len(residents)))):
            guidance = {g.value for g in rng.sample(GUIDANCE_KINDS, rng.randint(0, 2))}
            skills = [s.value for s in rng.sample(SKILLS, rng.randint(1, 3))]
            items.append(
                ResidentInput(
                    rid,
                    guidance=guidance,
                    levels={skill: rng.randint(0, 3) for skill in skills},
                    reasons={skill: "soak" for skill in skills},
                    barriers={"has_smartphone": True} if rng.random() < 0.2 else {},
                    satisfaction=rng.randint(1, 5) if guidance and rng.random() < 0.5 else None,
                )
            )
    return VisitInput(
        idempotency_key=uuid.uuid4().hex,
        visited_on=visited_on,
        place="home",
        outcome="done" if done else rng.choice(OTHER_OUTCOMES),
        household_id=household_id,
        follow_up_on=visited_on + timedelta(days=7) if rng.random() < 0.3 else None,
        residents=items,
    )


# ---------------------------------------------------------------- where an attempt's time goes


class Probe:
    """Per thread, where an attempt's time went: before its first statement (a pooled connection to
    check out: PostgreSQL's pool has 15 for 20 writers), in its BEGIN (SQLite's BEGIN IMMEDIATE waits
    there for the write lock; PostgreSQL sends no BEGIN, its row-lock waits fall inside the transaction),
    and in the transaction after it, to the end of its commit."""

    def __init__(self, engine: Engine) -> None:
        self._local = threading.local()
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def detach(self, engine: Engine) -> None:
        event.remove(engine, "before_cursor_execute", self._before)
        event.remove(engine, "after_cursor_execute", self._after)

    def _before(self, _conn, _cursor, statement, *_args) -> None:
        local = self._local
        if getattr(local, "armed", False) and local.started is None:
            local.started = time.perf_counter()
            local.begin = statement.startswith("BEGIN")

    def _after(self, _conn, _cursor, statement, *_args) -> None:
        local = self._local
        if getattr(local, "armed", False) and local.locked is None:
            local.locked = time.perf_counter()
            local.wait = local.locked - local.started if local.begin else 0.0

    def arm(self) -> None:
        local = self._local
        local.armed, local.armed_at = True, time.perf_counter()
        local.started, local.locked, local.wait, local.begin = None, None, 0.0, False

    def read(self) -> tuple[float, float, float]:
        """(before the first statement, lock wait in BEGIN, time in the transaction after it)."""
        local = self._local
        local.armed = False
        now = time.perf_counter()
        if local.started is None:  # no statement ran (no connection)
            return now - local.armed_at, 0.0, 0.0
        before = local.started - local.armed_at
        if local.locked is None:  # the first statement raised: a BEGIN that gave up waiting
            return (before, now - local.started, 0.0) if local.begin else (before, 0.0, now - local.started)
        return before, local.wait, now - local.locked


# ---------------------------------------------------------------- one save, retried with the same key


@dataclass
class Save:
    key: str
    visit_id: int | None  # None: gave up (or refused)
    seconds: float  # first attempt to success, or to giving up
    attempts: int
    residents: int
    errors: list[str] = field(default_factory=list)
    refused: bool = False  # the service refused the form (a bug here: the harness draws valid forms)


class InjectedFault(RuntimeError):
    """A failure the harness makes on purpose (`--faults`), to exercise the retry with the same key."""


def describe(exc: BaseException) -> str:
    """An error's kind, as counted: type and the first line of the driver's message."""
    inner = getattr(exc, "orig", None) or exc
    line = (str(inner).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {line[:70]}"


def save_form(
    engine: Engine,
    actor: Actor,
    form: VisitInput,
    *,
    give_up: float,
    rng: random.Random,
    probe: Probe | None = None,
    timings: list | None = None,
    gate: AbstractContextManager | None = None,
    faults: float = 0.0,
) -> Save:
    """Save `form` as the page does (one write session, record_visit); on an error, again with the same
    key after a backoff, until it is saved or `give_up` seconds have passed since the first attempt.
    `gate`: held around each attempt (the --gate prototype); its wait counts as lock wait. `faults`: the
    share of attempts that fail on purpose, half before the commit, half after it (the reply lost)."""
    started = time.perf_counter()
    save = Save(form.idempotency_key, None, 0.0, 0, len(form.residents))
    while True:
        save.attempts += 1
        queued = time.perf_counter()
        with gate or nullcontext():
            waited = time.perf_counter() - queued
            if probe:
                probe.arm()
            fault = rng.choice(("before", "after")) if faults and rng.random() < faults else None
            try:
                with write_session(engine) as s:
                    visit_id = record_visit(s, actor=actor, data=form)
                    if fault == "before":
                        raise InjectedFault("connection lost before the commit (rolled back)")
                if fault == "after":
                    raise InjectedFault("reply lost after the commit (saved)")
            except AppError as exc:  # a refusal: retrying the same form cannot help
                save.errors.append(describe(exc))
                save.refused = True
                save.seconds = time.perf_counter() - started
                return save
            except Exception as exc:
                save.errors.append(describe(exc))
                committed = False
            else:
                committed = True
            spent = probe.read() if probe else None
        if timings is not None and spent is not None:
            timings.append((waited, *spent, committed))
        if committed:
            save.visit_id = visit_id
            save.seconds = time.perf_counter() - started
            return save
        elapsed = time.perf_counter() - started
        if elapsed >= give_up:
            save.seconds = elapsed
            return save
        pause = BACKOFF_S[save.attempts - 1] if save.attempts <= len(BACKOFF_S) else 1.0
        time.sleep(min(give_up - elapsed, pause * rng.uniform(0.5, 1.5)))


@dataclass
class Options:
    seconds: float
    give_up: float = 30.0
    resend: float = 0.05  # share of successful saves sent again with the same key
    seed: int = 7
    gate: str = "none"  # "fifo" (an in-process queue) or "fifo+flock" (SQLite: and a file lock)
    faults: float = 0.0  # share of attempts failed on purpose (before or after the commit)
    think: float = 0.0  # mean pause between a writer's saves (exponential), seconds; 0: back to back


@dataclass
class WriterResult:
    saves: list[Save] = field(default_factory=list)
    resends: int = 0
    resend_failed: int = 0  # did not reach the database before giving up
    resend_mismatches: int = 0  # answered with another visit id: a second visit for one form
    resend_errors: list[str] = field(default_factory=list)
    # per attempt: (gate wait, before the first statement, BEGIN, in the transaction, committed)
    timings: list[tuple[float, float, float, float, bool]] = field(default_factory=list)
    crashed: str | None = None


def writer_loop(
    engine: Engine,
    plan: WriterPlan,
    index: int,
    opts: Options,
    go: threading.Event,
    probe: Probe | None,
    gate: AbstractContextManager | None = None,
) -> WriterResult:
    """One volunteer: forms back to back from `go` for `opts.seconds`; the last save is finished."""
    rng = random.Random(opts.seed * 1_000 + index)
    result = WriterResult()
    with read_session(engine) as s:
        actor = load_actor(s, plan.user_id)
    go.wait()
    stop_at = time.perf_counter() + opts.seconds
    try:
        while time.perf_counter() < stop_at:
            form = draw_form(rng, plan)
            save = save_form(
                engine,
                actor,
                form,
                give_up=opts.give_up,
                rng=rng,
                probe=probe,
                timings=result.timings,
                gate=gate,
                faults=opts.faults,
            )
            result.saves.append(save)
            if save.visit_id is not None and rng.random() < opts.resend:
                result.resends += 1
                again = save_form(
                    engine, actor, form, give_up=opts.give_up, rng=rng, gate=gate, faults=opts.faults
                )
                result.resend_errors += again.errors
                if again.visit_id is None:
                    result.resend_failed += 1
                elif again.visit_id != save.visit_id:
                    result.resend_mismatches += 1
            if opts.think:
                time.sleep(max(0.0, min(rng.expovariate(1 / opts.think), stop_at - time.perf_counter())))
    except Exception as exc:  # a harness bug: shown, not hidden
        result.crashed = describe(exc)
    return result


# ---------------------------------------------------------------- the proposed fix, as a prototype


class FifoGate:
    """Writers of one process take turns in arrival order (a ticket lock): a waiter sleeps until its turn
    and is woken at once, instead of SQLite's busy handler polling at up to 100 ms intervals while a
    writer that has just committed takes the lock again. `flock_path`: also a file lock, so the head of
    each process's queue takes turns with other processes (woken by the kernel, no polling)."""

    def __init__(self, flock_path: str | None = None) -> None:
        self._cond = threading.Condition()
        self._next = 0
        self._serving = 0
        self._flock_path = flock_path
        self._fd: int | None = None

    def __enter__(self) -> FifoGate:
        with self._cond:
            ticket = self._next
            self._next += 1
            while ticket != self._serving:
                self._cond.wait()
        if self._flock_path:
            import fcntl

            self._fd = os.open(self._flock_path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *_exc) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the file lock
            self._fd = None
        with self._cond:
            self._serving += 1
            self._cond.notify_all()


def make_gate(engine: Engine, kind: str) -> FifoGate | None:
    if kind == "none":
        return None
    if kind == "fifo+flock" and engine.dialect.name != "sqlite":
        raise SystemExit("the fifo+flock gate needs a SQLite file")
    flock = f"{engine.url.database}-soakgate" if kind == "fifo+flock" else None
    return FifoGate(flock)


# ---------------------------------------------------------------- a run: threads or processes


@dataclass
class SoakRun:
    label: str
    writers: int
    seconds: float
    elapsed: float
    mode: str
    results: list[WriterResult]
    visits_before: int  # the largest visit id before the run: the run's visits are above it
    visits_after: int  # ... and at most this one (the largest once every writer has finished)
    user_ids: tuple[int, ...]
    gate: str = "none"

    @property
    def saves(self) -> list[Save]:
        return [save for r in self.results for save in r.saves]


def _max_visit_id(engine: Engine) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.coalesce(func.max(Visit.id), 0))).scalar_one()


def run_soak(
    engine: Engine, plans: list[WriterPlan], opts: Options, *, processes: bool = False, label: str = ""
) -> SoakRun:
    """All writers at once for `opts.seconds`: threads on `engine`, or one process (and engine) each."""
    before = _max_visit_id(engine)
    if processes:
        results, elapsed = _run_processes(engine, plans, opts)
    else:
        results, elapsed = _run_threads(engine, plans, opts)
    return SoakRun(
        label or f"{len(plans)} writer{'s' if len(plans) > 1 else ''}",
        len(plans),
        opts.seconds,
        elapsed,
        "processes" if processes else "threads",
        results,
        before,
        _max_visit_id(engine),
        tuple(p.user_id for p in plans),
        opts.gate,
    )


def _run_threads(engine: Engine, plans: list[WriterPlan], opts: Options) -> tuple[list[WriterResult], float]:
    probe = Probe(engine)
    gate = make_gate(engine, opts.gate)
    go = threading.Event()
    results: list[WriterResult | None] = [None] * len(plans)

    def work(i: int) -> None:
        results[i] = writer_loop(engine, plans[i], i, opts, go, probe, gate)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(len(plans))]
    for t in threads:
        t.start()
    time.sleep(0.2)  # each has loaded its actor
    started = time.perf_counter()
    go.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    probe.detach(engine)
    return [r or WriterResult(crashed="no result") for r in results], elapsed


def _process_main(url: str, plan: WriterPlan, index: int, opts: Options, go, queue) -> None:
    engine = make_engine(url)
    gate = threading.Event()
    queue.put(("ready", index, None))

    def wait_for_go() -> None:
        go.wait()
        gate.set()

    threading.Thread(target=wait_for_go, daemon=True).start()
    result = writer_loop(engine, plan, index, opts, gate, Probe(engine), make_gate(engine, opts.gate))
    engine.dispose()
    queue.put(("done", index, result))


def _run_processes(
    engine: Engine, plans: list[WriterPlan], opts: Options
) -> tuple[list[WriterResult], float]:
    ctx = multiprocessing.get_context("spawn")
    go, queue = ctx.Event(), ctx.Queue()
    url = engine.url.render_as_string(hide_password=False)
    procs = [
        ctx.Process(target=_process_main, args=(url, plan, i, opts, go, queue), daemon=True)
        for i, plan in enumerate(plans)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        queue.get(timeout=120)  # "ready"
    started = time.perf_counter()
    go.set()
    results: list[WriterResult | None] = [None] * len(plans)
    for _ in procs:
        _kind, index, result = queue.get(timeout=opts.seconds + opts.give_up * 4 + 120)
        results[index] = result
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join(30)
    return [r or WriterResult(crashed="no result") for r in results], elapsed


# ---------------------------------------------------------------- what the database says afterwards


@dataclass
class Verdict:
    visits: int  # the run's visits in the database
    lost: int  # reported saved, but no visit with that key and id
    duplicated: int  # more visits than forms, or a resend answered with another id
    incomplete: int  # a saved visit without all its attendance rows
    unexpected: int  # a visit of the run's writers under a key no form used
    landed_after_give_up: int  # a failed save whose visit is there after all (a retry would return it)
    rollup_differences: int  # check-rollups: stored rollups against a full recount

    @property
    def correct(self) -> bool:
        return not (
            self.lost or self.duplicated or self.incomplete or self.unexpected or self.rollup_differences
        )


def verify(engine: Engine, run: SoakRun) -> Verdict:
    saves = {save.key: save for save in run.saves}
    with read_session(engine) as s:
        rows = s.exec(
            select(Visit.idempotency_key, Visit.id, func.count(VisitResident.resident_id))
            .outerjoin(VisitResident, VisitResident.visit_id == Visit.id)
            .where(
                Visit.id > run.visits_before,
                Visit.id <= run.visits_after,
                Visit.created_by.in_(run.user_ids),
            )
            .group_by(Visit.id, Visit.idempotency_key)
        ).all()
        differences = len(compare(s))
    by_key: dict[str, list[tuple[int, int]]] = {}
    for key, visit_id, present in rows:
        by_key.setdefault(key, []).append((visit_id, present))
    lost = incomplete = landed = 0
    for key, save in saves.items():
        found = by_key.get(key, [])
        if save.visit_id is not None:
            if [v for v, _ in found] != [save.visit_id]:
                lost += 1
            elif found[0][1] != save.residents:
                incomplete += 1
        elif found:
            landed += 1
    duplicated = sum(len(v) - 1 for v in by_key.values()) + sum(r.resend_mismatches for r in run.results)
    unexpected = sum(len(v) for k, v in by_key.items() if k not in saves)
    return Verdict(len(rows), lost, duplicated, incomplete, unexpected, landed, differences)


# ---------------------------------------------------------------- figures


def pct(values: list[float], q: float) -> float:
    """The q-quantile by the nearest rank (NaN for no values)."""
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(q * len(values) + 0.999999) - 1))]


@dataclass
class Figures:
    run: SoakRun
    verdict: Verdict

    @property
    def ok(self) -> list[Save]:
        return [s for s in self.run.saves if s.visit_id is not None]

    @property
    def failed(self) -> int:
        return sum(1 for s in self.run.saves if s.visit_id is None)

    @property
    def latencies(self) -> list[float]:
        return [s.seconds for s in self.ok]

    @property
    def errors(self) -> Counter:
        """Attempts that raised, by message: of the saves and of the resends."""
        resent = (e for r in self.run.results for e in r.resend_errors)
        return Counter([*(e for s in self.run.saves for e in s.errors), *resent])

    @property
    def throughput(self) -> float:
        return len(self.ok) / self.run.elapsed if self.run.elapsed else 0.0

    def meets_target(self) -> bool:
        return self.failed == 0 and pct(self.latencies, 0.99) <= TARGET_P99_S and self.verdict.correct


def _ms(value: float) -> str:
    return "-" if value != value else f"{value * 1000:,.0f}"


def table(title: str, columns: list[Figures]) -> str:
    """The figures of a few runs side by side, one column each."""
    rows: list[tuple[str, list[str]]] = []

    def row(name: str, fn) -> None:
        rows.append((name, [fn(f) for f in columns]))

    row("mode", lambda f: f.run.mode if f.run.gate == "none" else f"{f.run.mode}, {f.run.gate} gate")
    row("seconds (wall, to the last save)", lambda f: f"{f.run.elapsed:.1f}")
    row("saves", lambda f: f"{len(f.ok):,}")
    row("saves/s", lambda f: f"{f.throughput:.1f}")
    for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", 1.0)):
        row(f"latency {name} ms", lambda f, q=q: _ms(pct(f.latencies, q)))
    row("saves needing a retry", lambda f: str(sum(1 for s in f.run.saves if s.attempts > 1)))
    row("errors (attempts that raised)", lambda f: str(sum(f.errors.values())))
    kinds = sorted({k for f in columns for k in f.errors})
    for kind in kinds:
        row(f"  {kind[:44]}", lambda f, kind=kind: str(f.errors.get(kind, 0)))
    row("failed saves (gave up / refused)", lambda f: f"{f.failed} / {sum(s.refused for s in f.run.saves)}")
    row("resends (same key): failed / other id", lambda f: _resends(f))
    row("lost visits", lambda f: str(f.verdict.lost))
    row("duplicated visits", lambda f: str(f.verdict.duplicated))
    row("incomplete / unexpected visits", lambda f: f"{f.verdict.incomplete} / {f.verdict.unexpected}")
    row("failed saves that landed anyway", lambda f: str(f.verdict.landed_after_give_up))
    row(
        "check-rollups",
        lambda f: (
            "exact" if not f.verdict.rollup_differences else f"{f.verdict.rollup_differences} differences"
        ),
    )

    def spread(i: int):
        return lambda f: _spread([t[i] for r in f.run.results for t in r.timings])

    if any(f.run.gate != "none" for f in columns):
        row("wait in the gate p50/p99/max ms", spread(0))
    row("wait for a connection p50/p99/max ms", spread(1))
    row("wait in BEGIN (write lock) p50/p99/max ms", spread(2))
    row("in transaction p50/p99/max ms", spread(3))
    row("writer crashes", lambda f: str(sum(1 for r in f.run.results if r.crashed)))
    width = max(len(name) for name, _ in rows) + 2
    cols = [max(14, len(f.run.label) + 2, *(len(v[i]) + 2 for _, v in rows)) for i, f in enumerate(columns)]
    lines = [title, " " * width + "".join(f.run.label.rjust(c) for f, c in zip(columns, cols, strict=True))]
    for name, values in rows:
        lines.append(name.ljust(width) + "".join(v.rjust(c) for v, c in zip(values, cols, strict=True)))
    return "\n".join(lines)


def _resends(f: Figures) -> str:
    results = f.run.results
    sent, failed = sum(r.resends for r in results), sum(r.resend_failed for r in results)
    return f"{sent}: {failed} / {sum(r.resend_mismatches for r in results)}"


def _spread(values: list[float]) -> str:
    if not values:
        return "-"
    return "/".join(_ms(pct(values, q)) for q in (0.5, 0.99, 1.0))


# ---------------------------------------------------------------- databases


def sqlite_database(db: str | None, scale: str, seed: int) -> tuple[str, str, Path | None]:
    """(URL, description, a temporary directory to remove): a fresh seed, or a copy of `db`."""
    directory = Path(tempfile.mkdtemp(prefix="soak5b3h-"))
    target = directory / "soak.sqlite"
    if db is None:
        url = f"sqlite:///{target}"
        return url, seed_fresh(url, scale, seed), directory
    source = make_engine(db)
    with source.connect() as conn:  # fold the WAL into the file before copying it
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    source.dispose()
    shutil.copy(make_url(db).database, target)
    return f"sqlite:///{target}", f"copy of {make_url(db).database}", directory


def seed_fresh(url: str, scale: str, seed: int) -> str:
    from demo.seed import seed_database
    from models.migrate import upgrade_to_head

    engine = make_engine(url)
    upgrade_to_head(engine)
    report = seed_database(engine, scale=scale, seed=seed)
    engine.dispose()
    return f"fresh {scale} seed: {report.households:,} households, {report.residents:,} residents"


class ThrowawayPostgres:
    """A PostgreSQL server of its own (the tests' helper: initdb, pg_ctl, fsync off), stopped on exit."""

    def __enter__(self):
        from tests.pg import PgCluster

        self.cluster = PgCluster()
        self.cluster.start()
        return self

    def database(self, name: str) -> str:
        admin = create_engine(self.cluster.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        return self.cluster.url(name)

    def __exit__(self, *_exc) -> None:
        self.cluster.stop()


# ---------------------------------------------------------------- one engine, start to end


def soak_engine(url: str, args: argparse.Namespace, described: str, title: str) -> list[Figures]:
    """The concurrent run (one per gate asked for, SQLite), then one writer alone; the table; the verdict."""
    engine = make_engine(url)
    plans = prepare_writers(engine, args.writers)
    opts = Options(args.seconds, args.give_up, args.resend, args.seed, "none", args.faults, args.think)
    gates = args.gate
    runs = []
    for gate in gates:
        label = f"{args.writers} writers" + (f", {gate}" if len(gates) > 1 else "")
        runs.append(run_soak(engine, plans, replace(opts, gate=gate), processes=args.processes, label=label))
    if not args.no_serial:
        serial = replace(opts, seconds=args.serial_seconds or args.seconds, seed=args.seed + 1)
        runs.append(run_soak(engine, plans[:1], serial, label="1 writer"))
    figures = [Figures(run, verify(engine, run)) for run in runs]
    engine.dispose()
    print(table(f"{title} — {described}; {args.writers} writers x {args.seconds:.0f} s", figures))
    alone = figures[-1] if not args.no_serial else None
    for head in figures[: len(gates)]:
        name = head.run.label
        if alone and alone.throughput:
            p50 = pct(head.latencies, 0.5) / pct(alone.latencies, 0.5)
            print(
                f"{name}: concurrency speedup (saves/s against 1 writer) "
                f"{head.throughput / alone.throughput:.2f}x; p50 {p50:.1f}x that of 1 writer"
            )
        verdict = "MET" if head.meets_target() else "MISSED"
        print(
            f"{name}: target (0 failed saves, p99 <= {TARGET_P99_S:.0f} s, exact) {verdict} — "
            f"{head.failed} failed, p99 {_ms(pct(head.latencies, 0.99))} ms, "
            f"{'correct' if head.verdict.correct else 'NOT CORRECT'}"
        )
    print()
    return figures


def _gates(value: str) -> list[str]:
    gates = [g.strip() for g in value.split(",") if g.strip()]
    wrong = [g for g in gates if g not in ("none", "fifo", "fifo+flock")]
    if wrong or not gates:
        raise argparse.ArgumentTypeError(f"unknown gate {wrong or value!r}: none, fifo, fifo+flock")
    return gates


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--processes", action="store_true", help="one process per writer (default threads)")
    parser.add_argument("--give-up", type=float, default=30.0, help="seconds before a save counts as failed")
    parser.add_argument("--resend", type=float, default=0.05, help="share of saves sent again (same key)")
    parser.add_argument("--serial-seconds", type=float, help="length of the 1-writer run (default --seconds)")
    parser.add_argument("--no-serial", action="store_true", help="skip the 1-writer run")
    parser.add_argument(
        "--gate",
        type=_gates,
        default=["none"],
        help="none, fifo (a process's writers take turns in arrival order), fifo+flock (SQLite: and a"
        " file lock across processes): the proposed fix, tried here; a comma-separated list runs each",
    )
    parser.add_argument(
        "--faults", type=float, default=0.0, help="share of attempts failed on purpose (retry exercise)"
    )
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean seconds between a writer's saves (0: back to back)"
    )
    parser.add_argument("--scale", choices=("demo", "commune"), default="demo")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="a SQLite URL to work on a copy of (default: a fresh seed)")
    parser.add_argument(
        "--pg-url", help="a PostgreSQL database, seeded or empty (default: a new throwaway server)"
    )
    args = parser.parse_args()
    print(
        f"{args.writers} writers ({'processes' if args.processes else 'threads'}) x {args.seconds:.0f} s, "
        f"give up after {args.give_up:.0f} s, {args.resend:.0%} of saves resent, "
        f"{args.faults:.0%} of attempts failed on purpose, "
        + (f"{args.think:g} s mean pause between saves; " if args.think else "back to back; ")
        + f"gate: {', '.join(args.gate)}; {multiprocessing.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}\n"
    )
    if args.engine in ("sqlite", "both"):
        url, described, directory = sqlite_database(args.db, args.scale, args.seed)
        try:
            soak_engine(url, args, described, "SQLite")
        finally:
            if directory:
                shutil.rmtree(directory, ignore_errors=True)
    if args.engine in ("postgres", "both"):
        if args.pg_url:
            from models.migrate import upgrade_to_head

            engine = make_engine(args.pg_url)
            upgrade_to_head(engine)  # as init-db does: nothing on a database already at head
            with read_session(engine) as s:
                empty = s.exec(select(func.count()).select_from(Area)).scalar_one() == 0
            engine.dispose()
            described = seed_fresh(args.pg_url, args.scale, args.seed) if empty else "given database"
            soak_engine(args.pg_url, args, described, "PostgreSQL")
        else:
            with ThrowawayPostgres() as pg:
                url = pg.database("soak")
                described = seed_fresh(url, args.scale, args.seed) + " (throwaway server, fsync off)"
                soak_engine(url, args, described, "PostgreSQL")


if __name__ == "__main__":
    main()
