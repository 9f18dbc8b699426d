"""The leaders' overview (issue #10): every figure of one area (or a volunteer's team villages) for one
period, as plain frozen data the page draws and the CSV downloads / reports reuse.

Where the figures come from: the rollup rows of the scope area and of its children only (rollup_area,
rollup_skill, rollup_cohort, rollup_outcome; a few hundred rows for a province), plus the quota progress
service when the period is a campaign. Nothing here scans residents, visits or skill events.

Current state vs period: every figure is the *current state* (what the rollups hold now), except
- ages, which are computed at read time from the birth year and the period's end date, or today when
  it ends later (`as_of`): a
  resident's age is `as_of.year - birth_year` (the birth year is all we store, so a resident "turns 15"
  on 1 January of the year they reach 15 — no write needed); residents with no birth year are counted
  in `age_unknown` and left out of every age-bound denominator and of every age band but "unknown";
- the quota figures, which count only what happened within the campaign's period (up to `as_of`).

Definitions (codes, not UI text — the page maps them to catalogue keys):
- guided: residents with at least one guidance in an active visit (Resident.first_guided_on set);
- mastering a skill: current level 3 ("does it alone"); all five: level 3 in all five skills;
- online_user: a resident at level 3 in at least one of the four online-public-service skills
  (submit a dossier, pay, send feedback, receive the result — `ONLINE_SERVICE_SKILLS`); "install and use
  the apps" alone does not make an online-service user;
- households by last outcome: the outcome of each active household's latest active visit (by visit date,
  then id) — done / nobody_home / refused / come_back; never_visited = households − those four;
- below level 3: a resident not at level 3 in every skill (i.e. not "all five");
- barriers: no_smartphone (has_smartphone is False), phone_not_own (phone_own_name is False), no_vneid2
  (vneid_level asked and below 2), no_payment (has_payment_account is False) — each counted among the
  residents below level 3; "not asked yet" is not a barrier.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, func, or_, select
from sqlmodel import Session

from core.clock import today, week_start
from core.text import sort_key
from models.enums import SKILL_LEVELS, SKILLS, AreaLevel, SkillLevel, VisitOutcome
from models.tables import (
    Area,
    Campaign,
    Member,
    RollupArea,
    RollupCohort,
    RollupConversion,
    RollupDated,
    RollupOutcome,
    RollupSkill,
    Team,
)
from services import satisfaction as sat
from services.access import Actor, ancestor_ids, get_area_in_scope, path_in_scope, require_role
from services.errors import PermissionDenied
from services.permissions import Act, entry, roles_of
from services.rollups.contributions import (
    COHORT_COLUMNS,
    FOLLOW_UP,
    ONLINE_SERVICE_SKILLS,  # noqa: F401 (named in the docstring)
    UNKNOWN_BIRTH_YEAR,
)
from services.teams import campaigns

OUTCOMES: tuple[str, ...] = tuple(o.value for o in VisitOutcome)  # done, nobody_home, refused, come_back
ADULT_AGE = 15
VNEID_AGE = 14
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("15-29", 15, 29),
    ("30-44", 30, 44),
    ("45-59", 45, 59),
    ("60+", 60, None),
)
AGE_UNKNOWN = "unknown"
BARRIERS: tuple[str, ...] = ("no_smartphone", "phone_not_own", "no_vneid2", "no_payment")
PERIOD_KINDS = ("campaign", "week", "4weeks", "quarter", "range")
CACHE_SECONDS = 60.0

READ_ROLES = roles_of(Act.OVERVIEW)


# ---------------------------------------------------------------- the contract (plain data)


@dataclass(frozen=True)
class Period:
    """What the overview is for. `end` is the "as of" date for ages (and the end of quota counting);
    `start` bounds the period-bound figures (quotas). Build one with `this_week`, `last_4_weeks`,
    `this_quarter`, `date_range` or `campaign_period`."""

    kind: str  # one of PERIOD_KINDS
    start: date
    end: date
    campaign_id: int | None = None  # set when kind == "campaign"


@dataclass(frozen=True)
class AreaRef:
    """An area as the page links it (breadcrumb, picker, drill-down)."""

    id: int
    code: str
    name: str
    level: str  # models.enums.AreaLevel code


@dataclass(frozen=True)
class Scope:
    """Which area the figures cover. `breadcrumb` runs from the actor's own area (or, for a volunteer,
    the highest area they can open) down to `area` itself, inclusive; `children` are the areas right
    below it that the actor may open, in Vietnamese order (empty at a village). `team_only` is True for
    a volunteer: the figures cover only their team's villages inside `area`."""

    area: AreaRef
    breadcrumb: tuple[AreaRef, ...]
    children: tuple[AreaRef, ...]
    team_only: bool = False


