"""`seed-demo`: fill an empty database with a demo campaign (or a commune / province for benchmarks)."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from sqlalchemy import inspect

from cli.common import engine_or_exit, fail
from core.i18n import t
from demo.seed import DEFAULT_SEED, SCALES, SeedRefused, is_empty, seed_database
from models.db import read_session


def add_commands(subparsers, command) -> None:
    p = subparsers.add_parser(
        "seed-demo",
        help="fill an empty database with demo data (demo users share the password 5b3h-demo-2026)",
    )
    p.add_argument(
        "--scale",
        choices=tuple(SCALES),
        default="demo",
        help="; ".join(f"{name}: {scale.description}" for name, scale in SCALES.items()),
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (same seed, same data)")
    p.add_argument(
        "--if-empty", action="store_true", help="do nothing (exit 0) when the database already holds data"
    )
    command("seed-demo")(cmd_seed_demo)


def cmd_seed_demo(args: argparse.Namespace) -> int:
    lang = getattr(args, "lang", "vi")
    engine = engine_or_exit()
    try:
        if not inspect(engine).has_table("area"):
            return fail(t("seed.no_schema", lang), 1)
        with read_session(engine) as session:
            empty = is_empty(session)
        if not empty:
            if args.if_empty:
                print(t("seed.skipped", lang))
                return 0
            return fail(t("seed.not_empty", lang), 1)
        print(t("seed.started", lang, scale=args.scale, seed=args.seed), flush=True)
        progress = (lambda step: print(f"  … {step}", flush=True)) if args.scale == "province" else None
        try:
            report = seed_database(engine, scale=args.scale, seed=args.seed, progress=progress)
        except SeedRefused as exc:  # another process seeded it meanwhile
            if args.if_empty:
                print(t("seed.skipped", lang))
                return 0
            return fail(exc.message(lang), 1)
    finally:
        engine.dispose()
    print(t("seed.report", lang, **asdict(report)))  # every figure of the report
    return 0
