"""What every demo builder shares: the scales, the report, and one seeding run's ids, dates and writer."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import today
from demo.bulk import SERIAL_TABLES, BulkWriter
from services.auth import hash_password

DEMO_PASSWORD = "5b3h-demo-2026"
DEFAULT_SEED = 2026
CAMPAIGN_DAYS = 42  # the campaign started six weeks ago
REGISTRY_DAYS_BEFORE = 7  # the registry was loaded a week before it
CAMPAIGN_AHEAD = 91  # and ends in three months
PROVINCE_CODE = "25"  # illustrative
FIRST_COMMUNE_CODE = 9001  # illustrative; commune codes are 5 digits, zero-padded


@dataclass(frozen=True)
class Scale:
    communes: int
    villages: tuple[int, int]  # per commune (min, max)
    households: tuple[int, int]  # per village (min, max)
    parent_share: float  # households with an elderly parent living in
    description: str


SCALES: dict[str, Scale] = {
    "demo": Scale(1, (6, 6), (46, 56), 0.22, "1 commune, 6 villages, ~300 households"),
    "commune": Scale(1, (12, 12), (115, 135), 0.5, "1 commune, 12 villages, ~1,500 households"),
    "province": Scale(120, (11, 19), (119, 159), 0.5, "120 communes, ~1,800 villages, ~250k households"),
}


@dataclass
class SeedReport:
    scale: str
    seed: int
    areas: int = 0
    communes: int = 0
    villages: int = 0
    households: int = 0
    residents: int = 0
    teams: int = 0
    members: int = 0
    users: int = 0
    visits: int = 0
    skill_events: int = 0
    seconds: float = 0.0


class Context:
    """One seeding run: the scale, the run's random generator, the next free id per table, the
    campaign's first day (visits are placed in days since then) and the writer."""

    def __init__(self, scale: Scale, seed: int, writer: BulkWriter, report: SeedReport):
        self.scale = scale
        self.seed = seed
        self.w = writer
        self.report = report
        self.rng = random.Random(seed)
        self.today = today()
        self.start = self.today - timedelta(days=CAMPAIGN_DAYS)
        self.year = self.today.year
        self.password_hash = hash_password(DEMO_PASSWORD)  # hashed once, shared by every demo user
        self.next = {t: writer.next_id(t) for t in SERIAL_TABLES}

    def new_id(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value

    def day(self, offset: int | None) -> object:
        """Days since the campaign started, as the driver should receive the date (None stays None)."""
        return None if offset is None else self.w.day(self.start + timedelta(days=offset))

    @property
    def registered_at(self) -> object:
        """When the commune's registry was loaded, a week before the campaign (people's created_at)."""
        when = self.start - timedelta(days=REGISTRY_DAYS_BEFORE)
        moment = datetime.combine(when, self.w.now.timetz())
        return self.w.stamp(moment)

    @property
    def now(self) -> object:
        """The run's timestamp, as stored for created_at / updated_at."""
        return self.w.now_value
