"""Quota progress counted from the raw visits of a campaign's period: distinct households and residents
per member, per team and per village, read through the owners' own (indexed) visit rows.

Which visits belong to whom, within the period (active visits, starts_on..min(ends_on, today)):
- member: the visits they went on (visit_member), theirs alone;
- team: the visits any of its members went on (visit_member of the team's members), taken together, so
  a repeat visit or two teammates on one visit count a household or a resident once. visit.team_id is
  not used: it holds the recording user's team, which is empty when a coordinator types in a visit and
  misses the commune team's members who went along with a village team;
- village (area quota): the visits held in the village (visit.village_id, visited_on index).

What is counted over those visits:
- households visited: distinct households with a visit of any outcome (the one meaning of "visited");
- residents guided: distinct residents given at least one of the three kinds of guidance;
- skill mastered: distinct residents for whom one of these visits raised the skill to "does it alone";
- all five: distinct residents for whom one of these visits completed all five skills at "does it alone"
  (replayed from each candidate's dated skill history, so mastering them before the period does not count);
- online dossiers: skill events of these visits carrying a submitted dossier's code (each once).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from models.enums import SKILLS, QuotaMetric, SkillLevel, VisitStatus
from models.tables import Member, SkillEvent, Visit, VisitGuidance, VisitMember

CHUNK = 500  # ids per IN list when reading candidates' skill histories
Figures = dict[int, dict[str, int]]  # owner id -> figure key -> count


def figure_key(metric: str, skill: str | None) -> str:
    """The key of one quota's figure: the metric, or skill_mastered:<skill>."""
    return f"{metric}:{skill}" if metric == QuotaMetric.SKILL_MASTERED else metric


@dataclass(frozen=True)
class Mastery:
    """What one resident's skill history says about when they reached "does it alone"."""

    rises: dict[int, str]  # event id -> skill, for events that raised a skill to level 3
    completions: frozenset[int]  # event ids after which all five skills stood at level 3


def replay(events: Iterable[tuple[int, str, int]]) -> Mastery:
    """Replay one resident's active skill events (id, skill, level), in the order they happened."""
    levels: dict[str, int] = {}
    mastered = 0  # how many skills stand at level 3
    rises: dict[int, str] = {}
    completions: set[int] = set()
    for event_id, skill, level in events:
        was = levels.get(skill, 0) == SkillLevel.MASTERED
        now = level == SkillLevel.MASTERED
        levels[skill] = level
        if now and not was:
            rises[event_id] = skill
            mastered += 1
            if mastered == len(SKILLS):
                completions.add(event_id)
        elif was and not now:
            mastered -= 1
    return Mastery(rises, frozenset(completions))


# ---------------------------------------------------------------- the owners' visits


def _in_period(starts_on: date, ends_on: date, *, by_day_index: bool):
    """Active visits of the period. Without `by_day_index` the day is compared through coalesce(), which
    no index serves: SQLite then starts from the owners' visit_member rows (index on member_id) instead
    of every visit of the period (index on visited_on), which in a province database is most of them."""
    day = Visit.visited_on if by_day_index else func.coalesce(Visit.visited_on, Visit.visited_on)
    return and_(Visit.status == VisitStatus.ACTIVE.value, day >= starts_on, day <= ends_on)


_DAY = Visit.visited_on.label("day")


def member_visits(member_ids: list[int], starts_on: date, ends_on: date):
    """(owner, visit_id, household_id, day) of each member's visits in the period."""
    return (
        select(VisitMember.member_id.label("owner"), Visit.id.label("visit_id"), Visit.household_id, _DAY)
        .join(Visit, Visit.id == VisitMember.visit_id)
        .where(VisitMember.member_id.in_(member_ids), _in_period(starts_on, ends_on, by_day_index=False))
        .subquery()
    )


def team_visits(team_ids: list[int], starts_on: date, ends_on: date):
    """(owner, visit_id, household_id, day) of the visits any member of each team went on, each once."""
    return (
        select(Member.team_id.label("owner"), Visit.id.label("visit_id"), Visit.household_id, _DAY)
        .join(VisitMember, VisitMember.member_id == Member.id)
        .join(Visit, Visit.id == VisitMember.visit_id)
        .where(Member.team_id.in_(team_ids), _in_period(starts_on, ends_on, by_day_index=False))
        .distinct()
        .subquery()
    )


def village_visits(village_ids: list[int], starts_on: date, ends_on: date):
    """(owner, visit_id, household_id, day) of the visits held in each village in the period."""
    return (
        select(Visit.village_id.label("owner"), Visit.id.label("visit_id"), Visit.household_id, _DAY)
        .where(Visit.village_id.in_(village_ids), _in_period(starts_on, ends_on, by_day_index=True))
        .subquery()
    )


# ---------------------------------------------------------------- figures over those visits


