"""Demo and scale data: a deterministic, realistic campaign (areas, people, teams, visits, skills).

All place and person names are illustrative: generated from common Vietnamese name parts, not a
register of real people or of the official area list. The shape (names, codes, levels) depends
only on the seed; dates are placed relative to today so the campaign always looks current.

Rows are written in bulk (executemany on SQLite, COPY on PostgreSQL) with ids chosen here, and the
derived state (current skill levels, first guidance, household visit dates) is computed in the same
pass by the same rules as `services.visits.record.recompute_resident` / `recompute_household`. Rollups
are then filled from a full recount, all in one transaction.
"""

from __future__ import annotations

import functools
import random
import time
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from sqlalchemy import Engine, select, text
from sqlmodel import Session

from core.clock import today, utcnow
from core.text import normalize_name, reversed_digits, search_key
from models.db import write_session
from models.enums import (
    SKILLS,
    Guidance,
    MemberKind,
    QuotaMetric,
    Role,
    VisitKind,
    VisitOutcome,
    VisitPlace,
)
from models.tables import Area, Household, Resident, ResidentSkill, SkillEvent, Team, User, Visit
from services import audit
from services.auth import hash_password
from services.errors import AppError
from services.rollups.core import rebuild

DEMO_PASSWORD = "5b3h-demo-2026"
DEFAULT_SEED = 2026
CAMPAIGN_DAYS = 42  # the campaign started six weeks ago
CAMPAIGN_AHEAD = 91  # and ends in three months
PROVINCE_CODE = "25"  # illustrative
FIRST_COMMUNE_CODE = 9001  # illustrative; commune codes are 5 digits, zero-padded


class SeedRefused(AppError):
    """The database already holds data: seeding again would duplicate it."""

    def __init__(self) -> None:
        super().__init__("seed.not_empty")


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


def is_empty(session: Session) -> bool:
    """True when the database holds no area (nothing to duplicate)."""
    return session.exec(select(Area.id).limit(1)).first() is None


def seed_database(
    engine: Engine, *, scale: str, seed: int = DEFAULT_SEED, progress: Callable[[str], None] | None = None
) -> SeedReport:
    """Fill an empty database with a whole campaign in one transaction; refuse if it holds areas."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}")
    started = time.perf_counter()
    report = SeedReport(scale=scale, seed=seed)
    with write_session(engine) as session:
        if not is_empty(session):
            raise SeedRefused()
        writer = _BulkWriter(session)
        builder = _Builder(SCALES[scale], seed, writer, report)
        builder.run(progress)
        writer.finish()
        if progress:
            progress("rollups")
        rebuild(session)
        audit.record(
            session,
            user_id=None,
            action="seed.demo",
            entity="database",
            details={"scale": scale, "seed": seed, "households": report.households},
        )
        if progress:
            progress("statistics")
        session.exec(text("ANALYZE"))
    report.seconds = time.perf_counter() - started
    return report


def shape_checksum(session: Session) -> str:
    """A digest of names, codes and levels: equal for two databases seeded with the same seed."""
    import hashlib

    digest = hashlib.sha256()
    queries = (
        select(Area.code, Area.name, Area.level, Area.depth).order_by(Area.code),
        select(Household.code, Household.address, Household.phone).order_by(Household.code),
        select(
            Resident.id, Resident.full_name, Resident.sex, Resident.is_head, Resident.vneid_level
        ).order_by(Resident.id),
        select(Team.id, Team.name).order_by(Team.id),
        select(User.username, User.role).order_by(User.username),
        select(Visit.id, Visit.kind, Visit.place, Visit.outcome, Visit.household_id).order_by(Visit.id),
        select(
            SkillEvent.resident_id, SkillEvent.skill, SkillEvent.level, SkillEvent.previous_level
        ).order_by(SkillEvent.id),
        select(ResidentSkill.resident_id, ResidentSkill.skill, ResidentSkill.level).order_by(
            ResidentSkill.resident_id, ResidentSkill.skill
        ),
    )
    for query in queries:
        for row in session.exec(query).all():
            digest.update(repr(tuple(row)).encode())
        digest.update(b"|")
    return digest.hexdigest()


# ---------------------------------------------------------------- bulk writing


@functools.lru_cache(maxsize=200_000)
def _sort_name(full_name: str) -> str:
    """The registry's Vietnamese-order key (names repeat a lot, so remember them)."""
    from core.text import person_sort_name

    return person_sort_name(full_name)


