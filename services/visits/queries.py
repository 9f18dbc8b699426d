"""Reads the visit, session and my-visits pages need beyond the visit services: a visit as an
editable draft, residents of many households as cards, the places of a group session, teammates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from core.text import person_sort_key, sort_key
from models.enums import AreaLevel, Role, VisitPlace, VisitStatus
from models.tables import (
    Area,
    Household,
    Member,
    Resident,
    SkillEvent,
    Team,
    Visit,
    VisitGuidance,
    VisitMember,
    VisitResident,
)
from services.access import Actor, ancestor_ids, path_in_scope, require_role, require_village_access
from services.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed
from services.people.derived import current_levels
from services.people.households import ResidentCard, resident_card
from services.permissions import Act, entry, roles_of
from services.visits.corrections import CORRECTION_DAYS, correction_open

WRITER_ROLES = roles_of(Act.VISIT_RECORD)
# Residents younger than this (by birth year) are folded away on a household's visit form: the five
# skills and VNeID level-2 concern residents aged 14 and over.
CHILD_UNDER_AGE = 14


def is_child(birth_year: int | None, *, year: int) -> bool:
    """Younger than CHILD_UNDER_AGE in `year`, judged by birth year (unknown birth year: not a child)."""
    return birth_year is not None and year - birth_year < CHILD_UNDER_AGE


def split_children(residents: list[ResidentCard], *, year: int) -> tuple[list, list]:
    """(residents aged 14 or more this year or of unknown age, children), each in the order given."""
    adults = [r for r in residents if not is_child(r.birth_year, year=year)]
    children = [r for r in residents if is_child(r.birth_year, year=year)]
    return adults, children


@dataclass(frozen=True)
class AttendeeCard:
    """A resident at a group session: the household card's resident plus where they live."""

    card: ResidentCard
    household_id: int
    household_code: str
    village_name: str


@dataclass(frozen=True)
class SessionPlace:
    area_id: int  # a village (its cultural house) or a commune (its one-stop counter)
    name: str
    place: str  # VisitPlace.COMMUNITY | VisitPlace.COUNTER


@dataclass(frozen=True)
class Teammate:
    member_id: int
    full_name: str


@dataclass
class ResidentDraft:
    resident_id: int
    guidance: set[str] = field(default_factory=set)
    levels: dict[str, int] = field(default_factory=dict)  # levels this visit recorded
    evidence: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    satisfaction: int | None = None
    dossier_kind: str | None = None


@dataclass
class VisitDraft:
    """A recorded visit as the correction form shows it."""

    id: int
    kind: str
    household_id: int | None
    area_id: int  # the village (household visit) or where the session took place
    team_id: int | None  # the recording volunteer's team (whose members can be named as going)
    visited_on: date
    place: str
    outcome: str
    follow_up_on: date | None
    notes: str
    member_ids: list[int]
    author_member_id: int | None
    residents: list[ResidentDraft]


@entry(Act.VISIT_RECORD)
def attendee_cards(
    session: Session, *, actor: Actor, resident_ids: list[int], dropped: list[int] | None = None
) -> list[AttendeeCard]:
    """Residents chosen for a group session, in the order given. Residents no longer active are left
    out. Each must live in the actor's reach: PermissionDenied otherwise, unless `dropped` is given;
    then residents out of reach are left out too and the ids of everyone left out (out of reach, no
    longer active or gone) are appended to it, in the order given (a session page keeps attendee ids
    across reruns while a coordinator may move a resident away or a team's villages change)."""
    require_role(actor, *WRITER_ROLES)
    ids = list(dict.fromkeys(resident_ids))
    if not ids:
        return []
    rows = session.exec(
        select(Resident, Household.code, Household.village_id, Area.name)
        .join(Household, Household.id == Resident.household_id)
        .join(Area, Area.id == Household.village_id)
        .where(Resident.id.in_(ids), Resident.status == "active")
    ).all()
    reachable = []
    for row in rows:
        try:
            require_village_access(session, actor, row[2])
        except (PermissionDenied, NotFound):
            if dropped is None:
                raise
        else:
            reachable.append(row)
    rows = reachable
    if dropped is not None:
        kept = {r.id for r, *_ in rows}
        dropped.extend(i for i in ids if i not in kept)
    levels = current_levels(session, [r.id for r, *_ in rows])
    by_id = {
        r.id: AttendeeCard(
            card=resident_card(r, levels[r.id], actor),
            household_id=r.household_id,
            household_code=code,
            village_name=village_name,
        )
        for r, code, _village_id, village_name in rows
    }
    return [by_id[i] for i in ids if i in by_id]