@dataclass(frozen=True)
class OutcomeCounts:
    """Active households by the outcome of their latest active visit (current state)."""

    done: int
    nobody_home: int
    refused: int
    come_back: int
    never_visited: int

    @property
    def households(self) -> int:
        return self.done + self.nobody_home + self.refused + self.come_back + self.never_visited

    @property
    def visited(self) -> int:
        """Households with at least one active visit of any outcome (rollup_area.households_reached)."""
        return self.households - self.never_visited


@dataclass(frozen=True)
class SkillShare:
    """Residents at level 3 in one skill (current state); share of all residents (None when 0)."""

    skill: str  # models.enums.Skill code
    residents: int
    share: float | None


@dataclass(frozen=True)
class QuotaSummary:
    """The campaign's quotas (period-bound: the campaign's visits up to `as_of`, from
    services.teams.campaigns.quota_progress). fulfilment = Σ min(progress, target) / Σ target."""

    campaign_id: int
    quotas: int
    met: int  # progress >= target
    at_risk: int
    target_total: int
    progress_capped: int  # Σ min(progress, target)
    fulfilment: float | None
    rows: tuple = ()  # the QuotaProgress rows themselves (per team / member / village), for chart 4
    # The same a week earlier (as of 7 days before), None when the campaign had not begun then.
    week_ago_fulfilment: float | None = None
    week_ago_at_risk: int | None = None


@dataclass(frozen=True)
class WeekChange:
    """How the headline figures moved in the 7 days ending `Overview.as_of` (`since` is the first of
    them): residents now counted whose date falls in those days — registered, first guided, reached
    level 3 in a skill (the current run), all five, households first visited with a done outcome.
    `adults` adds the residents who turned 15 on a 1 January inside the window; a resident registered
    in such a window and turning 15 that day can count twice (one week a year)."""

    since: date
    residents: int
    adults: int
    guided: int
    mastered: tuple[tuple[str, int], ...]  # (skill, residents), SKILLS order
    all_five: int
    households_done: int


@dataclass(frozen=True)
class Headline:
    """The figures at the top of the page (current state except `quota`; ages as of `Overview.as_of`)."""

    residents: int
    adults: int  # aged 15+ as of the period's end
    age_unknown: int  # no birth year
    guided: int
    guided_share: float | None  # of residents
    mastered: tuple[SkillShare, ...]  # in SKILLS order
    all_five: int
    all_five_share: float | None  # of residents
    households: int
    outcomes: OutcomeCounts
    overdue: int = 0  # households whose pending follow-up date is before `as_of`
    change: WeekChange | None = None
    quota: QuotaSummary | None = None  # only for a campaign period and a role that reads quotas


@dataclass(frozen=True)
class Indicator:
    """An official indicator (DESIGN "Current official terms"): numerator over its own denominator.
    Codes: adults_smartphone, adults_payment_account, vneid2_14plus, adults_online_services,
    digital_course_done. `min_age` is the age the denominator starts at (None: every resident, of
    any or unknown age). `target_share`/`target_year` is the national target (None when there is none)."""

    code: str
    numerator: int
    denominator: int
    share: float | None
    min_age: int | None
    target_share: float | None
    target_year: int | None


@dataclass(frozen=True)
class LadderRow:
    """Residents at one level (0–3) of one skill, and their share of all residents (current state)."""

    skill: str
    level: int
    residents: int
    share: float | None


@dataclass(frozen=True)
class ChildRow:
    """One area right below the scope (chart 2 and the coverage board), current state."""

    area_id: int
    code: str
    name: str
    level: str
    residents: int
    all_five: int
    all_five_share: float | None
    households: int
    outcomes: OutcomeCounts
    overdue: int = 0  # households whose pending follow-up date is before `as_of`


@dataclass(frozen=True)
class TrendRow:
    """Chart 3: residents who reached level 3 in a skill in the week starting `week` (and are still at
    level 3), and the running total at that week's end (everyone before counted)."""

    week: date
    skill: str
    reached: int
    cumulative: int


