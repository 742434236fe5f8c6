"""The history recorded before the outbox existed, on SQLite and PostgreSQL: the projection's catch-up
puts its actions in the outbox as pending; ``mark_history_sent`` marks them ``marked_sent`` (who and
why in the entry's note), the relay never hands them out, a second run marks nothing, and an entry a
worker already claimed, or recorded after the cutoff, is left alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from creditbox.application.outbox import status_label
from creditbox.application.ports import MARKED_SENT, PENDING, SENDING, HistoryCutoff
from creditbox.application.records import BillRecord, CustomerRecord, SupplyRecord
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.ids import company_id
from creditbox.infrastructure.channels.files import FileChannel
from creditbox.infrastructure.outbox_store import SqlOutboxStore
from creditbox.settings import Settings
from tests.builders import details, supply

DUE = date(2026, 1, 31)


def key(customer: str) -> str:
    return f"ACQ/{customer}/S-{customer}/1/1"


@pytest.fixture
def history(database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    settings = Settings(database_url=database_url, channel_dir=str(tmp_path / "canali"))
    with bootstrap(settings, clock=clock) as c:
        c.companies.register("ACQ", "Acque", by="test")
        yield c


def _an_sms_executed(c: Container, customer: str, on: date) -> None:
    """The first step (an SMS) of ``customer`` executed on ``on``; the outbox is not caught up: as in a
    store recorded before the outbox existed, the action has no entry yet."""
    records = [
        CustomerRecord(customer, details(mobile="3331234567")),
        SupplyRecord(customer, supply(f"S-{customer}")),
        BillRecord(f"B-{customer}", customer, f"S-{customer}", date(2026, 1, 1), DUE, Decimal("120.00")),
    ]
    c.ingestor().ingest("ACQ", records, by="test")
    c.dunning().run_due("ACQ", on)


class ListQueue:
    def __init__(self) -> None:
        self.actions: list[str] = []

    def run_positions(self, work: object) -> None:
        raise AssertionError("the relay hands out actions only")

    def send_actions(self, action_keys: list[str]) -> None:
        self.actions.extend(action_keys)


def _statuses(c: Container) -> dict[str, str]:
    return {e.action_key: e.status for e in c.outbox().list("ACQ")}


def test_the_history_recorded_before_a_moment_is_marked_sent_once_and_never_handed_out(history: Container) -> None:
    c = history
    assert c.app.exists(company_id("ACQ"))
    _an_sms_executed(c, "C1", date(2026, 2, 10))
    upgraded_at = datetime.now(UTC)  # the events carry the moment they were recorded
    _an_sms_executed(c, "C2", date(2026, 2, 10))
    c.projections.runner(["outbox"]).catch_up()  # the new projection's catch-up: both pending
    assert _statuses(c) == {key("C1"): PENDING, key("C2"): PENDING}
    cutoff = HistoryCutoff(recorded_before=upgraded_at)

    tried = c.outbox().mark_history_sent(
        "ACQ", cutoff, reason="migrazione dal vecchio gestionale", by="rossi", dry_run=True
    )
    assert (tried.count, [e.action_key for e in tried.first], tried.dry_run) == (1, [key("C1")], True)
    assert _statuses(c) == {key("C1"): PENDING, key("C2"): PENDING}  # a dry run changes nothing

    marked = c.outbox().mark_history_sent("ACQ", cutoff, reason="migrazione dal vecchio gestionale", by="rossi")
    assert marked.count == 1 and [(e.action_key, e.status) for e in marked.first] == [(key("C1"), MARKED_SENT)]
    assert _statuses(c) == {key("C1"): MARKED_SENT, key("C2"): PENDING}
    entry = c.outbox().get(key("C1"))
    assert entry is not None and entry.attempts == 0
    assert entry.last_error is not None and "rossi" in entry.last_error and "migrazione" in entry.last_error
    assert status_label(entry.status) == "segnato come inviato"

    queue = ListQueue()
    assert c.outbox().relay(queue) == 1 and queue.actions == [key("C2")]  # the history is never handed out
    assert c.outbox().send(key("C1")).result == "skipped"  # nor sent by a message already queued
    assert c.outbox().send(key("C2")).result == "sent"
    channel = c.channel()
    assert isinstance(channel, FileChannel)
    assert channel.messages("ACQ", "sms") == [key("C2")]

    again = c.outbox().mark_history_sent("ACQ", cutoff, reason="di nuovo", by="bianchi")
    assert again.count == 0  # idempotent: nothing pending in the history any more
    assert "rossi" in (c.outbox().get(key("C1")).last_error or "")  # type: ignore[union-attr]

    runner = c.projections.runner(["outbox"])
    runner.reset()  # the log applied again from zero inserts nothing over the marked entry
    runner.catch_up()
    assert _statuses(c) == {key("C1"): MARKED_SENT, key("C2"): "sent"}


def test_a_business_date_cutoff_leaves_later_actions_and_claimed_entries_alone(history: Container) -> None:
    c = history
    _an_sms_executed(c, "C1", date(2026, 2, 10))
    _an_sms_executed(c, "C2", date(2026, 2, 10))
    _an_sms_executed(c, "C3", date(2026, 2, 20))
    c.projections.runner(["outbox"]).catch_up()
    store = SqlOutboxStore(c.projections.engine, c.write_gate)
    assert store.claim(key("C2"), c.clock.now()) is not None  # a worker is sending it already
    cutoff = HistoryCutoff(before=date(2026, 2, 15))
    assert store.count_pending_history("ACQ", cutoff) == 1
    assert store.count_pending_history("ALTRA", cutoff) == 0  # one company at a time

    marked = c.outbox().mark_history_sent("ACQ", cutoff, reason="storico", by="rossi")
    assert marked.count == 1
    assert _statuses(c) == {key("C1"): MARKED_SENT, key("C2"): SENDING, key("C3"): PENDING}
    assert c.outbox().list("ACQ", status=MARKED_SENT)[0].action_key == key("C1")


def test_both_cutoffs_together_mark_only_what_is_within_both(history: Container) -> None:
    c = history
    _an_sms_executed(c, "C1", date(2026, 2, 20))  # recorded early, dated late
    upgraded_at = datetime.now(UTC)
    _an_sms_executed(c, "C2", date(2026, 2, 10))  # dated early, recorded late
    c.projections.runner(["outbox"]).catch_up()
    both = HistoryCutoff(before=date(2026, 2, 15), recorded_before=upgraded_at)
    assert c.outbox().mark_history_sent("ACQ", both, reason="storico", by="rossi").count == 0
    assert _statuses(c) == {key("C1"): PENDING, key("C2"): PENDING}
    with pytest.raises(ValueError, match="motivo"):
        c.outbox().mark_history_sent("ACQ", HistoryCutoff(before=date(2026, 3, 1)), reason=" ", by="rossi")
    with pytest.raises(ValueError, match="data contabile"):
        HistoryCutoff()
