"""Simulation: run the dunning workflow day by day over a period, with deterministic (seeded)
deliveries, outcomes, payments and a diligent operator, so whole ladders can be watched.

Every random choice is drawn from a generator seeded with ``(seed, action_id)``, so the same data,
table and seed always give the same history, whatever the order actions are dispatched in.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from creditbox.application.case_commands import CaseCommands
from creditbox.application.dunning import DunningService
from creditbox.application.ports import ActionToDispatch
from creditbox.domain.business_dates import add_days
from creditbox.domain.codes import ActionCode
from creditbox.domain.errors import DomainError
from creditbox.domain.workflow.amounts import supply_debt
from creditbox.domain.workflow.cases import StepStatus
from creditbox.domain.workflow.outcomes import StepOutcome

SIMULATION = "simulazione"
SUPERVISOR_LEVEL = 3


@dataclass(frozen=True)
class Scheduled:
    on: date
    kind: str  # outcome | reactivation | payment
    action: ActionToDispatch
    outcome: StepOutcome | None = None


class SimulatedChannels:
    """A dispatcher that plays the outside world: receipts, office answers, customers who pay."""

    def __init__(self, seed: int, *, play: bool = True, pay_probability: float = 0.12) -> None:
        self._seed = seed
        self._play = play
        self._pay = pay_probability
        self._seen: set[str] = set()
        self.pending: list[Scheduled] = []
        self.dispatched: list[ActionToDispatch] = []

    def dispatch(self, actions: Sequence[ActionToDispatch]) -> None:
        for action in actions:
            if action.action_id in self._seen:
                continue
            self._seen.add(action.action_id)
            self.dispatched.append(action)
            self.pending.extend(self._plan(action))

    def due(self, day: date) -> list[Scheduled]:
        today = sorted((s for s in self.pending if s.on <= day), key=lambda s: (s.on, s.action.action_id, s.kind))
        self.pending = [s for s in self.pending if s.on > day]
        return today

    def _plan(self, action: ActionToDispatch) -> list[Scheduled]:
        if not self._play:
            return []
        rng = random.Random(f"{self._seed}:{action.action_id}")
        start = action.business_date
        if action.is_reactivation:
            return [Scheduled(add_days(start, rng.randint(1, 3)), "reactivation", action)]
        planned: list[Scheduled] = []
        outcome, after = _outcome(rng, action.action_code)
        if outcome is not None:
            planned.append(Scheduled(add_days(start, after), "outcome", action, outcome))
        if rng.random() < self._pay:
            planned.append(Scheduled(add_days(start, rng.randint(2, 25)), "payment", action))
        return planned


def _outcome(rng: random.Random, code: ActionCode) -> tuple[StepOutcome | None, int]:
    roll = rng.random()
    if code == ActionCode.REGISTERED_LETTER:
        if roll < 0.8:
            return StepOutcome.DELIVERED, rng.randint(3, 10)
        if roll < 0.9:
            return StepOutcome.UNCLAIMED, rng.randint(30, 40)
        return StepOutcome.RETURNED, rng.randint(10, 30)
    if code in (ActionCode.SMS, ActionCode.EMAIL, ActionCode.PEC, ActionCode.FRIENDLY_REMINDER):
        return (StepOutcome.DELIVERED, rng.randint(0, 3)) if roll < 0.92 else (StepOutcome.NOT_DELIVERED, 1)
    if code == ActionCode.TECHNICAL_OFFICE:
        return (StepOutcome.POSITIVE if roll < 0.7 else StepOutcome.NEGATIVE), rng.randint(3, 12)
    if code == ActionCode.COLLECTION_AGENCY:
        return (StepOutcome.POSITIVE, rng.randint(20, 60)) if roll < 0.25 else (StepOutcome.NEGATIVE, 60)
    return None, 0


@dataclass
class SimulationSummary:
    company: str
    start: date
    end: date
    days: int = 0
    events: Counter[str] = field(default_factory=Counter)
    actions_by_code: Counter[str] = field(default_factory=Counter)
    cases_by_status: Counter[str] = field(default_factory=Counter)
    # (ladder, last step seq, its action code label) -> open and closed cases there
    cases_by_step: Counter[tuple[str, int, str]] = field(default_factory=Counter)
    cases_by_ladder: Counter[str] = field(default_factory=Counter)
    payments: int = 0
    outcomes: int = 0
    confirmations: int = 0


class Simulator:
    def __init__(
        self,
        service: DunningService,
        commands: CaseCommands,
        channels: SimulatedChannels,
        set_today: Callable[[date], None],
        *,
        operator: bool = True,
    ) -> None:
        self._service = service
        self._commands = commands
        self._channels = channels
        self._set_today = set_today
        self._operator = operator

    def run(
        self, company: str, start: date, end: date, *, on_day: Callable[[date], None] | None = None
    ) -> SimulationSummary:
        summary = SimulationSummary(company, start, end)
        day = start
        while day <= end:
            self._set_today(day)
            self._play(company, day, summary)
            report = self._service.run_due(company, day, by=SIMULATION)
            summary.events.update(report.events)
            if self._operator and (report.events["StepProposed"] or report.events["ApprovalRequested"]):
                self._work_the_worklist(company, day, summary)
            summary.days += 1
            if on_day is not None:
                on_day(day)
            day = add_days(day, 1)
        for action in self._channels.dispatched:
            summary.actions_by_code[action.action_code.label if action.seq is not None else "Riattivazione"] += 1
        self._final_state(company, summary)
        return summary

    def _play(self, company: str, day: date, summary: SimulationSummary) -> None:
        for item in self._channels.due(day):
            action = item.action
            try:
                if item.kind == "outcome" and item.outcome is not None and action.seq is not None:
                    result = self._commands.record_outcome(
                        company, action.customer_code, action.case_id, action.seq, item.outcome, day, by=SIMULATION
                    )
                    summary.outcomes += 1
                elif item.kind == "reactivation":
                    result = self._commands.record_reactivation(
                        company, action.customer_code, action.case_id, True, day, by=SIMULATION
                    )
                else:
                    self._pay(company, action, day, summary)
                    continue
                summary.events.update(result.events)
            except DomainError:
                continue  # the world moved on (e.g. case already closed): nothing to play

    def _pay(self, company: str, action: ActionToDispatch, day: date, summary: SimulationSummary) -> None:
        position = self._service.load(company, action.customer_code)
        owed = supply_debt(position, action.supply_code, day).overdue
        if owed <= Decimal("0.00"):
            return
        if position.receive_payment(f"SIM-{action.action_id}", day, owed, None, "simulazione", by=SIMULATION):
            self._service.save(position)
            summary.payments += 1

    def _work_the_worklist(self, company: str, day: date, summary: SimulationSummary) -> None:
        for position in self._service.positions(company):
            for case in position.dunning.cases.values():
                step = case.pending_step
                if not case.is_open or step is None:
                    continue
                customer = position.customer_code
                if step.status == StepStatus.PROPOSED:
                    result = self._commands.confirm_proposal(company, customer, case.case_id, step.seq, by=SIMULATION)
                    summary.events.update(result.events)
                    summary.confirmations += 1
                if step.approval_level > 0 and step.status != StepStatus.APPROVED:
                    try:
                        result = self._commands.approve_step(
                            company, customer, case.case_id, step.seq, SUPERVISOR_LEVEL, by=SIMULATION
                        )
                        summary.events.update(result.events)
                    except DomainError:
                        continue

    def _final_state(self, company: str, summary: SimulationSummary) -> None:
        for position in self._service.positions(company):
            for case in position.dunning.cases.values():
                summary.cases_by_ladder[case.ladder] += 1
                summary.cases_by_status[case.status.value] += 1
                last = case.last_executed
                if last is not None:
                    summary.cases_by_step[(case.ladder, last.seq, last.action_code.label)] += 1
