"""The event chain: the leaves of the last seal, and the one-off sealing of a store older than the chain.

Events recorded before the chained recorders have no link: this revision chains them as they are
(their links flagged ``backfilled``) and records a seal over every chain, in the migration's
transaction. A database without an event store yet (a fresh one) has nothing to seal.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa

from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_seal_leaf",
        sa.Column("seal_id", sa.String(length=36), nullable=False),
        sa.Column("originator_id", sa.String(length=36), nullable=False),
        sa.Column("originator_version", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("seal_id", "originator_id"),
    )
    from creditbox.infrastructure.chain.store import seal_existing_store

    seal_existing_store(op.get_bind())


def downgrade() -> None:
    op.drop_table("chain_seal_leaf")
