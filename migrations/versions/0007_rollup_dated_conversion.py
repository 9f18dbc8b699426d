"""Overview trend, change and conversion rollups (issue #10): resident_skill.mastered_on (the day the
current run at level 3 began), rollup_dated (what an area counts now, by the day it entered the count,
and pending follow-ups by their day) and rollup_conversion (residents a team or member first guided, per
skill, by the week they reached level 3). All backfilled here from the raw rows.

Self-contained: the skill codes, measures and definitions below are frozen copies (no application
imports).

Revision ID: 0007
Revises: 0006
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SKILLS = ("submit", "pay", "feedback", "receive", "apps")
NOT_MASTERED = date(9999, 12, 31)
CHUNK = 20_000  # residents per backfill step of rollup_conversion
ACTIVE = "r.status = 'active' AND h.status = 'active'"


def _day(value) -> date:
    """A date from what the driver returns (SQLite gives ISO text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _week(value) -> date:
    day = _day(value)
    return day - timedelta(days=day.weekday())


def upgrade() -> None:
    op.add_column("resident_skill", sa.Column("mastered_on", sa.Date(), nullable=True))
    op.create_table(
        "rollup_dated",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("measure", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_rollup_dated_area_id_area")),
        sa.PrimaryKeyConstraint("area_id", "measure", "day", name=op.f("pk_rollup_dated")),
    )
    op.create_table(
        "rollup_conversion",
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("skill", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("guided_week", sa.Date(), nullable=False),
        sa.Column("mastered_week", sa.Date(), nullable=False),
        sa.Column("residents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "owner", "owner_id", "skill", "guided_week", "mastered_week", name=op.f("pk_rollup_conversion")
        ),
    )
    bind = op.get_bind()
    _backfill_mastered_on(bind)
    _backfill_dated(bind)
    _backfill_conversion(bind)


def _backfill_mastered_on(bind) -> None:
    """Walk each resident's active events by (day, id), as the app's recomputation does."""
    start: dict[tuple[int, str], date | None] = {}
    rows = bind.execute(
        sa.text(
            "SELECT resident_id, skill, level, observed_on FROM skill_event WHERE active"
            " ORDER BY resident_id, skill, observed_on, id"
        )
    )
    for rid, skill, level, observed_on in rows:
        key = (rid, skill)
        if level == 3:
            if start.get(key) is None:
                start[key] = _day(observed_on)
        else:
            start[key] = None
    params = [{"r": r, "s": s, "d": d} for (r, s), d in start.items() if d is not None]
    statement = sa.text(
        "UPDATE resident_skill SET mastered_on = :d WHERE resident_id = :r AND skill = :s AND level = 3"
    )
    for i in range(0, len(params), 10_000):
        bind.execute(statement, params[i : i + 10_000])
    # A level-3 row with no event behind it (data loaded directly): its own date.
    bind.execute(
        sa.text("UPDATE resident_skill SET mastered_on = updated_on WHERE level = 3 AND mastered_on IS NULL")
    )


def _ancestors(bind):
    paths = dict(bind.execute(sa.text("SELECT id, path FROM area")).all())

    def ancestors(village_id: int) -> list[int]:
        return [int(part) for part in paths[village_id].strip("/").split("/") if part]

    return ancestors


def _backfill_dated(bind) -> None:
    ancestors = _ancestors(bind)
    counts: dict[tuple[int, str, date], int] = defaultdict(int)

    def add(sql: str) -> None:
        for village_id, measure, day, n in bind.execute(sa.text(sql)).all():
            key_day = _day(day)
            for area_id in ancestors(village_id):
                counts[(area_id, measure, key_day)] += int(n)

    people = f"FROM resident r JOIN household h ON h.id = r.household_id WHERE {ACTIVE}"
    add(f"SELECT h.village_id, 'registered', date(r.created_at), count(*) {people} GROUP BY 1, 3")
    year = "CAST(substr(CAST(date(r.created_at) AS VARCHAR), 1, 4) AS INTEGER)"
    add(
        f"SELECT h.village_id, 'registered_adult', date(r.created_at), count(*) {people}"
        f" AND r.birth_year IS NOT NULL AND {year} - r.birth_year >= 15 GROUP BY 1, 3"
    )
    add(
        f"SELECT h.village_id, 'guided', r.first_guided_on, count(*) {people}"
        " AND r.first_guided_on IS NOT NULL GROUP BY 1, 3"
    )
    add(
        "SELECT h.village_id, s.skill, s.mastered_on, count(*) FROM resident_skill s"
        " JOIN resident r ON r.id = s.resident_id JOIN household h ON h.id = r.household_id"
        f" WHERE {ACTIVE} AND s.level = 3 GROUP BY 1, 2, 3"
    )
    add(
        "SELECT h.village_id, 'all_five', m.reached, count(*) FROM resident r"
        " JOIN household h ON h.id = r.household_id JOIN ("
        "  SELECT resident_id, max(mastered_on) AS reached FROM resident_skill WHERE level = 3"
        f"  GROUP BY resident_id HAVING count(*) = {len(SKILLS)}) m ON m.resident_id = r.id"
        f" WHERE {ACTIVE} GROUP BY 1, 3"
    )
    add(
        "SELECT village_id, 'household_done', first_visited_on, count(*) FROM household"
        " WHERE status = 'active' AND first_visited_on IS NOT NULL GROUP BY 1, 3"
    )
    add(
        "SELECT village_id, 'follow_up', follow_up_on, count(*) FROM household"
        " WHERE status = 'active' AND follow_up_on IS NOT NULL GROUP BY 1, 3"
    )
    params = [{"a": a, "m": m, "d": d, "n": n} for (a, m, d), n in sorted(counts.items()) if n]
    statement = sa.text("INSERT INTO rollup_dated (area_id, measure, day, count) VALUES (:a, :m, :d, :n)")
    for i in range(0, len(params), 10_000):
        bind.execute(statement, params[i : i + 10_000])


def _backfill_conversion(bind) -> None:
    """Per counted resident: the first guidance by each team and each member (active visits), and the
    day of reaching level 3 in each skill; residents in chunks of ids so memory stays bounded."""
    top = bind.execute(sa.text("SELECT max(id) FROM resident")).scalar() or 0
    counts: dict[tuple, int] = defaultdict(int)
    guidance = (
        "SELECT g.resident_id, {owner}, min(v.visited_on) FROM visit_guidance g"
        " JOIN visit v ON v.id = g.visit_id {join}"
        " JOIN resident r ON r.id = g.resident_id JOIN household h ON h.id = r.household_id"
        f" WHERE v.status = 'active' AND {{owner_ok}} AND {ACTIVE} AND g.resident_id BETWEEN :lo AND :hi"
        " GROUP BY g.resident_id, {owner}"
    )
    team_sql = sa.text(guidance.format(owner="v.team_id", join="", owner_ok="v.team_id IS NOT NULL"))
    member_sql = sa.text(
        guidance.format(
            owner="m.member_id", join="JOIN visit_member m ON m.visit_id = v.id", owner_ok="1 = 1"
        )
    )
    mastered_sql = sa.text(
        "SELECT resident_id, skill, mastered_on FROM resident_skill"
        " WHERE level = 3 AND resident_id BETWEEN :lo AND :hi"
    )
    for lo in range(0, top + 1, CHUNK):
        window = {"lo": lo, "hi": lo + CHUNK - 1}
        mastered: dict[int, dict[str, date]] = defaultdict(dict)
        for rid, skill, day in bind.execute(mastered_sql, window).all():
            mastered[rid][skill] = _day(day)
        firsts = [(rid, "team", o, _day(day)) for rid, o, day in bind.execute(team_sql, window).all()]
        firsts += [(rid, "member", o, _day(day)) for rid, o, day in bind.execute(member_sql, window).all()]
        for rid, owner, owner_id, guided_on in firsts:
            for skill in SKILLS:
                reached = mastered[rid].get(skill)
                if reached is not None and reached < guided_on:
                    continue
                week = NOT_MASTERED if reached is None else _week(reached)
                counts[(owner, owner_id, skill, _week(guided_on), week)] += 1
    params = [
        {"o": o, "i": i, "s": s, "g": g, "w": w, "n": n} for (o, i, s, g, w), n in sorted(counts.items())
    ]
    statement = sa.text(
        "INSERT INTO rollup_conversion (owner, owner_id, skill, guided_week, mastered_week, residents)"
        " VALUES (:o, :i, :s, :g, :w, :n)"
    )
    for i in range(0, len(params), 10_000):
        bind.execute(statement, params[i : i + 10_000])


def downgrade() -> None:
    op.drop_table("rollup_conversion")
    op.drop_table("rollup_dated")
    op.execute("ALTER TABLE resident_skill DROP COLUMN mastered_on")