COLUMNS: dict[str, tuple[str, ...]] = {
    "area": ("id", "code", "name", "name_key", "level", "parent_id", "path", "depth", "created_at"),
    "team": ("id", "area_id", "name", "active", "created_at"),
    "app_user": (
        "id",
        "username",
        "full_name",
        "password_hash",
        "role",
        "area_id",
        "team_id",
        "is_active",
        "failed_attempts",
        "password_changed_at",
        "created_at",
    ),
    "member": (
        "id",
        "team_id",
        "full_name",
        "name_key",
        "kind",
        "phone",
        "user_id",
        "is_leader",
        "active",
        "created_at",
    ),
    "team_village": ("team_id", "village_id"),
    "campaign": (
        "id",
        "area_id",
        "name",
        "starts_on",
        "ends_on",
        "target_guided_pct",
        "target_all_five_pct",
        "target_online_dossier_pct",
        "active",
        "created_at",
    ),
    "quota": ("id", "campaign_id", "member_id", "team_id", "area_id", "metric", "skill", "target"),
    "household": (
        "id",
        "code",
        "village_id",
        "address",
        "address_key",
        "phone",
        "status",
        "first_visited_on",
        "last_visited_on",
        "follow_up_on",
        "created_at",
        "updated_at",
    ),
    "resident": (
        "id",
        "household_id",
        "full_name",
        "name_key",
        "sort_name",
        "birth_year",
        "sex",
        "phone",
        "phone_rev",
        "is_head",
        "has_smartphone",
        "phone_own_name",
        "vneid_level",
        "has_payment_account",
        "poor_network",
        "fears_mistakes",
        "digital_course_done",
        "consent_on",
        "status",
        "first_guided_on",
        "created_at",
        "updated_at",
    ),
    "visit": (
        "id",
        "idempotency_key",
        "kind",
        "household_id",
        "village_id",
        "team_id",
        "visited_on",
        "place",
        "outcome",
        "follow_up_on",
        "notes",
        "status",
        "created_by",
        "created_at",
        "updated_at",
    ),
    "visit_member": ("visit_id", "member_id"),
    "visit_resident": ("visit_id", "resident_id"),
    "visit_guidance": ("visit_id", "resident_id", "kind"),
    "skill_event": (
        "id",
        "resident_id",
        "skill",
        "level",
        "previous_level",
        "observed_on",
        "visit_id",
        "evidence",
        "active",
        "recorded_by",
        "recorded_at",
    ),
    "resident_skill": ("resident_id", "skill", "level", "updated_on"),
}
SERIAL_TABLES = (
    "area",
    "team",
    "app_user",
    "member",
    "campaign",
    "quota",
    "household",
    "resident",
    "visit",
    "skill_event",
)


