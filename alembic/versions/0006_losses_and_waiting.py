"""Debt out of collection and what a case waits for, in the read models.

``rm_open_items.loss`` marks the unpaid bills of cases closed by a write-off or a settlement
(``written_off``) or by a litigation outcome (``litigation``): they leave the ageing buckets and the
overdue, and are summed apart in ``rm_positions.written_off`` and ``rm_positions.litigation_loss``.
``rm_cases.waiting_code`` / ``waiting_for`` say what an open case waits for, locks apart, and
``rm_cases.locks`` the locks covering its supply (the query decides which apply on the date asked).

The rows already there have none of these: the upgrade empties the tables of the ``positions``,
``open_items`` and ``cases`` projections and puts them back to the start of the log (their
quarantined events too: the replay meets them again), so the next catch-up rebuilds them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

REBUILT = {"positions": ("rm_positions", "rm_supplies"), "open_items": ("rm_open_items",), "cases": ("rm_cases",)}


def upgrade() -> None:
    with op.batch_alter_table("rm_open_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("loss", sa.String(length=16), nullable=True))
    with op.batch_alter_table("rm_positions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("written_off", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("litigation_loss", sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("rm_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waiting_code", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("waiting_for", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("locks", sa.Text(), nullable=True))
    for name, tables in REBUILT.items():
        for table in tables:
            op.execute(f"DELETE FROM {table}")
        op.execute(f"UPDATE projection_tracking SET notification_id = 0, as_of = NULL WHERE name = '{name}'")
        op.execute(f"DELETE FROM projection_quarantine WHERE projection = '{name}'")


def downgrade() -> None:
    with op.batch_alter_table("rm_cases", schema=None) as batch_op:
        batch_op.drop_column("locks")
        batch_op.drop_column("waiting_for")
        batch_op.drop_column("waiting_code")
    with op.batch_alter_table("rm_positions", schema=None) as batch_op:
        batch_op.drop_column("litigation_loss")
        batch_op.drop_column("written_off")
    with op.batch_alter_table("rm_open_items", schema=None) as batch_op:
        batch_op.drop_column("loss")
