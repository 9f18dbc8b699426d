"""The demo's households and residents: who lives together, their hidden barriers and their skill ladder.

A `Person` carries fixed traits (age, sex, name, barriers) and the ladder that the visit builder
(demo/visits.py) moves up; once the visits are drawn, `registry_rows` turns households and people
into rows, with the derived state (current levels, first guidance, household visit dates) computed by
the same rules as `services.people.derived.recompute_residents` / `recompute_households`.
"""

from __future__ import annotations

import functools
import random
from bisect import bisect
from typing import NamedTuple

from core.text import reversed_digits, search_key
from demo.areas import Village
from demo.context import Context
from demo.names import FAMILY, FAMILY_CUM, person_name, pick
from demo.names import phone as random_phone
from models.enums import SKILLS

SKILL_CODES = tuple(s.value for s in SKILLS)  # submit pay feedback receive apps
SUBMIT, PAY, FEEDBACK, RECEIVE, APPS = range(5)
AGE_BANDS = (30, 45, 60, 70)  # 15-29, 30-44, 45-59, 60-69, 70+
NO_SMARTPHONE = (0.02, 0.05, 0.15, 0.38, 0.65)
NOT_OWN_NAME = (0.08, 0.12, 0.2, 0.3, 0.35)
VNEID2 = (0.8, 0.7, 0.55, 0.35, 0.15)
PAYMENT = (0.92, 0.8, 0.6, 0.35, 0.15)
FEARS = (0.05, 0.12, 0.25, 0.4, 0.55)
ABILITY = (0.85, 0.7, 0.5, 0.3, 0.15)


class Person:
    """A resident during generation: fixed traits, hidden barriers and the evolving skill ladder."""

    __slots__ = (
        "ability",
        "adult",
        "age",
        "barriers",
        "birth_year",
        "caps",
        "course",
        "first_guided",
        "household",
        "id",
        "is_head",
        "key",
        "level_days",
        "levels",
        "mastered_days",
        "met",
        "name",
        "phone",
        "sex",
    )

    def __init__(self, pid: int, household: int, age: int, male: bool, name, head):
        self.id = pid
        self.household = household
        self.age = age
        self.birth_year = 0
        self.sex = "male" if male else "female"
        self.name, self.key = name
        self.is_head = head
        self.adult = age >= 15
        self.phone = None
        self.met = False
        self.first_guided: int | None = None
        self.course = False
        self.levels = [0, 0, 0, 0, 0]
        self.level_days: list[int | None] = [None] * 5
        self.mastered_days: list[int | None] = [None] * 5  # the day each level 3 was first observed
        self.barriers = None
        self.caps = (0, 0, 0, 0, 0)
        self.ability = 0.0

    def draw_barriers(self, rng: random.Random, poor_village: bool) -> None:
        band = bisect(AGE_BANDS, self.age)
        smartphone = rng.random() >= NO_SMARTPHONE[band]
        own_name = rng.random() >= NOT_OWN_NAME[band]
        vneid = 2 if rng.random() < VNEID2[band] else (1 if rng.random() < 0.4 else 0)
        payment = rng.random() < PAYMENT[band]
        poor_network = rng.random() < (0.45 if poor_village else 0.06)
        fears = rng.random() < FEARS[band]
        self.barriers = (smartphone, own_name, vneid, payment, poor_network, fears)
        self.ability = ABILITY[band] * (0.8 if poor_network else 1.0) * (0.65 if fears else 1.0)
        if not smartphone:
            self.caps = (1, 1, 1, 1, 1)  # guided, but cannot practise without a smartphone
        else:
            online_id = 3 if vneid == 2 else 2
            self.caps = (online_id, 3 if payment else 1, 3, online_id, 3 if own_name else 2)
        if smartphone and rng.random() < 0.55:
            self.phone = random_phone(rng)


class Home(NamedTuple):
    """A household during generation; `number` is its house number in the village."""

    id: int
    village_id: int
    village_code: str
    village_name: str
    number: int
    people: list[Person]


def draw_homes(ctx: Context, rng: random.Random, villages: list[Village]) -> list[Home]:
    """The households of each village in turn, house numbers rising with small gaps."""
    homes = []
    for village in villages:
        number = 0
        for _ in range(rng.randint(*ctx.scale.households)):
            number += rng.choice((1, 1, 1, 2, 3))
            hid = ctx.new_id("household")
            people = _household_people(ctx, rng, hid, village.poor_network)
            homes.append(Home(hid, village.id, village.code, village.name, number, people))
    return homes


