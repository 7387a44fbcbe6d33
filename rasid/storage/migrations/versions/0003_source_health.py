"""source health: the state an outlet is in (ok, failing, silent) and what operations were told

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("health", sa.String(length=16), nullable=False, server_default="ok"))
        batch_op.add_column(sa.Column("health_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("health_notified", sa.String(length=16), nullable=False, server_default="ok")
        )


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("health_notified")
        batch_op.drop_column("health_since")
        batch_op.drop_column("health")
