"""Reading a position back from its events (the write model), for the CLI and tests.

Lists and worklists read projections instead; this is for one customer at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from creditbox.application.unit_of_work import EventStore
from creditbox.domain.documents import CustomerDetails, OpenItem, SupplyDetails
from creditbox.domain.errors import NotFound
from creditbox.domain.ids import position_id
from creditbox.domain.position import Position
from creditbox.domain.workflow.cases import DunningCase
from creditbox.domain.workflow.locks import Lock


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


class PositionReader:
    def __init__(self, store: EventStore) -> None:
        self._store = store

    def load(self, company: str, customer_code: str) -> Position:
        position = self._store.get_or_none(position_id(company, customer_code))
        if not isinstance(position, Position):
            raise NotFound(f"cliente {customer_code!r} sconosciuto nell'azienda {company!r}")
        return position

    def summary(self, company: str, customer_code: str, as_of: date) -> PositionSummary:
        position = self.load(company, customer_code)
        allocation = position.allocation(as_of)
        return PositionSummary(
            company=position.company,
            customer_code=position.customer_code,
            details=position.details,
            supplies=sorted(position.supplies.values(), key=lambda s: s.code),
            open_items=position.open_items(as_of),
            balance=position.balance(as_of),
            overdue=position.overdue(as_of),
            overdue_by_supply=position.overdue_by_supply(as_of),
            credit=max(allocation.credit, Decimal("0.00")),
            as_of=as_of,
            version=position.version,
            cases=list(position.dunning.cases.values()),
            locks=list(position.dunning.locks.values()),
        )
