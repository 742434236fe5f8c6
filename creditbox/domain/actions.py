"""Rows of the *tabella azioni*: the model both the ActionsTable aggregate and the workflow engine use.

One row = one step of one ladder (``standard-actions-table.md``). The set-valued classification
columns are empty for "any".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

from creditbox.domain.codes import ActionCode, CustomerType, Service, SupplyStatus, SupplyType


class StartPoint(Enum):
    """What a step's ``wait_before_days`` counts from."""

    OPENED = "opened"
    PREVIOUS_SENT = "previous_sent"
    PREVIOUS_DELIVERED = "previous_delivered"
    PREVIOUS_OUTCOME = "previous_outcome"

    @property
    def label(self) -> str:
        return {
            "opened": "apertura pratica",
            "previous_sent": "invio passo precedente",
            "previous_delivered": "consegna passo precedente",
            "previous_outcome": "esito passo precedente",
        }[self.value]


class StepMode(Enum):
    AUTO = "auto"  # runs when due
    PROPOSAL = "proposal"  # put on a worklist; an operator confirms or discards

    @property
    def label(self) -> str:
        return {"auto": "automatico", "proposal": "proposta"}[self.value]


class TechnicalRequest(StrEnum):
    """What the technical office is asked to do: the ``tech=`` parameter of an action-7 row."""

    LIMIT = "limit"
    SUSPEND = "suspend"
    DISCONNECT = "disconnect"
    REACTIVATE = "reactivate"

    @property
    def label(self) -> str:
        return {
            "limit": "limitazione della fornitura",
            "suspend": "sospensione della fornitura",
            "disconnect": "distacco / risoluzione",
            "reactivate": "riattivazione",
        }[self.value]

    @property
    def interrupts(self) -> bool:
        """Limits, suspends or disconnects the supply (forbidden days apply)."""
        return self is not TechnicalRequest.REACTIVATE

    @property
    def suspends(self) -> bool:
        """A positive outcome leaves the supply suspended (a limitation does not)."""
        return self.interrupts and self is not TechnicalRequest.LIMIT


@dataclass(frozen=True)
class ActionRow:
    ladder: str
    seq: int
    action_code: ActionCode
    description: str
    wait_before_days: int
    start_point: StartPoint
    wait_after_days: int
    amount_min: Decimal
    amount_max: Decimal | None
    threshold: Decimal
    approval_level: int
    mode: StepMode
    customer_types: frozenset[CustomerType] = field(default_factory=frozenset)
    services: frozenset[Service] = field(default_factory=frozenset)
    supply_types: frozenset[SupplyType] = field(default_factory=frozenset)
    supply_statuses: frozenset[SupplyStatus] = field(default_factory=frozenset)
    parameters: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        """Stable reference of the row inside one table version: ``LADDER#seq[band]``."""
        band = f"{self.amount_min}-{self.amount_max if self.amount_max is not None else ''}"
        return f"{self.ladder}#{self.seq}[{band}]"

    def parameter(self, name: str) -> str | None:
        return dict(self.parameters).get(name)

    def matches_classification(
        self, customer_type: CustomerType, service: Service, supply_type: SupplyType, status: SupplyStatus
    ) -> bool:
        return (
            (not self.customer_types or customer_type in self.customer_types)
            and (not self.services or service in self.services)
            and (not self.supply_types or supply_type in self.supply_types)
            and (not self.supply_statuses or status in self.supply_statuses)
        )

    def matches_amount(self, overdue: Decimal) -> bool:
        """``amount_min <= overdue < amount_max`` (no max: no upper limit)."""
        return overdue >= self.amount_min and (self.amount_max is None or overdue < self.amount_max)

    def as_event_data(self) -> dict[str, Any]:
        """Primitives only, for event bodies and exports."""
        return {
            "ladder": self.ladder,
            "seq": self.seq,
            "action_code": self.action_code.code,
            "description": self.description,
            "wait_before_days": self.wait_before_days,
            "start_point": self.start_point.value,
            "wait_after_days": self.wait_after_days,
            "amount_min": str(self.amount_min),
            "amount_max": None if self.amount_max is None else str(self.amount_max),
            "threshold": str(self.threshold),
            "approval_level": self.approval_level,
            "mode": self.mode.value,
            "customer_types": sorted(t.code for t in self.customer_types),
            "services": sorted(s.code for s in self.services),
            "supply_types": sorted(t.code for t in self.supply_types),
            "supply_statuses": sorted(s.code for s in self.supply_statuses),
            "parameters": [list(p) for p in self.parameters],
        }

    @classmethod
    def from_event_data(cls, data: dict[str, Any]) -> ActionRow:
        return cls(
            ladder=data["ladder"],
            seq=int(data["seq"]),
            action_code=ActionCode(int(data["action_code"])),
            description=data["description"],
            wait_before_days=int(data["wait_before_days"]),
            start_point=StartPoint(data["start_point"]),
            wait_after_days=int(data["wait_after_days"]),
            amount_min=Decimal(data["amount_min"]),
            amount_max=None if data["amount_max"] is None else Decimal(data["amount_max"]),
            threshold=Decimal(data["threshold"]),
            approval_level=int(data["approval_level"]),
            mode=StepMode(data["mode"]),
            customer_types=frozenset(CustomerType(c) for c in data["customer_types"]),
            services=frozenset(Service(c) for c in data["services"]),
            supply_types=frozenset(SupplyType(c) for c in data["supply_types"]),
            supply_statuses=frozenset(SupplyStatus(c) for c in data["supply_statuses"]),
            parameters=tuple((str(k), str(v)) for k, v in data["parameters"]),
        )
