"""SupplyOwnership: which customer a supply code belongs to, company-wide.

A tiny aggregate keyed by (company, supply code). Saving it in the same transaction as the
position that registers the supply makes "a supply belongs to one customer" hold even when
two imports race: the second insert of version 1 fails.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from creditbox.domain.errors import Conflict
from creditbox.domain.ids import normalise_company_code, supply_ownership_id

T = "creditbox.supply."


class SupplyOwnership(Aggregate):
    TOPIC = "creditbox.supply.SupplyOwnership"

    class Created(Aggregate.Created):
        TOPIC = T + "Created"

    @staticmethod
    def create_id(company: str, supply_code: str, **_: Any) -> UUID:
        return supply_ownership_id(company, supply_code)

    @classmethod
    def claim(cls, company: str, supply_code: str, customer_code: str, *, by: str) -> SupplyOwnership:
        company = normalise_company_code(company)
        # Straight from the created event class with the id already known (see DocumentOwnership).
        return cls._create(
            cls.SupplyClaimed,
            id=supply_ownership_id(company, supply_code),
            by=by,
            company=company,
            supply_code=supply_code,
            customer_code=customer_code,
        )

    SupplyClaimed: type[Aggregate.Created]  # the created event class the decorator below defines

    @event("SupplyClaimed", topic=T + "SupplyClaimed")
    def __init__(self, by: str, company: str, supply_code: str, customer_code: str) -> None:
        self.company = company
        self.supply_code = supply_code
        self.customer_code = customer_code

    def check_owner(self, customer_code: str) -> None:
        if customer_code != self.customer_code:
            raise Conflict(f"la fornitura {self.supply_code!r} appartiene già al cliente {self.customer_code!r}")
