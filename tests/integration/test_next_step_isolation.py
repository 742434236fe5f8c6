"""The next-step dates of the cases and upcoming views belong to one database: two containers of one
process (tests, simulations, benchmarks) on two databases never share them, even for the same
company and customer (their aggregate ids are equal: they derive from company + customer)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from creditbox.application.records import BillRecord, CustomerRecord, SupplyRecord
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.projections.queries.cases import list_cases
from creditbox.projections.schema import upcoming
from creditbox.settings import Settings
from tests.builders import details, supply

DUE = date(2026, 1, 31)


@contextmanager
def _container(url: str, today: date) -> Iterator[Container]:
    with bootstrap(Settings(database_url=url), clock=FixedClock(today)) as c:
        yield c


def _given_the_same_customer(c: Container, amount: str = "120.00") -> None:
    c.companies.register("ACQ", "Acque", by="test")
    contacts = details(mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma")
    records = [
        CustomerRecord("C1", contacts),
        SupplyRecord("C1", supply("S1")),
        BillRecord("B1", "C1", "S1", date(2026, 1, 1), DUE, Decimal(amount)),
    ]
    c.ingestor().ingest("ACQ", records, by="test")


def _next_due(c: Container) -> tuple[date | None, list[date]]:
    c.projections.catch_up()
    with c.projections.connect() as conn:
        case = list_cases(conn, "ACQ").items[0]
        steps = [r.due_date for r in conn.execute(select(upcoming.c.due_date).where(upcoming.c.company == "ACQ"))]
    return case.next_due_date, steps


def test_two_databases_in_one_process_each_get_their_own_due_date(database_url: str, tmp_path: Path) -> None:
    # Given the same company and customer on two databases, with the case opened on different days
    other_url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    with _container(database_url, date(2026, 2, 10)) as first, _container(other_url, date(2026, 2, 20)) as second:
        _given_the_same_customer(first)
        _given_the_same_customer(second)
        first.dunning().run_due("ACQ", date(2026, 2, 10))
        second.dunning().run_due("ACQ", date(2026, 2, 20))
        # When both views are built in the same process, one after the other (same ids and versions)
        first_due = _next_due(first)
        second_due = _next_due(second)
    # Then each database has the due date of its own data (the letter 5 days after its SMS)
    assert first_due == (date(2026, 2, 15), [date(2026, 2, 15)])
    assert second_due == (date(2026, 2, 25), [date(2026, 2, 25)])


def test_a_rebuild_after_another_database_changed_keeps_its_own_dates(database_url: str, tmp_path: Path) -> None:
    # Given two databases built once, then the second one's case moves on
    other_url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    with _container(database_url, date(2026, 2, 10)) as first, _container(other_url, date(2026, 2, 10)) as second:
        _given_the_same_customer(first)
        _given_the_same_customer(second, amount="900.00")
        first.dunning().run_due("ACQ", date(2026, 2, 10))
        second.dunning().run_due("ACQ", date(2026, 2, 12))
        _next_due(second)
        # When the first database's views are rebuilt from scratch
        first.projections.rebuild()
        first_due = _next_due(first)
        second_due = _next_due(second)
    # Then each keeps its own dates
    assert first_due == (date(2026, 2, 15), [date(2026, 2, 15)])
    assert second_due == (date(2026, 2, 17), [date(2026, 2, 17)])
