"""Handing the executed actions to the channels, exactly once in effect (``OutboxService``).

The ``outbox`` projection puts every executed action (``StepExecuted``, ``ReactivationRequested``) in
the outbox as ``pending``, in the transaction of its tracking position. From there:

- :meth:`OutboxService.relay` hands the pending entries whose next attempt is due to the work queue
  (each held for ``hold_seconds`` so that another relay does not hand it out twice meanwhile);
- :meth:`OutboxService.send` (the ``send_action`` actor) moves the entry ``pending → sending`` (one
  more attempt) *before* calling the channel, with the action key as the channel's idempotency
  reference, and ``sending → sent`` after. A channel error puts it back to ``pending`` with a later
  next attempt (back-off); after ``max_attempts`` it is ``failed`` and the failure is recorded on the
  position (``ActionSendFailed``, the *invii falliti* worklist);
- :meth:`OutboxService.reconcile` looks at the entries left ``sending`` longer than a lease (their
  worker died between the two moves) and asks the channel: ``sent`` when it has the message,
  ``uncertain`` otherwise — a person decides; nothing is ever sent again blindly;
- :meth:`OutboxService.mark_history_sent` (``creditbox outbox mark-sent``, once, when a store recorded
  before the outbox existed is upgraded): the projection's catch-up puts every action of that history
  in the outbox as ``pending``, though the system of the time already sent it; a person marks those
  entries ``marked_sent`` (*segnato come inviato*), with who and why, and the relay never hands them out.

Every status change is a compare-and-set on the entry's status, so a message delivered twice, two
workers or a reconciliation racing a slow worker change an entry once. Time comes from the clock.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import IntegrityError

from creditbox.application.ports import (
    CHANNEL_SENT,
    FAILED,
    MARKED_SENT,
    PENDING,
    SENDING,
    SENT,
    UNCERTAIN,
    WITHDRAWN,
    BatchChannel,
    Channel,
    ChannelMessage,
    EventStore,
    HistoryCutoff,
    OutboxEntry,
    OutboxStore,
    SendWithdrawn,
    WorkQueue,
)
from creditbox.clock import Clock
from creditbox.domain.money import format_euro
from creditbox.domain.position import Position

log = logging.getLogger(__name__)

OUTBOX_STATUS_LABELS: dict[str, str] = {
    PENDING: "in attesa",
    SENDING: "in invio",
    SENT: "inviato",
    FAILED: "fallito",
    UNCERTAIN: "incerto",
    MARKED_SENT: "segnato come inviato",
    WITHDRAWN: "annullato (pratica chiusa)",
}

SENDER = "outbox"  # who records a failure on the position
CONFLICT_RETRIES = 5


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how soon a send is tried again: ``first_delay_seconds`` after the first failure,
    doubling each time up to ``max_delay_seconds``; ``max_attempts`` attempts in all."""

    max_attempts: int = 5
    first_delay_seconds: float = 30.0
    max_delay_seconds: float = 3600.0

    def delay(self, attempts: int) -> timedelta:
        seconds = self.first_delay_seconds * (2 ** max(0, attempts - 1))
        return timedelta(seconds=min(seconds, self.max_delay_seconds))


@dataclass
class SendOutcome:
    """What :meth:`OutboxService.send` did: ``sent``, ``retry``, ``failed`` or ``skipped`` (the entry
    was not pending: already sent, taken by another worker, or unknown)."""

    action_key: str
    result: str
    attempts: int = 0
    error: str | None = None


@dataclass
class HistoryMarking:
    """What :meth:`OutboxService.mark_history_sent` found (``dry_run``) or marked: how many entries,
    the first of them, and the note each marked entry keeps."""

    company: str
    cutoff: HistoryCutoff
    count: int
    first: list[OutboxEntry]
    note: str
    dry_run: bool


@dataclass
class ReconcileReport:
    sent: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)


