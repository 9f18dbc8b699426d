"""The demo's campaign activity: home visits with follow-ups, group sessions, and what each visit taught.

`plan_visits` draws every visit of a commune (when, who went, the outcome, who was present);
`record_visits` then walks them in date order, moving each present resident up the skill ladder
(`_guidance`, `_progress`) and turning it all into visit, guidance and skill-event rows; a resident
guided at a visit sometimes rates it (`_rating`, satisfaction after guidance).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from demo.areas import Commune
from demo.context import CAMPAIGN_DAYS, PROVINCE_CODE, Context
from demo.people import APPS, FEEDBACK, PAY, RECEIVE, SKILL_CODES, SUBMIT, Home, Person
from demo.teams import Staff
from models.enums import Guidance, VisitKind, VisitOutcome, VisitPlace

NOTES_NOT_DONE = (
    "Cả nhà đi làm đồng, hẹn buổi tối",
    "Hẹn quay lại cuối tuần",
    "Chủ hộ đi vắng",
    "Chưa sắp xếp được thời gian",
    "",
    "",
)
NOTES_DONE = (
    "",
    "",
    "",
    "Đã cài VNeID, cần hướng dẫn thêm thanh toán",
    "Con cháu hỗ trợ khi cần",
    "Sóng điện thoại yếu, hướng dẫn tại nhà văn hóa",
    "Chưa có tài khoản ngân hàng",
)


OUTCOMES = (VisitOutcome.DONE, VisitOutcome.NOBODY_HOME, VisitOutcome.COME_BACK, VisitOutcome.REFUSED)
FIRST_OUTCOME_WEIGHTS = (68, 16, 10, 6)  # of OUTCOMES; later visits depend on the previous outcome
FOLLOW_UP_AFTER_DONE = (0.85, 0.7, 0.55, 0.4, 0.25, 0.1)  # by the number of visits done before
MAX_HOME_VISITS = 6
RATING_SHARE = 0.6  # of the residents guided at a visit, those who give a satisfaction rating
RATING_WEIGHTS = (2, 4, 14, 38, 42)  # of the scores 1 to 5: mostly satisfied, a few not
DOSSIER_KIND_WEIGHTS = (65, 25, 10)  # toàn trình, một phần, not recorded


@dataclass
class PlannedVisit:
    day: int  # days since the campaign started
    order: tuple
    kind: str
    place: str
    outcome: str
    village_id: int
    team: int
    members: list[int]
    household: int | None = None  # household id
    attendees: list[Person] = field(default_factory=list)
    follow_up: int | None = None
    notes: str = ""


# ---------------------------------------------------------------- drawing the visits


def plan_visits(rng: random.Random, commune: Commune, staff: Staff, homes: list[Home]) -> list[PlannedVisit]:
    """Every visit of the commune, in date order: home visits, then village and counter sessions."""
    visits: list[PlannedVisit] = []

    def crew(tid: int) -> list[int]:
        """Who goes: one to three of the team, sometimes with someone of the commune team."""
        members = staff.team_members[tid]
        n = rng.choices((1, 2, 3), (60, 35, 5))[0]
        chosen = rng.sample(members, min(n, len(members)))
        if rng.random() < 0.1:
            chosen.append(rng.choice(staff.team_members[staff.commune_team]))
        return sorted(set(chosen))

    for position, home in enumerate(homes):
        visits.extend(_home_visits(rng, position, home, staff.village_team[home.village_id], crew))
    visits.extend(_village_sessions(rng, commune, staff, homes))
    visits.extend(_counter_sessions(rng, commune, staff, homes))
    visits.sort(key=lambda v: v.order)
    return visits


def _home_visits(
    rng: random.Random, position: int, home: Home, tid: int, crew: Callable[[int], list[int]]
) -> list[PlannedVisit]:
    """Most households are reached; a visit that agrees a follow-up is mostly followed by another."""
    if rng.random() >= 0.92:
        return []  # not reached yet
    adults = [p for p in home.people if p.adult]
    day = rng.randint(0, CAMPAIGN_DAYS - 1)
    visits: list[PlannedVisit] = []
    weights = FIRST_OUTCOME_WEIGHTS
    done_before = 0
    while day <= CAMPAIGN_DAYS and len(visits) < MAX_HOME_VISITS:
        outcome = rng.choices(OUTCOMES, weights)[0]
        order = (day, 0, position, len(visits) + 1)
        visit = PlannedVisit(
            day,
            order,
            VisitKind.HOUSEHOLD,
            VisitPlace.HOME,
            outcome,
            home.village_id,
            tid,
            crew(tid),
            home.id,
        )
        weights = _draw_outcome(rng, visit, adults, done_before)
        if outcome == VisitOutcome.DONE:
            done_before += 1
        visits.append(visit)
        if visit.follow_up is None:
            break
        # Most follow-ups happen on the agreed day, some a little late, some not yet (overdue).
        roll = rng.random()
        if roll < 0.1:
            break
        day = visit.follow_up if roll < 0.8 else visit.follow_up + rng.randint(1, 3)
    return visits


def _draw_outcome(rng: random.Random, visit: PlannedVisit, adults: list[Person], done_before: int) -> tuple:
    """Who was present, the follow-up and the notes for the visit's outcome; returns the outcome
    weights of the next visit."""
    day = visit.day
    if visit.outcome == VisitOutcome.DONE:
        present = [p for p in adults if rng.random() < 0.7]
        if not present:
            present = [next((p for p in adults if p.is_head), adults[0])]
        visit.attendees = present
        if rng.random() < FOLLOW_UP_AFTER_DONE[done_before]:
            visit.follow_up = day + rng.randint(3, 10)
        visit.notes = rng.choice(NOTES_DONE)
        return (80, 10, 8, 2)
    if visit.outcome == VisitOutcome.NOBODY_HOME:
        if rng.random() < 0.9:
            visit.follow_up = day + rng.randint(1, 5)
        return (75, 15, 7, 3)
    if visit.outcome == VisitOutcome.COME_BACK:
        visit.attendees = [rng.choice(adults)]
        visit.follow_up = day + rng.randint(2, 7)
        visit.notes = rng.choice(NOTES_NOT_DONE)
        return (78, 10, 10, 2)
    visit.attendees = [rng.choice(adults)]  # refused
    if rng.random() < 0.15:
        visit.follow_up = day + rng.randint(14, 21)
    return (70, 10, 10, 10)


def _session(
    order: tuple, place: str, area_id: int, team: int, members: list[int], attendees: list[Person], notes=""
) -> PlannedVisit:
    """A group session (always done) on the day `order` starts with."""
    kind, outcome = VisitKind.SESSION, VisitOutcome.DONE
    return PlannedVisit(
        order[0], order, kind, place, outcome, area_id, team, members, attendees=attendees, notes=notes
    )


def _adults_by_village(commune: Commune, homes: list[Home]) -> dict[int, list[Person]]:
    out: dict[int, list[Person]] = {village.id: [] for village in commune.villages}
    for home in homes:
        out[home.village_id].extend(p for p in home.people if p.adult)
    return out


def _village_sessions(
    rng: random.Random, commune: Commune, staff: Staff, homes: list[Home]
) -> list[PlannedVisit]:
    """One to three group sessions at each village's cultural house."""
    visits = []
    commune_members = staff.team_members[staff.commune_team]
    adults_by_village = _adults_by_village(commune, homes)
    for v_index, village in enumerate(commune.villages):
        adults = adults_by_village[village.id]
        tid = staff.village_team[village.id]
        team = staff.team_members[tid]
        for s in range(rng.randint(1, 3)):
            day = rng.randint(0, CAMPAIGN_DAYS)
            attendees = rng.sample(adults, min(len(adults), rng.randint(8, 25)))
            members = sorted(set(rng.sample(team, min(3, len(team)))))
            if rng.random() < 0.4:
                members = sorted(set(members) | {rng.choice(commune_members)})
            order = (day, 1, v_index, s)
            notes = "Buổi hướng dẫn tại nhà văn hóa"
            visits.append(_session(order, VisitPlace.COMMUNITY, village.id, tid, members, attendees, notes))
    return visits


