"""The demo's people at work: user accounts, each commune's teams and members, its campaign and quotas."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from core.text import normalize_name, search_key
from demo.areas import Commune
from demo.context import CAMPAIGN_AHEAD, CAMPAIGN_DAYS, Context
from demo.names import person_name, phone
from demo.people import SKILL_CODES, Home
from models.enums import MemberKind, QuotaMetric, Role

TEAM_NAME = "Tổ công nghệ số cộng đồng {}"
VOLUNTEER_NAME = "Vũ Thanh Nguyên"  # the demo volunteer, a member of the first village team
COMMUNE_TEAM_KINDS = (
    [MemberKind.OFFICER] * 4
    + [MemberKind.POLICE] * 2
    + [MemberKind.YOUTH_UNION] * 2
    + [MemberKind.TEACHER, MemberKind.OTHER]
)
VILLAGE_TEAM_KINDS = [
    MemberKind.YOUTH_UNION,
    MemberKind.TEACHER,
    MemberKind.POLICE,
    MemberKind.OTHER,
    MemberKind.OFFICER,
    MemberKind.YOUTH_UNION,
]


@dataclass
class Staff:
    """A commune's teams (the commune team first) and who works in them."""

    commune_team: int
    team_ids: list[int]
    team_villages: dict[int, list[int]]  # team -> its villages (none for the commune team)
    village_team: dict[int, int]  # village -> the team that visits it
    team_members: dict[int, list[int]] = field(default_factory=dict)
    coordinator: int = 0  # user id: records the visits the demo volunteer did not go on
    volunteer_user: int | None = None  # the demo volunteer's account (first commune only)
    volunteer_member: int | None = None


def add_user(
    ctx: Context, username: str, full_name: str, role: str, area_id: int, team_id: int | None = None
) -> int:
    uid = ctx.new_id("app_user")
    name = normalize_name(full_name)
    now = ctx.now
    ctx.w.insert(
        "app_user", [(uid, username, name, ctx.password_hash, role, area_id, team_id, True, 0, now, now)]
    )
    ctx.report.users += 1
    return uid


def add_province_users(ctx: Context, province_id: int) -> None:
    add_user(ctx, "quantri", "Trần Minh Quân", Role.ADMIN, province_id)
    add_user(ctx, "lanhdao.tinh", "Hoàng Đức Thịnh", Role.LEADER, province_id)


def add_staff(ctx: Context, rng: random.Random, commune: Commune) -> Staff:
    """Teams, then the commune's accounts, then the members of every team."""
    staff = _add_teams(ctx, rng, commune)
    _add_commune_users(ctx, rng, commune, staff)
    _add_members(ctx, rng, staff)
    return staff


def _add_teams(ctx: Context, rng: random.Random, commune: Commune) -> Staff:
    """One commune team (no village of its own), village teams covering one or two villages each."""
    now = ctx.now
    commune_team = ctx.new_id("team")
    team_rows = [(commune_team, commune.id, TEAM_NAME.format(commune.name), True, now)]
    staff = Staff(commune_team, [commune_team], {commune_team: []}, {})
    team_village_rows = []
    villages = commune.villages
    i = 0
    first = True
    while i < len(villages):
        size = 2 if first else rng.choice((1, 1, 2))
        group = villages[i : i + size]
        i += size
        tid = ctx.new_id("team")
        area_id = commune.id if len(group) > 1 else group[0].id
        label = " – ".join(g.name for g in group)
        team_rows.append((tid, area_id, TEAM_NAME.format(label), True, now))
        staff.team_ids.append(tid)
        staff.team_villages[tid] = [g.id for g in group]
        for g in group:
            staff.village_team[g.id] = tid
            team_village_rows.append((tid, g.id))
        first = False
    ctx.w.insert("team", team_rows)
    ctx.w.insert("team_village", team_village_rows)
    ctx.report.teams += len(team_rows)
    return staff


def _add_commune_users(ctx: Context, rng: random.Random, commune: Commune, staff: Staff) -> None:
    """The named demo accounts live in the first commune; other communes get a coordinator."""
    if commune.index == 0:
        staff.coordinator = add_user(ctx, "dieuphoi", "Lê Thị Phương", Role.COORDINATOR, commune.id)
        add_user(ctx, "lanhdao", "Phạm Văn Đạo", Role.LEADER, commune.id)
        volunteer_team = staff.team_ids[1]
        staff.volunteer_user = add_user(
            ctx, "tinhnguyen", VOLUNTEER_NAME, Role.VOLUNTEER, commune.id, team_id=volunteer_team
        )
    else:
        full, _ = person_name(rng, rng.random() < 0.5)
        staff.coordinator = add_user(ctx, f"dieuphoi.{commune.code}", full, Role.COORDINATOR, commune.id)


