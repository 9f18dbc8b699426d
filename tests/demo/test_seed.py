"""Demo data: shape, rollups equal a recount, derived state follows the visit rules, determinism."""

from __future__ import annotations

import shutil
from collections import defaultdict

import pytest
from sqlalchemy import func, select

from core.clock import today
from core.text import normalize_name, person_sort_name, search_key
from demo.seed import DEMO_PASSWORD, SeedRefused, is_empty, seed_database, shape_checksum
from models.db import make_engine, read_session, write_session
from models.enums import SKILLS, MemberKind, QuotaMetric, Role
from models.tables import (
    Area,
    Campaign,
    Household,
    Member,
    Quota,
    Resident,
    ResidentSkill,
    SkillEvent,
    Team,
    TeamVillage,
    User,
    Visit,
    VisitGuidance,
    VisitResident,
)
from services.access import Actor
from services.areas import create_area
from services.auth import authenticate
from services.people.derived import recompute_household, recompute_resident
from services.rollups.deltas import Deltas
from services.rollups.recount import compare

DEMO_USERS = {
    "quantri": (Role.ADMIN, "province"),
    "dieuphoi": (Role.COORDINATOR, "commune"),
    "lanhdao": (Role.LEADER, "commune"),
    "lanhdao.tinh": (Role.LEADER, "province"),
    "tinhnguyen": (Role.VOLUNTEER, "commune"),
}


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).scalar_one()


def test_demo_seed_has_the_expected_shape_and_exact_rollups(engine):
    with read_session(engine) as s:
        assert is_empty(s)
    report = seed_database(engine, scale="demo", seed=11)
    with read_session(engine) as s:
        levels = dict(s.exec(select(Area.level, func.count()).group_by(Area.level)).all())
        assert levels == {"province": 1, "commune": 1, "village": 6}
        households = _count(s, Household)
        residents = _count(s, Resident)
        assert 250 <= households <= 350
        assert 900 <= residents <= 1300
        assert (report.households, report.residents) == (households, residents)
        assert report.visits == _count(s, Visit) > households
        assert report.skill_events == _count(s, SkillEvent) > 0
        assert not is_empty(s)
        assert compare(s) == []

        # Codes: province 2 digits, commune 5 digits, villages "<commune>-<nnn>".
        codes = dict(s.exec(select(Area.level, Area.code)).all())
        commune = codes["commune"]
        assert len(codes["province"]) == 2 and codes["province"].isdigit()
        assert len(commune) == 5 and commune.isdigit()
        for code in s.exec(select(Area.code).where(Area.level == "village")).scalars():
            assert code.startswith(commune + "-") and len(code) == len(commune) + 4

        # Names are stored normalised with their search keys.
        for name, key, order in s.exec(
            select(Resident.full_name, Resident.name_key, Resident.sort_name).limit(200)
        ).all():
            assert normalize_name(name) == name and search_key(name) == key
            assert order == person_sort_name(name)  # the registry's Vietnamese order
            assert name.split(" ")[0] in {normalize_name(n) for n in FAMILIES}

        # Teams: a commune team of at most 10, village teams of at most 5, every kind of member.
        sizes = s.exec(
            select(Team.id, Area.level, func.count(Member.id))
            .join(Area, Area.id == Team.area_id)
            .join(Member, Member.team_id == Team.id)
            .group_by(Team.id, Area.level)
        ).all()
        assert len(sizes) >= 3
        for _tid, _level, n in sizes:
            assert 1 <= n <= 10
        assert sum(1 for _t, _l, n in sizes if n > 5) == 1  # only the commune team is larger
        kinds = set(s.exec(select(Member.kind).distinct()).scalars())
        assert kinds == {k.value for k in MemberKind}

        # A running campaign with quotas per member and per team.
        campaign = s.exec(select(Campaign)).scalar_one()
        assert campaign.starts_on < today() < campaign.ends_on
        assert campaign.target_guided_pct == campaign.target_all_five_pct == 80
        assert s.exec(select(func.count()).where(Quota.member_id.is_not(None))).scalar_one() > 0
        metrics = set(s.exec(select(Quota.metric).where(Quota.team_id.is_not(None))).scalars())
        assert metrics == {m.value for m in QuotaMetric}

        # Outcomes of every kind, follow-ups, group sessions with several households.
        outcomes = set(s.exec(select(Visit.outcome).distinct()).scalars())
        assert outcomes == {"done", "nobody_home", "refused", "come_back"}
        assert s.exec(select(func.count()).where(Visit.follow_up_on.is_not(None))).scalar_one() > 0
        places = set(
            s.exec(select(Visit.place).where(Visit.kind == "session", Visit.household_id.is_(None))).scalars()
        )
        assert places == {"community", "counter"}
        session_households = s.exec(
            select(Visit.id, func.count(func.distinct(Resident.household_id)))
            .join(VisitResident, VisitResident.visit_id == Visit.id)
            .join(Resident, Resident.id == VisitResident.resident_id)
            .where(Visit.kind == "session")
            .group_by(Visit.id)
        ).all()
        assert max(n for _v, n in session_households) >= 3
        guidance = set(s.exec(select(VisitGuidance.kind).distinct()).scalars())
        assert guidance == {"guide_submit", "guide_pay", "guide_apps"}
        dossiers = s.exec(
            select(SkillEvent.evidence).where(SkillEvent.skill == "submit", SkillEvent.evidence.is_not(None))
        ).scalars()
        dossiers = list(dossiers)
        assert dossiers and all(d.startswith("H") and len(d.split("-")) == 3 for d in dossiers)
        assert s.exec(select(func.count()).where(Resident.digital_course_done.is_(True))).scalar_one() > 0
        # Consent recorded for exactly the residents who were guided.
        pairs = s.exec(select(Resident.consent_on, Resident.first_guided_on)).all()
        assert all((c is None) == (g is None) for c, g in pairs)
        assert any(g is not None for _c, g in pairs)
        phones = [p for p in s.exec(select(Resident.phone).where(Resident.phone.is_not(None))).scalars()]
        assert phones and all(len(p) == 10 and p[:2] in {"03", "05", "07", "08", "09"} for p in phones)