@entry(Act.VISIT_RECORD)
def session_places(session: Session, *, actor: Actor) -> list[SessionPlace]:
    """Where a group session can take place: the cultural house of each village the actor works in,
    then the one-stop counter of each commune above them."""
    require_role(actor, *WRITER_ROLES)
    query = select(Area).where(Area.level == AreaLevel.VILLAGE, Area.path.like(actor.area_path + "%"))
    if actor.is_volunteer:
        query = query.where(Area.id.in_(actor.village_ids or (-1,)))
    villages = sorted(session.exec(query).scalars(), key=lambda a: sort_key(a.name))
    commune_ids = {i for v in villages for i in ancestor_ids(v.path)}
    if actor.area_level == AreaLevel.COMMUNE:
        commune_ids.add(actor.area_id)
    communes = [
        a
        for a in session.exec(
            select(Area).where(Area.id.in_(commune_ids), Area.level == AreaLevel.COMMUNE)
        ).scalars()
        if path_in_scope(actor, a.path)
    ]
    communes.sort(key=lambda a: sort_key(a.name))
    return [SessionPlace(v.id, v.name, VisitPlace.COMMUNITY) for v in villages] + [
        SessionPlace(c.id, c.name, VisitPlace.COUNTER) for c in communes
    ]


@entry(Act.VISIT_RECORD)
def commune_of_village(session: Session, *, actor: Actor, village_id: int) -> int:
    """The commune above a village the actor works in (where duplicates are looked for)."""
    village = require_village_access(session, actor, village_id)
    return village.parent_id if village.level == AreaLevel.VILLAGE else village.id


@entry(Act.VISIT_RECORD)
def teammates(session: Session, *, actor: Actor, team_id: int | None = None) -> list[Teammate]:
    """Active members who can be named as going too: a volunteer's own team; for a coordinator the
    team given (in their area), none without one. The actor's own member record is left out."""
    require_role(actor, *WRITER_ROLES)
    if actor.is_volunteer:
        team_id = actor.team_id
    if team_id is None:
        return []
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound()
    if not session.get(Area, team.area_id).path.startswith(actor.area_path):
        raise PermissionDenied("err.out_of_scope")
    rows = session.exec(
        select(Member.id, Member.full_name).where(Member.team_id == team_id, Member.active.is_(True))
    ).all()
    out = [Teammate(i, n) for i, n in rows if i != actor.member_id]
    return sorted(out, key=lambda m: person_sort_key(m.full_name))


@entry(Act.VISIT_RECORD)
def visit_draft(session: Session, *, actor: Actor, visit_id: int) -> VisitDraft:
    """A visit the actor may still correct, as the correction form prefills it. Refuses like
    `services.visits.corrections.correct_visit` would (NotFound, PermissionDenied, ValidationFailed)."""
    require_role(actor, *WRITER_ROLES)
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound()
    area = session.get(Area, visit.village_id)
    if not path_in_scope(actor, area.path):
        raise PermissionDenied("err.out_of_scope")
    if actor.role != Role.COORDINATOR and visit.created_by != actor.user_id:
        raise PermissionDenied("journey.visit_not_yours")
    if visit.status != VisitStatus.ACTIVE:
        raise ValidationFailed([FieldProblem("visit", "journey.visit_withdrawn")])
    if not correction_open(visit.visited_on):
        raise PermissionDenied("journey.correction_closed", days=CORRECTION_DAYS)
    drafts = {
        rid: ResidentDraft(rid, satisfaction=score)
        for rid, score in session.exec(
            select(VisitResident.resident_id, VisitResident.satisfaction).where(
                VisitResident.visit_id == visit.id
            )
        ).all()
    }
    for rid, kind in session.exec(
        select(VisitGuidance.resident_id, VisitGuidance.kind).where(VisitGuidance.visit_id == visit.id)
    ).all():
        if rid in drafts:
            drafts[rid].guidance.add(kind)
    for event in session.exec(
        select(SkillEvent)
        .where(SkillEvent.visit_id == visit.id, SkillEvent.active.is_(True))
        .order_by(SkillEvent.id)
    ).scalars():
        draft = drafts.get(event.resident_id)
        if draft is None:
            continue
        draft.levels[event.skill] = event.level
        if event.evidence:
            draft.evidence[event.skill] = event.evidence
            draft.dossier_kind = event.dossier_kind or draft.dossier_kind
        if event.reason:
            draft.reasons[event.skill] = event.reason
    members = list(
        session.exec(select(VisitMember.member_id).where(VisitMember.visit_id == visit.id)).scalars()
    )
    author = session.exec(select(Member.id).where(Member.user_id == visit.created_by)).scalar()
    return VisitDraft(
        id=visit.id,
        kind=visit.kind,
        household_id=visit.household_id,
        area_id=visit.village_id,
        team_id=visit.team_id,
        visited_on=visit.visited_on,
        place=visit.place,
        outcome=visit.outcome,
        follow_up_on=visit.follow_up_on,
        notes=visit.notes,
        member_ids=sorted(m for m in members if m != author),
        author_member_id=author,
        residents=[drafts[rid] for rid in sorted(drafts)],
    )