def _add_members(ctx: Context, rng: random.Random, staff: Staff) -> None:
    """8-10 members in the commune team, 4-5 in a village team, every kind; the first one leads."""
    rows = []
    volunteer_team = staff.team_ids[1]
    for tid in staff.team_ids:
        size = rng.randint(8, 10) if tid == staff.commune_team else rng.randint(4, 5)
        kinds = (
            COMMUNE_TEAM_KINDS[:size] if tid == staff.commune_team else rng.sample(VILLAGE_TEAM_KINDS, size)
        )
        ids = []
        for k in range(size):
            mid = ctx.new_id("member")
            user_id = None
            if tid == volunteer_team and staff.volunteer_user is not None and k == 1:
                full, key = normalize_name(VOLUNTEER_NAME), search_key(VOLUNTEER_NAME)
                user_id, kind = staff.volunteer_user, MemberKind.YOUTH_UNION
                staff.volunteer_member = mid
            else:
                full, key = person_name(rng, rng.random() < 0.55)
                kind = kinds[k]
            rows.append((mid, tid, full, key, kind.value, phone(rng), user_id, k == 0, True, ctx.now))
            ids.append(mid)
        staff.team_members[tid] = ids
    ctx.w.insert("member", rows)
    ctx.report.members += len(rows)


def add_campaign(ctx: Context, commune: Commune, staff: Staff, homes: list[Home]) -> None:
    """A campaign running from the first demo day for three more months, with quotas per team and member."""
    cid = ctx.new_id("campaign")
    ctx.w.insert(
        "campaign",
        [
            (
                cid,
                commune.id,
                f"Chiến dịch 5 biết, 3 hướng dẫn – {commune.name}",
                ctx.day(0),
                ctx.day(CAMPAIGN_DAYS + CAMPAIGN_AHEAD),
                80,
                80,
                80,
                True,
                ctx.now,
            )
        ],
    )
    adults_by_village: dict[int, int] = {}
    homes_by_village: dict[int, int] = {}
    for home in homes:
        homes_by_village[home.village_id] = homes_by_village.get(home.village_id, 0) + 1
        adults = sum(p.adult for p in home.people)
        adults_by_village[home.village_id] = adults_by_village.get(home.village_id, 0) + adults
    rows = []
    for tid in staff.team_ids:
        villages = staff.team_villages[tid] or list(homes_by_village)
        n_homes = sum(homes_by_village[v] for v in villages)
        n_adults = sum(adults_by_village[v] for v in villages)
        members = staff.team_members[tid]
        team_targets, member_targets = _targets(tid == staff.commune_team, n_homes, n_adults, len(members))
        for metric, skill, target in team_targets:
            rows.append((ctx.new_id("quota"), cid, None, tid, None, metric.value, skill, target))
        for mid in members:
            for metric, target in member_targets:
                rows.append((ctx.new_id("quota"), cid, mid, None, None, metric.value, None, target))
    ctx.w.insert("quota", rows)


def _targets(commune_team: bool, homes: int, adults: int, members: int) -> tuple[list, list]:
    """(metric, skill, target) for the team and (metric, target) for each of its members."""
    if commune_team:
        team_targets = [
            (QuotaMetric.RESIDENTS_GUIDED, None, round(adults * 0.1)),
            (QuotaMetric.ONLINE_DOSSIERS, None, round(homes * 0.2)),
        ]
        member_targets = [(QuotaMetric.RESIDENTS_GUIDED, round(adults * 0.1 / members) + 1)]
        return team_targets, member_targets
    team_targets = [
        (QuotaMetric.HOUSEHOLDS_VISITED, None, homes),
        (QuotaMetric.RESIDENTS_GUIDED, None, round(adults * 0.8)),
        (QuotaMetric.ALL_FIVE, None, round(adults * 0.8)),
        (QuotaMetric.ONLINE_DOSSIERS, None, round(homes * 0.6)),
    ] + [(QuotaMetric.SKILL_MASTERED, s, round(adults * 0.8)) for s in SKILL_CODES]
    member_targets = [
        (QuotaMetric.HOUSEHOLDS_VISITED, -(-homes // members)),
        (QuotaMetric.RESIDENTS_GUIDED, -(-round(adults * 0.8) // members)),
    ]
    return team_targets, member_targets