def figures(session: Session, visits, histories: dict[int, Mastery] | None = None) -> Figures:
    """Every quota figure per owner over the owners' visits (a subquery of owner, visit_id, household_id,
    day). `histories` caches replayed skill histories between calls (members, then teams, then villages)."""
    return figures_by_day(session, visits, (date.max,), histories)[date.max]


def figures_by_day(
    session: Session, visits, cutoffs: Iterable[date], histories: dict[int, Mastery] | None = None
) -> dict[date, Figures]:
    """`figures` counted up to each of several days in one pass over the visits (e.g. today and a week
    ago): each household, resident or event is read once with the first day it counts from."""
    cutoffs = tuple(cutoffs)
    out: dict[date, Figures] = {c: defaultdict(lambda: defaultdict(int)) for c in cutoffs}

    def count(key: str, firsts) -> None:
        """Per owner, how many items' first day falls on or before each cut-off (summed in SQL)."""
        firsts = firsts.subquery()
        columns = [func.sum(case((firsts.c.first <= cutoff, 1), else_=0)) for cutoff in cutoffs]
        for owner, *counts in _rows(session, select(firsts.c.owner, *columns).group_by(firsts.c.owner)):
            for cutoff, n in zip(cutoffs, counts, strict=True):
                if n:
                    out[cutoff][owner][key] = int(n)

    first_day = func.min(visits.c.day).label("first")
    count(
        QuotaMetric.HOUSEHOLDS_VISITED.value,
        select(visits.c.owner, first_day)
        .where(visits.c.household_id.is_not(None))
        .group_by(visits.c.owner, visits.c.household_id),
    )
    count(
        QuotaMetric.RESIDENTS_GUIDED.value,
        select(visits.c.owner, first_day)
        .join(VisitGuidance, VisitGuidance.visit_id == visits.c.visit_id)
        .group_by(visits.c.owner, VisitGuidance.resident_id),
    )
    count(
        QuotaMetric.ONLINE_DOSSIERS.value,
        select(visits.c.owner, first_day)
        .join(SkillEvent, SkillEvent.visit_id == visits.c.visit_id)
        .where(
            SkillEvent.active.is_(True),
            SkillEvent.skill == "submit",
            SkillEvent.evidence.is_not(None),
            SkillEvent.evidence != "",
        )
        .group_by(visits.c.owner, SkillEvent.id),
    )
    _mastery_figures(session, visits, out, {} if histories is None else histories)
    return out


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _mastery_figures(
    session: Session, visits, out: dict[date, Figures], histories: dict[int, Mastery]
) -> None:
    """Skill mastered (per skill) and all five: which owner's visit brought each resident there."""
    candidates = _rows(
        session,
        select(visits.c.owner, SkillEvent.id, SkillEvent.resident_id, visits.c.day)
        .join(SkillEvent, SkillEvent.visit_id == visits.c.visit_id)
        .where(SkillEvent.active.is_(True), SkillEvent.level == SkillLevel.MASTERED),
    )
    if not candidates:
        return
    _replay_into(session, {rid for _o, _e, rid, _d in candidates} - set(histories), histories)
    for cutoff, figures_then in out.items():
        per_skill: dict[tuple[int, str], set[int]] = defaultdict(set)
        all_five: dict[int, set[int]] = defaultdict(set)
        for owner, event_id, resident_id, day in candidates:
            if _day(day) > cutoff:
                continue
            mastery = histories[resident_id]
            if event_id in mastery.rises:
                per_skill[(owner, mastery.rises[event_id])].add(resident_id)
            if event_id in mastery.completions:
                all_five[owner].add(resident_id)
        for (owner, skill), residents in per_skill.items():
            figures_then[owner][figure_key(QuotaMetric.SKILL_MASTERED.value, skill)] = len(residents)
        for owner, residents in all_five.items():
            figures_then[owner][QuotaMetric.ALL_FIVE.value] = len(residents)


def _rows(session: Session, statement) -> list:
    """Plain rows of a Core select (thousands of them: no ORM processing per row)."""
    return session.connection().execute(statement).all()


def _replay_into(session: Session, resident_ids: set[int], histories: dict[int, Mastery]) -> None:
    """Replay each resident's skill history (index on skill_event.resident_id) into `histories`, in the
    order the current levels are derived from: by day observed, then by recording order."""
    ids = sorted(resident_ids)
    events: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        for rid, event_id, skill, level in _rows(
            session,
            select(SkillEvent.resident_id, SkillEvent.id, SkillEvent.skill, SkillEvent.level)
            .where(SkillEvent.resident_id.in_(ids[start : start + CHUNK]), SkillEvent.active.is_(True))
            .order_by(SkillEvent.resident_id, SkillEvent.observed_on, SkillEvent.id),
        ):
            events[rid].append((event_id, skill, level))
    for rid in ids:
        histories[rid] = replay(events[rid])