@dataclass(frozen=True)
class PaceRow:
    """Per skill, toward the campaign's all-five target share of residents by its last day: the target
    count, where it stands at `as_of`, and how many more residents a week it needs (0 when met)."""

    skill: str
    target: int
    current: int
    weeks_left: int
    needed_per_week: float


@dataclass(frozen=True)
class Trend:
    rows: tuple[TrendRow, ...]  # weeks in order, SKILLS order within a week
    campaign_end: date | None = None  # set with a campaign's target
    target_share: float | None = None
    pace: tuple[PaceRow, ...] = ()


@dataclass(frozen=True)
class ConversionRow:
    """Chart 7: of the residents a team or member first guided within the period (and not at level 3 in
    the skill before), how many reached level 3 in it by the period's end. Weeks are whole: a period
    counts the guidance of every week it touches."""

    owner: str  # team | member
    owner_id: int
    name: str
    team: str  # the team's name (a member's current team)
    skill: str
    guided: int
    reached: int
    share: float | None


@dataclass(frozen=True)
class BarrierRow:
    """Residents below level 3 (not all five skills mastered) who have this barrier."""

    barrier: str  # one of BARRIERS
    residents: int


@dataclass(frozen=True)
class AgeBandRow:
    """Residents of an age band (as of the period's end) and those below level 3 (not all five).
    Bands: 15-29, 30-44, 45-59, 60+, unknown (no birth year). Residents under 15 are in no band."""

    band: str
    residents: int
    below_level3: int
    all_five: int


@dataclass(frozen=True)
class Overview:
    """Everything the overview page draws, for one scope and one period."""

    scope: Scope
    period: Period
    as_of: date
    headline: Headline
    indicators: tuple[Indicator, ...]
    skill_ladder: tuple[LadderRow, ...]  # SKILLS order, levels 0..3 within each skill
    children: tuple[ChildRow, ...]  # Vietnamese order of names
    barriers: tuple[BarrierRow, ...]  # BARRIERS order
    age_bands: tuple[AgeBandRow, ...]  # AGE_BANDS order, then "unknown"
    trend: Trend = Trend(())
    conversion: tuple[ConversionRow, ...] = ()  # teams, then members (from a commune down)
    satisfaction: sat.Ratings = field(default_factory=sat.Ratings)  # given at visits in the period
    satisfaction_rows: tuple[sat.RatingRow, ...] = ()  # each child area, then each team (commune down)
    rollup_rows_read: int = field(default=0, compare=False)  # how many rollup rows were read


# National targets: code -> (min age, target share, target year).
INDICATORS: tuple[tuple[str, int | None, float | None, int | None], ...] = (
    ("adults_smartphone", ADULT_AGE, 0.80, 2025),
    ("adults_payment_account", ADULT_AGE, 0.80, 2025),
    ("vneid2_14plus", VNEID_AGE, None, None),
    ("adults_online_services", ADULT_AGE, 0.70, 2030),
    ("digital_course_done", None, None, None),
)


# ---------------------------------------------------------------- periods


def this_week(day: date | None = None) -> Period:
    """Monday to Sunday of the week holding `day` (default today)."""
    start = week_start(day or today())
    return Period("week", start, start + timedelta(days=6))


def last_4_weeks(day: date | None = None) -> Period:
    """The 28 days ending on `day` (default today), both included."""
    end = day or today()
    return Period("4weeks", end - timedelta(days=27), end)


def this_quarter(day: date | None = None) -> Period:
    """The calendar quarter holding `day` (default today)."""
    day = day or today()
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    next_start = date(day.year + (first_month == 10), 1 if first_month == 10 else first_month + 3, 1)
    return Period("quarter", start, next_start - timedelta(days=1))


def date_range(start: date, end: date) -> Period:
    """Any range of days, both ends included (the page's date picker checks start <= end)."""
    if end < start:
        raise ValueError("period end before its start")
    return Period("range", start, end)


@entry(Act.CAMPAIGN_READ)
def campaign_period(session: Session, *, actor: Actor, campaign_id: int) -> Period:
    """A campaign's own period (the campaign must lie in the actor's subtree; roles that read quotas)."""
    row = campaigns.get_campaign(session, actor=actor, campaign_id=campaign_id)
    return Period("campaign", row.starts_on, row.ends_on, campaign_id)


# ---------------------------------------------------------------- cache


