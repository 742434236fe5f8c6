"""Concurrent writes: on both backends every concurrent command is applied (SQLite: the writers of a
process take turns; PostgreSQL: version clashes are retried), and a write that cannot get the database
in time answers 503 with ``Retry-After`` — never a 500."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx
import psycopg
import pytest
from eventsourcing.persistence import RecordConflictError
from fastapi.testclient import TestClient

from creditbox.api.app import create_app
from creditbox.api.deps import Committer
from creditbox.api.problems import ApiProblem
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.tokens import Role
from creditbox.settings import Settings
from tests.api.conftest import BASE, OWN, Api, bill, issue_tokens, payment, seed_customer
from tests.api.live_server import live_server

# Concurrent writes are the backends' business (turns on SQLite, retried clashes on PostgreSQL):
# every test runs on both.
pytestmark = [pytest.mark.cli_or_api, pytest.mark.postgres_smoke]

WRITERS = 20


@pytest.fixture
def server(api: Api) -> Iterator[str]:
    with live_server(api.client.app) as base:  # type: ignore[arg-type]
        yield base


def _in_parallel(count: int, call: Callable[[int], Any]) -> list[Any]:
    start = threading.Barrier(count)

    def run(index: int) -> Any:
        start.wait()
        return call(index)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def _balance(container: Container, customer: str) -> Decimal:
    balance: Decimal = container.positions.load("ACQ", customer).balance()
    return balance


class TestConcurrentPaymentsOverHttp:
    def test_twenty_payments_at_once_on_one_customer_are_all_accepted(self, api: Api, server: str) -> None:
        # given a customer with a bill of 1000.00
        seed_customer(api)
        feed = api.as_(Role.FEED)
        assert feed.post(f"{BASE}/bills", json=bill(amount="1000.00")).status_code == 200

        # when twenty payments of 1.00 … 20.00 arrive at the same time, each on its own connection
        def pay(index: int) -> httpx.Response:
            with httpx.Client(base_url=server, headers=api.headers(Role.FEED), timeout=60) as client:
                return client.post(f"{BASE}/payments", json=payment(f"P{index}", amount=f"{index + 1}.00"))

        answers = _in_parallel(WRITERS, pay)

        # then every one is accepted and the balance is the bill less their sum
        assert [a.status_code for a in answers] == [200] * WRITERS, [a.text for a in answers if a.status_code != 200]
        assert all(a.json()["accepted"] == 1 for a in answers)
        paid = sum(Decimal(index + 1) for index in range(WRITERS))
        assert _balance(api.container, "C1") == Decimal("1000.00") - paid
        assert len(api.container.positions.load("ACQ", "C1").payments) == WRITERS

    def test_batches_bills_and_payments_of_several_customers_at_once(self, api: Api, server: str) -> None:
        # given two customers with a bill each
        seed_customer(api, "C1", "S1")
        seed_customer(api, "C2", "S2")
        feed = api.as_(Role.FEED)
        assert feed.post(f"{BASE}/bills", json=bill("B1", amount="500.00")).status_code == 200
        assert feed.post(f"{BASE}/bills", json=bill("B2", "C2", "S2", amount="500.00")).status_code == 200

        # when batches of payments, new bills and single payments of both customers arrive together
        def send(index: int) -> httpx.Response:
            customer, supply = ("C1", "S1") if index % 2 else ("C2", "S2")
            with httpx.Client(base_url=server, headers=api.headers(Role.FEED), timeout=60) as client:
                if index % 3 == 0:
                    batch = [payment(f"P{index}-{n}", customer, amount="1.00") for n in range(3)]
                    return client.post(f"{BASE}/payments", json=batch)
                if index % 3 == 1:
                    return client.post(f"{BASE}/bills", json=bill(f"X{index}", customer, supply, amount="2.00"))
                return client.post(f"{BASE}/payments", json=payment(f"Q{index}", customer, amount="0.50"))

        answers = _in_parallel(WRITERS, send)

        # then all are applied, and each balance adds up
        assert [a.status_code for a in answers] == [200] * WRITERS, [a.text for a in answers if a.status_code != 200]
        assert all(a.json()["rejected"] == 0 for a in answers)
        for customer, odd in (("C1", 1), ("C2", 0)):
            mine = [i for i in range(WRITERS) if i % 2 == odd]
            expected = Decimal("500.00")
            expected -= sum(Decimal("3.00") for i in mine if i % 3 == 0)
            expected += sum(Decimal("2.00") for i in mine if i % 3 == 1)
            expected -= sum(Decimal("0.50") for i in mine if i % 3 == 2)
            assert _balance(api.container, customer) == expected


def test_twenty_payments_at_once_through_the_test_client_in_threads(api: Api) -> None:
    # given a customer with a bill of 100.00
    seed_customer(api)
    feed = api.as_(Role.FEED)
    assert feed.post(f"{BASE}/bills", json=bill(amount="100.00")).status_code == 200

    # when twenty payments of 2.50 are posted from twenty threads
    answers = _in_parallel(WRITERS, lambda i: feed.post(f"{BASE}/payments", json=payment(f"P{i}", amount="2.50")))

    # then all are accepted and the balance is 100.00 - 20 x 2.50
    assert [a.status_code for a in answers] == [200] * WRITERS
    assert _balance(api.container, "C1") == Decimal("50.00")


@pytest.fixture
def impatient(database_url: str, clock: FixedClock) -> Iterator[Api]:
    """The API on a container that waits 0.3 s for its turn and (PostgreSQL) 1 s per lock attempt."""
    settings = Settings(database_url=database_url, write_wait_seconds=0.3, lock_timeout_seconds=1)
    with bootstrap(settings, clock=clock) as container:
        container.companies.register(OWN, "Acque Spa", by="test")
        tokens = issue_tokens(container)
        app = create_app(container, close_container=False, token_cache_seconds=0)
        with TestClient(app) as client:
            yield Api(client=client, container=container, tokens=tokens)


class TestAWriteThatCannotGetTheDatabase:
    def test_answers_503_with_retry_after_and_records_nothing(self, impatient: Api) -> None:
        # given a customer, and a writer that keeps the database longer than a request may wait
        seed_customer(impatient)
        feed = impatient.as_(Role.FEED)
        with _database_held(impatient.container):
            # when a bill arrives
            answer = feed.post(f"{BASE}/bills", json=bill(amount="10.00"))

        # then it is refused as busy, with a problem document and Retry-After
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert int(answer.headers["retry-after"]) > 0
        body = answer.json()
        assert body["type"] == "urn:creditbox:problem:unavailable"
        assert "riprovare" in body["detail"]
        assert "Error" not in body["detail"]
        assert impatient.container.positions.load("ACQ", "C1").bills == {}
        # and once the database is free the same request goes in
        assert feed.post(f"{BASE}/bills", json=bill(amount="10.00")).json()["accepted"] == 1

    def test_a_version_clash_that_persists_past_the_budget_is_a_503(self, container: Container) -> None:
        # given a command that clashes every time, and a budget of 0.3 s
        container.settings.write_wait_seconds = 0.3
        attempts: list[int] = []

        def clashing() -> None:
            attempts.append(1)
            raise RecordConflictError("version clash")

        # when the committer runs it
        with pytest.raises(ApiProblem) as refused:
            Committer(container)(clashing)

        # then it was retried, and refused as busy with Retry-After
        assert len(attempts) > 1
        assert refused.value.status == 503
        assert refused.value.headers is not None and "Retry-After" in refused.value.headers

    def test_a_clash_that_clears_is_retried_and_applied(self, container: Container) -> None:
        # given a command that clashes twice, then succeeds
        attempts: list[int] = []

        def clashing_twice() -> str:
            attempts.append(1)
            if len(attempts) < 3:
                raise RecordConflictError("version clash")
            return "fatto"

        # when the committer runs it, then its own result comes back after three attempts
        assert Committer(container)(clashing_twice) == "fatto"
        assert len(attempts) == 3


class _Holder:
    """Keeps the database for writes from another thread until released."""

    def __init__(self, hold: Callable[[threading.Event, threading.Event], None]) -> None:
        self.held = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=hold, args=(self.held, self.release), daemon=True)

    def __enter__(self) -> None:
        self.thread.start()
        assert self.held.wait(10)

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(10)


def _database_held(container: Container) -> _Holder:
    """SQLite: another writer of the process has its turn; PostgreSQL: another session holds the
    event table's write lock (the event store's lock timeout then refuses the write)."""
    if container.database.is_sqlite:

        def hold_gate(held: threading.Event, release: threading.Event) -> None:
            with container.write_gate.hold():
                held.set()
                release.wait(30)

        return _Holder(hold_gate)

    def hold_table(held: threading.Event, release: threading.Event) -> None:
        with psycopg.connect(container.database.psycopg_conninfo()) as conn, conn.transaction():
            conn.execute("LOCK TABLE creditbox_events IN EXCLUSIVE MODE")
            held.set()
            release.wait(30)

    return _Holder(hold_table)
