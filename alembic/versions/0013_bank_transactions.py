"""The bank ledger (``bank_transactions``) and the debtors' IBANs it learned (``bank_debtor_ibans``).

Process tables written by the bank import, not read models: ``projections rebuild`` never drops nor
rewrites them (the worklist *incassi da abbinare* and the allocations live only here).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

import sqlalchemy as sa

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_transactions",
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("credit_id", sa.String(length=16), nullable=False),
        sa.Column("credit", sa.Boolean(), nullable=False),
        sa.Column("movement", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("bank_ref", sa.String(length=64), nullable=True),
        sa.Column("end_to_end_id", sa.String(length=64), nullable=True),
        sa.Column("tx_id", sa.String(length=64), nullable=True),
        sa.Column("debtor_name", sa.Text(), nullable=True),
        sa.Column("debtor_iban", sa.String(length=34), nullable=True),
        sa.Column("remittance", sa.Text(), nullable=False),
        sa.Column("code", sa.String(length=128), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("problem", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("customer_code", sa.String(length=64), nullable=True),
        sa.Column("bill_number", sa.String(length=64), nullable=True),
        sa.Column("payment_id", sa.String(length=64), nullable=True),
        sa.Column("rule", sa.String(length=16), nullable=True),
        sa.Column("by", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("company", "credit_id"),
    )
    op.create_index("ix_bank_transactions_bank_ref", "bank_transactions", ["company", "bank_ref"])
    op.create_index("ix_bank_transactions_end_to_end", "bank_transactions", ["company", "end_to_end_id"])
    op.create_index("ix_bank_transactions_tx_id", "bank_transactions", ["company", "tx_id"])
    op.create_index("ix_bank_transactions_status", "bank_transactions", ["company", "status", "created_at"])
    op.create_table(
        "bank_debtor_ibans",
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("customer_code", sa.String(length=64), nullable=False),
        sa.Column("credit_id", sa.String(length=16), nullable=False),
        sa.Column("learned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("company", "iban", "customer_code"),
    )


def downgrade() -> None:
    op.drop_table("bank_debtor_ibans")
    op.drop_index("ix_bank_transactions_status", table_name="bank_transactions")
    op.drop_index("ix_bank_transactions_tx_id", table_name="bank_transactions")
    op.drop_index("ix_bank_transactions_end_to_end", table_name="bank_transactions")
    op.drop_index("ix_bank_transactions_bank_ref", table_name="bank_transactions")
    op.drop_table("bank_transactions")
