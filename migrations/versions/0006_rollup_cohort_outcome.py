"""Overview rollups (issue #10): household.last_outcome (outcome of the latest active visit, derived like
last_visited_on), rollup_cohort (active residents per area × birth year, 0 = unknown, so age-bound
figures are computed at read time) and rollup_outcome (active households per area × last outcome).
All three are backfilled here from the raw rows, so an existing database upgrades in place.

Self-contained: the skill codes and definitions below are frozen copies (no application imports).

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SKILL_COUNT = 5
ONLINE_SKILLS = "('submit', 'pay', 'feedback', 'receive')"
COHORT_COLUMNS = (
    "residents",
    "guided",
    "all_five",
    "smartphone",
    "payment_account",
    "vneid2",
    "course_done",
    "online_user",
    "below_no_smartphone",
    "below_phone_not_own",
    "below_no_vneid2",
    "below_no_payment",
)


def upgrade() -> None:
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
    op.create_table(
        "rollup_cohort",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        *[sa.Column(c, sa.Integer(), nullable=False) for c in COHORT_COLUMNS],
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_rollup_cohort_area_id_area")),
        sa.PrimaryKeyConstraint("area_id", "birth_year", name=op.f("pk_rollup_cohort")),
    )
    op.create_table(
        "rollup_outcome",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_rollup_outcome_area_id_area")),
        sa.PrimaryKeyConstraint("area_id", "outcome", name=op.f("pk_rollup_outcome")),
    )
    bind = op.get_bind()
    # The latest active visit of each household, by date then id (what recompute_households keeps).
    bind.execute(
        sa.text(
            "UPDATE household SET last_outcome = (SELECT v.outcome FROM visit v"
            " WHERE v.household_id = household.id AND v.status = 'active'"
            " ORDER BY v.visited_on DESC, v.id DESC LIMIT 1)"
        )
    )
    paths = dict(bind.execute(sa.text("SELECT id, path FROM area")).all())

    def ancestors(village_id: int) -> list[int]:
        return [int(part) for part in paths[village_id].strip("/").split("/") if part]

    outcomes: dict[tuple[int, str], int] = {}
    for village_id, outcome, n in bind.execute(
        sa.text(
            "SELECT village_id, last_outcome, count(*) FROM household"
            " WHERE status = 'active' AND last_outcome IS NOT NULL GROUP BY village_id, last_outcome"
        )
    ).all():
        for area_id in ancestors(village_id):
            outcomes[(area_id, outcome)] = outcomes.get((area_id, outcome), 0) + int(n)
    if outcomes:
        bind.execute(
            sa.text("INSERT INTO rollup_outcome (area_id, outcome, households) VALUES (:a, :o, :n)"),
            [{"a": a, "o": o, "n": n} for (a, o), n in sorted(outcomes.items())],
        )

    below = f"COALESCE(m.mastered, 0) < {SKILL_COUNT}"
    cohort_sql = f"""
        SELECT h.village_id, COALESCE(r.birth_year, 0),
          count(*),
          sum(CASE WHEN r.first_guided_on IS NOT NULL THEN 1 ELSE 0 END),
          sum(CASE WHEN COALESCE(m.mastered, 0) = {SKILL_COUNT} THEN 1 ELSE 0 END),
          sum(CASE WHEN r.has_smartphone IS TRUE THEN 1 ELSE 0 END),
          sum(CASE WHEN r.has_payment_account IS TRUE THEN 1 ELSE 0 END),
          sum(CASE WHEN r.vneid_level = 2 THEN 1 ELSE 0 END),
          sum(CASE WHEN r.digital_course_done IS TRUE THEN 1 ELSE 0 END),
          sum(CASE WHEN COALESCE(m.online, 0) > 0 THEN 1 ELSE 0 END),
          sum(CASE WHEN {below} AND r.has_smartphone IS FALSE THEN 1 ELSE 0 END),
          sum(CASE WHEN {below} AND r.phone_own_name IS FALSE THEN 1 ELSE 0 END),
          sum(CASE WHEN {below} AND r.vneid_level < 2 THEN 1 ELSE 0 END),
          sum(CASE WHEN {below} AND r.has_payment_account IS FALSE THEN 1 ELSE 0 END)
        FROM resident r
        JOIN household h ON h.id = r.household_id
        LEFT JOIN (
          SELECT resident_id,
            sum(CASE WHEN level = 3 THEN 1 ELSE 0 END) AS mastered,
            sum(CASE WHEN level = 3 AND skill IN {ONLINE_SKILLS} THEN 1 ELSE 0 END) AS online
          FROM resident_skill GROUP BY resident_id
        ) m ON m.resident_id = r.id
        WHERE r.status = 'active' AND h.status = 'active'
        GROUP BY h.village_id, COALESCE(r.birth_year, 0)
    """
    cohorts: dict[tuple[int, int], list[int]] = {}
    for row in bind.execute(sa.text(cohort_sql)).all():
        village_id, birth_year, values = row[0], int(row[1]), [int(v or 0) for v in row[2:]]
        for area_id in ancestors(village_id):
            total = cohorts.setdefault((area_id, birth_year), [0] * len(COHORT_COLUMNS))
            for i, value in enumerate(values):
                total[i] += value
    if cohorts:
        columns = ", ".join(COHORT_COLUMNS)
        params = ", ".join(f":{c}" for c in COHORT_COLUMNS)
        bind.execute(
            sa.text(f"INSERT INTO rollup_cohort (area_id, birth_year, {columns}) VALUES (:a, :y, {params})"),
            [
                {"a": a, "y": y} | dict(zip(COHORT_COLUMNS, values, strict=True))
                for (a, y), values in sorted(cohorts.items())
            ],
        )


def downgrade() -> None:
    op.drop_table("rollup_outcome")
    op.drop_table("rollup_cohort")
    # A plain DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch copy of household would trip its
    # foreign keys on SQLite.
    op.execute("ALTER TABLE household DROP COLUMN last_outcome")
