"""Recording visits and group sessions: guidance, skill ladder, barriers, derived state and rollups,
all in the caller's one transaction; retry-safe through a per-form idempotency key. Correcting and
withdrawing a recorded visit reuse the validation and row writing here (services/visits/corrections.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.clock import today, utcnow
from core.text import clean_notes, looks_like_id_number
from models.enums import (
    GUIDANCE_KINDS,
    SKILL_LEVELS,
    SKILLS,
    VisitKind,
    VisitOutcome,
    VisitPlace,
    VisitStatus,
)
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
from services import audit
from services.access import Actor, require_role, require_village_access
from services.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed
from services.people.derived import current_levels, recompute_households, recompute_residents, rows_by_id
from services.permissions import Act, entry, roles_of
from services.rollups.contributions import (
    DOSSIER_KINDS,
    SCORES,
    Progress,
    ResidentFacts,
    VisitFacts,
    facts_of,
    progress_of,
    resident_contribution,
    visit_contribution,
)
from services.rollups.deltas import Deltas

MAX_DAYS_BACK = 30
NOTES_MAX = 1000  # characters of a visit's notes
BARRIER_FIELDS = (
    "has_smartphone",
    "phone_own_name",
    "vneid_level",
    "has_payment_account",
    "poor_network",
    "fears_mistakes",
    "digital_course_done",
)
WRITER_ROLES = roles_of(Act.VISIT_RECORD)
_GUIDANCE_KINDS = {g.value for g in GUIDANCE_KINDS}
_SKILL_CODES = {s.value for s in SKILLS}
EVIDENCE_SKILL = "submit"  # the skill whose evidence is a submitted dossier's code


@dataclass
class ResidentInput:
    """What happened with one resident present at a visit."""

    resident_id: int
    guidance: set[str] = field(default_factory=set)
    levels: dict[str, int] = field(default_factory=dict)  # skill -> observed level
    evidence: dict[str, str] = field(default_factory=dict)  # skill -> e.g. the dossier code
    reasons: dict[str, str] = field(default_factory=dict)  # skill -> why the level went down
    barriers: dict[str, object] = field(default_factory=dict)
    satisfaction: int | None = None  # 1–5, optional, only for a resident guided at this visit
    dossier_kind: str | None = None  # with a dossier code: "full" (toàn trình) or "partial" (một phần)


@dataclass
class VisitInput:
    idempotency_key: str
    visited_on: date
    place: str
    outcome: str
    household_id: int | None = None  # None for a group session / the counter
    session_area_id: int | None = None  # where a session took place (village or commune)
    member_ids: list[int] = field(default_factory=list)  # teammates who went too
    follow_up_on: date | None = None
    notes: str = ""
    residents: list[ResidentInput] = field(default_factory=list)


# ---------------------------------------------------------------- validation


@dataclass
class _People:
    """The form's residents with their households and current levels, read once for the whole visit."""

    residents: dict[int, Resident] = field(default_factory=dict)
    households: dict[int, Household] = field(default_factory=dict)
    levels: dict[int, dict[str, int]] = field(default_factory=dict)
    progress: dict[int, Progress] = field(default_factory=dict)

    def facts(
        self, resident_id: int, levels: dict[str, int] | None = None, progress: Progress | None = None
    ) -> ResidentFacts:
        resident = self.residents[resident_id]
        household = self.households[resident.household_id]
        return facts_of(
            resident,
            household,
            self.levels[resident_id] if levels is None else levels,
            self.progress[resident_id] if progress is None else progress,
        )


def _load_people(session: Session, resident_ids: list[int]) -> _People:
    """Residents, their households and current levels: at most three queries whatever the number of
    residents (rows the session holds, e.g. just locked, are used as they are)."""
    people = _People()
    if not resident_ids:
        return people
    people.residents = rows_by_id(session, Resident, resident_ids)
    people.households = rows_by_id(session, Household, {r.household_id for r in people.residents.values()})
    people.levels = current_levels(session, sorted(people.residents), every_skill=False)
    people.progress = progress_of(session, sorted(people.residents))
    return people


@entry(Act.VISIT_RECORD)
def validate_visit(
    session: Session, actor: Actor, data: VisitInput
) -> tuple[list[FieldProblem], int, _People]:
    """(problems with the form, the village the visit counts in, its residents read once). Raises
    NotFound for an unknown household or place and PermissionDenied outside the actor's villages."""
    problems = _form_problems(data)
    checked: set[int] = set()  # villages whose access is already checked

    def may_write(village: int) -> None:
        if village not in checked:
            require_village_access(session, actor, village)
            checked.add(village)

    if data.household_id is None and data.session_area_id is None:
        problems.append(FieldProblem("area", "err.required"))
        return problems, 0, _People()
    village_id = _visit_village(session, actor, data, may_write)
    people = _load_people(session, [item.resident_id for item in data.residents])
    seen: set[int] = set()
    for item in data.residents:
        problems += _resident_problems(data, item, people, seen, may_write)
    return problems, village_id, people