FAMILIES = [
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
    "Dương",
    "Lý",
]


def test_demo_users_sign_in_with_their_roles(engine):
    seed_database(engine, scale="demo", seed=3)
    for username, (role, level) in DEMO_USERS.items():
        with write_session(engine) as s:
            actor = authenticate(s, username=username, password=DEMO_PASSWORD)
        assert isinstance(actor, Actor), username
        assert actor.role == role and actor.area_level == level
    with write_session(engine) as s:
        volunteer = authenticate(s, username="tinhnguyen", password=DEMO_PASSWORD)
        assert not isinstance(authenticate(s, username="quantri", password="wrong-password"), Actor)
    assert len(volunteer.village_ids) == 2
    assert volunteer.member_id is not None and volunteer.team_id is not None
    with read_session(engine) as s:
        member = s.get(Member, volunteer.member_id)
        assert member.team_id == volunteer.team_id
        assert s.get(User, volunteer.user_id).team_id == volunteer.team_id
        team_villages = set(
            s.exec(select(TeamVillage.village_id).where(TeamVillage.team_id == volunteer.team_id)).scalars()
        )
        assert team_villages == set(volunteer.village_ids)
        # The volunteer recorded visits of their own team.
        mine = s.exec(select(func.count()).where(Visit.created_by == volunteer.user_id)).scalar_one()
        assert mine > 0
    # Ids chosen by the seed leave the sequences ready for ordinary inserts (PostgreSQL).
    with write_session(engine) as s:
        commune = s.exec(select(Area.code).where(Area.level == "commune")).scalar_one()
        area_id = create_area(
            s, actor=None, code="X1", name="Thôn Mới Lập", level="village", parent_code=commune
        )
        biggest = s.exec(select(func.max(Area.id)).where(Area.code != "X1")).scalar_one()
    assert area_id > biggest


def test_derived_state_follows_the_visit_rules(engine):
    seed_database(engine, scale="demo", seed=5)
    with read_session(engine) as s:
        events = s.exec(
            select(
                SkillEvent.resident_id,
                SkillEvent.skill,
                SkillEvent.level,
                SkillEvent.previous_level,
                SkillEvent.observed_on,
            ).order_by(SkillEvent.observed_on, SkillEvent.id)
        ).all()
        current: dict[tuple[int, str], int] = {}
        latest_day = {}
        for rid, skill, level, previous, day in events:
            assert previous == current.get((rid, skill), 0)  # the level before this event
            current[(rid, skill)] = level
            latest_day[(rid, skill)] = day
        stored = {
            (r.resident_id, r.skill): (r.level, r.updated_on) for r in s.exec(select(ResidentSkill)).scalars()
        }
        expected = {k: (lvl, latest_day[k]) for k, lvl in current.items() if lvl >= 1}
        assert stored == expected

        guided = dict(
            s.exec(
                select(VisitGuidance.resident_id, func.min(Visit.visited_on))
                .join(Visit, Visit.id == VisitGuidance.visit_id)
                .group_by(VisitGuidance.resident_id)
            ).all()
        )
        first_guided = dict(
            s.exec(
                select(Resident.id, Resident.first_guided_on).where(Resident.first_guided_on.is_not(None))
            ).all()
        )
        assert first_guided == guided

        visits = defaultdict(list)
        for hid, day, outcome, follow in s.exec(
            select(Visit.household_id, Visit.visited_on, Visit.outcome, Visit.follow_up_on)
            .where(Visit.household_id.is_not(None))
            .order_by(Visit.visited_on, Visit.id)
        ).all():
            visits[hid].append((day, outcome, follow))
        for h in s.exec(select(Household)).scalars():
            rows = visits.get(h.id, [])
            done = [d for d, o, _f in rows if o == "done"]
            assert h.first_visited_on == (done[0] if done else None)
            assert h.last_visited_on == (rows[-1][0] if rows else None)
            assert h.follow_up_on == (rows[-1][2] if rows else None)

    # The services' own recomputation changes nothing for a sample.
    with write_session(engine) as s:
        deltas = Deltas()
        for hid in s.exec(select(Household.id).order_by(Household.id).limit(25)).scalars():
            recompute_household(s, hid, deltas)
        for rid in s.exec(
            select(SkillEvent.resident_id).distinct().order_by(SkillEvent.resident_id).limit(25)
        ).scalars():
            recompute_resident(s, rid)
        assert not any(deltas.changes.values())
        deltas.apply(s)
    with read_session(engine) as s:
        assert compare(s) == []


