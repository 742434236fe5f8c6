"""The outbox on SQLite and PostgreSQL: one entry per executed action (exactly once, kept by a rebuild),
sending through the file channel, retries with back-off, the failure recorded on the position, and
the reconciliation of entries left ``sending``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from creditbox.application.outbox import OutboxService, RetryPolicy
from creditbox.application.ports import (
    FAILED,
    PENDING,
    SENDING,
    SENT,
    UNCERTAIN,
    WITHDRAWN,
    ChannelError,
    ChannelMessage,
    Receipt,
)
from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, SupplyRecord
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.codes import ActionCode
from creditbox.domain.ids import company_id, position_id
from creditbox.domain.position import Position
from creditbox.infrastructure.channels.files import FileChannel
from creditbox.infrastructure.outbox_store import SqlOutboxStore
from creditbox.projections.queries.worklists import worklist_page
from creditbox.settings import Settings
from tests.builders import details, supply

DUE = date(2026, 1, 31)
FIRST_SMS = "ACQ/C1/S-C1/1/1"


@pytest.fixture
def outbox_container(database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    settings = Settings(database_url=database_url, channel_dir=str(tmp_path / "canali"))
    with bootstrap(settings, clock=clock) as c:
        yield c


def _given_a_customer_with_an_sms(c: Container, customer: str = "C1") -> None:
    if not c.app.exists(company_id("ACQ")):
        c.companies.register("ACQ", "Acque", by="test")
    records = [
        CustomerRecord(customer, details(mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma")),
        SupplyRecord(customer, supply(f"S-{customer}")),
        BillRecord(f"B-{customer}", customer, f"S-{customer}", date(2026, 1, 1), DUE, Decimal("120.00")),
    ]
    c.ingestor().ingest("ACQ", records, by="test")
    c.dunning().run_due("ACQ", date(2026, 2, 10))
    c.projections.catch_up()


class FailingChannel:
    """A channel that refuses every message (a provider down)."""

    def __init__(self) -> None:
        self.calls = 0

    def send(self, message: ChannelMessage) -> Receipt:
        self.calls += 1
        raise ChannelError("gateway non raggiungibile")

    def status(self, action_key: str) -> str:
        return "unknown"


def _store(c: Container) -> SqlOutboxStore:
    return SqlOutboxStore(c.projections.engine, c.write_gate)


def test_an_executed_step_becomes_one_pending_entry(outbox_container: Container) -> None:
    _given_a_customer_with_an_sms(outbox_container)
    [entry] = outbox_container.outbox().list("ACQ")
    assert entry.action_key == FIRST_SMS
    assert (entry.status, entry.attempts, entry.channel) == (PENDING, 0, "sms")
    assert entry.action_code == ActionCode.SMS and entry.recipient == "3331234567"
    assert entry.position_id == position_id("ACQ", "C1") and entry.seq == 1
    assert entry.payload["overdue"] == "120.00"


def test_a_batch_applied_twice_adds_nothing_and_keeps_the_status(outbox_container: Container) -> None:
    c = outbox_container
    _given_a_customer_with_an_sms(c)
    assert c.outbox().send(FIRST_SMS).result == "sent"
    runner = c.projections.runner(["outbox"])
    runner.reset()  # tracking back to zero: the whole log is applied again
    runner.catch_up()
    [entry] = c.outbox().list("ACQ")
    assert (entry.status, entry.attempts) == (SENT, 1)


def test_a_rebuild_of_the_projections_never_drops_nor_rewrites_the_outbox(outbox_container: Container) -> None:
    c = outbox_container
    _given_a_customer_with_an_sms(c)
    _given_a_customer_with_an_sms(c, "C2")
    assert c.outbox().send(FIRST_SMS).result == "sent"
    c.projections.rebuild()  # every projection, the outbox's included
    c.projections.rebuild(["outbox"])
    statuses = {e.action_key: (e.status, e.attempts) for e in c.outbox().list("ACQ")}
    assert statuses == {FIRST_SMS: (SENT, 1), "ACQ/C2/S-C2/1/1": (PENDING, 0)}


def test_sending_writes_one_file_and_a_second_send_changes_nothing(outbox_container: Container) -> None:
    c = outbox_container
    _given_a_customer_with_an_sms(c)
    outcome = c.outbox().send(FIRST_SMS)
    assert (outcome.result, outcome.attempts) == ("sent", 1)
    channel = c.channel()
    assert isinstance(channel, FileChannel)
    assert channel.messages("ACQ", "sms") == [FIRST_SMS]
    assert c.outbox().send(FIRST_SMS).result == "skipped"  # a message delivered twice
    assert c.outbox().get(FIRST_SMS).status == SENT  # type: ignore[union-attr]
    assert channel.messages("ACQ", "sms") == [FIRST_SMS]


def test_a_chunk_is_sent_at_once_each_entry_on_its_own_terms(outbox_container: Container) -> None:
    """``send_many`` (the ``send_actions`` actor): the chunk's positions read together, the file channel
    given the chunk at once; an entry already sent is skipped, each other one written and marked sent."""
    c = outbox_container
    for customer in ("C1", "C2", "C3"):
        _given_a_customer_with_an_sms(c, customer)
    keys = [FIRST_SMS, "ACQ/C2/S-C2/1/1", "ACQ/C3/S-C3/1/1"]
    assert c.outbox().send(FIRST_SMS).result == "sent"
    outcomes = {o.action_key: o.result for o in c.outbox().send_many(keys)}
    assert outcomes == {FIRST_SMS: "skipped", keys[1]: "sent", keys[2]: "sent"}
    statuses = {e.action_key: (e.status, e.attempts) for e in c.outbox().list("ACQ")}
    assert statuses == {key: (SENT, 1) for key in keys}
    channel = c.channel()
    assert isinstance(channel, FileChannel)
    assert channel.messages("ACQ", "sms") == sorted(keys)
    text = (channel.root / "ACQ" / "sms" / f"{keys[2].replace('/', '%2F')}.json").read_text("utf-8")
    assert "C3" in text  # composed from its own position
    assert all(o.result == "skipped" for o in c.outbox().send_many(keys))  # the chunk delivered twice


def test_the_outbox_projection_reads_the_positions_of_a_batch_together(
    outbox_container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A projector that does not hold the positions (a fresh process, or positions older than its
    cache) reads those of a batch's actions in one bulk read, not one by one through the repository."""
    c = outbox_container
    c.companies.register("ACQ", "Acque", by="test")
    for customer in ("C1", "C2", "C3"):
        records = [
            CustomerRecord(customer, details(mobile="3331234567")),
            SupplyRecord(customer, supply(f"S-{customer}")),
            BillRecord(f"B-{customer}", customer, f"S-{customer}", date(2026, 1, 1), DUE, Decimal("120.00")),
        ]
        c.ingestor().ingest("ACQ", records, by="test")
    c.projections.catch_up()
    c.dunning().run_due("ACQ", date(2026, 2, 10))  # the steps: not projected yet
    c.projections.states.clear()  # the projector holds none of the positions
    one_by_one: list[object] = []
    original = c.app.repository.get
    monkeypatch.setattr(c.app.repository, "get", lambda *a, **k: one_by_one.append(a) or original(*a, **k))
    c.projections.runner(["outbox"]).catch_up()
    entries = {e.customer_code: e for e in c.outbox().list("ACQ")}
    assert sorted(entries) == ["C1", "C2", "C3"] and one_by_one == []
    assert {e.status for e in entries.values()} == {PENDING}
    assert all(e.payload["supply_code"] == f"S-{code}" for code, e in entries.items())