def _form_problems(data: VisitInput) -> list[FieldProblem]:
    """The visit's own fields: its day (not ahead, not too old), place, outcome, follow-up, form key."""
    problems: list[FieldProblem] = []
    now = today()
    if data.visited_on is None:
        problems.append(FieldProblem("visited_on", "err.required"))
    elif data.visited_on > now:
        problems.append(FieldProblem("visited_on", "err.visit_future"))
    elif data.visited_on < now - timedelta(days=MAX_DAYS_BACK):
        problems.append(FieldProblem("visited_on", "err.visit_too_old", {"days": MAX_DAYS_BACK}))
    if data.place not in {p.value for p in VisitPlace}:
        problems.append(FieldProblem("place", "err.invalid_choice"))
    if data.outcome not in {o.value for o in VisitOutcome}:
        problems.append(FieldProblem("outcome", "err.invalid_choice"))
    if data.follow_up_on is not None and data.visited_on and data.follow_up_on < data.visited_on:
        problems.append(FieldProblem("follow_up_on", "err.follow_up_before_visit"))
    if not data.idempotency_key or len(data.idempotency_key) > 64:
        problems.append(FieldProblem("form", "err.invalid_form"))
    notes = clean_notes(data.notes)
    if len(notes) > NOTES_MAX:
        problems.append(FieldProblem("notes", "journey.too_long", {"max": NOTES_MAX}))
    elif looks_like_id_number(notes):
        problems.append(FieldProblem("notes", "err.id_number"))
    return problems


def _visit_village(session: Session, actor: Actor, data: VisitInput, may_write: Callable[[int], None]) -> int:
    """Where the visit counts: the household's village, or the village or commune of a session."""
    if data.household_id is not None:
        household = session.get(Household, data.household_id)
        if household is None or household.status != "active":
            raise NotFound()
        may_write(household.village_id)
        return household.village_id
    area = session.get(Area, data.session_area_id)
    if area is None:
        raise NotFound()
    if area.level == "village":
        may_write(area.id)
    elif not area.path.startswith(actor.area_path) or (
        actor.is_volunteer and not any(p.startswith(area.path) for p in actor.village_paths)
    ):
        raise PermissionDenied("err.out_of_scope")
    return area.id


def _resident_problems(
    data: VisitInput, item: ResidentInput, people: _People, seen: set[int], may_write: Callable[[int], None]
) -> list[FieldProblem]:
    """One resident of the form: active, named once, of the visit's household (for a home visit), in
    the actor's villages; guidance and levels only when the visit took place; a lower level than the
    current one needs a reason; known barrier fields."""
    prefix = f"resident.{item.resident_id}"
    resident = people.residents.get(item.resident_id)
    if resident is None or resident.status != "active" or item.resident_id in seen:
        return [FieldProblem(prefix, "err.invalid_resident")]
    seen.add(item.resident_id)
    household = people.households[resident.household_id]
    if data.household_id is not None and resident.household_id != data.household_id:
        return [FieldProblem(prefix, "err.invalid_resident")]
    may_write(household.village_id)
    problems: list[FieldProblem] = []
    if data.outcome != VisitOutcome.DONE and (item.guidance or item.levels):
        problems.append(FieldProblem(prefix, "err.guidance_needs_done"))
    for kind in item.guidance:
        if kind not in _GUIDANCE_KINDS:
            problems.append(FieldProblem(f"{prefix}.guidance", "err.invalid_choice"))
    if item.dossier_kind is not None:
        if item.dossier_kind not in DOSSIER_KINDS:
            problems.append(FieldProblem(f"{prefix}.dossier_kind", "err.invalid_choice"))
        elif not (item.evidence.get(EVIDENCE_SKILL) or "").strip():
            problems.append(FieldProblem(f"{prefix}.dossier_kind", "err.dossier_kind_needs_code"))
    if item.satisfaction is not None:
        if type(item.satisfaction) is not int or item.satisfaction not in SCORES:
            problems.append(FieldProblem(f"{prefix}.satisfaction", "err.invalid_choice"))
        elif not item.guidance:
            problems.append(FieldProblem(f"{prefix}.satisfaction", "err.rating_needs_guidance"))
    current = people.levels[item.resident_id]
    for skill, level in item.levels.items():
        key = f"{prefix}.{skill}"
        if skill not in _SKILL_CODES or level not in SKILL_LEVELS:
            problems.append(FieldProblem(key, "err.invalid_choice"))
        elif level < current.get(skill, 0) and not (item.reasons.get(skill) or "").strip():
            problems.append(FieldProblem(key, "err.level_down_needs_reason"))
    for name in item.barriers:
        if name not in BARRIER_FIELDS:
            problems.append(FieldProblem(f"{prefix}.{name}", "err.invalid_choice"))
    vneid = item.barriers.get("vneid_level")
    if vneid is not None and vneid not in (0, 1, 2):
        problems.append(FieldProblem(f"{prefix}.vneid_level", "err.invalid_choice"))
    return problems


