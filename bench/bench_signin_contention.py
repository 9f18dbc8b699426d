"""Benchmark: visits recorded per second while four clients guess passwords, with the sign-in done the old
way (argon2 inside the write transaction, as the form did before issue #12) beside `services.auth.sign_in`
(a read, argon2 with no transaction open, a short write). Also the visits alone, as the ceiling, and
beside guessers that only run argon2 (no database): the share of the slowdown that is CPU, not locking.

    python bench/bench_signin_contention.py                    # a fresh demo-scale SQLite database
    python bench/bench_signin_contention.py --seconds 20 --guessers 8
    python bench/bench_signin_contention.py --db sqlite:///province.sqlite

One thread records visits back to back (`record_visit`, 5 residents × 5 skills); each guesser signs in
with wrong passwords, alternately on a real account (a failure counted, lockout disabled for the run)
and on a made-up username. Prints visits/s, visit p50/p95 in milliseconds, guesses/s, and the visits (v)
and guesses (g) that gave up with "database is locked" after SQLite's 15 s busy timeout; not a test.
A SQLite file given with --db is copied first; a PostgreSQL database is written to.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_visit_commit import draw_form, open_database, pct, village_residents
from sqlalchemy.exc import OperationalError

from core.settings import Settings
from models.db import make_engine, read_session, write_session
from services import auth
from services.visits.record import record_visit


def naive_guess(engine, username: str, password: str) -> None:
    """The sign-in form before issue #12: the whole check in one write transaction."""
    with write_session(engine) as s:
        auth.authenticate(s, username=username, password=password)


def split_guess(engine, username: str, password: str) -> None:
    auth.sign_in(
        read=lambda: read_session(engine),
        write=lambda: write_session(engine),
        username=username,
        password=password,
        remember=False,
        throttle=None,  # a distributed guesser: the per-source throttle would stop one client early
    )


def cpu_only_guess(_engine, _username: str, password: str) -> None:
    """argon2 alone, no database: what the guessers' CPU use costs the visits by itself."""
    auth._verify(auth._DUMMY_HASH, password)


def run_phase(engine, seconds: float, guessers: int, guess, target: str) -> dict[str, float]:
    actor, village, residents = village_residents(engine)
    rng = random.Random(7)
    stop = threading.Event()
    guesses = [0] * guessers
    refused = [0] * guessers  # "database is locked" after the busy timeout (15 s)

    def guesser(index: int) -> None:
        n = 0
        while not stop.is_set():
            name = target if n % 2 == 0 else f"khong.co.{index}.{n}"
            try:
                guess(engine, name, f"wrong-password-{n}")
                guesses[index] += 1
            except OperationalError:
                refused[index] += 1
            n += 1

    threads = [threading.Thread(target=guesser, args=(i,), daemon=True) for i in range(guessers)]
    for thread in threads:
        thread.start()
    if guessers:
        time.sleep(0.5)  # let the guessers get going
    latencies: list[float] = []
    failed = 0
    started = time.perf_counter()
    done_by = started + seconds
    while time.perf_counter() < done_by:
        data = draw_form(rng, residents, village)
        t0 = time.perf_counter()
        try:
            with write_session(engine) as s:
                record_visit(s, actor=actor, data=data)
        except OperationalError:
            failed += 1
            continue
        latencies.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    stop.set()
    for thread in threads:
        thread.join(30)
    return {
        "visits_per_s": len(latencies) / elapsed,
        "p50": pct(latencies, 0.5) if latencies else float("nan"),
        "p95": pct(latencies, 0.95) if latencies else float("nan"),
        "guesses_per_s": sum(guesses) / elapsed,
        "visits_failed": failed,
        "guesses_failed": sum(refused),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="database URL (default: a fresh demo-scale SQLite file)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--guessers", type=int, default=4, help="threads guessing passwords")
    args = parser.parse_args()

    url, description = open_database(args.db, copy=True, scale="demo")
    engine = make_engine(url)
    Settings.lockout_attempts = 10**9  # every guess on the real account verifies and counts (no lock)
    target = village_residents(engine)[0].username
    print(f"database: {description}")
    print(f"{args.guessers} guessers, {args.seconds:.0f} s a phase, guessing on '{target}' and made-up names")
    phases = [
        ("visits alone", 0, naive_guess),
        ("guessers, argon2 inside the write (old)", args.guessers, naive_guess),
        ("guessers, sign_in (argon2 outside)", args.guessers, split_guess),
        ("guessers, argon2 only (no database)", args.guessers, cpu_only_guess),
    ]
    print(f"{'phase':<42} {'visits/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'guesses/s':>10} {'locked out':>10}")
    results = {}
    for name, guessers, guess in phases:
        r = run_phase(engine, args.seconds, guessers, guess, target)
        results[name] = r
        figures = f"{r['visits_per_s']:>9.1f} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['guesses_per_s']:>10.1f}"
        locked = f"{r['visits_failed']} v, {r['guesses_failed']} g"
        print(f"{name:<42} {figures} {locked:>10}")
    alone = results["visits alone"]["visits_per_s"]
    for name, r in list(results.items())[1:]:
        print(f"{name}: {r['visits_per_s'] / alone:.0%} of the visits alone")
    engine.dispose()


if __name__ == "__main__":
    main()