_CACHE: dict[tuple, tuple[float, Overview]] = {}
_CACHE_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forget every cached overview (tests; after a bulk rebuild)."""
    with _CACHE_LOCK:
        _CACHE.clear()


# ---------------------------------------------------------------- the overview


@entry(Act.OVERVIEW)
def overview(
    session: Session,
    *,
    actor: Actor,
    area_id: int | None = None,
    period: Period | None = None,
    use_cache: bool = True,
) -> Overview:
    """The overview of `area_id` (default: the actor's own area) for `period` (default: this week).

    Refused (PermissionDenied) for an area outside the actor's subtree; a volunteer may open their team's
    villages and the areas above them inside their own area, and sees only their team's villages' figures.
    Cached per (database, area, team villages, period, quota reader) for CACHE_SECONDS."""
    require_role(actor, *READ_ROLES)
    period = period or this_week()
    area = get_area_in_scope(session, actor, area_id if area_id is not None else actor.area_id)
    team_villages: tuple[int, ...] | None = None
    if actor.is_volunteer:
        team_villages = tuple(
            vid
            for vid, vpath in zip(actor.village_ids, actor.village_paths, strict=True)
            if vpath.startswith(area.path)
        )
        if not team_villages:
            raise PermissionDenied("err.out_of_scope")
    reads_quotas = actor.role in campaigns.READER_ROLES and period.campaign_id is not None
    # A volunteer's figures are their team's (two teams may share a village): the team is in the key.
    team = actor.team_id if team_villages is not None else None
    key = (str(session.get_bind().url), area.id, team_villages, team, period, reads_quotas, actor.area_id)
    now = time.monotonic()
    if use_cache:
        with _CACHE_LOCK:
            hit = _CACHE.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
    result = _compute(session, actor, area, team_villages, period, reads_quotas)
    if use_cache:
        with _CACHE_LOCK:
            for stale in [k for k, (expires, _v) in _CACHE.items() if expires <= now]:
                del _CACHE[stale]
            _CACHE[key] = (now + CACHE_SECONDS, result)
    return result


def _ref(area: Area) -> AreaRef:
    return AreaRef(area.id, area.code, area.name, area.level)


def _share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


class _Reader:
    """Reads rollup rows by area id (and counts how many it read)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows = 0

    def area(self, ids: Iterable[int]) -> dict[int, RollupArea]:
        ids = sorted(set(ids))
        if not ids:
            return {}
        rows = self.session.exec(select(RollupArea).where(RollupArea.area_id.in_(ids))).scalars().all()
        self.rows += len(rows)
        return {r.area_id: r for r in rows}

    def outcomes(self, ids: Iterable[int]) -> dict[int, dict[str, int]]:
        ids = sorted(set(ids))
        out: dict[int, dict[str, int]] = defaultdict(dict)
        if not ids:
            return out
        rows = self.session.exec(
            select(RollupOutcome.area_id, RollupOutcome.outcome, RollupOutcome.households).where(
                RollupOutcome.area_id.in_(ids)
            )
        ).all()
        self.rows += len(rows)
        for aid, outcome, n in rows:
            out[aid][outcome] = int(n)
        return out

    def skills(self, ids: list[int]) -> dict[tuple[str, int], int]:
        rows = self.session.exec(
            select(RollupSkill.skill, RollupSkill.level, RollupSkill.residents).where(
                RollupSkill.area_id.in_(ids)
            )
        ).all()
        self.rows += len(rows)
        out: dict[tuple[str, int], int] = defaultdict(int)
        for skill, level, n in rows:
            out[(skill, int(level))] += int(n)
        return out

    def dated(self, ids: list[int]) -> dict[tuple[str, date], int]:
        """rollup_dated of the given areas, summed: (measure, day) -> count."""
        rows = self.session.exec(
            select(RollupDated.measure, RollupDated.day, RollupDated.count).where(
                RollupDated.area_id.in_(ids)
            )
        ).all()
        self.rows += len(rows)
        out: dict[tuple[str, date], int] = defaultdict(int)
        for measure, day, n in rows:
            out[(measure, day)] += int(n)
        return out

    def overdue(self, ids: Iterable[int], before: date) -> dict[int, int]:
        """Households per area whose pending follow-up falls before `before` (summed in the database)."""
        ids = sorted(set(ids))
        if not ids:
            return {}
        rows = self.session.exec(
            select(RollupDated.area_id, func.sum(RollupDated.count), func.count())
            .where(RollupDated.area_id.in_(ids), RollupDated.measure == FOLLOW_UP, RollupDated.day < before)
            .group_by(RollupDated.area_id)
        ).all()
        self.rows += sum(int(n) for _a, _s, n in rows)
        return {aid: int(total) for aid, total, _n in rows}

    def cohorts(self, ids: list[int]) -> dict[int, dict[str, int]]:
        columns = [getattr(RollupCohort, c) for c in COHORT_COLUMNS]
        rows = self.session.exec(
            select(RollupCohort.birth_year, *columns).where(RollupCohort.area_id.in_(ids))
        ).all()
        self.rows += len(rows)
        out: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COHORT_COLUMNS, 0))
        for year, *values in rows:
            cohort = out[int(year)]
            for column, value in zip(COHORT_COLUMNS, values, strict=True):
                cohort[column] += int(value or 0)
        return out


