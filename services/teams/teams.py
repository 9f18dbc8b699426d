"""Community digital-technology teams (Tổ công nghệ số cộng đồng): teams, members, villages, balance.

Coordinators and admins manage teams inside their area; leaders read; a volunteer reads their own team.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlmodel import Session

from core.clock import utcnow
from core.labels import N_
from core.text import (
    is_valid_phone,
    normalize_name,
    normalize_phone,
    normalize_text,
    person_sort_key,
    search_key,
    sort_key,
)
from models.enums import AreaLevel, MemberKind
from models.tables import AppSetting, Area, Member, RollupArea, Team, TeamVillage, User
from services import audit
from services.access import Actor, get_area_in_scope, require_role
from services.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed
from services.permissions import Act, authorize, entry, roles_of
from services.team_balance import Crew, gap, households_per_member, rebalance

MANAGER_ROLES = roles_of(Act.TEAM_MANAGE)
READER_ROLES = roles_of(Act.TEAM_READ)
# Local rule on team size (app_setting key -> default): a warning, never a refusal.
SIZE_LIMIT_KEYS = {
    AreaLevel.COMMUNE.value: ("team_max_members_commune", 10),
    AreaLevel.VILLAGE.value: ("team_max_members_village", 5),
}
MEMBER_KINDS = tuple(k.value for k in MemberKind)


@dataclass(frozen=True)
class TeamRow:
    id: int
    name: str
    area_id: int
    area_code: str
    area_name: str
    members: int
    villages: int
    active: bool


@dataclass(frozen=True)
class MemberRow:
    id: int
    full_name: str
    kind: str
    phone: str | None
    user_id: int | None
    username: str | None
    is_leader: bool
    active: bool


@dataclass(frozen=True)
class VillageRow:
    id: int
    code: str
    name: str
    households: int
    # The active teams it is assigned to, ids and names in the same order (filled by commune_villages).
    team_ids: tuple[int, ...] = ()
    teams: tuple[str, ...] = ()


@dataclass(frozen=True)
class TeamDetail:
    id: int
    name: str
    area_id: int
    area_name: str
    area_level: str
    commune_id: int
    active: bool
    members: list[MemberRow]
    villages: list[VillageRow]
    size_limit: int
    warnings: list[FieldProblem] = field(default_factory=list)


@dataclass(frozen=True)
class SaveResult:
    """The id written, and warnings the coordinator should read (the save went through)."""

    id: int
    warnings: list[FieldProblem] = field(default_factory=list)


@dataclass(frozen=True)
class AreaOption:
    id: int
    code: str
    name: str
    level: str


# ---------------------------------------------------------------- listing and reading


@entry(Act.TEAM_READ)
def list_teams(session: Session, *, actor: Actor, area_id: int | None = None) -> list[TeamRow]:
    """Teams whose area lies in the actor's scope (or below `area_id`, itself checked)."""
    root = get_area_in_scope(session, actor, area_id) if area_id is not None else None
    prefix = root.path if root is not None else actor.area_path
    members = (
        select(Member.team_id, func.count().label("n"))
        .where(Member.active.is_(True))
        .group_by(Member.team_id)
    )
    villages = select(TeamVillage.team_id, func.count().label("n")).group_by(TeamVillage.team_id)
    members, villages = members.subquery(), villages.subquery()
    rows = session.exec(
        select(Team, Area.code, Area.name, func.coalesce(members.c.n, 0), func.coalesce(villages.c.n, 0))
        .join(Area, Area.id == Team.area_id)
        .outerjoin(members, members.c.team_id == Team.id)
        .outerjoin(villages, villages.c.team_id == Team.id)
        .where(Area.path.like(prefix + "%"))
    ).all()
    out = [
        TeamRow(team.id, team.name, team.area_id, code, name, int(m), int(v), team.active)
        for team, code, name, m, v in rows
        if not actor.is_volunteer or team.id == actor.team_id
    ]
    return sorted(out, key=lambda r: (sort_key(r.area_name), sort_key(r.name)))


