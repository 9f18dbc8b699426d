"""Online dossiers split as the upward report asks (issue #11): skill_event.dossier_kind ("full" =
dịch vụ công trực tuyến toàn trình, "partial" = một phần, NULL = not said) beside the dossier code, and
the activity rollups' dossiers_full / dossiers_partial columns. No dossier carried a kind before this
revision: existing rows stay NULL and the new columns start at 0, which is their exact recount.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVITY_TABLES = ("rollup_area_week", "rollup_member_day")
COLUMNS = ("dossiers_full", "dossiers_partial")


def upgrade() -> None:
    # Raw DDL: a column-level CHECK is accepted by ALTER TABLE … ADD COLUMN on SQLite and PostgreSQL.
    op.execute(
        "ALTER TABLE skill_event ADD COLUMN dossier_kind VARCHAR(8)"
        " CHECK (dossier_kind IS NULL OR dossier_kind IN ('full', 'partial'))"
    )
    for table in ACTIVITY_TABLES:
        for column in COLUMNS:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    for table in ACTIVITY_TABLES:
        for column in COLUMNS:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.execute("ALTER TABLE skill_event DROP COLUMN dossier_kind")
