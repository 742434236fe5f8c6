"""Indexes for one customer's open items and cases (the position summary and history read them).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_rm_open_items_company_customer", "rm_open_items", ["company", "customer_code", "due_date"])
    op.create_index("ix_rm_cases_company_customer", "rm_cases", ["company", "customer_code"])


def downgrade() -> None:
    op.drop_index("ix_rm_cases_company_customer", table_name="rm_cases")
    op.drop_index("ix_rm_open_items_company_customer", table_name="rm_open_items")
