"""The quarantine of the projections: events a projection could not apply, and the later events of
the same aggregate held behind them, until ``creditbox projections retry`` applies them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import sqlalchemy as sa

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projection_quarantine",
        sa.Column("projection", sa.String(length=64), nullable=False),
        sa.Column("notification_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("originator_id", sa.String(length=36), nullable=False),
        sa.Column("originator_version", sa.Integer(), nullable=False),
        sa.Column("company", sa.String(length=32), nullable=True),
        sa.Column("customer_code", sa.String(length=64), nullable=True),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("held_behind", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("projection", "notification_id"),
    )
    op.create_index(
        "ix_projection_quarantine_originator",
        "projection_quarantine",
        ["projection", "originator_id", "notification_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_projection_quarantine_originator", table_name="projection_quarantine")
    op.drop_table("projection_quarantine")
