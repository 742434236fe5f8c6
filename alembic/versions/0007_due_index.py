"""The due index: one row per position with the date the dunning engine next needs it.

Kept by the ``due_index`` projection; its tracking starts at zero, so the next catch-up fills it from
the start of the log (every position then gets its wake-up date).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "due_index",
        sa.Column("position_id", sa.String(length=36), nullable=False),
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("customer_code", sa.String(length=64), nullable=False),
        sa.Column("wake_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("checked_through", sa.Date(), nullable=True),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("position_id"),
    )
    op.create_index("ix_due_index_wake_on", "due_index", ["wake_on"], unique=False)
    op.create_index("ix_due_index_company_wake_on", "due_index", ["company", "wake_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_due_index_company_wake_on", table_name="due_index")
    op.drop_index("ix_due_index_wake_on", table_name="due_index")
    op.drop_table("due_index")