class ListQueue:
    def __init__(self) -> None:
        self.actions: list[str] = []

    def run_positions(self, work: object) -> None:
        raise AssertionError("the relay hands out actions only")

    def send_actions(self, action_keys: list[str]) -> None:
        self.actions.extend(action_keys)


def test_the_relay_hands_each_due_entry_out_once_until_its_hold_expires(outbox_container: Container) -> None:
    c = outbox_container
    _given_a_customer_with_an_sms(c)
    queue = ListQueue()
    assert c.outbox().relay(queue) == 1 and queue.actions == [FIRST_SMS]
    assert c.outbox().relay(queue) == 0  # held: another relay does not hand it out again
    clock = c.clock
    assert isinstance(clock, FixedClock)
    clock.advance(seconds=c.settings.outbox_hold_seconds + 1)
    assert c.outbox().relay(queue) == 1  # the message was lost on the way: handed out again
    c.outbox().send(FIRST_SMS)
    clock.advance(seconds=c.settings.outbox_hold_seconds + 1)
    assert c.outbox().relay(queue) == 0  # sent: never handed out again


def test_failed_attempts_back_off_then_fail_on_the_position_and_the_worklist(outbox_container: Container) -> None:
    c = outbox_container
    _given_a_customer_with_an_sms(c)
    clock = c.clock
    assert isinstance(clock, FixedClock)
    channel = FailingChannel()
    service = OutboxService(_store(c), channel, c.app, clock, retry=RetryPolicy(max_attempts=2, first_delay_seconds=60))
    first = service.send(FIRST_SMS)
    assert (first.result, first.attempts) == ("retry", 1)
    entry = service.get(FIRST_SMS)
    assert entry is not None and entry.status == PENDING and "gateway non raggiungibile" in (entry.last_error or "")
    assert entry.next_attempt_at == clock.now() + timedelta(seconds=60)
    queue = ListQueue()
    assert service.relay(queue) == 0  # not due yet
    clock.advance(seconds=61)
    assert service.relay(queue) == 1
    second = service.send(FIRST_SMS)
    assert (second.result, second.attempts) == (FAILED, 2)
    assert service.get(FIRST_SMS).status == FAILED  # type: ignore[union-attr]
    assert channel.calls == 2
    position = c.app.repository.get(position_id("ACQ", "C1"))
    assert isinstance(position, Position)
    [failed] = position.case("S-C1/1").failed_sends.values()
    assert (failed.action_key, failed.seq, failed.attempts, failed.channel) == (FIRST_SMS, 1, 2, "sms")
    c.projections.catch_up()
    with c.projections.connect() as conn:
        rows = worklist_page(conn, "ACQ", "failed_send").items
    assert [(r.customer_code, r.step) for r in rows] == [("C1", 1)]
    assert service.send(FIRST_SMS).result == "skipped"  # failed stays failed: a person decides


