"""Row-level security (PostgreSQL): the company filter is enforced by the database too.

The application connects as its own role (no owner, no superuser, no ``BYPASSRLS``); the tables keyed
by company let a transaction see and write only the rows of the company in its ``creditbox.company``
setting, or every row when the setting is ``*`` (the group). These tests drop the company filter on
purpose — a bare ``SELECT`` of every company-keyed table, a query function asked for another company —
and look at what comes back; and they run the group's writers (import, projections, scheduler, outbox)
as the application's role.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from io import BytesIO
from pathlib import Path

import psycopg
import pytest
from openpyxl import Workbook
from psycopg import sql
from sqlalchemy import select, text

from creditbox.application.scheduler import InlineQueue
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.infrastructure.company_scope import GROUP_SCOPE, scoped
from creditbox.infrastructure.database_url import DatabaseUrl
from creditbox.projections.queries.positions import position_summary
from creditbox.projections.row_security import COMPANY_TABLES
from creditbox.projections.schema import due_index, positions
from creditbox.settings import Settings
from tests.conftest import app_role_name, app_role_url, reset_postgres

TODAY = date(2026, 3, 2)
COMPANIES = ("ACQ", "GAS")
IMPORTED = {"positions": "rm_positions", "open items": "rm_open_items", "imports": "rm_imports"}


def workbook(company: str) -> bytes:
    """Two customers with bills long overdue (their first dunning step is due on ``TODAY``)."""
    book = Workbook()
    customers = book.active
    assert customers is not None
    customers.title = "Clienti"
    customers.append(
        ["Codice Cliente", "Nominativo", "Tipologia Cliente", "Email", "Cellulare", "Indirizzo", "CAP", "Comune"]
    )
    supplies = book.create_sheet("Forniture")
    supplies.append(["Codice Cliente", "Codice Fornitura", "Tipologia Servizio", "Tipologia Fornitura", "Stato"])
    bills = book.create_sheet("Bollette")
    bills.append(
        ["Numero Bolletta", "Codice Cliente", "Codice Fornitura", "Data Emissione", "Data Scadenza", "Importo"]
    )
    for n in (1, 2):
        contacts = [f"c{n}@example.org", f"33312345{n}0", f"Via Roma {n}", "00184", "Roma"]
        customers.append([f"C{n}", f"Cliente {n} di {company}", 1, *contacts])
        supplies.append([f"C{n}", f"S{n}", 1, 1, 1])
        bills.append([f"{company}-B{n}", f"C{n}", f"S{n}", date(2025, 11, 1), date(2025, 11, 30), 150 + n])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def owner_url(postgres_url: str) -> str:
    reset_postgres(postgres_url)
    return postgres_url


@pytest.fixture
def app_url(owner_url: str) -> str:
    return app_role_url(owner_url)


@pytest.fixture
def app(owner_url: str, app_url: str, tmp_path: Path) -> Iterator[Container]:
    """The container of the application's role, two companies each with an import of two customers,
    the read models caught up."""
    settings = Settings(database_url=app_url, migration_database_url=owner_url, channel_dir=str(tmp_path / "canali"))
    with bootstrap(settings, clock=FixedClock(TODAY)) as c:
        for code in COMPANIES:
            c.companies.register(code, f"Azienda {code}", by="test")
            result = c.importer().run(workbook(code), f"{code}.xlsx", code, by="test")
            assert result.rejected == [] and result.sheets["Bollette"].accepted == 2
        c.projections.catch_up()
        yield c


def rows_by_company(conninfo: str, scope: str | None) -> dict[str, set[str | None]]:
    """Per company-keyed table, the companies of its rows as a bare ``SELECT`` (no filter) sees them,
    in a transaction whose scope is ``scope`` (None: no setting at all)."""
    seen: dict[str, set[str | None]] = {}
    with psycopg.connect(conninfo) as conn, conn.transaction():
        if scope is not None:
            conn.execute("SELECT set_config('creditbox.company', %s, true)", (scope,))
        for table in COMPANY_TABLES:
            rows = conn.execute(sql.SQL("SELECT company FROM {}").format(sql.Identifier(table))).fetchall()
            seen[table] = {row[0] for row in rows}
    return seen


def test_the_application_role_owns_nothing_and_bypasses_nothing(app: Container, app_url: str) -> None:
    with psycopg.connect(app_url) as conn:
        role = conn.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").fetchone()
        owned = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = current_user"
        ).fetchone()
        secured = conn.execute(
            "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity AND relname = ANY(%s)",
            (list(COMPANY_TABLES),),
        ).fetchall()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("ALTER TABLE rm_positions DISABLE ROW LEVEL SECURITY")
    assert app.database.raw == app_url
    assert role == (False, False)
    assert owned == (0,)
    assert {row[0] for row in secured} == set(COMPANY_TABLES)


def test_a_select_without_its_company_filter_sees_only_the_scope_s_company(app: Container, app_url: str) -> None:
    one_company = rows_by_company(app_url, "ACQ")
    nothing = rows_by_company(app_url, None)
    empty_setting = rows_by_company(app_url, "")
    group = rows_by_company(app_url, GROUP_SCOPE)

    for table in IMPORTED.values():
        assert group[table] == {"ACQ", "GAS"}, table  # the rows are there, of both companies
        assert one_company[table] == {"ACQ"}, table
    assert all(companies <= {"ACQ"} for companies in one_company.values()), one_company
    assert all(not companies for companies in nothing.values()), nothing
    assert all(not companies for companies in empty_setting.values()), empty_setting


def test_a_query_function_through_the_engine_sees_only_the_request_s_company(app: Container) -> None:
    with scoped("ACQ"), app.projections.connect() as conn:
        unfiltered = {row.company for row in conn.execute(select(positions.c.company))}
        gas_summary = position_summary(conn, "GAS", "C1")  # asked for another company: nothing comes back
        acq_summary = position_summary(conn, "ACQ", "C1")
        setting = conn.execute(text("SELECT current_setting('creditbox.company', true)")).scalar()
    with app.projections.connect() as conn:  # outside any request: the process's own scope, the group's
        group = {row.company for row in conn.execute(select(positions.c.company))}

    assert unfiltered == {"ACQ"}
    assert gas_summary is None
    assert acq_summary is not None
    assert setting == "ACQ"
    assert group == {"ACQ", "GAS"}


def test_a_write_for_another_company_is_refused(app: Container, app_url: str) -> None:
    with psycopg.connect(app_url) as conn:
        conn.execute("SELECT set_config('creditbox.company', 'ACQ', false)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("UPDATE rm_positions SET company = 'GAS'")  # moving a row out of the scope
        conn.rollback()
        conn.execute("SELECT set_config('creditbox.company', 'ACQ', false)")
        changed = conn.execute("DELETE FROM due_index WHERE company = 'GAS'").rowcount  # not seen: not deleted
        conn.rollback()
    with app.projections.connect() as conn:
        gas_due = conn.execute(select(due_index.c.company).where(due_index.c.company == "GAS")).all()
    assert changed == 0
    assert len(gas_due) == 2


def test_the_group_s_writers_work_as_the_application_role(app: Container) -> None:
    """Import and projections ran in the fixture; here the scheduler claims, the dunning runs and the
    outbox relays and sends, for both companies, all as the application's role."""
    outbox = app.outbox()
    queue = InlineQueue(app.dunning(), send=outbox.send)
    report = app.scheduler(queue=queue, relay=outbox.relay).run_once(TODAY)
    app.projections.catch_up()

    with app.projections.connect() as conn:
        sent = conn.execute(text("SELECT company, status FROM outbox ORDER BY company, action_key")).all()
        positions_seen = conn.execute(select(positions.c.company)).all()
    assert report.claimed == 4
    assert dict(report.by_company) == {"ACQ": 2, "GAS": 2}
    assert queue.events()["StepExecuted"] == 4
    assert [(company, status) for company, status in sent] == [("ACQ", "sent")] * 2 + [("GAS", "sent")] * 2
    assert len(positions_seen) == 4


def test_a_rebuild_by_the_owner_keeps_the_row_level_security(app: Container, owner_url: str) -> None:
    with bootstrap(Settings(database_url=owner_url), clock=FixedClock(TODAY)) as owner:
        owner.projections.rebuild()
    with psycopg.connect(owner_url) as conn:
        secured = conn.execute(
            "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity AND relname = ANY(%s)",
            (list(COMPANY_TABLES),),
        ).fetchall()
        policies = conn.execute("SELECT count(*) FROM pg_policies WHERE tablename = 'rm_positions'").fetchone()
    assert {row[0] for row in secured} == set(COMPANY_TABLES)
    assert policies == (2,)
    assert rows_by_company(app.database.raw, "GAS")["rm_positions"] == {"GAS"}


def test_the_role_of_the_tests_is_one_per_database(owner_url: str) -> None:
    name = app_role_name(owner_url)
    database = DatabaseUrl(owner_url).raw.rsplit("/", 1)[1]
    assert name.startswith("creditbox_app_") and database.replace("-", "_") in name