def _counter_sessions(
    rng: random.Random, commune: Commune, staff: Staff, homes: list[Home]
) -> list[PlannedVisit]:
    """Seven to eleven sessions at the commune's one-stop counter, two of the commune team each."""
    visits = []
    commune_members = staff.team_members[staff.commune_team]
    all_adults = [p for home in homes for p in home.people if p.adult]
    for s in range(rng.randint(7, 11)):
        day = rng.randint(0, CAMPAIGN_DAYS)
        attendees = rng.sample(all_adults, min(len(all_adults), rng.randint(3, 8)))
        members = sorted(rng.sample(commune_members, 2))
        order = (day, 2, 0, s)
        visits.append(_session(order, VisitPlace.COUNTER, commune.id, staff.commune_team, members, attendees))
    return visits


# ---------------------------------------------------------------- writing them down


class VisitRows:
    """The rows of a commune's visits, and what they leave behind on households and residents."""

    def __init__(self, ctx: Context, rng: random.Random, commune: Commune, staff: Staff) -> None:
        self.ctx, self.rng, self.commune, self.staff = ctx, rng, commune, staff
        self.visits: list[tuple] = []
        self.members: list[tuple] = []
        self.residents: list[tuple] = []
        self.guidance: list[tuple] = []
        self.events: list[tuple] = []
        # id -> [first done, last, follow-up of the latest, outcome of the latest]
        self.households: dict[int, list] = {}
        self._dossiers = 0
        # Ratings draw from their own generator (still fixed by the seed), so adding them left every
        # other row of a given seed as it was.
        self._ratings = random.Random(f"ratings-{ctx.seed}-{commune.id}")
        self._kinds = random.Random(f"dossier-kinds-{ctx.seed}-{commune.id}")  # the same for dossier kinds

    def add(self, visit: PlannedVisit) -> None:
        ctx, staff = self.ctx, self.staff
        vid = ctx.new_id("visit")
        created_by = staff.coordinator
        if staff.volunteer_user is not None and staff.volunteer_member in visit.members:
            created_by = staff.volunteer_user
        self.visits.append(
            (
                vid,
                f"seed-{ctx.seed}-{vid}",
                visit.kind.value,
                visit.household,
                visit.village_id,
                visit.team,
                ctx.day(visit.day),
                visit.place.value,
                visit.outcome.value,
                ctx.day(visit.follow_up),
                visit.notes,
                "active",
                created_by,
                ctx.now,
                ctx.now,
            )
        )
        self.members.extend((vid, m) for m in visit.members)
        if visit.household is not None:
            state = self.households.setdefault(visit.household, [None, None, None, None])
            if visit.outcome == VisitOutcome.DONE and state[0] is None:
                state[0] = visit.day
            state[1] = visit.day
            state[2] = visit.follow_up
            state[3] = visit.outcome.value
        done = visit.outcome == VisitOutcome.DONE
        for person in sorted(visit.attendees, key=lambda p: p.id):
            guided = done and self._teach(vid, visit.day, person, created_by)
            self.residents.append((vid, person.id, _rating(self._ratings) if guided else None))

    def _teach(self, vid: int, day: int, person: Person, created_by: int) -> bool:
        """Guidance given to a present resident on a visit done, and the level changes observed.
        Returns whether the resident was guided."""
        first = not person.met
        person.met = True
        kinds = _guidance(self.rng, person)
        for kind in kinds:
            self.guidance.append((vid, person.id, kind))
        if kinds and person.first_guided is None:
            person.first_guided = day
        for skill, new, previous, evidence in _progress(self.rng, person, kinds, first):
            dossier = self._dossier_code(day) if evidence else None  # submitted during the visit
            self.events.append(
                (
                    self.ctx.new_id("skill_event"),
                    person.id,
                    SKILL_CODES[skill],
                    new,
                    previous,
                    self.ctx.day(day),
                    vid,
                    dossier,
                    _dossier_kind(self._kinds) if dossier else None,
                    True,
                    created_by,
                    self.ctx.now,
                )
            )
            person.levels[skill] = new
            person.level_days[skill] = day
            if new == 3 and person.mastered_days[skill] is None:
                person.mastered_days[skill] = day
        return bool(kinds)

    def _dossier_code(self, day: int) -> str:
        self._dossiers += 1
        when = self.ctx.start + timedelta(days=day)
        return f"H{PROVINCE_CODE}.{self.commune.code[-2:]}-{when:%y%m%d}-{self._dossiers:04d}"


