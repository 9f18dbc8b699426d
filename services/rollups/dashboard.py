"""Figures for the home page, read from the rollups (a few rows, whatever the area's size).

One meaning of "visited" everywhere: a household with at least one active visit, whatever its outcome
(the registry's "never visited" is its complement). rollup_area.households_visited counts households
with a *done* visit (Household.first_visited_on) and is shown as that, under its own name;
rollup_area.households_reached counts households with any active visit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from core.clock import today, week_start
from core.text import sort_key
from models.enums import SKILLS, SkillLevel
from models.tables import Area, RollupArea, RollupAreaWeek, RollupMemberDay, RollupSkill, Team
from services.access import Actor
from services.permissions import Act, entry
from services.rollups.contributions import ACTIVITY_COLUMNS, AREA_COLUMNS


@dataclass(frozen=True)
class AreaFigures:
    area_id: int
    code: str
    name: str
    counts: dict[str, int]
    households_reached: int = 0  # households with a visit of any outcome

    def share(self, column: str) -> float | None:
        residents = self.counts.get("residents", 0)
        return self.counts.get(column, 0) / residents if residents else None


@dataclass
class HomeSummary:
    scope_name: str
    totals: dict[str, int]
    mastered_by_skill: dict[str, int]
    households_reached: int = 0  # households with at least one active visit, any outcome
    children: list[AreaFigures] = field(default_factory=list)
    # Visits from activity_since to today: the volunteer's own over the last 7 days (today included),
    # otherwise the area's in the current ISO week (from Monday).
    activity: dict[str, int] = field(default_factory=dict)
    activity_since: date | None = None
    activity_is_own: bool = False
    team_name: str | None = None
    village_names: list[str] = field(default_factory=list)

    @property
    def households_done(self) -> int:
        """Households with at least one *done* visit (what rollup_area.households_visited counts)."""
        return self.totals["households_visited"]


def _area_ids_for(actor: Actor) -> list[int]:
    """The rollup rows that make up the actor's view: their area, or a volunteer's villages."""
    return list(actor.village_ids) if actor.is_volunteer else [actor.area_id]


def _sum_area(session: Session, area_ids: list[int]) -> dict[str, int]:
    if not area_ids:
        return dict.fromkeys(AREA_COLUMNS, 0)
    row = session.exec(
        select(*[func.coalesce(func.sum(getattr(RollupArea, c)), 0) for c in AREA_COLUMNS]).where(
            RollupArea.area_id.in_(area_ids)
        )
    ).one()
    return dict(zip(AREA_COLUMNS, (int(v) for v in row), strict=True))


@entry(Act.HOME)
def home_summary(session: Session, *, actor: Actor) -> HomeSummary:
    area_ids = _area_ids_for(actor)
    totals = _sum_area(session, area_ids)
    mastered = dict.fromkeys((s.value for s in SKILLS), 0)
    if area_ids:
        for skill, count in session.exec(
            select(RollupSkill.skill, func.sum(RollupSkill.residents))
            .where(RollupSkill.area_id.in_(area_ids), RollupSkill.level == SkillLevel.MASTERED)
            .group_by(RollupSkill.skill)
        ).all():
            mastered[skill] = int(count or 0)
    summary = HomeSummary(scope_name=actor.area_name, totals=totals, mastered_by_skill=mastered)
    if actor.is_volunteer:
        summary.team_name = session.exec(select(Team.name).where(Team.id == actor.team_id)).scalar()
        names = session.exec(select(Area.name).where(Area.id.in_(area_ids))).scalars().all()
        summary.village_names = sorted(names, key=sort_key)
        summary.households_reached = totals["households_reached"]
        summary.activity_since, summary.activity_is_own = today() - timedelta(days=6), True
        summary.activity = dict.fromkeys(ACTIVITY_COLUMNS, 0)
        if actor.member_id is not None:
            summary.activity = _member_activity(session, actor.member_id, summary.activity_since)
        return summary
    area = session.get(Area, actor.area_id)
    summary.households_reached = totals["households_reached"]
    summary.children = _children(session, area)
    summary.activity_since = week_start(today())
    week = session.get(RollupAreaWeek, (actor.area_id, summary.activity_since))
    summary.activity = {c: getattr(week, c) if week else 0 for c in ACTIVITY_COLUMNS}
    return summary


def _member_activity(session: Session, member_id: int, since: date) -> dict[str, int]:
    row = session.exec(
        select(*[func.coalesce(func.sum(getattr(RollupMemberDay, c)), 0) for c in ACTIVITY_COLUMNS]).where(
            RollupMemberDay.member_id == member_id, RollupMemberDay.day >= since
        )
    ).one()
    return dict(zip(ACTIVITY_COLUMNS, (int(v) for v in row), strict=True))


def _children(session: Session, area: Area) -> list[AreaFigures]:
    """The areas right below `area`, each with its rollup counts."""
    children = session.exec(
        select(Area.id, Area.code, Area.name, RollupArea)
        .outerjoin(RollupArea, RollupArea.area_id == Area.id)
        .where(Area.parent_id == area.id)
    ).all()
    out = []
    for aid, code, name, r in children:
        counts = {c: getattr(r, c) if r else 0 for c in AREA_COLUMNS}
        out.append(AreaFigures(aid, code, name, counts, households_reached=counts["households_reached"]))
    return sorted(out, key=lambda f: sort_key(f.name))
