"""Resident sort_name: Vietnamese alphabetical order as an indexed, byte-comparable column.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    # Byte order is what the encoding relies on: PostgreSQL must not apply a locale collation.
    collation = "C" if bind.dialect.name == "postgresql" else None
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sort_name", sa.String(length=600, collation=collation), nullable=True))
    # Fill existing rows with the same function the application uses.
    from services.registry import person_sort_name

    resident = sa.table("resident", sa.column("id", sa.Integer), sa.column("full_name", sa.String))
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(resident.c.id, resident.c.full_name)
            .where(resident.c.id > last_id)
            .order_by(resident.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            sa.text("UPDATE resident SET sort_name = :s WHERE id = :i"),
            [{"s": person_sort_name(name), "i": rid} for rid, name in rows],
        )
        last_id = rows[-1][0]
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.create_index("ix_resident_sort_name", ["sort_name", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_index("ix_resident_sort_name")
        batch_op.drop_column("sort_name")