def _outcome_counts(households: int, by_outcome: dict[str, int]) -> OutcomeCounts:
    counts = {o: by_outcome.get(o, 0) for o in OUTCOMES}
    return OutcomeCounts(never_visited=households - sum(counts.values()), **counts)


def _sum_outcomes(parts: Iterable[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for part in parts:
        for outcome, n in part.items():
            total[outcome] += n
    return total


def _compute(
    session: Session,
    actor: Actor,
    area: Area,
    team_villages: tuple[int, ...] | None,
    period: Period,
    reads_quotas: bool,
) -> Overview:
    reader = _Reader(session)
    row_ids = list(team_villages) if team_villages is not None else [area.id]
    scope = _scope(session, actor, area, team_villages)
    as_of = min(period.end, today())  # a period that ends later (this week, a campaign) counts ages today

    # Headline, from rollup_area / rollup_outcome / rollup_skill of the scope's rows.
    areas = reader.area(row_ids)
    outcomes = reader.outcomes(row_ids)

    def total(column: str) -> int:
        return sum(getattr(r, column) for r in areas.values())

    residents, households = total("residents"), total("households")
    skills = reader.skills(row_ids)
    cohorts = reader.cohorts(row_ids)
    ages = {year: (as_of.year - year if year != UNKNOWN_BIRTH_YEAR else None) for year in cohorts}

    def cohort_sum(column: str, min_age: int | None = None, max_age: int | None = None) -> int:
        return sum(
            c[column]
            for year, c in cohorts.items()
            if min_age is None
            or (
                ages[year] is not None
                and ages[year] >= min_age
                and (max_age is None or ages[year] <= max_age)
            )
        )

    adults = cohort_sum("residents", ADULT_AGE)
    dated = reader.dated(row_ids)
    mastered = tuple(
        SkillShare(
            s.value,
            skills.get((s.value, SkillLevel.MASTERED), 0),
            _share(skills.get((s.value, 3), 0), residents),
        )
        for s in SKILLS
    )
    headline = Headline(
        residents=residents,
        adults=adults,
        age_unknown=cohorts[UNKNOWN_BIRTH_YEAR]["residents"] if UNKNOWN_BIRTH_YEAR in cohorts else 0,
        guided=total("residents_guided"),
        guided_share=_share(total("residents_guided"), residents),
        mastered=mastered,
        all_five=total("residents_all_five"),
        all_five_share=_share(total("residents_all_five"), residents),
        households=households,
        outcomes=_outcome_counts(households, _sum_outcomes(outcomes.values())),
        overdue=sum(n for (m, day), n in dated.items() if m == FOLLOW_UP and day < as_of),
        change=_change(dated, cohorts, as_of),
        quota=_quota(session, actor, area, period) if reads_quotas else None,
    )

    indicators = []
    numerators = {
        "adults_smartphone": "smartphone",
        "adults_payment_account": "payment_account",
        "vneid2_14plus": "vneid2",
        "adults_online_services": "online_user",
        "digital_course_done": "course_done",
    }
    for code, min_age, target, year in INDICATORS:
        numerator = cohort_sum(numerators[code], min_age)
        denominator = cohort_sum("residents", min_age)
        indicators.append(
            Indicator(code, numerator, denominator, _share(numerator, denominator), min_age, target, year)
        )

    ladder = tuple(
        LadderRow(
            s.value,
            level,
            skills.get((s.value, level), 0),
            _share(skills.get((s.value, level), 0), residents),
        )
        for s in SKILLS
        for level in SKILL_LEVELS
    )
    barriers = tuple(BarrierRow(b, cohort_sum(f"below_{b}")) for b in BARRIERS)
    bands = []
    for band, low, high in AGE_BANDS:
        n, five = cohort_sum("residents", low, high), cohort_sum("all_five", low, high)
        bands.append(AgeBandRow(band, n, n - five, five))
    unknown = cohorts.get(UNKNOWN_BIRTH_YEAR, dict.fromkeys(COHORT_COLUMNS, 0))
    bands.append(
        AgeBandRow(
            AGE_UNKNOWN, unknown["residents"], unknown["residents"] - unknown["all_five"], unknown["all_five"]
        )
    )

    children = _children(session, reader, scope, team_villages, as_of)
    campaign = session.get(Campaign, period.campaign_id) if reads_quotas else None
    teams = _teams_shown(session, actor, area, team_villages is not None)
    return Overview(
        scope=scope,
        period=period,
        as_of=as_of,
        headline=headline,
        indicators=tuple(indicators),
        skill_ladder=ladder,
        children=children,
        barriers=barriers,
        age_bands=tuple(bands),
        trend=_trend(dated, period, as_of, residents, campaign),
        conversion=_conversion(session, reader, teams, period),
        satisfaction=sat.from_dated(dated, period.start, period.end),
        satisfaction_rows=_satisfaction_rows(session, reader, scope, team_villages, teams, period),
        rollup_rows_read=reader.rows,
    )


def _scope(session: Session, actor: Actor, area: Area, team_villages: tuple[int, ...] | None) -> Scope:
    """Breadcrumb (the visible ancestors, from the actor's area down) and the children one may open."""
    above = session.exec(select(Area).where(Area.id.in_(ancestor_ids(area.path)))).scalars().all()
    breadcrumb = tuple(_ref(a) for a in sorted(above, key=lambda a: a.depth) if path_in_scope(actor, a.path))
    children = session.exec(select(Area).where(Area.parent_id == area.id)).scalars().all()
    visible = [c for c in children if path_in_scope(actor, c.path)]
    return Scope(
        area=_ref(area),
        breadcrumb=breadcrumb,
        children=tuple(_ref(c) for c in sorted(visible, key=lambda c: sort_key(c.name))),
        team_only=team_villages is not None,
    )


def _children(
    session: Session, reader: _Reader, scope: Scope, team_villages: tuple[int, ...] | None, as_of: date
) -> tuple[ChildRow, ...]:
    """Each visible child's figures: its own rollup rows, or for a volunteer its team villages' rows."""
    if not scope.children:
        return ()
    parts: dict[int, list[int]] = {c.id: [c.id] for c in scope.children}
    if team_villages is not None:
        paths = dict(session.exec(select(Area.id, Area.path).where(Area.id.in_(team_villages))).all())
        parts = {c.id: [] for c in scope.children}
        for vid, vpath in paths.items():
            for ancestor in ancestor_ids(vpath):
                if ancestor in parts:
                    parts[ancestor].append(vid)
    ids = [i for part in parts.values() for i in part]
    areas = reader.area(ids)
    outcomes = reader.outcomes(ids)
    overdue = reader.overdue(ids, as_of)
    rows = []
    for child in scope.children:
        members = [areas[i] for i in parts[child.id] if i in areas]
        residents = sum(r.residents for r in members)
        all_five = sum(r.residents_all_five for r in members)
        households = sum(r.households for r in members)
        by_outcome = _sum_outcomes(outcomes.get(i, {}) for i in parts[child.id])
        rows.append(
            ChildRow(
                child.id,
                child.code,
                child.name,
                child.level,
                residents,
                all_five,
                _share(all_five, residents),
                households,
                _outcome_counts(households, by_outcome),
                sum(overdue.get(i, 0) for i in parts[child.id]),
            )
        )
    return tuple(rows)


def _quota(session: Session, actor: Actor, area: Area, period: Period) -> QuotaSummary:
    """The campaign's quotas as of min(period end, today) whose owner lies in the viewed area (a village
    quota by its village, a team's by the team's area, a member's by their team's area), and the same
    figures a week earlier (read in the same pass)."""
    as_of = min(period.end, today())
    week_ago = as_of - timedelta(days=7)
    days = (as_of, week_ago) if week_ago >= period.start else (as_of,)
    by_day = campaigns.quota_progress_by_day(session, actor=actor, campaign_id=period.campaign_id, days=days)
    places = _owner_paths(session, by_day[as_of])

    def in_area(rows: list) -> list:
        return [r for r in rows if places.get((r.owner_kind, r.owner_id), "").startswith(area.path)]

    rows = in_area(by_day[as_of])
    before = in_area(by_day[week_ago]) if week_ago in by_day else None
    target = sum(r.target for r in rows)
    capped = sum(min(r.progress, r.target) for r in rows)
    return QuotaSummary(
        campaign_id=period.campaign_id,
        quotas=len(rows),
        met=sum(1 for r in rows if r.progress >= r.target),
        at_risk=sum(1 for r in rows if r.at_risk),
        target_total=target,
        progress_capped=capped,
        fulfilment=_share(capped, target),
        rows=tuple(rows),
        week_ago_fulfilment=None
        if before is None
        else _share(sum(min(r.progress, r.target) for r in before), target),
        week_ago_at_risk=None if before is None else sum(1 for r in before if r.at_risk),
    )


def _owner_paths(session: Session, rows: Iterable) -> dict[tuple[str, int], str]:
    """The area path that places each quota owner (two queries)."""
    ids: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        ids[r.owner_kind].add(r.owner_id)
    out: dict[tuple[str, int], str] = {}
    if ids["area"]:
        for aid, path in session.exec(
            select(Area.id, Area.path).where(Area.id.in_(sorted(ids["area"])))
        ).all():
            out[("area", aid)] = path
    if ids["team"] or ids["member"]:
        query = (
            select(Team.id, Member.id, Area.path)
            .join(Area, Area.id == Team.area_id)
            .outerjoin(Member, Member.team_id == Team.id)
            .where(or_(Team.id.in_(sorted(ids["team"])), Member.id.in_(sorted(ids["member"]))))
        )
        for team_id, member_id, path in session.exec(query).all():
            out[("team", team_id)] = path
            if member_id is not None:
                out[("member", member_id)] = path
    return out


def _change(
    dated: dict[tuple[str, date], int], cohorts: dict[int, dict[str, int]], as_of: date
) -> WeekChange:
    """What entered the counts in the 7 days ending `as_of` (see WeekChange)."""
    since = as_of - timedelta(days=6)

    def new(measure: str) -> int:
        return sum(n for (m, day), n in dated.items() if m == measure and since <= day <= as_of)

    turned_15 = 0
    if since <= date(as_of.year, 1, 1):
        turned_15 = cohorts.get(as_of.year - ADULT_AGE, {}).get("residents", 0)
    return WeekChange(
        since=since,
        residents=new("registered"),
        adults=new("registered_adult") + turned_15,
        guided=new("guided"),
        mastered=tuple((s.value, new(s.value)) for s in SKILLS),
        all_five=new("all_five"),
        households_done=new("household_done"),
    )


TREND_MIN_WEEKS = 8


def _trend(
    dated: dict[tuple[str, date], int],
    period: Period,
    as_of: date,
    residents: int,
    campaign: Campaign | None,
) -> Trend:
    """Chart 3: weekly residents reaching level 3 per skill from the period's first week (at least the
    last TREND_MIN_WEEKS weeks) to the week of `as_of`, with the running totals; with a campaign that
    has an all-five target, the target count and the pace each skill needs by the campaign's end."""
    last = week_start(as_of)
    first = min(week_start(period.start), last - timedelta(weeks=TREND_MIN_WEEKS - 1))
    weeks = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    by_week: dict[tuple[str, date], int] = defaultdict(int)  # (skill, week) -> residents, up to as_of
    for (measure, day), n in dated.items():
        if day <= as_of:
            by_week[(measure, max(week_start(day), first - timedelta(weeks=1)))] += n
    rows = []
    current: dict[str, int] = {}
    for skill in SKILLS:
        total = by_week.get((skill.value, first - timedelta(weeks=1)), 0)  # everyone before `first`
        for week in weeks:
            reached = by_week.get((skill.value, week), 0)
            total += reached
            rows.append(TrendRow(week, skill.value, reached, total))
        current[skill.value] = total
    rows.sort(key=lambda r: r.week)  # stable: SKILLS order within a week
    if campaign is None or campaign.target_all_five_pct is None:
        return Trend(tuple(rows))
    target = -(-campaign.target_all_five_pct * residents // 100)  # ceil
    weeks_left = max(0, -(-(campaign.ends_on - as_of).days // 7))
    pace = tuple(
        PaceRow(
            skill.value,
            target,
            current[skill.value],
            weeks_left,
            round(max(0, target - current[skill.value]) / max(weeks_left, 1), 1),
        )
        for skill in SKILLS
    )
    return Trend(tuple(rows), campaign.ends_on, campaign.target_all_five_pct / 100, pace)


def _teams_shown(session: Session, actor: Actor, area: Area, team_only: bool) -> dict[int, str]:
    """The teams whose own figures the overview shows (conversion, satisfaction): those placed in the
    viewed area (a volunteer: their own team), from a commune down — a province's hundreds of teams are
    not one chart (pick a commune)."""
    if team_only:
        return dict(session.exec(select(Team.id, Team.name).where(Team.id == actor.team_id)).all())
    if area.level in (AreaLevel.PROVINCE, AreaLevel.DISTRICT):
        return {}
    return dict(
        session.exec(
            select(Team.id, Team.name)
            .join(Area, Area.id == Team.area_id)
            .where(Area.path.like(area.path + "%"))
        ).all()
    )


def _satisfaction_rows(
    session: Session,
    reader: _Reader,
    scope: Scope,
    team_villages: tuple[int, ...] | None,
    teams: dict[int, str],
    period: Period,
) -> tuple[sat.RatingRow, ...]:
    """Ratings in the period of each visible child area (a volunteer: their team's villages in it), then
    of each team shown."""
    parts = {c.id: (c.name, [c.id]) for c in scope.children}
    if team_villages is not None:
        paths = dict(session.exec(select(Area.id, Area.path).where(Area.id.in_(team_villages))).all())
        parts = {c.id: (c.name, []) for c in scope.children}
        for vid, vpath in paths.items():
            for ancestor in ancestor_ids(vpath):
                if ancestor in parts:
                    parts[ancestor][1].append(vid)
    areas, read_areas = sat.area_rows(session, parts, period.start, period.end)
    by_team, read_teams = sat.team_rows(session, teams, period.start, period.end)
    reader.rows += read_areas + read_teams
    return areas + by_team


def _conversion(
    session: Session, reader: _Reader, teams: dict[int, str], period: Period
) -> tuple[ConversionRow, ...]:
    """Chart 7 for the teams shown (`_teams_shown`) and their members."""
    if not teams:
        return ()
    members: dict[int, tuple[str, int]] = {}
    for mid, name, team_id in session.exec(
        select(Member.id, Member.full_name, Member.team_id).where(Member.team_id.in_(sorted(teams)))
    ).all():
        members[mid] = (name, team_id)
    reached = case((RollupConversion.mastered_week <= period.end, RollupConversion.residents), else_=0)
    query = (
        select(
            RollupConversion.owner,
            RollupConversion.owner_id,
            RollupConversion.skill,
            func.sum(RollupConversion.residents),
            func.sum(reached),
            func.count(),
        )
        .where(
            RollupConversion.guided_week.between(week_start(period.start), period.end),
            or_(
                (RollupConversion.owner == "team") & RollupConversion.owner_id.in_(sorted(teams)),
                (RollupConversion.owner == "member") & RollupConversion.owner_id.in_(sorted(members)),
            ),
        )
        .group_by(RollupConversion.owner, RollupConversion.owner_id, RollupConversion.skill)
    )
    figures: dict[tuple[str, int, str], tuple[int, int]] = {}
    for owner, owner_id, skill, guided, got, n in session.exec(query).all():
        reader.rows += int(n)
        figures[(owner, owner_id, skill)] = (int(guided), int(got or 0))
    out = []
    owners = [("team", tid, name, name) for tid, name in teams.items()]
    owners += [("member", mid, name, teams[tid]) for mid, (name, tid) in members.items()]
    owners.sort(key=lambda o: (o[0] != "team", sort_key(o[3]), sort_key(o[2])))
    for owner, owner_id, name, team in owners:
        if not any((owner, owner_id, s.value) in figures for s in SKILLS):
            continue
        for skill in SKILLS:
            guided, got = figures.get((owner, owner_id, skill.value), (0, 0))
            out.append(
                ConversionRow(owner, owner_id, name, team, skill.value, guided, got, _share(got, guided))
            )
    return tuple(out)