@entry(Act.TEAM_READ)
def team_areas(session: Session, *, actor: Actor) -> list[AreaOption]:
    """Communes and villages in the actor's scope (where a team can belong)."""
    rows = session.exec(
        select(Area.id, Area.code, Area.name, Area.level).where(
            Area.path.like(actor.area_path + "%"),
            Area.level.in_([AreaLevel.COMMUNE.value, AreaLevel.VILLAGE.value]),
        )
    ).all()
    return sorted((AreaOption(*r) for r in rows), key=lambda a: (a.level != "commune", sort_key(a.name)))


def size_limit(session: Session, level: str) -> int:
    """The local rule on members per team for a commune or village team (app_setting, else default)."""
    key, default = SIZE_LIMIT_KEYS.get(level, SIZE_LIMIT_KEYS[AreaLevel.COMMUNE.value])
    setting = session.get(AppSetting, key)
    try:
        return int(setting.value) if setting is not None else default
    except ValueError:
        return default


def _commune_of(session: Session, area: Area) -> Area:
    return session.get(Area, area.parent_id) if area.level == AreaLevel.VILLAGE else area


def _team_for(session: Session, actor: Actor, team_id: int, *, write: bool) -> tuple[Team, Area]:
    if write:
        require_role(actor, *MANAGER_ROLES)
    else:
        require_role(actor, *READER_ROLES)
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound()
    area = session.get(Area, team.area_id)
    if not area.path.startswith(actor.area_path):
        raise PermissionDenied("err.out_of_scope")
    if actor.is_volunteer and team.id != actor.team_id:
        raise PermissionDenied("err.out_of_scope")
    return team, area


def _size_warnings(session: Session, team: Team, area: Area) -> list[FieldProblem]:
    limit = size_limit(session, area.level)
    count = session.exec(
        select(func.count()).select_from(Member).where(Member.team_id == team.id, Member.active.is_(True))
    ).scalar_one()
    if count > limit:
        return [FieldProblem("members", "team.size_warning", {"count": count, "limit": limit})]
    return []


