"""Reading a position back from its events (the write model), for the CLI, the API's history and tests.

Lists and worklists read projections instead; this is for one customer at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from creditbox.application.history import PositionHistory, position_as_of, position_history
from creditbox.application.ports import PositionStore
from creditbox.domain.actions_table import ActionsTable
from creditbox.domain.documents import CustomerDetails, OpenItem, SupplyDetails
from creditbox.domain.errors import NotFound
from creditbox.domain.ids import actions_table_id, position_id
from creditbox.domain.position import LostItem, Position
from creditbox.domain.workflow.amounts import residual_of
from creditbox.domain.workflow.cases import DunningCase
from creditbox.domain.workflow.ladder import TableVersion
from creditbox.domain.workflow.locks import Lock
from creditbox.domain.workflow.outcomes import Loss
from creditbox.domain.workflow.waiting import Waiting, table_version_of, waiting_of


@dataclass(frozen=True)
class PositionSummary:
    company: str
    customer_code: str
    details: CustomerDetails
    supplies: list[SupplyDetails]
    open_items: list[OpenItem]
    balance: Decimal
    overdue: Decimal
    overdue_by_supply: dict[str, Decimal]
    credit: Decimal
    as_of: date
    version: int
    # Dunning cases (all of them, oldest first) and locks of the position.
    cases: list[DunningCase] = field(default_factory=list)
    locks: list[Lock] = field(default_factory=list)
    # Unpaid bills out of collection (written off or settled, lost in litigation): not in ``open_items``
    # nor in ``overdue``, summed apart in ``losses``.
    lost_items: list[LostItem] = field(default_factory=list)
    losses: dict[Loss, Decimal] = field(default_factory=dict)
    # What each open case waits for on ``as_of`` (by case id; None: only a date, or closed).
    waiting: dict[str, Waiting | None] = field(default_factory=dict)
    # Replayed as of a past date: what the replay says about dating (Italian).
    notes: list[str] = field(default_factory=list)


class PositionReader:
    def __init__(self, store: PositionStore) -> None:
        self._store = store

    def load(self, company: str, customer_code: str) -> Position:
        position = self._store.get_or_none(position_id(company, customer_code))
        if not isinstance(position, Position):
            raise NotFound(f"cliente {customer_code!r} sconosciuto nell'azienda {company!r}")
        return position

    def summary(
        self,
        company: str,
        customer_code: str,
        as_of: date,
        *,
        replay: bool = False,
        zone: Any = None,
        as_recorded_at: datetime | None = None,
    ) -> PositionSummary:
        """The position on ``as_of``. With ``replay`` it is rebuilt from its events dated up to ``as_of``
        (cases opened later left out, statuses and steps as they were, ``notes`` on what could not be
        dated); without, today's state valued at ``as_of``."""
        notes: list[str] = []
        if replay:
            replayed = position_as_of(self._store, company, customer_code, as_of, zone, as_recorded_at)
            assert replayed.position is not None
            position, notes = replayed.position, replayed.notes
        else:
            position = self.load(company, customer_code)
        allocation = position.allocation(as_of)
        return PositionSummary(
            company=position.company,
            customer_code=position.customer_code,
            details=position.details,
            supplies=sorted(position.supplies.values(), key=lambda s: s.code),
            open_items=position.open_items(as_of),
            lost_items=position.lost_items(as_of),
            losses=position.losses(as_of),
            balance=position.balance(as_of),
            overdue=position.overdue(as_of),
            overdue_by_supply=position.overdue_by_supply(as_of),
            credit=max(allocation.credit, Decimal("0.00")),
            as_of=as_of,
            version=position.version,
            cases=list(position.dunning.cases.values()),
            locks=list(position.dunning.locks.values()),
            waiting=self.waiting(position, as_of),
            notes=notes,
        )

    def history(
        self,
        company: str,
        customer_code: str,
        *,
        as_of: date | None,
        zone: Any,
        as_recorded_at: datetime | None = None,
    ) -> PositionHistory:
        """Every event of the position (those recorded up to ``as_recorded_at`` and dated up to
        ``as_of`` when given), with the position replayed from them (``creditbox.application.history``)."""
        return position_history(
            self._store, company, customer_code, as_of=as_of, zone=zone, as_recorded_at=as_recorded_at
        )

    def waiting(self, position: Position, as_of: date) -> dict[str, Waiting | None]:
        """What each case of ``position`` waits for on ``as_of`` (next rows from the case's table version)."""
        table = self._store.get_or_none(actions_table_id(position.company))
        allocation = position.allocation(as_of)
        locks = list(position.dunning.locks.values())
        found: dict[str, Waiting | None] = {}
        for case in position.dunning.cases.values():
            version = _version(table, table_version_of(case))
            amount = residual_of(case.bills, allocation)
            supply = position.supplies.get(case.supply_code)
            found[case.case_id] = waiting_of(case, locks, as_of, version, position.details, supply, amount)
        return found


def _version(table: Any, number: int) -> TableVersion | None:
    if not isinstance(table, ActionsTable):
        return None
    try:
        return table.get_version(number)
    except NotFound:
        return None