def _members_who_went(session: Session, actor: Actor, member_ids: list[int]) -> list[int]:
    """The actor's own member record plus teammates; a teammate outside the actor's reach is refused."""
    chosen = set(member_ids)
    if actor.member_id is not None:
        chosen.add(actor.member_id)
    if not chosen:
        return []
    found = {
        row.id: row
        for row in session.exec(
            select(Member.id, Member.active, Member.team_id, Area.path)
            .join(Team, Team.id == Member.team_id)
            .join(Area, Area.id == Team.area_id)
            .where(Member.id.in_(sorted(chosen)))
        ).all()
    }
    out = []
    for member_id in sorted(chosen):
        member = found.get(member_id)
        if member is None or not member.active:
            raise ValidationFailed([FieldProblem("members", "err.invalid_member")])
        if actor.is_volunteer and member.team_id != actor.team_id:
            raise ValidationFailed([FieldProblem("members", "err.invalid_member")])
        if not member.path.startswith(actor.area_path):
            raise PermissionDenied("err.out_of_scope")
        out.append(member_id)
    return out


# ---------------------------------------------------------------- recording


def find_by_key(session: Session, key: str) -> int | None:
    return session.exec(select(Visit.id).where(Visit.idempotency_key == key)).scalar()


def _own_by_key(session: Session, actor: Actor, key: str) -> int | None:
    """The visit this actor already saved with this form key (a resend), None when there is none. A key
    used by someone else's visit is refused: it must not reveal that visit's id (or that it exists)."""
    row = session.exec(select(Visit.id, Visit.created_by).where(Visit.idempotency_key == key)).first()
    if row is None:
        return None
    if row[1] != actor.user_id:
        raise ValidationFailed([FieldProblem("form", "err.invalid_form")])
    return row[0]


