"""The volunteer's worklist: households of their villages, revisits due first (the most overdue
first), paged in SQL, with the number of households still to visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlmodel import Session

from core.clock import today
from core.text import sort_key
from models.enums import AreaLevel
from models.tables import Area, Household, Resident, Team, TeamVillage
from services.access import Actor
from services.errors import NotFound, PermissionDenied
from services.permissions import Act, authorize, entry

DEFAULT_PAGE = 50
MAX_PAGE = 200

# Status tags of a worklist row.
TAG_OVERDUE = "overdue"  # follow-up date passed
TAG_DUE = "due"  # follow-up date is today
TAG_NEVER = "never"  # no visit that took place yet (maybe tried: nobody home, come back)
TAG_VISITED = "visited"


@dataclass(frozen=True)
class WorklistRow:
    household_id: int
    code: str
    village_id: int
    village_name: str
    address: str
    head_name: str | None
    residents: int  # active residents
    last_visited_on: date | None  # last visit of any outcome
    follow_up_on: date | None
    tag: str  # TAG_OVERDUE | TAG_DUE | TAG_NEVER | TAG_VISITED


@dataclass(frozen=True)
class Worklist:
    rows: list[WorklistRow]
    total: int  # households on the whole list (for paging)
    village_ids: tuple[int, ...]  # the villages the list covers, in display order
    # Households still to visit: no visit that took place (outcome "done") yet, or a follow-up date
    # that is today or passed. Visited households with nothing due are listed after them, not counted.
    to_visit: int = 0


def subtree_range(prefix: str) -> tuple[str, str]:
    """Bounds of an indexed range scan over Area.path for the subtree at `prefix` ("/1/7/")."""
    return prefix, prefix[:-1] + "0"  # "0" sorts right after "/"


def scope_village_ids(session: Session, actor: Actor, root_path: str | None = None) -> list[int]:
    """Villages the actor works in: a volunteer's team villages, otherwise every village below the
    actor's area (or below `root_path`, which must lie inside it)."""
    if actor.is_volunteer:
        if root_path is None:
            return list(actor.village_ids)
        return [
            v for v, p in zip(actor.village_ids, actor.village_paths, strict=True) if p.startswith(root_path)
        ]
    lo, hi = subtree_range(root_path or actor.area_path)
    return list(
        session.exec(
            select(Area.id).where(Area.path >= lo, Area.path < hi, Area.level == AreaLevel.VILLAGE)
        ).scalars()
    )


def _team_villages(session: Session, actor: Actor, team_id: int) -> list[int]:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound()
    area = session.get(Area, team.area_id)
    if not area.path.startswith(actor.area_path):
        raise PermissionDenied("err.out_of_scope")
    lo, hi = subtree_range(actor.area_path)
    return list(
        session.exec(
            select(TeamVillage.village_id)
            .join(Area, Area.id == TeamVillage.village_id)
            .where(TeamVillage.team_id == team_id, Area.path >= lo, Area.path < hi)
        ).scalars()
    )


@entry(Act.VISIT_FIND)
def worklist(
    session: Session,
    *,
    actor: Actor,
    team_id: int | None = None,
    limit: int = DEFAULT_PAGE,
    offset: int = 0,
) -> Worklist:
    """Active households to visit, one page at a time.

    Whose: a volunteer gets their team's villages (`team_id` may only be their own team). A
    coordinator, leader or admin passes `team_id` of any team in their area and gets that team's
    villages; without it, every village of their area.
    Order: follow-up due today or overdue first, the oldest follow-up date first; then households
    with no visit that took place (outcome "done") yet, then the rest; within each of these (and
    among revisits due the same day), grouped by village (village name in Vietnamese order) and by
    address. `to_visit` counts the first two groups.
    """
    authorize(actor, Act.VISIT_FIND)
    limit = max(1, min(int(limit), MAX_PAGE))
    offset = max(0, int(offset))
    village_ids = _villages_of_list(session, actor, team_id)
    if not village_ids:
        return Worklist([], 0, (), 0)

    names = dict(session.exec(select(Area.id, Area.name).where(Area.id.in_(village_ids))).all())
    ordered = sorted(village_ids, key=lambda v: (sort_key(names[v]), v))
    day = today()
    total, to_visit, page = _households_page(session, ordered, day, limit, offset)
    counts, heads = _residents_and_heads(session, [row.id for row in page])
    rows = [
        WorklistRow(
            household_id=r.id,
            code=r.code,
            village_id=r.village_id,
            village_name=names[r.village_id],
            address=r.address,
            head_name=heads.get(r.id),
            residents=int(counts.get(r.id, 0)),
            last_visited_on=r.last_visited_on,
            follow_up_on=r.follow_up_on,
            tag=_tag(r, day),
        )
        for r in page
    ]
    return Worklist(rows, int(total), tuple(ordered), int(to_visit))


