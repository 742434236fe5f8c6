"""The outbox: one row per action the workflow executed (``StepExecuted``, ``ReactivationRequested``),
with its status (``pending``, ``sending``, ``sent``, ``failed``, ``uncertain``) and attempts.

A process table, not a read model: ``projections rebuild`` never drops nor rewrites it. The ``outbox``
projection starts at the beginning of the log, so every action already recorded becomes an entry.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("action_key", sa.String(length=255), nullable=False),
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("position_id", sa.String(length=36), nullable=False),
        sa.Column("customer_code", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("action_code", sa.SmallInteger(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=True),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("action_key"),
    )
    op.create_index("ix_outbox_status_next", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_company_status", "outbox", ["company", "status", "business_date", "action_key"])
    # A new table: the projection starts over from the beginning of the log (after a downgrade too).
    op.execute("UPDATE projection_tracking SET notification_id = 0, as_of = NULL WHERE name = 'outbox'")
    op.execute("DELETE FROM projection_quarantine WHERE projection = 'outbox'")


def downgrade() -> None:
    op.drop_index("ix_outbox_company_status", table_name="outbox")
    op.drop_index("ix_outbox_status_next", table_name="outbox")
    op.drop_table("outbox")
