"""Demo and scale data: a deterministic, realistic campaign (areas, people, teams, visits, skills).

All place and person names are illustrative: generated from common Vietnamese name parts, not a
register of real people or of the official area list. The shape (names, codes, levels) depends
only on the seed; dates are placed relative to today so the campaign always looks current.

Rows are written in bulk (executemany on SQLite, COPY on PostgreSQL) with ids chosen here, and the
derived state (current skill levels, first guidance, household visit dates) is computed in the same
pass by the same rules as `services.people.derived.recompute_residents` / `recompute_households`. Rollups
are then filled from a full recount, all in one transaction.

This module orchestrates; the builders build: demo/areas.py (the area tree), demo/teams.py (accounts,
teams, members, campaign and quotas), demo/people.py (households, residents, their barriers and
registry rows), demo/visits.py (visits, sessions, guidance, satisfaction ratings and the skill ladder);
demo/bulk.py writes the rows and demo/context.py holds what they share (scales, ids, dates, the report).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from sqlalchemy import Engine, select, text
from sqlmodel import Session

from demo import areas, people, teams, visits
from demo.bulk import COLUMNS, BulkWriter
from demo.context import DEFAULT_SEED, DEMO_PASSWORD, SCALES, Context, Scale, SeedReport
from models.db import write_session
from models.tables import (
    Area,
    Household,
    Resident,
    ResidentSkill,
    SkillEvent,
    Team,
    User,
    Visit,
    VisitResident,
)
from services import audit
from services.errors import AppError
from services.rollups.recount import rebuild

__all__ = [
    "COLUMNS",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "SCALES",
    "Scale",
    "SeedRefused",
    "SeedReport",
    "is_empty",
    "seed_database",
    "shape_checksum",
]


class SeedRefused(AppError):
    """The database already holds data: seeding again would duplicate it."""

    def __init__(self) -> None:
        super().__init__("seed.not_empty")


def is_empty(session: Session) -> bool:
    """True when the database holds no area (nothing to duplicate)."""
    return session.exec(select(Area.id).limit(1)).first() is None


def seed_database(
    engine: Engine, *, scale: str, seed: int = DEFAULT_SEED, progress: Callable[[str], None] | None = None
) -> SeedReport:
    """Fill an empty database with a whole campaign in one transaction; refuse if it holds areas."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}")
    started = time.perf_counter()
    report = SeedReport(scale=scale, seed=seed)
    with write_session(engine) as session:
        if not is_empty(session):
            raise SeedRefused()
        writer = BulkWriter(session)
        _seed_all(Context(SCALES[scale], seed, writer, report), progress)
        writer.finish()
        if progress:
            progress("rollups")
        rebuild(session)
        audit.record(
            session,
            user_id=None,
            action="seed.demo",
            entity="database",
            details={"scale": scale, "seed": seed, "households": report.households},
        )
        if progress:
            progress("statistics")
        session.exec(text("ANALYZE"))
    report.seconds = time.perf_counter() - started
    return report


def shape_checksum(session: Session) -> str:
    """A digest of names, codes, levels and ratings: equal for two databases seeded with the same seed."""
    import hashlib

    digest = hashlib.sha256()
    queries = (
        select(Area.code, Area.name, Area.level, Area.depth).order_by(Area.code),
        select(Household.code, Household.address, Household.phone).order_by(Household.code),
        select(
            Resident.id, Resident.full_name, Resident.sex, Resident.is_head, Resident.vneid_level
        ).order_by(Resident.id),
        select(Team.id, Team.name).order_by(Team.id),
        select(User.username, User.role).order_by(User.username),
        select(Visit.id, Visit.kind, Visit.place, Visit.outcome, Visit.household_id).order_by(Visit.id),
        select(
            SkillEvent.resident_id, SkillEvent.skill, SkillEvent.level, SkillEvent.previous_level
        ).order_by(SkillEvent.id),
        select(ResidentSkill.resident_id, ResidentSkill.skill, ResidentSkill.level).order_by(
            ResidentSkill.resident_id, ResidentSkill.skill
        ),
        select(VisitResident.visit_id, VisitResident.resident_id, VisitResident.satisfaction).order_by(
            VisitResident.visit_id, VisitResident.resident_id
        ),
    )
    for query in queries:
        for row in session.exec(query).all():
            digest.update(repr(tuple(row)).encode())
        digest.update(b"|")
    return digest.hexdigest()


# ---------------------------------------------------------------- orchestration


def _seed_all(ctx: Context, progress: Callable[[str], None] | None) -> None:
    """The province and its two accounts, then each commune from its own random generator."""
    province = areas.add_province(ctx)
    teams.add_province_users(ctx, province.id)
    names = areas.commune_names(ctx.rng, ctx.scale.communes)
    for index in range(ctx.scale.communes):
        rng = random.Random(ctx.seed * 1_000_003 + index)
        _seed_commune(ctx, rng, areas.add_commune(ctx, rng, province, index, names[index]))
        if progress and (index + 1) % 10 == 0:
            progress(f"{index + 1}/{ctx.scale.communes} communes")


def _seed_commune(ctx: Context, rng: random.Random, commune: areas.Commune) -> None:
    """Teams and accounts, households, the campaign, then the visits and what they left behind."""
    staff = teams.add_staff(ctx, rng, commune)
    homes = people.draw_homes(ctx, rng, commune.villages)
    teams.add_campaign(ctx, commune, staff, homes)
    planned = visits.plan_visits(rng, commune, staff, homes)
    done = visits.record_visits(ctx, rng, commune, staff, planned)  # moves residents up the ladder
    registry = people.registry_rows(ctx, rng, homes, done.households)  # so their rows come after
    for table, rows in (
        ("household", registry.households),
        ("resident", registry.residents),
        ("visit", done.visits),
        ("visit_member", done.members),
        ("visit_resident", done.residents),
        ("visit_guidance", done.guidance),
        ("skill_event", done.events),
        ("resident_skill", registry.skills),
    ):
        ctx.w.insert(table, rows)
    ctx.report.households += len(registry.households)
    ctx.report.residents += len(registry.residents)
    ctx.report.visits += len(done.visits)
    ctx.report.skill_events += len(done.events)
