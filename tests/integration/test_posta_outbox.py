"""The outbox sending the workflow's letters through the ``posta`` adapter (SQLite and PostgreSQL):
each letter once in its day's batch, and an entry left ``sending`` by a worker that died after the
letter was written settled as sent by asking the adapter — never written twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from creditbox.application.outbox import message_of
from creditbox.application.ports import SENT, UNCERTAIN, ChannelMessage, OutboxEntry, Receipt
from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.infrastructure.channels.posta import PostaChannel
from creditbox.infrastructure.outbox_store import SqlOutboxStore
from tests.integration.test_postal_outcomes import OPENED, REGISTERED_DAY, _letters
from tests.letter_messages import letter


class ComposedPosta:
    """The ``posta`` adapter behind a stand-in for the composer: the message of an outbox entry gets
    the notice and the letterhead a letter needs (the test's own, for the entry's action)."""

    def __init__(self, posta: PostaChannel, entries: dict[str, OutboxEntry]) -> None:
        self._posta = posta
        self._entries = {e.action_key: e for e in entries.values()}

    def send(self, message: ChannelMessage) -> Receipt:
        entry = self._entries[message.action_key]
        kind = "bonario" if entry.channel == "lettera" else "raccomandata"
        drawn = letter(entry.action_key, kind=kind, customer=entry.customer_code, business_date=entry.business_date)
        return self._posta.send(replace(message, notice=drawn.notice, letterhead=drawn.letterhead))

    def status(self, action_key: str) -> str:
        return self._posta.status(action_key)


def test_the_outbox_puts_each_letter_once_into_its_day_batch(container: Container) -> None:
    c = container
    entries = _letters(c)
    posta = PostaChannel(c.settings.channel_dir, c.clock)
    outbox = c.outbox(channel=ComposedPosta(posta, entries))
    for entry in entries.values():
        assert outbox.send(entry.action_key).result == "sent"
        assert outbox.send(entry.action_key).result == "skipped"
    batches = posta.batches
    assert [x.action_key for x in batches.letters("ACQ", OPENED)] == [entries["N1"].action_key]
    assert [x.action_key for x in batches.letters("ACQ", REGISTERED_DAY)] == sorted(
        entries[code].action_key for code in ("D1", "D2", "D3", "D4")
    )
    keys = {e.action_key for e in entries.values()}
    assert {e.action_key: e.status for e in outbox.list("ACQ") if e.action_key in keys} == dict.fromkeys(keys, SENT)


def test_a_letter_written_before_its_worker_died_is_reconciled_as_sent(container: Container) -> None:
    c = container
    entries = _letters(c)
    clock = c.clock
    assert isinstance(clock, FixedClock)
    posta = PostaChannel(c.settings.channel_dir, c.clock)
    channel = ComposedPosta(posta, entries)
    store = SqlOutboxStore(c.projections.engine, c.write_gate)
    written, lost = entries["D1"], entries["D2"]
    # A worker claimed both letters, wrote the first into the batch, and died before marking either sent.
    claimed = store.claim(written.action_key, clock.now())
    assert claimed is not None and store.claim(lost.action_key, clock.now()) is not None
    channel.send(message_of(claimed))
    clock.advance(seconds=c.settings.outbox_lease_seconds + 1)
    report = c.outbox(channel=channel).reconcile(timedelta(seconds=c.settings.outbox_lease_seconds))
    assert (report.sent, report.uncertain) == ([written.action_key], [lost.action_key])
    assert store.get(written.action_key).status == SENT  # type: ignore[union-attr]
    assert store.get(lost.action_key).status == UNCERTAIN  # type: ignore[union-attr]
    assert [x.action_key for x in posta.batches.letters("ACQ", REGISTERED_DAY)] == [written.action_key]
