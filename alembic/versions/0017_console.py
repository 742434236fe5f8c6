"""The back-office console: operators' passwords and signed-in sessions (process tables, not read
models: nothing rebuilds them from events), and the indexes of two console reads: the worklists sorted
by age, and a company's events of one business date ("what changed today").

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-03
"""

import sqlalchemy as sa

from alembic import op

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_passwords",
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("login"),
    )
    op.create_table(
        "console_sessions",
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flash", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("session_hash"),
    )
    op.create_index("ix_console_sessions_login", "console_sessions", ["login"])
    op.create_index(
        "ix_rm_worklist_company_kind_since", "rm_worklist", ["company", "kind", "since", "position_id", "item_key"]
    )
    op.create_index("ix_rm_audit_company_day", "rm_audit_trail", ["company", "business_date", "notification_id"])


def downgrade() -> None:
    op.drop_index("ix_rm_audit_company_day", table_name="rm_audit_trail")
    op.drop_index("ix_rm_worklist_company_kind_since", table_name="rm_worklist")
    op.drop_index("ix_console_sessions_login", table_name="console_sessions")
    op.drop_table("console_sessions")
    op.drop_table("console_passwords")