def record_visits(
    ctx: Context, rng: random.Random, commune: Commune, staff: Staff, visits: list[PlannedVisit]
) -> VisitRows:
    rows = VisitRows(ctx, rng, commune, staff)
    for visit in visits:
        rows.add(visit)
    return rows


def _dossier_kind(rng: random.Random) -> str | None:
    """Most dossiers submitted during a visit are for a full-online service; some are not said."""
    return rng.choices(("full", "partial", None), DOSSIER_KIND_WEIGHTS)[0]


def _rating(rng: random.Random) -> int | None:
    """The satisfaction rating (1–5) a resident guided at a visit gives, or None (most do, not all)."""
    if rng.random() >= RATING_SHARE:
        return None
    return rng.choices((1, 2, 3, 4, 5), RATING_WEIGHTS)[0]


# ---------------------------------------------------------------- the skill ladder


def _guidance(rng: random.Random, person: Person) -> list[str]:
    """Which of the three kinds of guidance this resident gets now (only where they can still grow)."""
    levels, caps = person.levels, person.caps
    open_kinds = []
    if any(levels[s] < caps[s] for s in (SUBMIT, FEEDBACK, RECEIVE)):
        open_kinds.append(Guidance.SUBMIT.value)
    if levels[PAY] < caps[PAY]:
        open_kinds.append(Guidance.PAY.value)
    if levels[APPS] < caps[APPS]:
        open_kinds.append(Guidance.APPS.value)
    chosen = [k for k in open_kinds if rng.random() < 0.75]
    if open_kinds and not chosen:
        chosen = [rng.choice(open_kinds)]
    return sorted(chosen)


