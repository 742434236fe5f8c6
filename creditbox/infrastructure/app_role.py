"""The application's own PostgreSQL role: no owner of anything, held to the row-level security.

The schema's owner (``CREDITBOX_MIGRATION_DATABASE_URL``) creates the tables and applies the
migrations; the application connects (``CREDITBOX_DATABASE_URL``) as a role that may read and write
the rows but neither create, alter, drop nor truncate a table, and that PostgreSQL holds to the
policies of the company-keyed tables (migration 0019). ``creditbox db app-role NAME`` runs
``grant_app_role`` as the owner: it creates the role if missing and grants it the rows of every table
and sequence of the schema, now and (default privileges) of those the owner creates later.
"""

from __future__ import annotations

import re

import psycopg
from psycopg import sql

from creditbox.infrastructure.database_url import DatabaseUrl

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_RIGHTS = "USAGE, SELECT, UPDATE"


class InvalidRoleName(ValueError):
    """A role name PostgreSQL would need quoted: lower-case letters, digits and ``_`` only."""


def check_role_name(name: str) -> str:
    if not ROLE_NAME.match(name):
        raise InvalidRoleName(f"nome di ruolo non valido: {name!r} (lettere minuscole, cifre e _, al massimo 63)")
    return name


def grant_app_role(owner: DatabaseUrl, role: str, *, create: bool = True) -> bool:
    """Connected as the schema's owner: create ``role`` (``LOGIN``, no password: set one with
    ``ALTER ROLE``, or authenticate it otherwise) unless it exists, and grant it the rows of the
    schema's tables and sequences, also of those created from now on. Returns whether it was created.
    Run again after a migration made by another role than the owner (idempotent)."""
    check_role_name(role)
    name = sql.Identifier(role)
    created = False
    with psycopg.connect(owner.psycopg_conninfo(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        if exists is None:
            if not create:
                raise LookupError(f"il ruolo {role!r} non esiste")
            try:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS").format(name))
                created = True
            except (psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
                pass  # created meanwhile by another process (roles are shared by the whole cluster)
        schema_row = conn.execute("SELECT current_schema(), current_database()").fetchone()
        assert schema_row is not None
        schema, database = sql.Identifier(schema_row[0]), sql.Identifier(schema_row[1])
        for statement in (
            "GRANT CONNECT ON DATABASE {database} TO {role}",
            "GRANT USAGE ON SCHEMA {schema} TO {role}",
            f"GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA {{schema}} TO {{role}}",
            f"GRANT {SEQUENCE_RIGHTS} ON ALL SEQUENCES IN SCHEMA {{schema}} TO {{role}}",
            # The tables the owner creates later (a migration, a rebuild's shadow swapped in).
            f"ALTER DEFAULT PRIVILEGES GRANT {TABLE_RIGHTS} ON TABLES TO {{role}}",
            f"ALTER DEFAULT PRIVILEGES GRANT {SEQUENCE_RIGHTS} ON SEQUENCES TO {{role}}",
        ):
            conn.execute(sql.SQL(statement).format(database=database, schema=schema, role=name))
    return created
