"""The *contenzioso* worklist: where each case's legal proceedings stand and their next deadline.

``rm_worklist`` gains the last milestone of a case in litigation (``legal_milestone``, its code, and
``legal_milestone_on``), the court and docket number, and the next deadline (``next_deadline``), with an
index to list a company's litigation items by next deadline. The other worklists leave them empty.

No rebuild is needed: the milestones are recorded by an event that did not exist before this revision,
so no row already there has anything to show in the new columns.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

import sqlalchemy as sa

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rm_worklist", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal_milestone", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("legal_milestone_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("court", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("docket", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("next_deadline", sa.Date(), nullable=True))
    op.create_index(
        "ix_rm_worklist_company_kind_deadline",
        "rm_worklist",
        ["company", "kind", "next_deadline", "position_id", "item_key"],
    )


def downgrade() -> None:
    op.drop_index("ix_rm_worklist_company_kind_deadline", table_name="rm_worklist")
    with op.batch_alter_table("rm_worklist", schema=None) as batch_op:
        batch_op.drop_column("next_deadline")
        batch_op.drop_column("docket")
        batch_op.drop_column("court")
        batch_op.drop_column("legal_milestone_on")
        batch_op.drop_column("legal_milestone")