def message_of(entry: OutboxEntry) -> ChannelMessage:
    """The plain Italian message of an action, from the entry alone: what an ``OutboxService`` built
    without a composer sends (tests of the outbox's mechanics). The container injects the composer
    (``application/composer.py``), which reads the position and renders the company's templates."""
    payload = entry.payload
    name = str(payload.get("customer_name") or entry.customer_code)
    overdue = format_euro(Decimal(str(payload.get("overdue") or "0")))
    description = str(payload.get("description") or entry.action_code.label)
    supply = payload.get("supply_code")
    if entry.seq is None:
        subject = f"Richiesta di riattivazione della fornitura {supply}"
        text = (
            f"All'Ufficio tecnico: si richiede la riattivazione della fornitura {supply} "
            f"del cliente {entry.customer_code} ({name}), pratica {entry.case_id}."
        )
    else:
        subject = f"{description} - pratica {entry.case_id}"
        text = (
            f"Gentile {name}, risultano non pagati importi per {overdue} relativi alla fornitura {supply} "
            f"(codice cliente {entry.customer_code}). La invitiamo a regolarizzare al più presto. "
            f"Riferimento: {entry.action_key}."
        )
    return ChannelMessage(
        action_key=entry.action_key,
        company=entry.company,
        channel=entry.channel,
        recipient=entry.recipient,
        subject=subject,
        text=text,
    )


