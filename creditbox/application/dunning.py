"""Running the dunning workflow: everything due up to a business date, for one company.

``DunningService.run_due`` loads the company's positions in chunks, lets the domain engine decide
and record what is due on the business date, saves each chunk atomically and hands the actions
recorded (``StepExecuted``, ``ReactivationRequested``) to the :class:`Dispatcher`. The events
themselves are the outbox: a dispatcher that fails after the save loses nothing, since the
action stays in the event log with its idempotency key (``action_id``).

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
from creditbox.application.ports import ActionToDispatch, BulkLoader, Dispatcher, EventStore, TableSource
from creditbox.clock import Clock
from creditbox.domain.business_dates import DEFAULT_FUTURE_TOLERANCE_DAYS
from creditbox.domain.codes import ActionCode
from creditbox.domain.company import CompanySettings
from creditbox.domain.errors import Field, NotFound
from creditbox.domain.ids import position_id
from creditbox.domain.position import Position
from creditbox.domain.workflow.ladder import TableVersion

CUSTOMER_REGISTERED = "creditbox.position.CustomerRegistered"
STEP_EXECUTED = "creditbox.position.StepExecuted"
REACTIVATION_REQUESTED = "creditbox.position.ReactivationRequested"
ACTION_TOPICS = (STEP_EXECUTED, REACTIVATION_REQUESTED)
SCHEDULER = "scheduler"
DEFAULT_CHUNK = 500


@dataclass
class TickReport:
    company: str
    business_date: date
    positions: int = 0  # positions of the company looked at
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
    """Keeps the aggregates it loaded in memory, so a long single-writer run (a simulation) loads
    each position once. Not for shared use: it does not see other writers' events."""

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
    ) -> None:
        self._dates = DatePolicy(clock, future_tolerance_days)
        self._store = store
        self._loader = loader
        self._companies = companies
        self._tables = tables
        self._dispatcher = dispatcher
        self._clock = clock
        self._chunk_size = chunk_size

    # ---- ticks ----------------------------------------------------------------------------

    def run_due(
        self,
        company: str,
        business_date: date,
        *,
        by: str = SCHEDULER,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> TickReport:
        """Run everything due on ``business_date`` for every position of ``company``."""
        code = self._companies.require(company)
        table = self._tables.current(code)
        settings = self._companies.get(code).settings
        ids = self._store.originators_of(CUSTOMER_REGISTERED)
        report = TickReport(code, business_date)
        for start in range(0, len(ids), self._chunk_size):
            chunk = ids[start : start + self._chunk_size]
            self._run_chunk(code, chunk, table, settings, business_date, by, report)
            if on_progress is not None:
                on_progress(min(start + self._chunk_size, len(ids)), len(ids))
        return report

    def run_positions(
        self, company: str, position_ids: Sequence[UUID], business_date: date, *, by: str = SCHEDULER
    ) -> TickReport:
        """Run what is due on ``business_date`` for the given positions of ``company`` only (the
        workers' ``run_position``); ids of other companies' positions, or unknown ids, are skipped.
        A write conflict is retried on fresh state, as in :meth:`run_due`."""
        code = self._companies.require(company)
        table = self._tables.current(code)
        settings = self._companies.get(code).settings
        report = TickReport(code, business_date)
        ids = list(dict.fromkeys(position_ids))
        for start in range(0, len(ids), self._chunk_size):
            self._run_chunk(code, ids[start : start + self._chunk_size], table, settings, business_date, by, report)
        return report

    def _run_chunk(
        self,
        company: str,
        ids: list[UUID],
        table: TableVersion,
        settings: CompanySettings,
        business_date: date,
        by: str,
        report: TickReport,
    ) -> None:
        changed: list[Position] = []
        for position in self._positions_among(company, ids):
            report.positions += 1
            if position.run_workflow(table, settings, business_date, by=by):
                changed.append(position)
        if not changed:
            return
        recorded = {p.id: list(p.pending_events) for p in changed}
        try:
            self._store.save(*changed)
        except IntegrityError:
            # Another writer got there first: redo those positions one by one from fresh state.
            for position in changed:
                self._forget(position.id)
                self._retry_one(position.id, table, settings, business_date, by, report)
            return
        for position in changed:
            self._account(position, recorded[position.id], report)

    def _retry_one(
        self,
        aggregate_id: UUID,
        table: TableVersion,
        settings: CompanySettings,
        business_date: date,
        by: str,
        report: TickReport,
    ) -> None:
        position = self._store.get_or_none(aggregate_id)
        assert isinstance(position, Position)
        if position.run_workflow(table, settings, business_date, by=by):
            events = list(position.pending_events)
            self._store.save(position)
            self._account(position, events, report)

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
