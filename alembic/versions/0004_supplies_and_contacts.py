"""Supplies and customer contacts in the read models: ``rm_supplies`` (one row per supply) and the
contact columns of ``rm_positions``; both kept by the ``positions`` projection.

The rows already in ``rm_positions`` have no contacts and their supplies no rows: the upgrade empties
``rm_positions`` and puts the ``positions`` projection back to the start of the log, so the next
catch-up (``creditbox projections catch-up positions``, or any process's first one) rebuilds it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CONTACTS = ("fiscal_code", "vat_number", "email", "pec", "mobile", "address", "postcode", "city", "province")


def upgrade() -> None:
    op.create_table(
        "rm_supplies",
        sa.Column("position_id", sa.String(length=36), nullable=False),
        sa.Column("supply_code", sa.String(length=64), nullable=False),
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("customer_code", sa.String(length=64), nullable=False),
        sa.Column("service", sa.SmallInteger(), nullable=False),
        sa.Column("supply_type", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("meter", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("position_id", "supply_code"),
    )
    with op.batch_alter_table("rm_positions", schema=None) as batch_op:
        for name in CONTACTS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))
    # Rebuilt by the next catch-up of the ``positions`` projection (rm_positions and rm_supplies).
    op.execute("DELETE FROM rm_positions")
    op.execute("UPDATE projection_tracking SET notification_id = 0, as_of = NULL WHERE name = 'positions'")


def downgrade() -> None:
    with op.batch_alter_table("rm_positions", schema=None) as batch_op:
        for name in reversed(CONTACTS):
            batch_op.drop_column(name)
    op.drop_table("rm_supplies")