class _BulkWriter:
    """Inserts plain tuples fast inside the session's transaction (executemany / COPY)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        connection = session.connection()
        self.dialect = connection.dialect
        self.sqlite = self.dialect.name == "sqlite"
        self.raw = connection.connection.driver_connection
        self.now = utcnow()
        # Timestamps go in exactly as the ORM would store them.
        processor = Area.__table__.c.created_at.type.dialect_impl(self.dialect).bind_processor(self.dialect)
        self.now_value = processor(self.now) if processor else self.now
        self._days: dict[date, object] = {}
        if self.sqlite:
            self.raw.execute("PRAGMA cache_size = -400000")
            self.raw.execute("PRAGMA temp_store = MEMORY")

    def day(self, value: date | None) -> object:
        """A date as the driver should receive it (ISO text on SQLite, like SQLAlchemy stores it)."""
        if value is None:
            return None
        out = self._days.get(value)
        if out is None:
            out = value.isoformat() if self.sqlite else value
            self._days[value] = out
        return out

    def next_id(self, table: str) -> int:
        return int(self.session.exec(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar()) + 1

    def insert(self, table: str, rows: list[tuple]) -> None:
        if not rows:
            return
        columns = COLUMNS[table]
        if self.sqlite:
            marks = ", ".join("?" * len(columns))
            cursor = self.raw.cursor()
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
            cursor.close()
        else:
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)

    def finish(self) -> None:
        """PostgreSQL: move the id sequences past the ids chosen here."""
        if self.sqlite:
            return
        for table in SERIAL_TABLES:
            self.session.exec(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )
            )


# ---------------------------------------------------------------- names (illustrative)


def _weighted(pairs: list[tuple[str, float]]) -> tuple[list[tuple[str, str]], list[float]]:
    """Normalised (name, search key) parts and cumulative weights for bisect picking."""
    parts = [(normalize_name(n), search_key(n)) for n, _w in pairs]
    return parts, list(accumulate(w for _n, w in pairs))


def _words(text: str) -> list[str]:
    return text.split()


FAMILY, FAMILY_CUM = _weighted(
    [
        ("Nguyễn", 38),
        ("Trần", 11),
        ("Lê", 9.5),
        ("Phạm", 7),
        ("Hoàng", 5),
        ("Huỳnh", 4),
        ("Phan", 4.5),
        ("Vũ", 4),
        ("Võ", 3.5),
        ("Đặng", 2),
        ("Bùi", 2),
        ("Đỗ", 1.5),
        ("Hồ", 1.3),
        ("Ngô", 1.3),
        ("Dương", 1),
        ("Lý", 0.5),
    ]
)
MIDDLE_M, MIDDLE_M_CUM = _weighted(
    [("Văn", 40), ("Đức", 12), ("Minh", 12), ("Quang", 8), ("Hữu", 8), ("Công", 6), ("Thanh", 6), ("Ngọc", 4)]
)
MIDDLE_F, MIDDLE_F_CUM = _weighted(
    [("Thị", 55), ("Ngọc", 10), ("Thu", 8), ("Thanh", 8), ("Minh", 6), ("Kim", 5), ("Hồng", 5), ("Bảo", 3)]
)
GIVEN_M = [
    (normalize_name(n), search_key(n))
    for n in _words(
        "An Bình Cường Dũng Đạt Hải Hiếu Hoàng Hùng Huy Khánh Khoa Kiên Long Lâm Lực Mạnh Nam Nghĩa "
        "Phong Phúc Quân Quang Sơn Tài Tâm Thắng Thành Thịnh Toàn Trọng Trung Tuấn Tùng Việt Vinh Vũ "
        "Hưng Đông Hòa"
    )
]
GIVEN_F = [
    (normalize_name(n), search_key(n))
    for n in _words(
        "Anh Chi Dung Giang Hà Hạnh Hằng Hiền Hoa Hồng Hương Huyền Lan Liên Linh Loan Mai Ngân Nga Nhung "
        "Oanh Phương Quyên Thảo Thủy Thúy Trang Tuyết Vân Yến Xuân Hòa Nhàn Lụa Tươi"
    )
]
COMMUNE_PARTS = _words(
    "An Bình Tân Phú Hòa Thạch Đông Tây Nam Bắc Hưng Long Minh Quang Thanh Vĩnh Xuân Yên Đức Gia "
    "Hồng Kim Lạc Mỹ Ngọc Phúc Sơn Thái Trung Hải Lâm Nghĩa Thịnh Thuận Tiến Lợi Lộc Phong Thành"
)
VILLAGE_PARTS = _words(
    "Chiềng Đông Đoài Trung Thượng Hạ Nam Bắc Mới Cầu Giữa Bãi Đình Chùa Rừng Đồng Tâm Tân Lập Hòa "
    "Bình Quyết Tiến Thắng Lợi Hạnh Phúc Đồi Suối Nà Khe Gạo Sen Cốc Bến Đò Gò"
)
VILLAGE_KINDS = ("Thôn", "Xóm", "Bản", "Ấp")
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


def _pick(rng: random.Random, parts: list, cum: list[float]):
    return parts[bisect(cum, rng.random() * cum[-1])]


def _person_name(rng: random.Random, male: bool, family: tuple[str, str] | None = None) -> tuple[str, str]:
    family = family or _pick(rng, FAMILY, FAMILY_CUM)
    middle = _pick(rng, MIDDLE_M, MIDDLE_M_CUM) if male else _pick(rng, MIDDLE_F, MIDDLE_F_CUM)
    given = rng.choice(GIVEN_M if male else GIVEN_F)
    # Each part is already normalised, so the joined name is too.
    return f"{family[0]} {middle[0]} {given[0]}", f"{family[1]} {middle[1]} {given[1]}"


def _phone(rng: random.Random) -> str:
    return rng.choice(("03", "05", "07", "08", "09")) + f"{rng.randrange(10**8):08d}"


# ---------------------------------------------------------------- the people and their barriers

SKILL_CODES = tuple(s.value for s in SKILLS)  # submit pay feedback receive apps
SUBMIT, PAY, FEEDBACK, RECEIVE, APPS = range(5)
AGE_BANDS = (30, 45, 60, 70)  # 15-29, 30-44, 45-59, 60-69, 70+
NO_SMARTPHONE = (0.02, 0.05, 0.15, 0.38, 0.65)
NOT_OWN_NAME = (0.08, 0.12, 0.2, 0.3, 0.35)
VNEID2 = (0.8, 0.7, 0.55, 0.35, 0.15)
PAYMENT = (0.92, 0.8, 0.6, 0.35, 0.15)
FEARS = (0.05, 0.12, 0.25, 0.4, 0.55)
ABILITY = (0.85, 0.7, 0.5, 0.3, 0.15)


class _Person:
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
            self.phone = _phone(rng)


# ---------------------------------------------------------------- the builder


@dataclass
class _Visit:
    day: int  # days since the campaign started
    order: tuple
    kind: str
    place: str
    outcome: str
    village_id: int
    team: int
    members: list[int]
    household: int | None = None  # household id
    attendees: list[_Person] = field(default_factory=list)
    follow_up: int | None = None
    notes: str = ""


class _Builder:
    def __init__(self, scale: Scale, seed: int, writer: _BulkWriter, report: SeedReport):
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
        return None if offset is None else self.w.day(self.start + timedelta(days=offset))

    # ---- top level

    def run(self, progress: Callable[[str], None] | None) -> None:
        now = self.w.now_value
        province_id = self.new_id("area")
        self.province = (province_id, f"/{province_id}/")
        name = normalize_name("Tỉnh Minh Họa")
        self.w.insert(
            "area",
            [
                (
                    province_id,
                    PROVINCE_CODE,
                    name,
                    search_key(name),
                    "province",
                    None,
                    f"/{province_id}/",
                    0,
                    now,
                )
            ],
        )
        self.report.areas += 1
        self._user("quantri", "Trần Minh Quân", Role.ADMIN, province_id)
        self._user("lanhdao.tinh", "Hoàng Đức Thịnh", Role.LEADER, province_id)
        names = self._commune_names(self.scale.communes)
        for index in range(self.scale.communes):
            rng = random.Random(self.seed * 1_000_003 + index)
            self._commune(rng, index, names[index])
            if progress and (index + 1) % 10 == 0:
                progress(f"{index + 1}/{self.scale.communes} communes")

    def _user(
        self, username: str, full_name: str, role: str, area_id: int, team_id: int | None = None
    ) -> int:
        uid = self.new_id("app_user")
        name = normalize_name(full_name)
        now = self.w.now_value
        self.w.insert(
            "app_user", [(uid, username, name, self.password_hash, role, area_id, team_id, True, 0, now, now)]
        )
        self.report.users += 1
        return uid

    def _commune_names(self, count: int) -> list[str]:
        pairs = [(a, b) for a in COMMUNE_PARTS for b in COMMUNE_PARTS if a != b]
        chosen = self.rng.sample(pairs, count)
        out = []
        for i, (a, b) in enumerate(chosen):
            prefix = "Xã" if i == 0 or self.rng.random() < 0.85 else "Phường"
            out.append(normalize_name(f"{prefix} {a} {b}"))
        return out

    # ---- one commune: areas, teams, users, campaign, households, visits

    def _commune(self, rng: random.Random, index: int, name: str) -> None:
        now = self.w.now_value
        w = self.w
        code = f"{FIRST_COMMUNE_CODE + 3 * index:05d}"
        commune_id = self.new_id("area")
        path = f"{self.province[1]}{commune_id}/"
        area_rows = [(commune_id, code, name, search_key(name), "commune", self.province[0], path, 1, now)]
        ward = name.startswith("Phường")
        n_villages = rng.randint(*self.scale.villages)
        village_names = self._village_names(rng, n_villages, ward)
        villages = []  # (id, code, name, poor network)
        for v in range(n_villages):
            vid = self.new_id("area")
            vname = village_names[v]
            villages.append((vid, f"{code}-{v + 1:03d}", vname, rng.random() < 0.15))
            area_rows.append(
                (
                    vid,
                    f"{code}-{v + 1:03d}",
                    vname,
                    search_key(vname),
                    "village",
                    commune_id,
                    f"{path}{vid}/",
                    2,
                    now,
                )
            )
        w.insert("area", area_rows)
        self.report.areas += len(area_rows)
        self.report.communes += 1
        self.report.villages += n_villages

        # Teams: one commune team (up to 10 members), village teams of 4-5 covering 1-2 villages.
        team_rows, team_village_rows = [], []
        commune_team = self.new_id("team")
        team_rows.append((commune_team, commune_id, f"Tổ công nghệ số cộng đồng {name}", True, now))
        village_team: dict[int, int] = {}
        team_villages: dict[int, list[int]] = {commune_team: []}
        i = 0
        first = True
        while i < n_villages:
            size = 2 if first else rng.choice((1, 1, 2))
            group = villages[i : i + size]
            i += size
            tid = self.new_id("team")
            area_id = commune_id if len(group) > 1 else group[0][0]
            label = " – ".join(g[2] for g in group)
            team_rows.append((tid, area_id, f"Tổ công nghệ số cộng đồng {label}", True, now))
            team_villages[tid] = [g[0] for g in group]
            for g in group:
                village_team[g[0]] = tid
                team_village_rows.append((tid, g[0]))
            first = False
        w.insert("team", team_rows)
        self.report.teams += len(team_rows)

        # Users: the named demo accounts live in the first commune; other communes get a coordinator.
        volunteer_team = team_rows[1][0]
        volunteer_user = None
        if index == 0:
            coordinator = self._user("dieuphoi", "Lê Thị Phương", Role.COORDINATOR, commune_id)
            self._user("lanhdao", "Phạm Văn Đạo", Role.LEADER, commune_id)
            volunteer_user = self._user(
                "tinhnguyen", "Vũ Thanh Nguyên", Role.VOLUNTEER, commune_id, team_id=volunteer_team
            )
        else:
            full, _ = _person_name(rng, rng.random() < 0.5)
            coordinator = self._user(f"dieuphoi.{code}", full, Role.COORDINATOR, commune_id)

        # Members of each kind.
        member_rows = []
        team_members: dict[int, list[int]] = {}
        kinds_commune = [MemberKind.OFFICER] * 4 + [MemberKind.POLICE] * 2 + [MemberKind.YOUTH_UNION] * 2
        kinds_commune += [MemberKind.TEACHER, MemberKind.OTHER]
        kinds_village = [MemberKind.YOUTH_UNION, MemberKind.TEACHER, MemberKind.POLICE, MemberKind.OTHER]
        kinds_village += [MemberKind.OFFICER, MemberKind.YOUTH_UNION]
        self.volunteer_member = None
        for tid, *_rest in team_rows:
            size = rng.randint(8, 10) if tid == commune_team else rng.randint(4, 5)
            kinds = kinds_commune[:size] if tid == commune_team else rng.sample(kinds_village, size)
            ids = []
            for k in range(size):
                mid = self.new_id("member")
                user_id = None
                if tid == volunteer_team and volunteer_user is not None and k == 1:
                    full, key = normalize_name("Vũ Thanh Nguyên"), search_key("Vũ Thanh Nguyên")
                    user_id, kind = volunteer_user, MemberKind.YOUTH_UNION
                    self.volunteer_member = mid
                else:
                    full, key = _person_name(rng, rng.random() < 0.55)
                    kind = kinds[k]
                member_rows.append((mid, tid, full, key, kind.value, _phone(rng), user_id, k == 0, True, now))
                ids.append(mid)
            team_members[tid] = ids
        w.insert("member", member_rows)
        w.insert("team_village", team_village_rows)
        self.report.members += len(member_rows)

        # Households and residents.
        people_by_village: dict[int, list[_Person]] = {}
        households = []  # (id, village, house number, [people], poor)
        for vid, vcode, vname, poor in villages:
            n = rng.randint(*self.scale.households)
            number = 0
            people_by_village[vid] = []
            for _ in range(n):
                number += rng.choice((1, 1, 1, 2, 3))
                hid = self.new_id("household")
                people = self._household_people(rng, hid, poor)
                households.append((hid, vid, vcode, vname, number, people))
                people_by_village[vid].extend(people)

        # Campaign and quotas.
        self._campaign(
            rng, commune_id, name, team_rows, team_members, team_villages, households, commune_team
        )

        visits = self._plan_visits(
            rng, households, villages, people_by_village, village_team, team_members, commune_team, commune_id
        )
        self._write_people_and_visits(rng, code, households, visits, coordinator, volunteer_user, commune_id)

    def _village_names(self, rng: random.Random, count: int, ward: bool) -> list[str]:
        if ward:
            kind = rng.choice(("Tổ dân phố", "Khu phố"))
            return [normalize_name(f"{kind} {i + 1}") for i in range(count)]
        kind = rng.choice(VILLAGE_KINDS)
        parts = rng.sample(VILLAGE_PARTS, min(count, len(VILLAGE_PARTS)))
        names = [normalize_name(f"{kind} {p}") for p in parts]
        names += [normalize_name(f"{kind} {i + 1}") for i in range(len(names), count)]
        return names

    def _household_people(self, rng: random.Random, hid: int, poor: bool) -> list[_Person]:
        people = []

        def add(age: int, male: bool, name, head=False) -> _Person:
            person = _Person(self.new_id("resident"), hid, age, male, name, head)
            person.birth_year = self.year - age
            if person.adult:
                person.draw_barriers(rng, poor)
            people.append(person)
            return person

        if rng.random() < 0.08:  # an elderly person living alone
            male = rng.random() < 0.35
            add(rng.randint(65, 92), male, _person_name(rng, male), head=True)
            return people
        head_male = rng.random() < 0.78
        head_age = int(rng.triangular(24, 80, 42))
        family = _pick(rng, FAMILY, FAMILY_CUM)
        add(head_age, head_male, _person_name(rng, head_male, family if head_male else None), head=True)
        child_family = family if head_male else None
        if rng.random() < 0.85:
            spouse_age = max(20, head_age + (rng.randint(-8, 2) if head_male else rng.randint(-2, 8)))
            spouse = add(spouse_age, not head_male, _person_name(rng, not head_male))
            if not head_male:
                child_family = (spouse.name.split(" ")[0], spouse.key.split(" ")[0])
        n_kids = rng.choices((0, 1, 2, 3, 4), (10, 22, 38, 22, 8))[0]
        oldest = min(head_age - 19, 40)
        for _ in range(n_kids if oldest > 0 else 0):
            male = rng.random() < 0.51
            add(rng.randint(0, oldest), male, _person_name(rng, male, child_family))
        if head_age < 62 and rng.random() < self.scale.parent_share:
            male = rng.random() < 0.4
            add(
                min(95, head_age + rng.randint(22, 32)),
                male,
                _person_name(rng, male, family if male else None),
            )
        return people

    def _campaign(
        self, rng, commune_id, name, team_rows, team_members, team_villages, households, commune_team
    ):
        now = self.w.now_value
        cid = self.new_id("campaign")
        self.w.insert(
            "campaign",
            [
                (
                    cid,
                    commune_id,
                    f"Chiến dịch 5 biết, 3 hướng dẫn – {name}",
                    self.day(0),
                    self.day(CAMPAIGN_DAYS + CAMPAIGN_AHEAD),
                    80,
                    80,
                    80,
                    True,
                    now,
                )
            ],
        )
        adults_by_village: dict[int, int] = {}
        homes_by_village: dict[int, int] = {}
        for _hid, vid, *_r, people in households:
            homes_by_village[vid] = homes_by_village.get(vid, 0) + 1
            adults_by_village[vid] = adults_by_village.get(vid, 0) + sum(p.adult for p in people)
        rows = []
        for tid, *_rest in team_rows:
            vids = team_villages[tid] or list(homes_by_village)
            homes = sum(homes_by_village[v] for v in vids)
            adults = sum(adults_by_village[v] for v in vids)
            members = team_members[tid]
            if tid == commune_team:
                team_targets = [
                    (QuotaMetric.RESIDENTS_GUIDED, None, round(adults * 0.1)),
                    (QuotaMetric.ONLINE_DOSSIERS, None, round(homes * 0.2)),
                ]
                member_targets = [(QuotaMetric.RESIDENTS_GUIDED, round(adults * 0.1 / len(members)) + 1)]
            else:
                team_targets = [
                    (QuotaMetric.HOUSEHOLDS_VISITED, None, homes),
                    (QuotaMetric.RESIDENTS_GUIDED, None, round(adults * 0.8)),
                    (QuotaMetric.ALL_FIVE, None, round(adults * 0.8)),
                    (QuotaMetric.ONLINE_DOSSIERS, None, round(homes * 0.6)),
                ] + [(QuotaMetric.SKILL_MASTERED, s, round(adults * 0.8)) for s in SKILL_CODES]
                member_targets = [
                    (QuotaMetric.HOUSEHOLDS_VISITED, -(-homes // len(members))),
                    (QuotaMetric.RESIDENTS_GUIDED, -(-round(adults * 0.8) // len(members))),
                ]
            for metric, skill, target in team_targets:
                rows.append((self.new_id("quota"), cid, None, tid, None, metric.value, skill, target))
            for mid in members:
                for metric, target in member_targets:
                    rows.append((self.new_id("quota"), cid, mid, None, None, metric.value, None, target))
        self.w.insert("quota", rows)

    # ---- visits

    def _plan_visits(
        self,
        rng,
        households,
        villages,
        people_by_village,
        village_team,
        team_members,
        commune_team,
        commune_id,
    ) -> list[_Visit]:
        last_day = CAMPAIGN_DAYS
        visits: list[_Visit] = []
        commune_members = team_members[commune_team]

        def crew(tid: int) -> list[int]:
            members = team_members[tid]
            n = rng.choices((1, 2, 3), (60, 35, 5))[0]
            chosen = rng.sample(members, min(n, len(members)))
            if rng.random() < 0.1:
                chosen.append(rng.choice(commune_members))
            return sorted(set(chosen))

        for position, (hid, vid, _vcode, _vname, _number, people) in enumerate(households):
            if rng.random() >= 0.92:
                continue  # not reached yet
            tid = village_team[vid]
            adults = [p for p in people if p.adult]
            day = rng.randint(0, last_day - 1)
            n_visit = 0
            outcome_weights = (68, 16, 10, 6)
            done_before = 0
            while day <= last_day and n_visit < 6:
                n_visit += 1
                outcome = rng.choices(
                    (
                        VisitOutcome.DONE,
                        VisitOutcome.NOBODY_HOME,
                        VisitOutcome.COME_BACK,
                        VisitOutcome.REFUSED,
                    ),
                    outcome_weights,
                )[0]
                visit = _Visit(
                    day,
                    (day, 0, position, n_visit),
                    VisitKind.HOUSEHOLD,
                    VisitPlace.HOME,
                    outcome,
                    vid,
                    tid,
                    crew(tid),
                    hid,
                )
                follow = None
                if outcome == VisitOutcome.DONE:
                    present = [p for p in adults if rng.random() < 0.7]
                    if not present:
                        present = [next((p for p in adults if p.is_head), adults[0])]
                    visit.attendees = present
                    if rng.random() < (0.85, 0.7, 0.55, 0.4, 0.25, 0.1)[done_before]:
                        follow = day + rng.randint(3, 10)
                    done_before += 1
                    visit.notes = rng.choice(NOTES_DONE)
                    outcome_weights = (80, 10, 8, 2)
                elif outcome == VisitOutcome.NOBODY_HOME:
                    if rng.random() < 0.9:
                        follow = day + rng.randint(1, 5)
                    outcome_weights = (75, 15, 7, 3)
                elif outcome == VisitOutcome.COME_BACK:
                    visit.attendees = [rng.choice(adults)]
                    follow = day + rng.randint(2, 7)
                    visit.notes = rng.choice(NOTES_NOT_DONE)
                    outcome_weights = (78, 10, 10, 2)
                else:  # refused
                    visit.attendees = [rng.choice(adults)]
                    if rng.random() < 0.15:
                        follow = day + rng.randint(14, 21)
                    outcome_weights = (70, 10, 10, 10)
                visit.follow_up = follow
                visits.append(visit)
                if follow is None:
                    break
                # Most follow-ups happen on the agreed day, some a little late, some not yet (overdue).
                roll = rng.random()
                if roll < 0.1:
                    break
                day = follow if roll < 0.8 else follow + rng.randint(1, 3)

        # Group sessions: at the village cultural house, and at the commune's one-stop counter.
        for v_index, (vid, _code, _name, _poor) in enumerate(villages):
            adults = [p for p in people_by_village[vid] if p.adult]
            tid = village_team[vid]
            for s in range(rng.randint(1, 3)):
                day = rng.randint(0, last_day)
                attendees = rng.sample(adults, min(len(adults), rng.randint(8, 25)))
                members = sorted(set(rng.sample(team_members[tid], min(3, len(team_members[tid])))))
                if rng.random() < 0.4:
                    members = sorted(set(members) | {rng.choice(commune_members)})
                visits.append(
                    _Visit(
                        day,
                        (day, 1, v_index, s),
                        VisitKind.SESSION,
                        VisitPlace.COMMUNITY,
                        VisitOutcome.DONE,
                        vid,
                        tid,
                        members,
                        attendees=attendees,
                        notes="Buổi hướng dẫn tại nhà văn hóa",
                    )
                )
        all_adults = [p for vid, *_r in villages for p in people_by_village[vid] if p.adult]
        for s in range(rng.randint(7, 11)):
            day = rng.randint(0, last_day)
            attendees = rng.sample(all_adults, min(len(all_adults), rng.randint(3, 8)))
            members = sorted(rng.sample(commune_members, 2))
            visits.append(
                _Visit(
                    day,
                    (day, 2, 0, s),
                    VisitKind.SESSION,
                    VisitPlace.COUNTER,
                    VisitOutcome.DONE,
                    commune_id,
                    commune_team,
                    members,
                    attendees=attendees,
                )
            )
        visits.sort(key=lambda v: v.order)
        return visits

    def _write_people_and_visits(
        self, rng, code, households, visits, coordinator, volunteer_user, commune_id
    ):
        w = self.w
        now = w.now_value
        visit_rows, member_rows, resident_rows, guidance_rows, event_rows = [], [], [], [], []
        household_state: dict[int, list] = {}  # id -> [first done, last, follow-up of the latest]
        dossier_seq = 0
        for visit in visits:
            vid = self.new_id("visit")
            created_by = coordinator
            if volunteer_user is not None and self.volunteer_member in visit.members:
                created_by = volunteer_user
            visit_rows.append(
                (
                    vid,
                    f"seed-{self.seed}-{vid}",
                    visit.kind.value,
                    visit.household,
                    visit.village_id,
                    visit.team,
                    self.day(visit.day),
                    visit.place.value,
                    visit.outcome.value,
                    self.day(visit.follow_up),
                    visit.notes,
                    "active",
                    created_by,
                    now,
                    now,
                )
            )
            member_rows.extend((vid, m) for m in visit.members)
            if visit.household is not None:
                state = household_state.setdefault(visit.household, [None, None, None])
                if visit.outcome == VisitOutcome.DONE and state[0] is None:
                    state[0] = visit.day
                state[1] = visit.day
                state[2] = visit.follow_up
            done = visit.outcome == VisitOutcome.DONE
            for person in sorted(visit.attendees, key=lambda p: p.id):
                resident_rows.append((vid, person.id))
                if not done:
                    continue
                first = not person.met
                person.met = True
                kinds = self._guidance(rng, person)
                for kind in kinds:
                    guidance_rows.append((vid, person.id, kind))
                if kinds and person.first_guided is None:
                    person.first_guided = visit.day
                for skill, new, previous, evidence in self._progress(rng, person, kinds, first):
                    dossier = None
                    if evidence:  # the code of the dossier submitted during the visit
                        dossier_seq += 1
                        day = self.start + timedelta(days=visit.day)
                        dossier = f"H{PROVINCE_CODE}.{code[-2:]}-{day:%y%m%d}-{dossier_seq:04d}"
                    event_rows.append(
                        (
                            self.new_id("skill_event"),
                            person.id,
                            SKILL_CODES[skill],
                            new,
                            previous,
                            self.day(visit.day),
                            vid,
                            dossier,
                            True,
                            created_by,
                            now,
                        )
                    )
                    person.levels[skill] = new
                    person.level_days[skill] = visit.day

        household_rows, person_rows, skill_rows = [], [], []
        village_keys = {vid: search_key(vname) for _h, vid, _c, vname, _n, _p in households}
        for hid, _vid, vcode, vname, number, people in households:
            first_done, last, follow = household_state.get(hid, (None, None, None))
            head = people[0]
            address = f"{vname}, số {number}"  # the village name is normalised already
            household_rows.append(
                (
                    hid,
                    f"{vcode}-{number:04d}",
                    _vid,
                    address,
                    f"{village_keys[_vid]} so {number}",
                    head.phone or next((p.phone for p in people if p.phone), None),
                    "active",
                    self.day(first_done),
                    self.day(last),
                    self.day(follow),
                    now,
                    now,
                )
            )
            for p in people:
                guided = p.first_guided is not None
                if p.met and rng.random() < 0.04 + 0.3 * p.ability * sum(p.levels) / 15:
                    p.course = True
                b = p.barriers if p.met else (None, None, None, None, None, None)
                person_rows.append(
                    (
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
                        self.day(p.first_guided) if guided else None,
                        "active",
                        self.day(p.first_guided),
                        now,
                        now,
                    )
                )
                for s, level in enumerate(p.levels):
                    if level >= 1:
                        skill_rows.append((p.id, SKILL_CODES[s], level, self.day(p.level_days[s])))
        for table, rows in (
            ("household", household_rows),
            ("resident", person_rows),
            ("visit", visit_rows),
            ("visit_member", member_rows),
            ("visit_resident", resident_rows),
            ("visit_guidance", guidance_rows),
            ("skill_event", event_rows),
            ("resident_skill", skill_rows),
        ):
            w.insert(table, rows)
        self.report.households += len(household_rows)
        self.report.residents += len(person_rows)
        self.report.visits += len(visit_rows)
        self.report.skill_events += len(event_rows)

    @staticmethod
    def _guidance(rng: random.Random, person: _Person) -> list[str]:
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

    @staticmethod
    def _progress(rng: random.Random, person: _Person, kinds: list[str], first: bool):
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
