"""PostgreSQL row-level security of the company-keyed tables (migration 0019, docs/reliability.md).

Each table with a ``company`` column that holds one company's data has two permissive policies:
``company_rows`` (the row's company is the transaction's ``creditbox.company``) and ``group_rows`` (the
setting is ``*``: the group's processes and group-wide roles). A transaction without the setting sees
and writes nothing of these tables. ``FORCE``: the owner of the tables is held to them too (only a
superuser, or a role with ``BYPASSRLS``, is not).

The policies belong to a table: a rebuild that swaps a shadow table in for a live one puts them on the
new table (``shadow.py``). The migration has its own copy of this list and of the statements.
"""

from __future__ import annotations

from sqlalchemy import Connection

from creditbox.infrastructure.company_scope import GROUP_SCOPE, SETTING

# The company-keyed tables (the console's passwords and sessions are not: they are found by login or
# session before any company is known, and their ``company`` is the operator's scope).
COMPANY_TABLES = (
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

_SCOPE = f"current_setting('{SETTING}', true)"
COMPANY_RULE = f"company = {_SCOPE}"
GROUP_RULE = f"{_SCOPE} = '{GROUP_SCOPE}'"


def enable_statements(table: str) -> list[str]:
    """Row-level security on ``table`` with its two policies (idempotent)."""
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS company_rows ON "{table}"',
        f'CREATE POLICY company_rows ON "{table}" USING ({COMPANY_RULE}) WITH CHECK ({COMPANY_RULE})',
        f'DROP POLICY IF EXISTS group_rows ON "{table}"',
        f'CREATE POLICY group_rows ON "{table}" USING ({GROUP_RULE}) WITH CHECK ({GROUP_RULE})',
    ]


def has_row_security(conn: Connection, schema: str, table: str) -> bool:
    """Whether ``schema.table`` has row-level security enabled (PostgreSQL)."""
    found = conn.exec_driver_sql(
        "SELECT c.relrowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %(schema)s AND c.relname = %(table)s",
        {"schema": schema, "table": table},
    ).scalar()
    return bool(found)
