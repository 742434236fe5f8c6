"""Baseline: the read-model schema starts here (the event store tables belong to eventsourcing).

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schema_info",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(255), nullable=False),
    )
    op.bulk_insert(
        sa.table("schema_info", sa.column("key", sa.String), sa.column("value", sa.String)),
        [{"key": "product", "value": "CreditBox"}],
    )


def downgrade() -> None:
    op.drop_table("schema_info")
