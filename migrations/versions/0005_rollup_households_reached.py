"""rollup_area.households_reached: households with at least one active visit of any outcome, so "visited"
means one thing everywhere (home, registry, overview) and is read from the rollups. Backfilled here.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rollup_area", schema=None) as batch_op:
        batch_op.add_column(sa.Column("households_reached", sa.Integer(), nullable=False, server_default="0"))
    bind = op.get_bind()
    # Per village, then added to every ancestor along the materialised path ("/1/7/42/").
    per_village = bind.execute(
        sa.text(
            "SELECT h.village_id, a.path, count(*) FROM household h JOIN area a ON a.id = h.village_id"
            " WHERE h.status = 'active' AND h.last_visited_on IS NOT NULL GROUP BY h.village_id, a.path"
        )
    ).all()
    totals: dict[int, int] = {}
    for _village_id, path, n in per_village:
        for part in path.strip("/").split("/"):
            totals[int(part)] = totals.get(int(part), 0) + int(n)
    if totals:
        bind.execute(
            sa.text("UPDATE rollup_area SET households_reached = :n WHERE area_id = :a"),
            [{"n": n, "a": a} for a, n in totals.items()],
        )


def downgrade() -> None:
    with op.batch_alter_table("rollup_area", schema=None) as batch_op:
        batch_op.drop_column("households_reached")