def test_an_entry_left_sending_is_reconciled_through_the_channel(outbox_container: Container) -> None:
    c = outbox_container
    _given_a_customer_with_an_sms(c)
    _given_a_customer_with_an_sms(c, "C2")
    second = "ACQ/C2/S-C2/1/1"
    clock = c.clock
    assert isinstance(clock, FixedClock)
    store = _store(c)
    channel = c.channel()
    # A worker claimed both, wrote the first message, and died before marking either sent.
    first_entry = store.claim(FIRST_SMS, clock.now())
    assert first_entry is not None and store.claim(second, clock.now()) is not None
    assert store.claim(FIRST_SMS, clock.now()) is None  # sending: no second claim
    from creditbox.application.outbox import message_of

    channel.send(message_of(first_entry))
    lease = timedelta(seconds=c.settings.outbox_lease_seconds)
    assert c.outbox().reconcile(lease).sent == []  # within the lease: the worker may still be at it
    clock.advance(seconds=c.settings.outbox_lease_seconds + 1)
    report = c.outbox().reconcile(lease)
    assert (report.sent, report.uncertain) == ([FIRST_SMS], [second])
    statuses = {e.action_key: e.status for e in c.outbox().list("ACQ")}
    assert statuses == {FIRST_SMS: SENT, second: UNCERTAIN}
    assert c.outbox().send(second).result == "skipped"  # never sent again blindly
    assert c.outbox().list("ACQ", status=SENDING) == []


def test_a_failed_send_leaves_the_worklist_when_its_case_is_closed(outbox_container: Container) -> None:
    c = outbox_container
    _given_a_customer_with_an_sms(c)
    _given_a_customer_with_an_sms(c, "C2")
    clock = c.clock
    assert isinstance(clock, FixedClock)
    service = OutboxService(_store(c), FailingChannel(), c.app, clock, retry=RetryPolicy(max_attempts=1))
    assert service.send(FIRST_SMS).result == FAILED
    assert service.send("ACQ/C2/S-C2/1/1").result == FAILED
    c.projections.catch_up()

    def failed_sends() -> list[str]:
        with c.projections.connect() as conn:
            return sorted(r.customer_code for r in worklist_page(conn, "ACQ", "failed_send").items)

    assert failed_sends() == ["C1", "C2"]
    # C1 pays in full: its case closes as paid, and its failed SMS is nobody's work any more.
    c.ingestor().ingest("ACQ", [PaymentRecord("P-C1", "C1", date(2026, 2, 20), Decimal("120.00"))], by="test")
    c.dunning().run_due("ACQ", date(2026, 2, 21))
    c.projections.catch_up()
    position = c.app.repository.get(position_id("ACQ", "C1"))
    assert isinstance(position, Position)
    case = position.case("S-C1/1")
    assert not case.is_open and FIRST_SMS in case.failed_sends  # the failure stays in the history
    assert failed_sends() == ["C2"]  # the open case's failure is still there for a person
    assert service.get(FIRST_SMS).status == FAILED  # type: ignore[union-attr]


def test_the_notice_of_a_case_closed_before_its_send_is_withdrawn_not_sent(outbox_container: Container) -> None:
    """A step decided, then the customer pays before the channel is called: no reminder (or suspension)
    goes out for a debt that is no longer there; the entry says why, and the open case's notice is sent."""
    c = outbox_container
    _given_a_customer_with_an_sms(c)
    _given_a_customer_with_an_sms(c, "C2")
    c.ingestor().ingest("ACQ", [PaymentRecord("P-C1", "C1", date(2026, 2, 11), Decimal("120.00"))], by="test")
    c.dunning().run_due("ACQ", date(2026, 2, 11))
    position = c.app.repository.get(position_id("ACQ", "C1"))
    assert isinstance(position, Position) and not position.case("S-C1/1").is_open
    second = "ACQ/C2/S-C2/1/1"
    outcomes = {o.action_key: o.result for o in c.outbox().send_many([FIRST_SMS, second])}
    assert outcomes == {FIRST_SMS: WITHDRAWN, second: SENT}
    withdrawn = c.outbox().get(FIRST_SMS)
    assert withdrawn is not None and withdrawn.status == WITHDRAWN
    assert withdrawn.last_error == "pratica chiusa per pagamento prima dell'invio: avviso annullato"
    sent_files = [p.name for p in Path(c.settings.channel_dir).rglob("*") if p.is_file()]
    assert any("C2" in name for name in sent_files) and not any("C1" in name for name in sent_files)
    assert c.outbox().send(FIRST_SMS).result == "skipped"  # withdrawn for good: never handed out again
