"""Bulk writing for the demo seed: plain tuples inserted fast inside the session's transaction.

Ids are chosen by the builders (the next free id per table), so rows of many tables can be prepared
before any is written; SQLite gets executemany, PostgreSQL gets COPY, and `finish` moves the
PostgreSQL id sequences past the ids chosen here.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import text
from sqlmodel import Session

from core.clock import utcnow
from models.tables import Area

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
        "last_outcome",
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
    "visit_resident": ("visit_id", "resident_id", "satisfaction"),
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
        "dossier_kind",
        "active",
        "recorded_by",
        "recorded_at",
    ),
    "resident_skill": ("resident_id", "skill", "level", "updated_on", "mastered_on"),
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


class BulkWriter:
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
        self._processor = processor
        self.now_value = self.stamp(self.now)
        self._days: dict[date, object] = {}
        if self.sqlite:
            self.raw.execute("PRAGMA cache_size = -400000")
            self.raw.execute("PRAGMA temp_store = MEMORY")

    def stamp(self, value: datetime) -> object:
        """A timestamp as stored for created_at / updated_at."""
        return self._processor(value) if self._processor else value

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
