"""Who is asking and what they may touch: the actor, area subtrees and the role checks every service makes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import select
from sqlmodel import Session

from core.text import sort_key
from models.enums import AreaLevel, Role
from models.tables import Area, Member, TeamVillage, User
from services.errors import NotFound, PermissionDenied


@dataclass(frozen=True)
class Actor:
    """The signed-in user as plain data: what every service receives as `actor`."""

    user_id: int
    username: str
    full_name: str
    role: str
    area_id: int
    area_path: str
    area_code: str
    area_name: str
    area_level: str
    team_id: int | None = None
    member_id: int | None = None
    # For a volunteer: the villages their team is assigned (their whole working scope).
    village_ids: tuple[int, ...] = field(default_factory=tuple)
    village_paths: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_volunteer(self) -> bool:
        return self.role == Role.VOLUNTEER


def load_actor(session: Session, user_id: int) -> Actor:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise PermissionDenied("login.inactive")
    area = session.get(Area, user.area_id)
    member_id = session.exec(select(Member.id).where(Member.user_id == user.id)).scalar_one_or_none()
    villages: list[tuple[int, str]] = []
    if user.team_id is not None:
        villages = session.exec(
            select(Area.id, Area.path)
            .join(TeamVillage, TeamVillage.village_id == Area.id)
            .where(TeamVillage.team_id == user.team_id, Area.path.like(area.path + "%"))
            .order_by(Area.id)
        ).all()
    return Actor(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name or user.username,
        role=user.role,
        area_id=area.id,
        area_path=area.path,
        area_code=area.code,
        area_name=area.name,
        area_level=area.level,
        team_id=user.team_id,
        member_id=member_id,
        village_ids=tuple(v for v, _ in villages),
        village_paths=tuple(p for _, p in villages),
    )


def require_role(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied()


def path_in_scope(actor: Actor, path: str) -> bool:
    """The area at `path` is visible: inside the actor's subtree (for a volunteer: one of their
    team's villages or an area above one of them)."""
    if not path.startswith(actor.area_path):
        return False
    if actor.is_volunteer:
        return any(vp.startswith(path) for vp in actor.village_paths)
    return True


def get_area_in_scope(session: Session, actor: Actor, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None:
        raise NotFound()
    if not path_in_scope(actor, area.path):
        raise PermissionDenied("err.out_of_scope")
    return area


def require_village_access(session: Session, actor: Actor, village_id: int) -> Area:
    """The actor may read and write households of this village."""
    area = session.get(Area, village_id)
    if area is None:
        raise NotFound()
    if not area.path.startswith(actor.area_path):
        raise PermissionDenied("err.out_of_scope")
    if actor.is_volunteer and village_id not in actor.village_ids:
        raise PermissionDenied("err.out_of_scope")
    return area


class Village(NamedTuple):
    id: int
    code: str
    name: str


def villages_in_scope(session: Session, actor: Actor) -> list[Village]:
    """The villages the actor works in, in Vietnamese order of their names: every village below the
    actor's area; for a volunteer, their team's villages. (Callers check the role.)"""
    query = select(Area.id, Area.code, Area.name).where(
        Area.level == AreaLevel.VILLAGE, Area.path.like(actor.area_path + "%")
    )
    if actor.is_volunteer:
        query = query.where(Area.id.in_(actor.village_ids or (-1,)))
    return sorted((Village(*row) for row in session.exec(query).all()), key=lambda v: sort_key(v.name))


def ancestor_ids(path: str) -> list[int]:
    """Ids on a materialised path, root first, the node itself last."""
    return [int(part) for part in path.strip("/").split("/") if part]


def subtree_clause(column_path, prefix: str):
    """SQL condition: `column_path` lies at or below the area whose path is `prefix`."""
    return column_path.like(prefix + "%")


def ids_in(values: Iterable[int]) -> list[int]:
    return sorted(set(values))
