"""Answers that matched nothing (``unmatched_answers``, the *risposte non abbinate* worklist) and the PEC
receipts kept as evidence (``receipt_evidence``, the index of the content-addressed store).

Both are process tables, not read models: ``projections rebuild`` never drops nor rewrites them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import sqlalchemy as sa

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unmatched_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ux_unmatched_answers", "unmatched_answers", ["company", "kind", "reference", "digest"], unique=True
    )
    op.create_index("ix_unmatched_answers_company", "unmatched_answers", ["company", "received_at"])
    op.create_table(
        "receipt_evidence",
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("action_key", sa.String(length=255), nullable=True),
        sa.Column("receipt_id", sa.String(length=255), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("zone", sa.String(length=8), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=True),
        sa.Column("error", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("company", "digest"),
    )
    op.create_index("ix_receipt_evidence_action", "receipt_evidence", ["company", "action_key"])
    op.create_index("ix_receipt_evidence_receipt_id", "receipt_evidence", ["company", "receipt_id"])


def downgrade() -> None:
    op.drop_index("ix_receipt_evidence_receipt_id", table_name="receipt_evidence")
    op.drop_index("ix_receipt_evidence_action", table_name="receipt_evidence")
    op.drop_table("receipt_evidence")
    op.drop_index("ix_unmatched_answers_company", table_name="unmatched_answers")
    op.drop_index("ux_unmatched_answers", table_name="unmatched_answers")
    op.drop_table("unmatched_answers")
