"""The data of the fault tests: a company, customers with one overdue bill each, and the expected
first step of each (the SMS of case 1 of its one supply), plus small helpers around a site."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import psycopg

from creditbox.application.records import BillRecord, CustomerRecord, Record, SupplyRecord
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock, SystemClock
from creditbox.domain.company import CompanySettings
from creditbox.domain.ids import company_id
from creditbox.settings import Settings
from tests.builders import details, supply
from tests.faults.site import Site

COMPANY = "ACQ"
DUE = date(2026, 1, 31)
OPENING = DUE + timedelta(days=CompanySettings().grace_period_days)  # the first step (the SMS) is due
AMOUNT = Decimal("120.00")

# The settings of every process of a fault test: short leases and holds, so that what a fault
# leaves claimed comes back within seconds (in production: minutes).
QUICK = {
    "CREDITBOX_SCHEDULER_LEASE_SECONDS": "4",
    "CREDITBOX_SCHEDULER_CHUNK_SIZE": "10",
    "CREDITBOX_WORKER_POSITION_CHUNK": "5",
    "CREDITBOX_OUTBOX_HOLD_SECONDS": "4",
    "CREDITBOX_OUTBOX_LEASE_SECONDS": "2",
    "CREDITBOX_OUTBOX_FIRST_RETRY_SECONDS": "1",
    "CREDITBOX_OUTBOX_MAX_RETRY_SECONDS": "2",
    "CREDITBOX_OUTBOX_MAX_ATTEMPTS": "20",
}


def customers(n: int, prefix: str = "C") -> list[str]:
    return [f"{prefix}{i:04d}" for i in range(n)]


def sms_of(customer: str) -> str:
    """The action key of a customer's first step (the SMS of case 1 of its one supply)."""
    return f"{COMPANY}/{customer}/S-{customer}/1/1"


def records_of(code: str, amount: Decimal = AMOUNT) -> list[Record]:
    contacts = details(
        mobile="3331234567", email=f"{code.lower()}@example.it", address="Via Roma 1", postcode="00184", city="Roma"
    )
    return [
        CustomerRecord(code, contacts),
        SupplyRecord(code, supply(f"S-{code}")),
        BillRecord(f"B-{code}", code, f"S-{code}", date(2026, 1, 1), DUE, amount),
    ]


def today() -> FixedClock:
    """The processes' own date (their clock is the system's): the read models valued at it, so that
    the processes do not all revalue them at their first catch-up."""
    return FixedClock(SystemClock(Settings().timezone).now())


@contextmanager
def container_of(site: Site, **settings: object) -> Iterator[Container]:
    with bootstrap(
        Settings(database_url=site.database_url, channel_dir=str(site.channel_dir), **settings),  # type: ignore[arg-type]
        clock=today(),
    ) as c:
        yield c


def given_customers(c: Container, codes: list[str], *, catch_up: bool = True) -> None:
    if not c.app.exists(company_id(COMPANY)):
        c.companies.register(COMPANY, "Acque", by="test")
    records: list[Record] = [r for code in codes for r in records_of(code)]
    c.ingestor().ingest(COMPANY, records, by="test")
    if catch_up:
        c.projections.catch_up()


def tracking(database_url: str) -> dict[str, int]:
    """Each projection's position in the log (a separate connection; empty while the database is down)."""
    try:
        with psycopg.connect(database_url, connect_timeout=2) as conn:
            rows = conn.execute("SELECT name, notification_id FROM projection_tracking").fetchall()
            return {str(name): int(n) for name, n in rows}
    except psycopg.Error:
        return {}


def head(database_url: str) -> int:
    with psycopg.connect(database_url, connect_timeout=2) as conn:
        return int(conn.execute("SELECT max(notification_id) FROM creditbox_events").fetchone()[0])  # type: ignore[index]


def notifications(database_url: str) -> int:
    """How many events the store holds (a separate connection: the test's pool may be stale)."""
    try:
        with psycopg.connect(database_url, connect_timeout=2) as conn:
            tables = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE '%events'"
            ).fetchall()
            return sum(int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for (t,) in tables)  # type: ignore[index]
    except psycopg.OperationalError:
        return -1


def wait_for_notifications(database_url: str, at_least: int, seconds: float = 90.0) -> int:
    deadline = time.monotonic() + seconds
    while (n := notifications(database_url)) < at_least:
        if time.monotonic() > deadline:
            raise AssertionError(f"the store holds {n} events, expected at least {at_least} in {seconds} s")
        time.sleep(0.02)
    return n


def json_count(output: str, name: str) -> int:
    found = re.search(rf'"{name}": (\d+)', output)
    assert found is not None, output
    return int(found.group(1))


def outbox_statuses(database_url: str) -> dict[str, int]:
    """The outbox entries by status (a separate connection; empty while the database is down)."""
    try:
        with psycopg.connect(database_url, connect_timeout=2) as conn:
            rows = conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall()
            return {str(status): int(n) for status, n in rows}
    except psycopg.Error:
        return {}


def until_every_action_is_sent(site: Site, expected: int, seconds: float = 120.0) -> None:
    """Wait until ``expected`` entries are ``sent`` (or ``uncertain``: a worker killed before the
    channel call, the entry on a person's worklist), running ``creditbox outbox reconcile --after 1``
    every few seconds meanwhile (in production it runs on a timer): an entry a fault left ``sending``
    is settled by asking the channel."""
    deadline = time.monotonic() + seconds
    next_reconcile = time.monotonic() + 3
    while sum((statuses := outbox_statuses(site.database_url)).get(s, 0) for s in ("sent", "uncertain")) < expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"only {statuses} of {expected} actions sent in {seconds} s")
        if statuses.get("sending") and time.monotonic() > next_reconcile:  # only when a fault may have left some
            site.run("outbox", "reconcile", "--after", "1")
            next_reconcile = time.monotonic() + 4
        time.sleep(0.2)
