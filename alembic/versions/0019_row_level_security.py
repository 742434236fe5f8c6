"""Row-level security of the company-keyed tables (PostgreSQL): a row is seen and written only by a
transaction whose ``creditbox.company`` setting is its company, or ``*`` (the group). ``FORCE``: the
tables' owner is held to the policies too. SQLite has no row-level security: nothing to do there.

The list and the statements are this migration's own copy of ``creditbox/projections/row_security.py``
(a later change to that module must not change what this revision did).

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-03
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

TABLES = (
    "projection_quarantine",
    "rm_positions",
    "rm_supplies",
    "rm_open_items",
    "rm_cases",
    "rm_worklist",
    "rm_upcoming",
    "rm_audit_trail",
    "rm_imports",
    "rm_import_rejections",
    "outbox",
    "unmatched_answers",
    "receipt_evidence",
    "due_index",
    "office_notes",
    "bank_transactions",
    "bank_debtor_ibans",
)
SCOPE = "current_setting('creditbox.company', true)"
COMPANY_RULE = f"company = {SCOPE}"
GROUP_RULE = f"{SCOPE} = '*'"


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgres():
        return
    for table in TABLES:
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        op.execute(f'DROP POLICY IF EXISTS company_rows ON "{table}"')
        op.execute(f'CREATE POLICY company_rows ON "{table}" USING ({COMPANY_RULE}) WITH CHECK ({COMPANY_RULE})')
        op.execute(f'DROP POLICY IF EXISTS group_rows ON "{table}"')
        op.execute(f'CREATE POLICY group_rows ON "{table}" USING ({GROUP_RULE}) WITH CHECK ({GROUP_RULE})')


def downgrade() -> None:
    if not _postgres():
        return
    for table in TABLES:
        op.execute(f'DROP POLICY IF EXISTS group_rows ON "{table}"')
        op.execute(f'DROP POLICY IF EXISTS company_rows ON "{table}"')
        op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
