"""Visit drafts kept on the server, printed paper visit sheets, and each user's UI language.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))

    op.create_table(
        "visit_draft",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name="fk_visit_draft_household_id_household"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name="fk_visit_draft_user_id_app_user"),
        sa.PrimaryKeyConstraint("user_id", "household_id", name="pk_visit_draft"),
    )
    with op.batch_alter_table("visit_draft", schema=None) as batch_op:
        batch_op.create_index("ix_visit_draft_household_id", ["household_id"], unique=False)

    op.create_table(
        "visit_sheet",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("printed_on", sa.Date(), nullable=False),
        sa.Column("printed_by", sa.Integer(), nullable=True),
        sa.Column("household_ids", sa.Text(), nullable=False),
        sa.Column("entered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["entered_by"], ["app_user.id"], name="fk_visit_sheet_entered_by_app_user"),
        sa.ForeignKeyConstraint(["printed_by"], ["app_user.id"], name="fk_visit_sheet_printed_by_app_user"),
        sa.ForeignKeyConstraint(["village_id"], ["area.id"], name="fk_visit_sheet_village_id_area"),
        sa.PrimaryKeyConstraint("id", name="pk_visit_sheet"),
    )
    with op.batch_alter_table("visit_sheet", schema=None) as batch_op:
        batch_op.create_index("ix_visit_sheet_village_id", ["village_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visit_sheet", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_sheet_village_id")
    op.drop_table("visit_sheet")
    with op.batch_alter_table("visit_draft", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_draft_household_id")
    op.drop_table("visit_draft")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("language")
