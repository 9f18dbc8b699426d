"""Satisfaction after guidance (issue #11): visit_resident.satisfaction (an optional 1–5 rating by a
resident guided at that visit) and rollup_team_rating (ratings per team, day and score). An area's
ratings are rollup_dated rows under the measures "rating_1" … "rating_5"; no rating exists before this
revision, so there is nothing to backfill.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Raw DDL: a column-level CHECK is accepted by ALTER TABLE … ADD COLUMN on SQLite and PostgreSQL.
    op.execute(
        "ALTER TABLE visit_resident ADD COLUMN satisfaction SMALLINT"
        " CHECK (satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5)"
    )
    op.create_table(
        "rollup_team_rating",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("residents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_rollup_team_rating_team_id_team")),
        sa.PrimaryKeyConstraint("team_id", "day", "score", name=op.f("pk_rollup_team_rating")),
    )


def downgrade() -> None:
    op.drop_table("rollup_team_rating")
    op.execute("ALTER TABLE visit_resident DROP COLUMN satisfaction")
