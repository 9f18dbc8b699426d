"""Index merged_into_id: deleting or merging residents/households no longer scans the whole table
for the self-referencing foreign key.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 17:17:43.529700
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_merged_into_id"), ["merged_into_id"], unique=False)

    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resident_merged_into_id"), ["merged_into_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resident_merged_into_id"))

    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_merged_into_id"))
