"""Community digital-technology teams (Tổ công nghệ số cộng đồng): listing, members, villages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from models.tables import Area, Member, Team, TeamVillage
from services.scope import Actor, get_area_in_scope
from services.text import sort_key


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
