"""The scheduler: one round brings the due index up to date (inline read models), claims the
positions due by the business date, chunk by chunk, and hands them to a :class:`WorkQueue` — the
Dramatiq workers, or :class:`InlineQueue` which runs them in this process. Then the outbox relay
(enqueues the pending sends) and a pass over the inbox, when given.

The business date travels with every piece of work: a worker runs a position for the date the
scheduler claimed it for, whenever the message arrives. Nothing waits in the broker for days: the
wait is the due index's ``wake_on``, and the scheduler hands a position over only once it is due.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol
from uuid import UUID

from creditbox.application.dunning import DEFAULT_CHUNK, DEFAULT_LEASE_SECONDS, TickReport
from creditbox.application.ports import DueIndex, DueWork, WorkQueue


class RunsPositions(Protocol):
    """What :class:`InlineQueue` needs of the dunning service."""

    def run_positions(self, company: str, ids: Sequence[UUID], business_date: date, *, by: str) -> TickReport: ...


@dataclass
class SchedulerReport:
    business_date: date
    claimed: int = 0  # positions handed to the queue
    by_company: Counter[str] = field(default_factory=Counter)
    chunks: int = 0
    relayed: bool = False
    inbox: object | None = None  # what the inbox pass returned, when there was one

    @property
    def companies(self) -> int:
        return len(self.by_company)


class InlineQueue:
    """A :class:`WorkQueue` that runs the work in this process (``DunningService.run_positions``)
    and sends actions through the callable it is given (the outbox's ``send``), if any."""

    def __init__(
        self,
        dunning: RunsPositions,
        *,
        send: Callable[[str], object] | None = None,
        by: str = "scheduler",
    ) -> None:
        self._dunning = dunning
        self._send = send
        self._by = by
        self.reports: list[TickReport] = []

    def run_positions(self, work: Sequence[DueWork]) -> None:
        groups: dict[tuple[str, date], list[UUID]] = {}
        for item in work:
            groups.setdefault((item.company, item.business_date), []).append(item.position_id)
        for (company, business_date), ids in groups.items():
            self.reports.append(self._dunning.run_positions(company, ids, business_date, by=self._by))

    def send_actions(self, action_keys: Sequence[str]) -> None:
        if self._send is None:
            return
        for key in action_keys:
            self._send(key)

    def events(self) -> Counter[str]:
        """Every event the runs recorded, by name."""
        total: Counter[str] = Counter()
        for report in self.reports:
            total.update(report.events)
        return total


class Scheduler:
    def __init__(
        self,
        due: DueIndex,
        queue: WorkQueue,
        *,
        catch_up: Callable[[], object] | None = None,
        relay: Callable[[WorkQueue], object] | None = None,
        inbox: Callable[[], object] | None = None,
        company: str | None = None,
        chunk_size: int = DEFAULT_CHUNK,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        claimer: str = "scheduler",
    ) -> None:
        self._due = due
        self.queue = queue
        self._catch_up = catch_up
        self._relay = relay
        self._inbox = inbox
        self._company = company
        self._chunk_size = chunk_size
        self._lease_seconds = lease_seconds
        self._claimer = claimer

    def run_once(self, business_date: date) -> SchedulerReport:
        """One round for ``business_date``: every position due by then is handed to the queue once."""
        report = SchedulerReport(business_date)
        if self._catch_up is not None:
            self._catch_up()
        handed: set[UUID] = set()
        while True:
            claimed = self._due.claim(
                business_date, self._chunk_size, self._lease_seconds, self._claimer, company=self._company
            )
            # A position handed over already in this round and due again (changed meanwhile by another
            # writer) waits for the next round: one round never loops on a position.
            again = [w.position_id for w in claimed if w.position_id in handed]
            if again:
                self._due.release(again)
            fresh = [w for w in claimed if w.position_id not in handed]
            if not fresh:
                break
            handed.update(w.position_id for w in fresh)
            self.queue.run_positions(fresh)
            report.claimed += len(fresh)
            report.chunks += 1
            report.by_company.update(w.company for w in fresh)
        if self._relay is not None:
            if report.claimed and self._catch_up is not None:
                # What this round recorded in process (``InlineQueue``) reaches the outbox before the relay,
                # so its actions go out in this round, not the next one.
                self._catch_up()
            self._relay(self.queue)
            report.relayed = True
        if self._inbox is not None:
            report.inbox = self._inbox()
        return report
