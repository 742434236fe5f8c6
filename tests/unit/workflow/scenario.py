"""Given/when/then helpers for workflow scenarios: a position, the standard table, a clock of days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from creditbox.domain.codes import ActionCode, CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.company import CompanySettings
from creditbox.domain.documents import CustomerDetails, SupplyDetails
from creditbox.domain.position import Position
from creditbox.domain.workflow.cases import DunningCase, StepStatus
from creditbox.domain.workflow.ladder import StaticTable, TableVersion
from creditbox.domain.workflow.outcomes import StepOutcome
from tests.unit.workflow.table import standard_table

BY = "test"
DUE = date(2026, 1, 31)


def customer(customer_type: CustomerType = CustomerType.DOMESTIC, **contacts: str | None) -> CustomerDetails:
    defaults: dict[str, Any] = {
        "mobile": "3331234567",
        "email": "mario@example.it",
        "pec": "mario@pec.example.it",
        "address": "Via Roma 1",
        "postcode": "00100",
        "city": "Roma",
        "province": "RM",
    }
    defaults.update(contacts)
    return CustomerDetails(name="Mario Rossi", customer_type=customer_type, **defaults)


@dataclass
class Scenario:
    position: Position
    table: TableVersion = field(default_factory=standard_table)
    settings: CompanySettings = field(default_factory=CompanySettings)
    today: date = DUE
    history: list[Any] = field(default_factory=list)

    @classmethod
    def given(
        cls,
        *,
        customer_type: CustomerType = CustomerType.DOMESTIC,
        service: Service = Service.WATER,
        supply_type: SupplyType = SupplyType.SUSPENDABLE,
        status: SupplyStatus = SupplyStatus.ACTIVE,
        amount: str = "120.00",
        due: date = DUE,
        table: StaticTable | None = None,
        settings: CompanySettings | None = None,
        **contacts: str | None,
    ) -> Scenario:
        position = Position.register("ACQ", "C1", customer(customer_type, **contacts), by=BY)
        position.register_supply(SupplyDetails("S1", service, supply_type, status), by=BY)
        if amount:
            position.issue_bill("B1", "S1", due - timedelta(days=20), due, Decimal(amount), by=BY)
        scenario = cls(position, settings=settings or CompanySettings())
        if table is not None:
            scenario.table = table
        scenario.collect()
        return scenario

    # ---- when ---------------------------------------------------------------------------------

    def collect(self) -> list[str]:
        events = self.position.collect_events()
        self.history.extend(events)
        return [type(e).__name__ for e in events]

    def tick(self, day: date | None = None) -> list[str]:
        """Run the engine on ``day`` (default: the scenario's today). Returns the event names."""
        self.today = day or self.today
        self.position.run_workflow(self.table, self.settings, self.today, by="scheduler")
        return self.collect()

    def days(self, until: date, *, operator: bool = False, level: int = 3) -> list[str]:
        """Tick every day from tomorrow up to ``until``; an operator confirms and approves if asked."""
        names: list[str] = []
        while self.today < until:
            names += self.tick(self.today + timedelta(days=1))
            if operator:
                names += self.work_worklist(level)
        return names

    def work_worklist(self, level: int = 3) -> list[str]:
        names: list[str] = []
        for case in list(self.position.dunning.cases.values()):
            step = case.pending_step
            if not case.is_open or step is None:
                continue
            if step.status == StepStatus.PROPOSED:
                self.position.confirm_proposal(case.case_id, step.seq, self.today, by="op")
            if step.status == StepStatus.AWAITING_APPROVAL:
                self.position.approve_step(case.case_id, step.seq, level, self.settings, self.today, by="boss")
            names += self.collect()
            names += self.tick()
        return names

    def outcome(self, seq: int, outcome: StepOutcome, on: date | None = None) -> list[str]:
        self.position.record_outcome(self.case.case_id, seq, outcome, on or self.today, "", by="op")
        return self.collect()

    def pay(self, amount: str, on: date | None = None, payment_id: str | None = None) -> list[str]:
        n = len(self.position.payments) + 1
        self.position.receive_payment(payment_id or f"P{n}", on or self.today, Decimal(amount), by=BY)
        return self.collect()

    def bill(self, number: str, due: date, amount: str) -> list[str]:
        self.position.issue_bill(number, "S1", due - timedelta(days=20), due, Decimal(amount), by=BY)
        return self.collect()

    # ---- then ---------------------------------------------------------------------------------

    @property
    def case(self) -> DunningCase:
        cases = self.position.dunning.cases_of("S1")
        assert cases, "no case opened"
        return cases[-1]

    def executed(self) -> list[tuple[int, ActionCode]]:
        return [(s.seq, s.action_code) for s in self.case.steps if s.status == StepStatus.EXECUTED]

    def events_named(self, name: str) -> list[Any]:
        return [e for e in self.history if type(e).__name__ == name]


def walk(scenario: Scenario, until: date, *, office: StepOutcome = StepOutcome.NEGATIVE, delay: int = 2) -> None:
    """Play a whole ladder: messages delivered and offices answering ``office`` ``delay`` days after
    execution; an operator confirms, a level-3 supervisor approves."""
    while scenario.today < until:
        scenario.days(scenario.today + timedelta(days=1), operator=True)
        if not scenario.position.dunning.cases:
            continue
        for step in scenario.case.steps:
            if step.status != StepStatus.EXECUTED or step.outcomes or step.executed_on is None:
                continue
            if scenario.today < step.executed_on + timedelta(days=delay):
                continue
            if step.action_code in (ActionCode.TECHNICAL_OFFICE, ActionCode.COLLECTION_AGENCY):
                scenario.outcome(step.seq, office)
            elif step.action_code not in (ActionCode.LITIGATION, ActionCode.WRITE_OFF_REQUEST):
                scenario.outcome(step.seq, StepOutcome.DELIVERED)