def _holders(session: Session, village_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """The active teams each village is assigned to: village id -> [(team id, team name)], by name."""
    rows = session.exec(
        select(TeamVillage.village_id, Team.id, Team.name)
        .join(Team, Team.id == TeamVillage.team_id)
        .where(TeamVillage.village_id.in_(village_ids or [-1]), Team.active.is_(True))
    ).all()
    out: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for village_id, team_id, name in rows:
        out[int(village_id)].append((int(team_id), name))
    return {v: sorted(teams, key=lambda x: (sort_key(x[1]), x[0])) for v, teams in out.items()}


def _shared_warnings(session: Session, team: Team, villages: list[tuple[int, str]]) -> list[FieldProblem]:
    """A warning for each of the team's villages that another active team also holds."""
    if not team.active:
        return []
    holders = _holders(session, [v for v, _name in villages])
    problems = []
    for village_id, village_name in villages:
        others = [name for t, name in holders.get(village_id, []) if t != team.id]
        if others:
            problems.append(
                FieldProblem(
                    "villages", "team.village_shared", {"village": village_name, "teams": ", ".join(others)}
                )
            )
    return problems


@entry(Act.TEAM_READ)
def get_team(session: Session, *, actor: Actor, team_id: int) -> TeamDetail:
    team, area = _team_for(session, actor, team_id, write=False)
    member_rows = session.exec(
        select(Member, User.username)
        .outerjoin(User, User.id == Member.user_id)
        .where(Member.team_id == team.id)
    ).all()
    members = sorted(
        (
            MemberRow(m.id, m.full_name, m.kind, m.phone, m.user_id, username, m.is_leader, m.active)
            for m, username in member_rows
        ),
        key=lambda m: (not m.active, not m.is_leader, person_sort_key(m.full_name)),
    )
    village_rows = session.exec(
        select(Area.id, Area.code, Area.name, func.coalesce(RollupArea.households, 0))
        .join(TeamVillage, TeamVillage.village_id == Area.id)
        .outerjoin(RollupArea, RollupArea.area_id == Area.id)
        .where(TeamVillage.team_id == team.id)
    ).all()
    villages = sorted(
        (VillageRow(i, c, n, int(h)) for i, c, n, h in village_rows), key=lambda v: sort_key(v.name)
    )
    return TeamDetail(
        id=team.id,
        name=team.name,
        area_id=area.id,
        area_name=area.name,
        area_level=area.level,
        commune_id=_commune_of(session, area).id,
        active=team.active,
        members=members,
        villages=villages,
        size_limit=size_limit(session, area.level),
        warnings=_size_warnings(session, team, area)
        + _shared_warnings(session, team, [(v.id, v.name) for v in villages]),
    )


@entry(Act.TEAM_PLAN)
def commune_villages(session: Session, *, actor: Actor, commune_id: int) -> list[VillageRow]:
    """Villages of a commune with their households (rollup) and the active teams holding each, for
    assignment choices and the balance helper (not for volunteers: they see their own team's villages)."""
    authorize(actor, Act.TEAM_PLAN)
    commune = get_area_in_scope(session, actor, commune_id)
    rows = session.exec(
        select(Area.id, Area.code, Area.name, func.coalesce(RollupArea.households, 0))
        .outerjoin(RollupArea, RollupArea.area_id == Area.id)
        .where(Area.parent_id == commune.id, Area.level == AreaLevel.VILLAGE.value)
    ).all()
    holders = _holders(session, [int(r[0]) for r in rows])
    villages = (
        VillageRow(
            i,
            c,
            n,
            int(h),
            tuple(team_id for team_id, _name in holders.get(i, [])),
            tuple(name for _id, name in holders.get(i, [])),
        )
        for i, c, n, h in rows
    )
    return sorted(villages, key=lambda v: sort_key(v.name))


@entry(Act.TEAM_MANAGE)
def linkable_users(session: Session, *, actor: Actor, member_id: int | None = None) -> list[tuple[int, str]]:
    """Active users in the actor's scope not yet linked to another member: (id, username)."""
    require_role(actor, *MANAGER_ROLES)
    taken = select(Member.user_id).where(Member.user_id.is_not(None))
    if member_id is not None:
        taken = taken.where(Member.id != member_id)
    rows = session.exec(
        select(User.id, User.username)
        .join(Area, Area.id == User.area_id)
        .where(
            Area.path.like(actor.area_path + "%"),
            User.is_active.is_(True),
            User.id.not_in(taken),
        )
        .order_by(User.username)
    ).all()
    return [(int(i), u) for i, u in rows]


# ---------------------------------------------------------------- teams


@entry(Act.TEAM_MANAGE)
def create_team(session: Session, *, actor: Actor, area_id: int, name: str) -> int:
    require_role(actor, *MANAGER_ROLES)
    name = normalize_text(name)
    problems = []
    if not name:
        problems.append(FieldProblem("name", "err.required"))
    elif len(name) > 200:
        problems.append(FieldProblem("name", "team.err_too_long", {"max": 200}))
    area = session.get(Area, area_id) if area_id is not None else None
    if area is None:
        problems.append(FieldProblem("area", "err.required"))
    elif area.level not in (AreaLevel.COMMUNE, AreaLevel.VILLAGE):
        problems.append(FieldProblem("area", "team.err_area_level"))
    if problems:
        raise ValidationFailed(problems)
    get_area_in_scope(session, actor, area.id)
    team = Team(area_id=area.id, name=name, created_at=utcnow())
    session.add(team)
    session.flush()
    audit.record(
        session,
        user_id=actor.user_id,
        action="team.created",
        entity="team",
        entity_id=team.id,
        area_id=area.id,
        details={"name": name},
    )
    return team.id


@entry(Act.TEAM_MANAGE)
def update_team(session: Session, *, actor: Actor, team_id: int, name: str, active: bool) -> None:
    """Rename, deactivate or reactivate a team (a deactivated team keeps its history)."""
    team, area = _team_for(session, actor, team_id, write=True)
    name = normalize_text(name)
    if not name:
        raise ValidationFailed([FieldProblem("name", "err.required")])
    if len(name) > 200:
        raise ValidationFailed([FieldProblem("name", "team.err_too_long", {"max": 200})])
    before = {"name": team.name, "active": team.active}
    team.name, team.active = name, bool(active)
    session.add(team)
    audit.record(
        session,
        user_id=actor.user_id,
        action="team.updated",
        entity="team",
        entity_id=team.id,
        area_id=area.id,
        details={"before": before, "after": {"name": name, "active": team.active}},
    )


# ---------------------------------------------------------------- members


@dataclass
class MemberInput:
    full_name: str
    kind: str
    phone: str | None = None
    user_id: int | None = None
    is_leader: bool = False
    active: bool = True
    # Taking the leader flag from the team's current leader needs the coordinator's confirmation.
    replace_leader: bool = False


def _validate_member(
    session: Session, actor: Actor, team: Team, data: MemberInput, member_id: int | None
) -> tuple[list[FieldProblem], str, str | None]:
    problems: list[FieldProblem] = []
    name = normalize_name(data.full_name)
    if not name:
        problems.append(FieldProblem("full_name", "err.required"))
    elif len(name) > 200:
        problems.append(FieldProblem("full_name", "team.err_too_long", {"max": 200}))
    if data.kind not in MEMBER_KINDS:
        problems.append(FieldProblem("kind", "err.invalid_choice"))
    phone = normalize_phone(data.phone)
    if phone is not None and not is_valid_phone(phone):
        problems.append(FieldProblem("phone", "team.err_phone"))
    if data.user_id is not None:
        user = session.get(User, data.user_id)
        user_area = session.get(Area, user.area_id) if user is not None else None
        if user is None or not user_area.path.startswith(actor.area_path):
            problems.append(FieldProblem("user_id", "err.invalid_choice"))
        else:
            other = session.exec(
                select(Member.id).where(Member.user_id == data.user_id, Member.id != (member_id or -1))
            ).first()
            if other is not None:
                problems.append(FieldProblem("user_id", "team.err_user_linked"))
            elif user.team_id is not None and user.team_id != team.id:
                problems.append(FieldProblem("user_id", "team.err_user_other_team"))
    if name and not any(p.field in ("full_name", "phone") for p in problems):
        problems += _duplicate_problems(session, team.id, name, phone, member_id)
    return problems, name, phone


def _duplicate_problems(
    session: Session, team_id: int, name: str, phone: str | None, member_id: int | None
) -> list[FieldProblem]:
    """The same person twice in one team: same name (ignoring case) and same phone (or both without)."""
    rows = session.exec(
        select(Member.full_name, Member.phone, Member.active).where(
            Member.team_id == team_id, Member.name_key == search_key(name), Member.id != (member_id or -1)
        )
    ).all()
    for full_name, other_phone, active in rows:
        if full_name.casefold() != name.casefold() or other_phone != phone:
            continue
        if not active:
            key = N_("team.err_member_duplicate_inactive")
        elif phone is None:
            key = N_("team.err_member_duplicate_no_phone")
        else:
            key = N_("team.err_member_duplicate")
        return [FieldProblem("full_name", key, {"name": full_name})]
    return []


def _check_leader_change(session: Session, team_id: int, member_id: int | None, data: MemberInput) -> None:
    """Refuse to move the leader flag from another active member unless the move was confirmed."""
    if not (data.is_leader and data.active) or data.replace_leader:
        return
    leader = (
        session.exec(
            select(Member.full_name).where(
                Member.team_id == team_id,
                Member.is_leader.is_(True),
                Member.active.is_(True),
                Member.id != (member_id or -1),
            )
        )
        .scalars()
        .first()
    )
    if leader is not None:
        raise ValidationFailed([FieldProblem("is_leader", "team.leader_taken", {"leader": leader})])


def _make_sole_leader(session: Session, team_id: int, member_id: int) -> None:
    for other in session.exec(
        select(Member).where(Member.team_id == team_id, Member.is_leader.is_(True), Member.id != member_id)
    ).scalars():
        other.is_leader = False
        session.add(other)


@entry(Act.TEAM_MANAGE)
def add_member(session: Session, *, actor: Actor, team_id: int, data: MemberInput) -> SaveResult:
    team, area = _team_for(session, actor, team_id, write=True)
    problems, name, phone = _validate_member(session, actor, team, data, None)
    if problems:
        raise ValidationFailed(problems)
    _check_leader_change(session, team.id, None, data)
    member = Member(
        team_id=team.id,
        full_name=name,
        name_key=search_key(name),
        kind=data.kind,
        phone=phone,
        user_id=data.user_id,
        is_leader=bool(data.is_leader) and data.active,
        active=bool(data.active),
        created_at=utcnow(),
    )
    session.add(member)
    session.flush()
    if member.is_leader:
        _make_sole_leader(session, team.id, member.id)
    audit.record(
        session,
        user_id=actor.user_id,
        action="member.created",
        entity="member",
        entity_id=member.id,
        area_id=area.id,
        details={"team_id": team.id, "name": name, "kind": data.kind, "leader": member.is_leader},
    )
    session.flush()
    return SaveResult(member.id, _size_warnings(session, team, area))


@entry(Act.TEAM_MANAGE)
def update_member(session: Session, *, actor: Actor, member_id: int, data: MemberInput) -> SaveResult:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound()
    team, area = _team_for(session, actor, member.team_id, write=True)
    problems, name, phone = _validate_member(session, actor, team, data, member.id)
    if problems:
        raise ValidationFailed(problems)
    _check_leader_change(session, team.id, member.id, data)
    before = {
        "name": member.full_name,
        "kind": member.kind,
        "phone": member.phone,
        "user_id": member.user_id,
        "leader": member.is_leader,
        "active": member.active,
    }
    member.full_name, member.name_key = name, search_key(name)
    member.kind, member.phone, member.user_id = data.kind, phone, data.user_id
    member.active = bool(data.active)
    member.is_leader = bool(data.is_leader) and member.active  # an inactive member leads nobody
    session.add(member)
    session.flush()
    if member.is_leader:
        _make_sole_leader(session, team.id, member.id)
    after = {
        "name": name,
        "kind": data.kind,
        "phone": phone,
        "user_id": data.user_id,
        "leader": member.is_leader,
        "active": member.active,
    }
    audit.record(
        session,
        user_id=actor.user_id,
        action="member.updated",
        entity="member",
        entity_id=member.id,
        area_id=area.id,
        details={"before": before, "after": after},
    )
    session.flush()
    return SaveResult(member.id, _size_warnings(session, team, area))


# ---------------------------------------------------------------- villages


def _check_villages(session: Session, commune: Area, village_ids: list[int], actor: Actor) -> list[Area]:
    """Villages of the team's commune that also lie in the actor's own area (a village-level
    coordinator cannot hand out a neighbouring village)."""
    villages = []
    for village_id in sorted(set(village_ids)):
        village = session.get(Area, village_id)
        if village is None or village.level != AreaLevel.VILLAGE or village.parent_id != commune.id:
            raise ValidationFailed([FieldProblem("villages", "team.err_village_outside")])
        if not village.path.startswith(actor.area_path):
            raise PermissionDenied("err.out_of_scope")
        villages.append(village)
    return villages


@entry(Act.TEAM_MANAGE)
def set_team_villages(session: Session, *, actor: Actor, team_id: int, village_ids: list[int]) -> SaveResult:
    """Replace the villages assigned to a team (each must lie in the team's commune). A village another
    active team also holds is saved with a warning: a shared village is allowed, but rarely meant."""
    team, area = _team_for(session, actor, team_id, write=True)
    villages = _check_villages(session, _commune_of(session, area), village_ids, actor)
    before = sorted(
        session.exec(select(TeamVillage.village_id).where(TeamVillage.team_id == team.id)).scalars()
    )
    after = [v.id for v in villages]
    session.exec(delete(TeamVillage).where(TeamVillage.team_id == team.id))
    for village_id in after:
        session.add(TeamVillage(team_id=team.id, village_id=village_id))
    audit.record(
        session,
        user_id=actor.user_id,
        action="team.villages_set",
        entity="team",
        entity_id=team.id,
        area_id=area.id,
        details={"before": before, "after": after},
    )
    session.flush()
    return SaveResult(team.id, _shared_warnings(session, team, [(v.id, v.name) for v in villages]))


# ---------------------------------------------------------------- balance


@dataclass(frozen=True)
class TeamLoad:
    team_id: int
    name: str
    members: int
    households_before: float  # a village shared by several teams counts its share
    households_after: float

    @property
    def per_member_before(self) -> float | None:
        return self.households_before / self.members if self.members else None

    @property
    def per_member_after(self) -> float | None:
        return self.households_after / self.members if self.members else None


@dataclass(frozen=True)
class BalanceMove:
    """One village to hand over; `from_team` is None when the village has no team yet."""

    village_id: int
    village_name: str
    households: int
    from_team_id: int | None
    from_team: str | None
    to_team_id: int
    to_team: str


@dataclass(frozen=True)
class BalanceProposal:
    """What to move and why: households per member of each team and the gap between the busiest and
    the idlest team, now and after the moves. No moves: nothing would narrow the gap."""

    commune_id: int
    moves: list[BalanceMove]
    loads: list[TeamLoad]
    gap_before: float
    gap_after: float
    villages: list[VillageRow]
    warnings: list[FieldProblem] = field(default_factory=list)  # villages assigned to several teams

    @property
    def assignment(self) -> dict[int, int]:
        """Village id -> team id for the villages that change hands (what `apply_balance` takes)."""
        return {m.village_id: m.to_team_id for m in self.moves}


@dataclass(frozen=True)
class _BalanceTeam:
    name: str
    crew: Crew


def _commune_for_balance(session: Session, actor: Actor, commune_id: int) -> Area:
    require_role(actor, *MANAGER_ROLES)
    commune = get_area_in_scope(session, actor, commune_id)
    if commune.level != AreaLevel.COMMUNE:
        raise ValidationFailed([FieldProblem("commune", "team.err_need_commune")])
    return commune


def _balance_teams(session: Session, commune: Area) -> dict[int, _BalanceTeam]:
    """Active teams of the commune (commune or village level) with active members."""
    counts = (
        select(Member.team_id, func.count().label("n"))
        .where(Member.active.is_(True))
        .group_by(Member.team_id)
        .subquery()
    )
    rows = session.exec(
        select(Team.id, Team.name, counts.c.n, Area.id, Area.level)
        .join(Area, Area.id == Team.area_id)
        .join(counts, counts.c.team_id == Team.id)
        .where(Team.active.is_(True), Area.path.like(commune.path + "%"))
        .order_by(Team.id)
    ).all()
    return {
        int(i): _BalanceTeam(name, Crew(int(n), int(area_id) if level == AreaLevel.VILLAGE else None))
        for i, name, n, area_id, level in rows
        if n
    }


def _current_holders(session: Session, teams: dict, village_ids: list[int]) -> dict[int, tuple[int, ...]]:
    rows = session.exec(
        select(TeamVillage.village_id, TeamVillage.team_id).where(
            TeamVillage.team_id.in_(list(teams) or [-1]), TeamVillage.village_id.in_(village_ids or [-1])
        )
    ).all()
    holders: dict[int, list[int]] = defaultdict(list)
    for village_id, team_id in rows:
        holders[int(village_id)].append(int(team_id))
    return {v: tuple(sorted(ts)) for v, ts in holders.items()}


def _shared_in_commune(villages: list[VillageRow]) -> list[FieldProblem]:
    return [
        FieldProblem("villages", "team.village_shared_all", {"village": v.name, "teams": ", ".join(v.teams)})
        for v in villages
        if len(v.teams) > 1
    ]


@entry(Act.TEAM_MANAGE)
def propose_balance(session: Session, *, actor: Actor, commune_id: int) -> BalanceProposal:
    """Moves that even out households per member across the commune's teams, starting from today's
    assignment (see `team_balance.rebalance`), with the figures before and after each team."""
    commune = _commune_for_balance(session, actor, commune_id)
    villages = commune_villages(session, actor=actor, commune_id=commune.id)
    teams = _balance_teams(session, commune)
    if not teams:
        raise ValidationFailed([FieldProblem("commune", "team.err_no_teams")])
    households = {v.id: v.households for v in villages}
    crews = {t: x.crew for t, x in teams.items()}
    before = _current_holders(session, teams, list(households))
    moves = rebalance(households, before, crews)
    after = {**before, **{v: (t,) for v, t in moves.items()}}
    per_before = households_per_member(households, before, crews)
    per_after = households_per_member(households, after, crews)
    loads = sorted(
        (
            TeamLoad(
                t,
                x.name,
                x.crew.members,
                round(float(per_before[t] * x.crew.members), 1),
                round(float(per_after[t] * x.crew.members), 1),
            )
            for t, x in teams.items()
        ),
        key=lambda x: sort_key(x.name),
    )
    by_id = {v.id: v for v in villages}
    move_rows = [
        BalanceMove(
            v,
            by_id[v].name,
            by_id[v].households,
            before[v][0] if before.get(v) else None,
            teams[before[v][0]].name if before.get(v) else None,
            t,
            teams[t].name,
        )
        for v, t in sorted(moves.items(), key=lambda item: sort_key(by_id[item[0]].name))
    ]
    return BalanceProposal(
        commune.id,
        move_rows,
        loads,
        round(float(gap(per_before)), 2),
        round(float(gap(per_after)), 2),
        villages,
        _shared_in_commune(villages),
    )


@entry(Act.TEAM_MANAGE)
def apply_balance(session: Session, *, actor: Actor, commune_id: int, assignment: dict[int, int]) -> None:
    """Hand each village in `assignment` (village -> team) to that team alone; every other village keeps
    the teams it has."""
    commune = _commune_for_balance(session, actor, commune_id)
    teams = _balance_teams(session, commune)
    _check_villages(session, commune, list(assignment), actor)
    if any(t not in teams for t in assignment.values()):
        raise ValidationFailed([FieldProblem("assignment", "team.err_team_outside")])
    before = _current_holders(session, teams, list(assignment))
    if assignment:
        session.exec(
            delete(TeamVillage).where(
                TeamVillage.team_id.in_(list(teams)), TeamVillage.village_id.in_(list(assignment))
            )
        )
    for village_id, team_id in sorted(assignment.items()):
        session.add(TeamVillage(team_id=team_id, village_id=village_id))
    audit.record(
        session,
        user_id=actor.user_id,
        action="team.balance_applied",
        entity="area",
        entity_id=commune.id,
        area_id=commune.id,
        details={
            "moves": {
                str(v): {"from": list(before.get(v, ())), "to": t} for v, t in sorted(assignment.items())
            }
        },
    )
    session.flush()
