"""Running the dunning workflow: everything due up to a business date.

``DunningService.run_positions`` loads the positions given, lets the domain engine decide and record
what is due on the business date, saves them atomically (redoing one by one, from fresh state, those
another writer changed meanwhile), hands the actions recorded (``StepExecuted``,
``ReactivationRequested``) to the :class:`Dispatcher` and writes each position's next wake-up into the
due index. ``run_due`` (``creditbox tick``) claims from the due index the company's positions due by
the business date, chunk by chunk, and runs them: a tick costs what is due, not the size of the store.

Running the same business date twice records nothing the second time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from creditbox.application.companies import CompanyDirectory
from creditbox.application.date_policy import DatePolicy
from creditbox.application.ports import (
    ActionToDispatch,
    BulkLoader,
    Dispatcher,
    DueIndex,
    EventStore,
    Rescheduled,
    TableSource,
)
from creditbox.clock import Clock
from creditbox.domain.business_dates import DEFAULT_FUTURE_TOLERANCE_DAYS, add_days
from creditbox.domain.codes import ActionCode
from creditbox.domain.company import CompanySettings
from creditbox.domain.errors import Field, NotFound
from creditbox.domain.ids import position_id
from creditbox.domain.position import Position
from creditbox.domain.workflow.ladder import TableVersion
from creditbox.domain.workflow.wake_up import wake_up

CUSTOMER_REGISTERED = "creditbox.position.CustomerRegistered"
STEP_EXECUTED = "creditbox.position.StepExecuted"
REACTIVATION_REQUESTED = "creditbox.position.ReactivationRequested"
ACTION_TOPICS = (STEP_EXECUTED, REACTIVATION_REQUESTED)
SCHEDULER = "scheduler"
DEFAULT_CHUNK = 500
# How long a tick's claim on a position lasts when the tick dies before finishing it (seconds).
DEFAULT_LEASE_SECONDS = 300.0


@dataclass
class TickReport:
    company: str
    business_date: date
    positions: int = 0  # positions of the company looked at (those due)
    changed: int = 0  # positions that recorded something
    events: Counter[str] = field(default_factory=Counter)
    actions: list[ActionToDispatch] = field(default_factory=list)

    @property
    def event_count(self) -> int:
        return sum(self.events.values())


def actions_of(position: Position, events: Iterable[Any]) -> list[ActionToDispatch]:
    """The actions among freshly recorded events of ``position``."""
    actions: list[ActionToDispatch] = []
    for e in events:
        name = type(e).__name__
        if name == "StepExecuted":
            actions.append(
                ActionToDispatch(
                    action_id=e.action_id,
                    company=position.company,
                    customer_code=position.customer_code,
                    supply_code=e.supply_code,
                    case_id=e.case_id,
                    seq=e.seq,
                    action_code=e.action_code,
                    description=e.description,
                    recipient=e.recipient,
                    parameters=dict(e.parameters),
                    overdue=e.overdue,
                    business_date=e.business_date,
                )
            )
        elif name == "ReactivationRequested":
            actions.append(
                ActionToDispatch(
                    action_id=e.action_id,
                    company=position.company,
                    customer_code=position.customer_code,
                    supply_code=e.supply_code,
                    case_id=e.case_id,
                    seq=None,
                    action_code=ActionCode.TECHNICAL_OFFICE,
                    description="Richiesta riattivazione fornitura all'Ufficio tecnico",
                    recipient=None,
                    parameters={"tech": "reactivate"},
                    overdue=e.overdue,
                    business_date=e.business_date,
                )
            )
    return actions


class CachingLoader:
    """Keeps the aggregates it loaded in memory, so a long run (a simulation) loads each position
    once. It does not see other writers' events by itself: its owner forgets an aggregate when the
    event log shows it changed (the simulation does, after each round of the workers)."""

    def __init__(self, loader: BulkLoader) -> None:
        self._loader = loader
        self._cache: dict[UUID, Any] = {}

    def load_many(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Any]:
        ids = list(aggregate_ids)
        missing = [i for i in ids if i not in self._cache]
        if missing:
            self._cache.update(self._loader.load_many(missing))
        return {i: self._cache[i] for i in ids if i in self._cache}

    def forget(self, aggregate_id: UUID) -> None:
        self._cache.pop(aggregate_id, None)


class DunningService:
    def __init__(
        self,
        store: EventStore,
        loader: BulkLoader,
        companies: CompanyDirectory,
        tables: TableSource,
        dispatcher: Dispatcher,
        clock: Clock,
        *,
        chunk_size: int = DEFAULT_CHUNK,
        future_tolerance_days: int = DEFAULT_FUTURE_TOLERANCE_DAYS,
        due: DueIndex,
        catch_up: Callable[[], object] | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        claimer: str = SCHEDULER,
    ) -> None:
        self._dates = DatePolicy(clock, future_tolerance_days)
        self._store = store
        self._loader = loader
        self._companies = companies
        self._tables = tables
        self._dispatcher = dispatcher
        self._clock = clock
        self._chunk_size = chunk_size
        self._due = due
        # Brings the due index up to the event log before a tick (inline read models); None: external.
        self._catch_up = catch_up
        self._lease_seconds = lease_seconds
        self._claimer = claimer

    # ---- ticks ----------------------------------------------------------------------------

    def run_due(
        self,
        company: str,
        business_date: date,
        *,
        by: str = SCHEDULER,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> TickReport:
        """Run everything due on ``business_date`` for ``company``: the positions the due index has
        due by that date, claimed chunk by chunk (``on_progress``: positions run so far, twice)."""
        code = self._companies.require(company)
        if self._catch_up is not None:
            self._catch_up()
        report = TickReport(code, business_date)
        runs: Counter[UUID] = Counter()
        while True:
            claimed = self._due.claim(business_date, self._chunk_size, self._lease_seconds, self._claimer, company=code)
            # A position changed by another writer during its run can be due again: run it once more,
            # never in a loop.
            fresh = [w for w in claimed if runs[w.position_id] < 2]
            stale = [w.position_id for w in claimed if runs[w.position_id] >= 2]
            if stale:
                self._due.release(stale)
            if not fresh:
                break
            runs.update(w.position_id for w in fresh)
            self._run_claimed(code, [w.position_id for w in fresh], business_date, by, report)
            if on_progress is not None:
                on_progress(report.positions, report.positions)
        return report

    def run_positions(
        self, company: str, ids: Sequence[UUID], business_date: date, *, by: str = SCHEDULER
    ) -> TickReport:
        """Run what is due on ``business_date`` for these positions of ``company`` (the others, and
        ids that are no position, are left alone), save, and write their next wake-ups."""
        registered = self._companies.get(company)  # read once: its code and its settings
        report = TickReport(registered.code, business_date)
        ids = list(dict.fromkeys(ids))  # each id once
        self._run_claimed(registered.code, ids, business_date, by, report, settings=registered.settings)
        return report

    def _run_claimed(
        self,
        company: str,
        ids: list[UUID],
        business_date: date,
        by: str,
        report: TickReport,
        *,
        settings: CompanySettings | None = None,
    ) -> None:
        table = self._tables.current(company)
        if settings is None:
            settings = self._companies.get(company).settings
        try:
            ran = self._run_chunk(company, ids, table, settings, business_date, by, report)
        except BaseException:
            self._due.release(ids)  # still due: the next tick or round runs them
            raise
        done = {p.id: p for p in ran}
        results = [
            Rescheduled(
                p.id, p.version, wake_up(p, table, settings, since=add_days(business_date, 1)).on, business_date
            )
            for p in done.values()
        ]
        self._due.done(results)
        missing = [i for i in ids if i not in done]
        if missing:
            self._due.release(missing)

    def _run_chunk(
        self,
        company: str,
        ids: list[UUID],
        table: TableVersion,
        settings: CompanySettings,
        business_date: date,
        by: str,
        report: TickReport,
    ) -> list[Position]:
        """Run and save the positions of ``company`` among ``ids``; returns them as they are after the run."""
        positions = self._positions_among(company, ids)
        changed: list[Position] = []
        for position in positions:
            report.positions += 1
            if position.run_workflow(table, settings, business_date, by=by):
                changed.append(position)
        if not changed:
            return positions
        recorded = {p.id: list(p.pending_events) for p in changed}
        try:
            self._store.save(*changed)
        except IntegrityError:
            # Another writer got there first: redo those positions one by one from fresh state.
            fresh = {p.id: p for p in positions}
            for position in changed:
                self._forget(position.id)
                fresh[position.id] = self._retry_one(position.id, table, settings, business_date, by, report)
            return list(fresh.values())
        for position in changed:
            self._account(position, recorded[position.id], report)
        return positions

    def _retry_one(
        self,
        aggregate_id: UUID,
        table: TableVersion,
        settings: CompanySettings,
        business_date: date,
        by: str,
        report: TickReport,
    ) -> Position:
        position = self._store.get_or_none(aggregate_id)
        assert isinstance(position, Position)
        if position.run_workflow(table, settings, business_date, by=by):
            events = list(position.pending_events)
            self._store.save(position)
            self._account(position, events, report)
        return position

    def _account(self, position: Position, events: list[Any], report: TickReport) -> None:
        report.changed += 1
        report.events.update(type(e).__name__ for e in events)
        actions = actions_of(position, events)
        if actions:
            report.actions.extend(actions)
            self._dispatcher.dispatch(actions)

    def positions(self, company: str) -> list[Position]:
        """Every position of ``company`` (loaded in chunks)."""
        code = self._companies.require(company)
        ids = self._store.originators_of(CUSTOMER_REGISTERED)
        found: list[Position] = []
        for start in range(0, len(ids), self._chunk_size):
            found.extend(self._positions_among(code, ids[start : start + self._chunk_size]))
        return found

    def _positions_among(self, company: str, ids: list[UUID]) -> list[Position]:
        loaded = self._loader.load_many(ids)
        return [p for p in loaded.values() if isinstance(p, Position) and p.company == company]

    def _forget(self, aggregate_id: UUID) -> None:
        if isinstance(self._loader, CachingLoader):
            self._loader.forget(aggregate_id)

    # ---- one position (after a command) ---------------------------------------------------

    def load(self, company: str, customer_code: str) -> Position:
        key = position_id(company, customer_code)
        position = self._loader.load_many([key]).get(key)
        if not isinstance(position, Position):
            raise NotFound(f"cliente {customer_code!r} sconosciuto nell'azienda {company!r}")
        return position

    def business_date(self, given: date | None, field: Field = Field.BUSINESS_DATE, what: str = "data") -> date:
        """``given``, once within the range and not later than today plus the tolerance
        (:class:`DateInFuture` otherwise); without one, today."""
        if given is None:
            return self._clock.today()
        return self._dates.window().check(given, field, what)

    def settings(self, company: str) -> CompanySettings:
        return self._companies.get(company).settings

    def save_and_run(self, position: Position, business_date: date, *, by: str) -> list[str]:
        """Run what a command made due on ``business_date``, save, dispatch. Returns the event names."""
        position.run_workflow(
            self._tables.current(position.company), self.settings(position.company), business_date, by=by
        )
        events = list(position.pending_events)
        if not events:
            return []
        self.save(position)
        actions = actions_of(position, events)
        if actions:
            self._dispatcher.dispatch(actions)
        return [type(e).__name__ for e in events]

    def save(self, position: Position) -> None:
        try:
            self._store.save(position)
        except IntegrityError:
            self._forget(position.id)
            raise
