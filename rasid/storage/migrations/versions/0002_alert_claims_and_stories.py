"""alert claims (token, lease) and stories (also reported by)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_token", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sent_with", sa.Integer(), nullable=True))
        # Rows queued before this revision count as already grouped into stories.
        batch_op.add_column(
            sa.Column("story_checked", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.create_index("ix_alerts_channel_topic_created", ["channel", "topic", "created_at"])
        batch_op.create_index("ix_alerts_parent_id", ["parent_id"])
        batch_op.create_index("ix_alerts_story_checked", ["story_checked"])
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_token", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("claim_token")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_story_checked")
        batch_op.drop_index("ix_alerts_parent_id")
        batch_op.drop_index("ix_alerts_channel_topic_created")
        batch_op.drop_column("story_checked")
        batch_op.drop_column("sent_with")
        batch_op.drop_column("parent_id")
        batch_op.drop_column("claim_token")