def _sqlite_copy(template, tmp_path, name):
    path = tmp_path / name
    shutil.copy(template, path)
    return make_engine(f"sqlite:///{path}")


def test_same_seed_same_data_on_both_backends(engine, sqlite_template, tmp_path):
    seed_database(engine, scale="demo", seed=42)
    same = _sqlite_copy(sqlite_template, tmp_path, "same.sqlite")
    other = _sqlite_copy(sqlite_template, tmp_path, "other.sqlite")
    try:
        seed_database(same, scale="demo", seed=42)
        seed_database(other, scale="demo", seed=43)
        sums = []
        for eng in (engine, same, other):
            with read_session(eng) as s:
                sums.append(shape_checksum(s))
    finally:
        same.dispose()
        other.dispose()
    assert sums[0] == sums[1]
    assert sums[0] != sums[2]


def test_skills_climb_and_older_residents_progress_slower(sqlite_engine):
    seed_database(sqlite_engine, scale="demo", seed=2026)
    with read_session(sqlite_engine) as s:
        steps = set(s.exec(select(SkillEvent.previous_level, SkillEvent.level).distinct()).all())
        assert {(0, 1), (1, 2), (2, 3)} <= steps
        ladders = defaultdict(list)
        for rid, skill, level in s.exec(
            select(SkillEvent.resident_id, SkillEvent.skill, SkillEvent.level).order_by(
                SkillEvent.observed_on, SkillEvent.id
            )
        ).all():
            ladders[(rid, skill)].append(level)
        assert any(levels[:3] == [1, 2, 3] for levels in ladders.values())
        assert s.exec(select(func.count()).where(ResidentSkill.level == 3)).scalar_one() > 50

        totals = dict(
            s.exec(
                select(ResidentSkill.resident_id, func.sum(ResidentSkill.level)).group_by(
                    ResidentSkill.resident_id
                )
            ).all()
        )
        year = today().year
        young, old = [], []
        for rid, birth_year in s.exec(select(Resident.id, Resident.birth_year)).all():
            age = year - birth_year
            if 15 <= age < 40:
                young.append(totals.get(rid, 0))
            elif age >= 60:
                old.append(totals.get(rid, 0))
        assert len(young) > 100 and len(old) > 50
        young_mean, old_mean = sum(young) / len(young), sum(old) / len(old)
        assert old_mean < 0.8 * young_mean
        # Barriers are more common among the old.
        no_phone = {"young": [], "old": []}
        for birth_year, has_smartphone in s.exec(
            select(Resident.birth_year, Resident.has_smartphone).where(Resident.has_smartphone.is_not(None))
        ).all():
            age = year - birth_year
            if age < 40 or age >= 60:
                no_phone["young" if age < 40 else "old"].append(not has_smartphone)
        share = {band: sum(v) / len(v) for band, v in no_phone.items()}
        assert share["old"] > 2 * share["young"]


def test_refuses_to_seed_twice(sqlite_engine):
    seed_database(sqlite_engine, scale="demo", seed=1)
    with read_session(sqlite_engine) as s:
        before = (_count(s, Household), _count(s, Resident), _count(s, Visit), _count(s, User))
    with pytest.raises(SeedRefused):
        seed_database(sqlite_engine, scale="demo", seed=2)
    with read_session(sqlite_engine) as s:
        after = (_count(s, Household), _count(s, Resident), _count(s, Visit), _count(s, User))
        assert compare(s) == []
    assert after == before


def test_commune_scale(sqlite_engine):
    report = seed_database(sqlite_engine, scale="commune", seed=9)
    assert (report.communes, report.villages) == (1, 12)
    assert 1300 <= report.households <= 1700
    assert 5000 <= report.residents <= 7000
    with read_session(sqlite_engine) as s:
        assert _count(s, Resident) == report.residents
        assert all(lvl in {1, 2, 3} for lvl in s.exec(select(ResidentSkill.level).distinct()).scalars())
        assert {sk.value for sk in SKILLS} == set(s.exec(select(ResidentSkill.skill).distinct()).scalars())
        assert compare(s) == []
