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
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from creditbox.application.companies import CompanyDirectory
from creditbox.application.unit_of_work import BulkLoader, EventStore
from creditbox.clock import Clock
from creditbox.domain.codes import ActionCode
from creditbox.domain.company import CompanySettings
from creditbox.domain.errors import NotFound
from creditbox.domain.ids import position_id
from creditbox.domain.position import Position
from creditbox.domain.workflow.ladder import TableVersion

CUSTOMER_REGISTERED = "creditbox.position.CustomerRegistered"
STEP_EXECUTED = "creditbox.position.StepExecuted"
REACTIVATION_REQUESTED = "creditbox.position.ReactivationRequested"
ACTION_TOPICS = (STEP_EXECUTED, REACTIVATION_REQUESTED)
SCHEDULER = "scheduler"
DEFAULT_CHUNK = 500


@dataclass(frozen=True)
class ActionToDispatch:
    """An action to carry out through a channel or an outside office. ``action_id`` is its
    idempotency key (``COMPANY/customer/case/seq``)."""

    action_id: str
    company: str
    customer_code: str
    supply_code: str
    case_id: str
    seq: int | None  # None: a reactivation request
    action_code: ActionCode
    description: str
    recipient: str | None
    parameters: dict[str, str]
    overdue: Decimal
    business_date: date

    @property
    def is_reactivation(self) -> bool:
        return self.seq is None


class Dispatcher(Protocol):
    """Hands actions to the channels (the workers issue); must be idempotent by ``action_id``."""

    def dispatch(self, actions: Sequence[ActionToDispatch]) -> None: ...


class TableSource(Protocol):
    """The company's current actions-table version (``ActionsTables`` satisfies it)."""

    def current(self, company: str) -> TableVersion: ...


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
    ) -> None:
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
        loaded = self._loader.load_many(ids)
        changed: list[Position] = []
        for position in loaded.values():
            if not isinstance(position, Position) or position.company != company:
                continue
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

    # ---- one position (after a command) ---------------------------------------------------

    def load(self, company: str, customer_code: str) -> Position:
        position = self._store.get_or_none(position_id(company, customer_code))
        if not isinstance(position, Position):
            raise NotFound(f"cliente {customer_code!r} sconosciuto nell'azienda {company!r}")
        return position

    def business_date(self, given: date | None) -> date:
        return given if given is not None else self._clock.today()

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
        self._store.save(position)
        actions = actions_of(position, events)
        if actions:
            self._dispatcher.dispatch(actions)
        return [type(e).__name__ for e in events]
