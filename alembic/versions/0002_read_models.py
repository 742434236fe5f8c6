"""Read models: projection tracking and the rm_* view tables (money as integer cents).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projection_tracking",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("notification_id", sa.BigInteger(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "rm_audit_trail",
        sa.Column("notification_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("originator_id", sa.String(length=36), nullable=False),
        sa.Column("originator_version", sa.Integer(), nullable=False),
        sa.Column("aggregate", sa.String(length=32), nullable=False),
        sa.Column("company", sa.String(length=32), nullable=True),
        sa.Column("customer_code", sa.String(length=64), nullable=True),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=128), nullable=True),
        sa.Column("business_date", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("notification_id"),
    )
    with op.batch_alter_table("rm_audit_trail", schema=None) as batch_op:
        batch_op.create_index("ix_rm_audit_customer", ["company", "customer_code", "notification_id"], unique=False)
        batch_op.create_index("ix_rm_audit_originator", ["originator_id", "notification_id"], unique=False)

    op.create_table(
        "rm_cases",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("position_id", sa.String(length=36), nullable=False),
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("customer_code", sa.String(length=64), nullable=False),
        sa.Column("customer_name", sa.String(length=255), nullable=False),
        sa.Column("customer_type", sa.SmallInteger(), nullable=False),
        sa.Column("supply_code", sa.String(length=64), nullable=False),
        sa.Column("service", sa.SmallInteger(), nullable=True),
        sa.Column("ladder", sa.String(length=255), nullable=True),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("action", sa.SmallInteger(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("next_due_date", sa.Date(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("case_id"),
    )
    with op.batch_alter_table("rm_cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rm_cases_company_open", ["company", "is_open", "next_due_date", "case_id"], unique=False
        )
        batch_op.create_index("ix_rm_cases_position", ["position_id"], unique=False)

    op.create_table(
        "rm_import_rejections",
        sa.Column("import_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("sheet", sa.String(length=64), nullable=True),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("column_name", sa.String(length=128), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("import_id", "seq"),
    )
    op.create_table(
        "rm_imports",
        sa.Column("import_id", sa.String(length=36), nullable=False),
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("profile", sa.String(length=64), nullable=False),
        sa.Column("by", sa.String(length=128), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("import_id"),
    )
    with op.batch_alter_table("rm_imports", schema=None) as batch_op:
        batch_op.create_index("ix_rm_imports_company", ["company", "imported_at", "import_id"], unique=False)

    op.create_table(
        "rm_open_items",
        sa.Column("position_id", sa.String(length=36), nullable=False),
        sa.Column("bill_number", sa.String(length=64), nullable=False),
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("customer_code", sa.String(length=64), nullable=False),
        sa.Column("supply_code", sa.String(length=64), nullable=False),
        sa.Column("customer_type", sa.SmallInteger(), nullable=False),
        sa.Column("service", sa.SmallInteger(), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("residual", sa.BigInteger(), nullable=False),
        sa.Column("prescription_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("position_id", "bill_number"),
    )
    with op.batch_alter_table("rm_open_items", schema=None) as batch_op:
        batch_op.create_index("ix_rm_open_items_company_due", ["company", "due_date"], unique=False)
        batch_op.create_index("ix_rm_open_items_company_prescription", ["company", "prescription_date"], unique=False)

    op.create_table(
        "rm_positions",
        sa.Column("position_id", sa.String(length=36), nullable=False),
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("customer_code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("customer_type", sa.SmallInteger(), nullable=False),
        sa.Column("services_mask", sa.SmallInteger(), nullable=False),
        sa.Column("supplies", sa.SmallInteger(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("open_amount", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.Column("overdue", sa.BigInteger(), nullable=False),
        sa.Column("oldest_due_date", sa.Date(), nullable=True),
        sa.Column("next_due_date", sa.Date(), nullable=True),
        sa.Column("open_items", sa.Integer(), nullable=False),
        sa.Column("open_cases", sa.SmallInteger(), nullable=False),
        sa.Column("current_action", sa.SmallInteger(), nullable=True),
        sa.Column("current_step", sa.Integer(), nullable=True),
        sa.Column("has_email", sa.Boolean(), nullable=False),
        sa.Column("has_pec", sa.Boolean(), nullable=False),
        sa.Column("has_mobile", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("position_id"),
    )
    with op.batch_alter_table("rm_positions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rm_positions_company_action", ["company", "current_action", "overdue", "position_id"], unique=False
        )
        batch_op.create_index(
            "ix_rm_positions_company_oldest", ["company", "oldest_due_date", "position_id"], unique=False
        )
        batch_op.create_index("ix_rm_positions_company_overdue", ["company", "overdue", "position_id"], unique=False)
        batch_op.create_index("ix_rm_positions_next_due", ["next_due_date"], unique=False)
        batch_op.create_index("ux_rm_positions_company_customer", ["company", "customer_code"], unique=True)

    op.create_table(
        "rm_upcoming",
        sa.Column("position_id", sa.String(length=36), nullable=False),
        sa.Column("item_key", sa.String(length=128), nullable=False),
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("customer_code", sa.String(length=64), nullable=False),
        sa.Column("customer_name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("supply_code", sa.String(length=64), nullable=True),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("action", sa.SmallInteger(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("position_id", "item_key"),
    )
    with op.batch_alter_table("rm_upcoming", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rm_upcoming_company_due", ["company", "due_date", "position_id", "item_key"], unique=False
        )

    op.create_table(
        "rm_worklist",
        sa.Column("position_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("item_key", sa.String(length=128), nullable=False),
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("customer_code", sa.String(length=64), nullable=False),
        sa.Column("customer_name", sa.String(length=255), nullable=False),
        sa.Column("customer_type", sa.SmallInteger(), nullable=False),
        sa.Column("supply_code", sa.String(length=64), nullable=True),
        sa.Column("service", sa.SmallInteger(), nullable=True),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("ladder", sa.String(length=255), nullable=True),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("action", sa.SmallInteger(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=True),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("position_id", "kind", "item_key"),
    )
    with op.batch_alter_table("rm_worklist", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rm_worklist_company_kind", ["company", "kind", "amount", "position_id", "item_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("rm_worklist", schema=None) as batch_op:
        batch_op.drop_index("ix_rm_worklist_company_kind")

    op.drop_table("rm_worklist")
    with op.batch_alter_table("rm_upcoming", schema=None) as batch_op:
        batch_op.drop_index("ix_rm_upcoming_company_due")

    op.drop_table("rm_upcoming")
    with op.batch_alter_table("rm_positions", schema=None) as batch_op:
        batch_op.drop_index("ux_rm_positions_company_customer")
        batch_op.drop_index("ix_rm_positions_next_due")
        batch_op.drop_index("ix_rm_positions_company_overdue")
        batch_op.drop_index("ix_rm_positions_company_oldest")
        batch_op.drop_index("ix_rm_positions_company_action")

    op.drop_table("rm_positions")
    with op.batch_alter_table("rm_open_items", schema=None) as batch_op:
        batch_op.drop_index("ix_rm_open_items_company_prescription")
        batch_op.drop_index("ix_rm_open_items_company_due")

    op.drop_table("rm_open_items")
    with op.batch_alter_table("rm_imports", schema=None) as batch_op:
        batch_op.drop_index("ix_rm_imports_company")

    op.drop_table("rm_imports")
    op.drop_table("rm_import_rejections")
    with op.batch_alter_table("rm_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_rm_cases_position")
        batch_op.drop_index("ix_rm_cases_company_open")

    op.drop_table("rm_cases")
    with op.batch_alter_table("rm_audit_trail", schema=None) as batch_op:
        batch_op.drop_index("ix_rm_audit_originator")
        batch_op.drop_index("ix_rm_audit_customer")

    op.drop_table("rm_audit_trail")
    op.drop_table("projection_tracking")