class OutboxService:
    def __init__(
        self,
        store: OutboxStore,
        channel: Channel,
        events: EventStore,
        clock: Clock,
        *,
        retry: RetryPolicy | None = None,
        hold_seconds: float = 300.0,
        batch: int = 1000,
        composer: Callable[[OutboxEntry], ChannelMessage] = message_of,
        chunk_composer: Callable[[Sequence[OutboxEntry]], Callable[[OutboxEntry], ChannelMessage]] | None = None,
    ) -> None:
        """``chunk_composer``: given the entries of a chunk about to be sent, the composer to use for
        them (``Composer.for_entries``: their positions read at once); ``composer`` for each otherwise."""
        self._store = store
        self._compose = composer
        self._chunk_composer = chunk_composer
        self._channel = channel
        self._events = events
        self._clock = clock
        self._retry = retry or RetryPolicy()
        self._hold = timedelta(seconds=hold_seconds)
        self._batch = batch
        # Test hooks (the fault tests, ``workers/crash_points.py``): called with the entry once it is
        # ``sending``, just before the channel is called, and just after the channel took the message,
        # before the entry is marked ``sent``. None in production.
        self.before_channel: Callable[[OutboxEntry], None] | None = None
        self.after_channel: Callable[[OutboxEntry], None] | None = None

    # ---- listing --------------------------------------------------------------------------

    def list(
        self, company: str, *, status: str | None = None, since: date | None = None, limit: int | None = None
    ) -> list[OutboxEntry]:
        return self._store.list(company, status=status, since=since, limit=limit)

    def get(self, action_key: str) -> OutboxEntry | None:
        return self._store.get(action_key)

    # ---- relay ----------------------------------------------------------------------------

    def relay(self, queue: WorkQueue) -> int:
        """Hand every pending entry whose next attempt is due to ``queue``; returns how many."""
        handed = 0
        while True:
            now = self._clock.now()
            keys = self._store.take_due(now, now + self._hold, limit=self._batch)
            if not keys:
                return handed
            queue.send_actions(keys)
            handed += len(keys)
            if len(keys) < self._batch:
                return handed

    # ---- sending --------------------------------------------------------------------------

    def send(self, action_key: str) -> SendOutcome:
        """Carry out one action through its channel (see the module's docstring)."""
        entry = self._store.claim(action_key, self._clock.now())
        if entry is None:
            return SendOutcome(action_key, "skipped")
        outcome = self._deliver(entry)
        if outcome.result == SENT:
            self._store.mark_sent(action_key, self._clock.now())
        return outcome

    def send_many(self, action_keys: Sequence[str]) -> builtins.list[SendOutcome]:
        """Carry out a chunk of actions (the ``send_actions`` actor): the entries still pending are
        claimed in one transaction, handed to their channels one by one, and those the channels took
        marked sent in one transaction. A crash in between leaves the claimed entries ``sending`` for
        the reconciliation, exactly as a crash inside :meth:`send` leaves one: the channel is asked,
        nothing is sent again blindly."""
        claimed = self._store.claim_many(action_keys, self._clock.now())
        taken = {entry.action_key for entry in claimed}
        outcomes = [SendOutcome(key, "skipped") for key in action_keys if key not in taken]
        delivered: builtins.list[str] = []
        try:
            compose = self._chunk_composer(claimed) if self._chunk_composer is not None and claimed else self._compose
            if isinstance(self._channel, BatchChannel) and len(claimed) > 1:
                chunk_outcomes = self._deliver_chunk(claimed, compose)
            else:
                chunk_outcomes = (self._deliver(entry, compose) for entry in claimed)
            for outcome in chunk_outcomes:
                outcomes.append(outcome)
                if outcome.result == SENT:
                    delivered.append(outcome.action_key)
        finally:
            self._store.mark_sent_many(delivered, self._clock.now())
        return outcomes

    def _deliver_chunk(
        self, entries: Sequence[OutboxEntry], compose: Callable[[OutboxEntry], ChannelMessage]
    ) -> Iterator[SendOutcome]:
        """:meth:`_deliver` for claimed entries handed to a ``BatchChannel`` at once: each composed
        (a failure is that entry's failed attempt), then the composed ones sent together, each answer
        (receipt or error) taken as :meth:`_deliver` takes it."""
        assert isinstance(self._channel, BatchChannel)
        ready: builtins.list[tuple[OutboxEntry, ChannelMessage]] = []
        for entry in entries:
            if self.before_channel is not None:
                self.before_channel(entry)
            try:
                ready.append((entry, compose(entry)))
            except SendWithdrawn as withdrawn:
                yield self._withdrawn(entry, str(withdrawn))
            except Exception as error:
                yield self._failed_attempt(entry, f"{type(error).__name__}: {error}")
        answers = self._channel.send_many([message for _entry, message in ready]) if ready else []
        for (entry, _message), answer in zip(ready, answers, strict=True):
            if isinstance(answer, Exception):
                yield self._failed_attempt(entry, f"{type(answer).__name__}: {answer}")
                continue
            if self.after_channel is not None:
                self.after_channel(entry)
            log.info("sent %s through %s (%s)", entry.action_key, entry.channel, answer.reference)
            yield SendOutcome(entry.action_key, SENT, entry.attempts)

    def _deliver(
        self, entry: OutboxEntry, compose: Callable[[OutboxEntry], ChannelMessage] | None = None
    ) -> SendOutcome:
        """Hand a claimed (``sending``) entry to its channel; a failure is a failed attempt."""
        if self.before_channel is not None:
            self.before_channel(entry)
        try:
            receipt = self._channel.send((compose or self._compose)(entry))
        except SendWithdrawn as withdrawn:
            return self._withdrawn(entry, str(withdrawn))
        except Exception as error:  # composing or sending failed: tried again later, then recorded
            return self._failed_attempt(entry, f"{type(error).__name__}: {error}")
        if self.after_channel is not None:
            self.after_channel(entry)
        log.info("sent %s through %s (%s)", entry.action_key, entry.channel, receipt.reference)
        return SendOutcome(entry.action_key, SENT, entry.attempts)

    def _withdrawn(self, entry: OutboxEntry, reason: str) -> SendOutcome:
        """The entry's case closed before its notice went out: withdrawn, never handed to the channel."""
        self._store.mark_withdrawn(entry.action_key, reason, self._clock.now())
        log.info("withdrawn %s: %s", entry.action_key, reason)
        return SendOutcome(entry.action_key, WITHDRAWN, entry.attempts, reason)

    def _failed_attempt(self, entry: OutboxEntry, error: str) -> SendOutcome:
        now = self._clock.now()
        if entry.attempts < self._retry.max_attempts:
            self._store.retry_later(entry.action_key, error, now + self._retry.delay(entry.attempts), now)
            return SendOutcome(entry.action_key, "retry", entry.attempts, error)
        self._record_failure(entry, error)
        self._store.mark_failed(entry.action_key, error, now)
        return SendOutcome(entry.action_key, FAILED, entry.attempts, error)

    def _record_failure(self, entry: OutboxEntry, error: str) -> None:
        """``ActionSendFailed`` on the position (once: a second recording is a no-op), before the
        entry is marked failed, so a crash in between leaves it ``sending`` for the reconciliation."""
        today: date = self._clock.today()
        for _ in range(CONFLICT_RETRIES):
            position = self._events.get_or_none(entry.position_id)
            if not isinstance(position, Position):
                log.error("outbox %s: position %s not found", entry.action_key, entry.position_id)
                return
            changed = position.record_send_failure(
                entry.case_id, entry.action_key, entry.seq, entry.channel, entry.attempts, error, today, by=SENDER
            )
            if not changed:
                return
            try:
                self._events.save(position)
                return
            except IntegrityError:
                continue  # another writer saved the position meanwhile: decide again on its new state
        raise RuntimeError(f"invio {entry.action_key}: posizione modificata di continuo, fallimento non registrato")

    # ---- reconciliation -------------------------------------------------------------------

    def reconcile(self, stale_after: timedelta) -> ReconcileReport:
        """Settle the entries left ``sending`` for longer than ``stale_after`` by asking the channel."""
        report = ReconcileReport()
        now = self._clock.now()
        for entry in self._store.stale_sending(now - stale_after, limit=self._batch):
            if self._channel.status(entry.action_key) == CHANNEL_SENT:
                if self._store.resolve_stale(entry.action_key, SENT, None, now):
                    report.sent.append(entry.action_key)
            else:
                note = "interrotto durante l'invio: il canale non lo conosce, da verificare"
                if self._store.resolve_stale(entry.action_key, UNCERTAIN, note, now):
                    report.uncertain.append(entry.action_key)
        return report

    # ---- history recorded before the outbox ------------------------------------------------

    def mark_history_sent(
        self, company: str, cutoff: HistoryCutoff, *, reason: str, by: str, dry_run: bool = False, show: int = 20
    ) -> HistoryMarking:
        """Mark ``sent`` by hand (``marked_sent``) the pending entries of ``company`` within ``cutoff``:
        actions the system recorded, and sent, before the outbox existed. Only pending entries move
        (one already claimed, sent, failed or uncertain is left as it is), so running it again marks
        nothing more. ``dry_run`` counts and shows them without changing anything."""
        if not reason.strip():
            raise ValueError("indicare il motivo")
        now = self._clock.now()
        note = f"segnato come inviato da {by} il {now:%d/%m/%Y %H:%M}: {reason.strip()}"
        first = self._store.pending_history(company, cutoff, limit=show)
        if dry_run:
            count = self._store.count_pending_history(company, cutoff)
        else:
            count = self._store.mark_history_sent(company, cutoff, note, now)
            first = [self._store.get(entry.action_key) or entry for entry in first]  # as they now are
            log.info("outbox %s: %d entries marked sent by %s (%s)", company, count, by, reason)
        return HistoryMarking(company, cutoff, count, first, note, dry_run)


def status_label(status: str) -> str:
    return OUTBOX_STATUS_LABELS.get(status, status)


def describe_entry(entry: OutboxEntry) -> dict[str, Any]:
    """An entry as ``outbox list --json`` shows it (codes, not labels)."""
    return {
        "action_key": entry.action_key,
        "company": entry.company,
        "customer_code": entry.customer_code,
        "case_id": entry.case_id,
        "seq": entry.seq,
        "action_code": entry.action_code.code,
        "action_label": entry.action_code.label,
        "channel": entry.channel,
        "recipient": entry.recipient,
        "business_date": entry.business_date.isoformat(),
        "description": entry.payload.get("description"),
        "overdue": entry.payload.get("overdue"),
        "status": entry.status,
        "attempts": entry.attempts,
        "last_error": entry.last_error,
        "next_attempt_at": entry.next_attempt_at.isoformat(),
        "updated_at": entry.updated_at.isoformat(),
    }