def _household_people(ctx: Context, rng: random.Random, hid: int, poor: bool) -> list[Person]:
    """An elderly person alone, or a head with (mostly) a spouse, children and sometimes a parent."""
    people = []

    def add(age: int, male: bool, name, head=False) -> Person:
        person = Person(ctx.new_id("resident"), hid, age, male, name, head)
        person.birth_year = ctx.year - age
        if person.adult:
            person.draw_barriers(rng, poor)
        people.append(person)
        return person

    if rng.random() < 0.08:  # an elderly person living alone
        male = rng.random() < 0.35
        add(rng.randint(65, 92), male, person_name(rng, male), head=True)
        return people
    head_male = rng.random() < 0.78
    head_age = int(rng.triangular(24, 80, 42))
    family = pick(rng, FAMILY, FAMILY_CUM)
    add(head_age, head_male, person_name(rng, head_male, family if head_male else None), head=True)
    child_family = family if head_male else None
    if rng.random() < 0.85:
        spouse_age = max(20, head_age + (rng.randint(-8, 2) if head_male else rng.randint(-2, 8)))
        spouse = add(spouse_age, not head_male, person_name(rng, not head_male))
        if not head_male:
            child_family = (spouse.name.split(" ")[0], spouse.key.split(" ")[0])
    n_kids = rng.choices((0, 1, 2, 3, 4), (10, 22, 38, 22, 8))[0]
    oldest = min(head_age - 19, 40)
    for _ in range(n_kids if oldest > 0 else 0):
        male = rng.random() < 0.51
        add(rng.randint(0, oldest), male, person_name(rng, male, child_family))
    if head_age < 62 and rng.random() < ctx.scale.parent_share:
        male = rng.random() < 0.4
        add(
            min(95, head_age + rng.randint(22, 32)),
            male,
            person_name(rng, male, family if male else None),
        )
    return people


@functools.lru_cache(maxsize=200_000)
def _sort_name(full_name: str) -> str:
    """The registry's Vietnamese-order key (names repeat a lot, so remember them)."""
    from core.text import person_sort_name

    return person_sort_name(full_name)


class RegistryRows(NamedTuple):
    households: list[tuple]
    residents: list[tuple]
    skills: list[tuple]  # resident_skill: the current level of every skill above 0 (and mastered_on)


def registry_rows(
    ctx: Context, rng: random.Random, homes: list[Home], visited: dict[int, list]
) -> RegistryRows:
    """Household and resident rows once the visits are drawn; `visited` maps a household to
    [first day with outcome done, last visit day, follow-up of the latest visit, its outcome]."""
    out = RegistryRows([], [], [])
    village_keys = {home.village_id: search_key(home.village_name) for home in homes}
    for home in homes:
        out.households.append(_household_row(ctx, home, village_keys[home.village_id], visited))
        for p in home.people:
            out.residents.append(_resident_row(ctx, rng, home.id, p))
            for s, level in enumerate(p.levels):
                if level >= 1:
                    mastered = ctx.day(p.mastered_days[s]) if level == 3 else None  # levels only rise
                    out.skills.append((p.id, SKILL_CODES[s], level, ctx.day(p.level_days[s]), mastered))
    return out


def _household_row(ctx: Context, home: Home, village_key: str, visited: dict[int, list]) -> tuple:
    first_done, last, follow, last_outcome = visited.get(home.id, (None, None, None, None))
    people = home.people
    head = people[0]
    number = home.number
    address = f"{home.village_name}, số {number}"  # the village name is normalised already
    return (
        home.id,
        f"{home.village_code}-{number:04d}",
        home.village_id,
        address,
        f"{village_key} so {number}",
        head.phone or next((p.phone for p in people if p.phone), None),
        "active",
        ctx.day(first_done),
        ctx.day(last),
        last_outcome,
        ctx.day(follow),
        ctx.registered_at,
        ctx.now,
    )


def _resident_row(ctx: Context, rng: random.Random, hid: int, p: Person) -> tuple:
    """Barriers are known only for residents someone met; some of them took a digital-skills course."""
    guided = p.first_guided is not None
    if p.met and rng.random() < 0.04 + 0.3 * p.ability * sum(p.levels) / 15:
        p.course = True
    b = p.barriers if p.met else (None, None, None, None, None, None)
    return (
        p.id,
        hid,
        p.name,
        p.key,
        _sort_name(p.name),
        p.birth_year,
        p.sex,
        p.phone,
        reversed_digits(p.phone),
        p.is_head,
        *b,
        p.course,
        ctx.day(p.first_guided) if guided else None,
        "active",
        ctx.day(p.first_guided),
        ctx.registered_at,
        ctx.now,
    )