@entry(Act.VISIT_RECORD)
def record_visit(session: Session, *, actor: Actor, data: VisitInput) -> int:
    """Write one visit with everything it implies. Returns its id; the same key twice returns the
    first visit's id and writes nothing more (double tap, resubmit after a dropped connection)."""
    require_role(actor, *WRITER_ROLES)
    existing = _own_by_key(session, actor, data.idempotency_key)
    if existing is not None:
        return existing
    _held = lock_visit_rows(  # kept referenced: the locked rows stay in the session for reuse
        session,
        {data.household_id} if data.household_id is not None else set(),
        {item.resident_id for item in data.residents},
    )
    problems, village_id, people = validate_visit(session, actor, data)
    if problems:
        raise ValidationFailed(problems)
    members = _members_who_went(session, actor, data.member_ids)
    now = utcnow()
    visit = Visit(
        idempotency_key=data.idempotency_key,
        kind=VisitKind.HOUSEHOLD if data.household_id is not None else VisitKind.SESSION,
        household_id=data.household_id,
        village_id=village_id,
        team_id=actor.team_id,
        visited_on=data.visited_on,
        place=data.place,
        outcome=data.outcome,
        follow_up_on=data.follow_up_on,
        notes=clean_notes(data.notes),
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(visit)
            session.flush()
    except IntegrityError:
        # Another request with the same key committed first: that one is the visit.
        existing = _own_by_key(session, actor, data.idempotency_key)
        if existing is None:
            raise
        return existing
    deltas = Deltas()
    _write_details(session, actor, visit, data, members, people, deltas)
    deltas.apply(session)
    audit.record(
        session,
        user_id=actor.user_id,
        action="visit.recorded",
        entity="visit",
        entity_id=visit.id,
        area_id=village_id,
        details={
            "household_id": data.household_id,
            "outcome": data.outcome,
            "residents": len(data.residents),
        },
    )
    return visit.id


def _write_details(
    session: Session,
    actor: Actor,
    visit: Visit,
    data: VisitInput,
    members: list[int],
    people: _People,
    deltas: Deltas,
) -> None:
    """The rows of a new visit, derived state and the rollup deltas, computed from what is in hand.

    Only the residents present and the visit's own household can change: the facts before come from
    the rows read for validation, the facts after from the recomputation (which reads the raw rows)."""
    ids = [item.resident_id for item in data.residents]
    before = {rid: people.facts(rid) for rid in ids}
    events = write_visit_rows(session, actor, visit, data, members, people, utcnow())
    levels = recompute_residents(session, ids)
    session.flush()  # the first guidance dates, for progress_of
    progress = progress_of(session, ids)
    for rid in ids:
        after = people.facts(rid, levels[rid], progress[rid])
        deltas.diff(resident_contribution(before[rid]), resident_contribution(after))
    if visit.household_id is not None:
        recompute_households(session, [visit.household_id], deltas)
    deltas.add(visit_contribution(written_visit_facts(visit, data, members, events)))


_VISIT_MEMBER = VisitMember.__table__
_VISIT_RESIDENT = VisitResident.__table__
_VISIT_GUIDANCE = VisitGuidance.__table__
_SKILL_EVENT = SkillEvent.__table__


def write_visit_rows(
    session: Session,
    actor: Actor,
    visit: Visit,
    data: VisitInput,
    members: list[int],
    people: _People,
    now: datetime,
) -> list[dict]:
    """Who went, presence, guidance, new skill events (one executemany per table) and barrier flags.
    Returns the skill events written. `people.levels` are the levels before this visit; derived state
    (current levels, first guidance) is the caller's to recompute."""
    if members:
        session.exec(insert(_VISIT_MEMBER), params=[{"visit_id": visit.id, "member_id": m} for m in members])
    presence, guidance, events = [], [], []
    for item in data.residents:
        rid = item.resident_id
        presence.append({"visit_id": visit.id, "resident_id": rid, "satisfaction": item.satisfaction})
        guidance.extend(
            {"visit_id": visit.id, "resident_id": rid, "kind": k} for k in sorted(set(item.guidance))
        )
        current = people.levels[rid]
        for skill in SKILLS:
            if skill.value not in item.levels:
                continue
            level = item.levels[skill.value]
            previous = current.get(skill.value, 0)
            evidence = (item.evidence.get(skill.value) or "").strip() or None
            if level == previous and evidence is None:
                continue  # nothing new observed
            events.append(
                {
                    "resident_id": rid,
                    "skill": skill.value,
                    "level": level,
                    "previous_level": previous,
                    "observed_on": visit.visited_on,
                    "visit_id": visit.id,
                    "evidence": evidence,
                    "dossier_kind": item.dossier_kind if evidence and skill.value == EVIDENCE_SKILL else None,
                    "reason": (item.reasons.get(skill.value) or "").strip() or None,
                    "active": True,
                    "recorded_by": actor.user_id,
                    "recorded_at": now,
                }
            )
        resident = people.residents[rid]
        for name, value in item.barriers.items():
            setattr(resident, name, value)
        resident.updated_at = now
    for table, rows in ((_VISIT_RESIDENT, presence), (_VISIT_GUIDANCE, guidance), (_SKILL_EVENT, events)):
        if rows:
            session.exec(insert(table), params=rows)
    return events


def written_visit_facts(visit: Visit, data: VisitInput, members: list[int], events: list[dict]) -> VisitFacts:
    """`visit_facts` of a visit just written, from the rows themselves rather than read back."""
    kinds: dict[str, int] = defaultdict(int)
    ratings: dict[int, int] = defaultdict(int)
    for item in data.residents:
        for kind in set(item.guidance):
            kinds[kind] += 1
        if item.satisfaction is not None:
            ratings[item.satisfaction] += 1
    dossier_kinds: dict[str, int] = defaultdict(int)
    for e in events:
        if e["skill"] == EVIDENCE_SKILL and e["evidence"] and e["dossier_kind"]:
            dossier_kinds[e["dossier_kind"]] += 1
    return VisitFacts(
        active=visit.status == VisitStatus.ACTIVE,
        day=visit.visited_on,
        village_id=visit.village_id,
        member_ids=tuple(members),
        done=visit.outcome == VisitOutcome.DONE,
        residents_met=len(data.residents),
        residents_guided=sum(1 for item in data.residents if item.guidance),
        guidance=dict(kinds),
        skills_mastered=sum(1 for e in events if e["level"] == 3 and e["previous_level"] < 3),
        dossiers=sum(1 for e in events if e["skill"] == "submit" and e["evidence"]),
        team_id=visit.team_id,
        ratings=dict(ratings),
        dossier_kinds=dict(dossier_kinds),
    )


def lock_visit_rows(session: Session, household_ids: set[int], resident_ids: set[int]) -> list:
    """Row locks (PostgreSQL; SQLite already holds the database lock) on what a visit changes, in a
    fixed order, and a fresh read of them: two tablets writing about the same resident at once must
    not both compute their rollup deltas from the same "before". Returns the rows read."""
    rows: list = []
    for model, ids in ((Household, household_ids), (Resident, resident_ids)):
        if ids:
            rows += session.exec(
                select(model)
                .where(model.id.in_(sorted(ids)))
                .order_by(model.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            ).scalars()
    return rows
