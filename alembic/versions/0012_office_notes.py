"""Office notes: the technical office's planned dates and the agency's promises to pay, one row per
action, kind and date.

A process table, not a read model: nothing rebuilds it from events.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-03
"""

import sqlalchemy as sa

from alembic import op

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_notes",
        sa.Column("action_key", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("customer_code", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("action_key", "kind", "on_date"),
    )
    op.create_index("ix_office_notes_company_kind", "office_notes", ["company", "kind", "action_key"])


def downgrade() -> None:
    op.drop_index("ix_office_notes_company_kind", table_name="office_notes")
    op.drop_table("office_notes")
