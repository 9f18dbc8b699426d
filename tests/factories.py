"""Plain create_* factories for tests: each writes through the real services or tables and commits."""

from __future__ import annotations

import itertools
from datetime import date, datetime

from sqlalchemy import Engine

from core.clock import utcnow
from core.text import normalize_name, reversed_digits, search_key
from models.db import read_session, write_session
from models.enums import MemberKind
from models.tables import Household, Member, Resident, Team, TeamVillage
from services.access import Actor, load_actor
from services.areas import create_area as _create_area
from services.auth import create_user as _create_user
from services.rollups.contributions import household_contribution, resident_contribution, resident_facts
from services.rollups.deltas import Deltas

PASSWORD = "correct-horse-1"
_seq = itertools.count(1)


def create_area(engine: Engine, *, code: str, name: str, level: str, parent_code: str | None = None) -> int:
    with write_session(engine) as s:
        return _create_area(s, actor=None, code=code, name=name, level=level, parent_code=parent_code)


def create_tree(engine: Engine, prefix: str = "") -> dict[str, int]:
    """Province P, communes A and B, villages A1, A2 (in A) and B1 (in B). Returns code -> id."""
    ids = {}
    ids["P"] = create_area(engine, code=f"{prefix}P", name="Tỉnh Thử", level="province")
    ids["A"] = create_area(engine, code=f"{prefix}A", name="Xã An", level="commune", parent_code=f"{prefix}P")
    ids["B"] = create_area(
        engine, code=f"{prefix}B", name="Xã Bình", level="commune", parent_code=f"{prefix}P"
    )
    ids["A1"] = create_area(
        engine, code=f"{prefix}A1", name="Thôn Một", level="village", parent_code=f"{prefix}A"
    )
    ids["A2"] = create_area(
        engine, code=f"{prefix}A2", name="Thôn Hai", level="village", parent_code=f"{prefix}A"
    )
    ids["B1"] = create_area(
        engine, code=f"{prefix}B1", name="Thôn Ba", level="village", parent_code=f"{prefix}B"
    )
    return ids


def create_household(engine: Engine, *, village_id: int, code: str | None = None, address: str = "") -> int:
    now = utcnow()
    with write_session(engine) as s:
        h = Household(
            code=code or f"H{next(_seq):06d}",
            village_id=village_id,
            address=address,
            address_key=search_key(address),
            created_at=now,
            updated_at=now,
        )
        s.add(h)
        s.flush()
        deltas = Deltas()
        deltas.add(household_contribution(h))
        deltas.apply(s)
        return h.id


def create_resident(
    engine: Engine,
    *,
    household_id: int,
    full_name: str = "Nguyễn Văn An",
    birth_year: int | None = 1970,
    phone: str | None = None,
    created_at: datetime | None = None,
    **barriers: object,
) -> int:
    now = utcnow()
    with write_session(engine) as s:
        name = normalize_name(full_name)
        r = Resident(
            household_id=household_id,
            full_name=name,
            name_key=search_key(name),
            birth_year=birth_year,
            phone=phone,
            phone_rev=reversed_digits(phone),
            created_at=created_at or now,
            updated_at=now,
            **barriers,
        )
        s.add(r)
        s.flush()
        deltas = Deltas()
        deltas.add(resident_contribution(resident_facts(s, r.id)))
        deltas.apply(s)
        return r.id


def create_team(
    engine: Engine, *, area_id: int, name: str = "Tổ CNS", village_ids: tuple[int, ...] = ()
) -> int:
    with write_session(engine) as s:
        team = Team(area_id=area_id, name=name, created_at=utcnow())
        s.add(team)
        s.flush()
        for v in village_ids:
            s.add(TeamVillage(team_id=team.id, village_id=v))
        return team.id


def create_member(
    engine: Engine,
    *,
    team_id: int,
    full_name: str = "Lê Thị Hoa",
    user_id: int | None = None,
    kind: str = MemberKind.YOUTH_UNION,
) -> int:
    with write_session(engine) as s:
        m = Member(
            team_id=team_id,
            full_name=full_name,
            name_key=search_key(full_name),
            kind=kind,
            user_id=user_id,
            created_at=utcnow(),
        )
        s.add(m)
        s.flush()
        return m.id


def create_user(
    engine: Engine,
    *,
    role: str,
    area_code: str,
    username: str | None = None,
    team_id: int | None = None,
    password: str = PASSWORD,
    with_member: bool = True,
) -> int:
    username = username or f"user{next(_seq)}"
    with write_session(engine) as s:
        uid = _create_user(
            s,
            actor=None,
            username=username,
            password=password,
            role=role,
            area_code=area_code,
            full_name=username,
            team_id=team_id,
        )
    if team_id is not None and with_member:
        create_member(engine, team_id=team_id, full_name=username, user_id=uid)
    return uid


def actor_for(engine: Engine, user_id: int) -> Actor:
    with read_session(engine) as s:
        return load_actor(s, user_id)


def today_minus(days: int) -> date:
    from datetime import timedelta

    from core.clock import today

    return today() - timedelta(days=days)