def _villages_of_list(session: Session, actor: Actor, team_id: int | None) -> list[int]:
    """The villages a worklist covers (see `worklist`: whose)."""
    if actor.is_volunteer:
        if team_id is not None and team_id != actor.team_id:
            raise PermissionDenied("err.out_of_scope")
        return list(actor.village_ids)
    if team_id is not None:
        return _team_villages(session, actor, team_id)
    return scope_village_ids(session, actor)


def _households_page(session: Session, ordered: list[int], day: date, limit: int, offset: int):
    """(households on the list, households still to visit, one page of household rows) of the active
    households of the villages `ordered` (in display order), in worklist order."""
    # Village order computed by the caller (few villages) and handed to SQL as a CASE, so paging stays
    # in SQL.
    village_rank = case({v: i for i, v in enumerate(ordered)}, value=Household.village_id, else_=len(ordered))
    revisit_due = Household.follow_up_on <= day
    still_to_visit = or_(revisit_due, Household.first_visited_on.is_(None))
    bucket = case((revisit_due, 0), (Household.first_visited_on.is_(None), 1), else_=2)
    # Revisits due: the oldest follow-up date first (NULL for every other row, which the bucket
    # already orders, so the database's NULL placement does not matter).
    overdue_first = case((revisit_due, Household.follow_up_on), else_=None)
    scope = (Household.village_id.in_(ordered), Household.status == "active")
    total, to_visit = session.exec(
        select(func.count(), func.coalesce(func.sum(case((still_to_visit, 1), else_=0)), 0))
        .select_from(Household)
        .where(*scope)
    ).one()
    page = session.exec(
        select(
            Household.id,
            Household.code,
            Household.village_id,
            Household.address,
            Household.last_visited_on,
            Household.first_visited_on,
            Household.follow_up_on,
        )
        .where(*scope)
        .order_by(bucket, overdue_first, village_rank, Household.address_key, Household.code, Household.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return total, to_visit, page


def _residents_and_heads(session: Session, ids: list[int]) -> tuple[dict[int, int], dict[int, str]]:
    """Active residents per household and the head's name, for the households of a page."""
    counts: dict[int, int] = {}
    heads: dict[int, str] = {}
    if ids:
        counts = dict(
            session.exec(
                select(Resident.household_id, func.count())
                .where(Resident.household_id.in_(ids), Resident.status == "active")
                .group_by(Resident.household_id)
            ).all()
        )
        for household_id, name in session.exec(
            select(Resident.household_id, Resident.full_name)
            .where(Resident.household_id.in_(ids), Resident.status == "active", Resident.is_head.is_(True))
            .order_by(Resident.id.desc())
        ).all():
            heads[household_id] = name  # the oldest record wins when two are marked head
    return counts, heads


def _tag(row, day: date) -> str:
    if row.follow_up_on is not None and row.follow_up_on < day:
        return TAG_OVERDUE
    if row.follow_up_on is not None and row.follow_up_on == day:
        return TAG_DUE
    if row.first_visited_on is None:
        return TAG_NEVER
    return TAG_VISITED