def _progress(rng: random.Random, person: Person, kinds: list[str], first: bool) -> list[tuple]:
    """Observed level changes: one rung at a time mostly, faster for the young, capped by barriers."""
    ability = person.ability
    touched = set()
    already = set()
    if first:  # the first assessment finds what the resident could already do (mostly the young)
        for s in range(5):
            if person.caps[s] >= 2 and rng.random() < ability * 0.4:
                already.add(s)
                touched.add(s)
    if Guidance.APPS.value in kinds:
        touched.add(APPS)
    if Guidance.PAY.value in kinds:
        touched.add(PAY)
    if Guidance.SUBMIT.value in kinds:
        touched.add(SUBMIT)
        if rng.random() < 0.7:
            touched.add(RECEIVE)
        if rng.random() < 0.5:
            touched.add(FEEDBACK)
    for s in range(5):  # practised at home since the last visit
        if s not in touched and 1 <= person.levels[s] < person.caps[s] and rng.random() < 0.5 * ability:
            touched.add(s)
    out = []
    for s in sorted(touched):
        level, cap = person.levels[s], person.caps[s]
        new = level
        if s in already:
            new = 3 if cap == 3 and rng.random() < 0.5 else 2
        elif level == 0:
            new = 1
        elif level < cap and rng.random() < ability * 1.15:
            new = level + 1
            if new < cap and rng.random() < ability * 0.25:
                new += 1
        evidence = False
        if s == SUBMIT and new >= 2 and (new != level or rng.random() < 0.15) and rng.random() < 0.55:
            evidence = True
        if new != level or evidence:
            out.append((s, new, level, evidence))
    if person.levels[SUBMIT] == 3 and SUBMIT not in touched and rng.random() < 0.1:
        out.append((SUBMIT, 3, 3, True))  # already masters it: submits another dossier
    return out
