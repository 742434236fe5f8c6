"""Simulation: run the dunning workflow day by day over a period, with deterministic (seeded)
deliveries, outcomes, payments and a diligent operator, so whole ladders can be watched.

It runs on the same machinery as production, in this process: each simulated day is one round of
the scheduler (the positions due are claimed from the due index and run by the ``run_position``
actor, the pending outbox entries are handed to the ``send_action`` actor, which writes them through
the channel), on the in-process broker whose worker threads are waited for (:class:`Workers`). Only
then does the simulated outside world (:class:`SimulatedWorld`) read what was *sent* — the outbox
entries that ended ``sent`` — and plan its answers, which come back on later days as the operators'
commands would (``CaseCommands``: outcomes, reactivations) or as payments.

Every random choice is drawn from a generator seeded with ``(seed, action key)``, so the same data,
table and seed always give the same history, whatever the order the workers send the actions in.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID

from creditbox.application.case_commands import CaseCommands
from creditbox.application.dunning import DunningService
from creditbox.application.outbox import OutboxService
from creditbox.application.ports import PENDING, SENDING, SENT, EventLog, OutboxEntry
from creditbox.application.scheduler import Scheduler
from creditbox.domain.business_dates import add_days
from creditbox.domain.codes import ActionCode
from creditbox.domain.errors import DomainError
from creditbox.domain.workflow.amounts import supply_debt
from creditbox.domain.workflow.cases import StepStatus
from creditbox.domain.workflow.outcomes import StepOutcome

SIMULATION = "simulazione"
SUPERVISOR_LEVEL = 3
REACTIVATION = "Riattivazione"
# How long the workers may take over one simulated day (a first day of a big company runs every
# position) before the simulation gives up; a stuck message is stopped sooner by Dramatiq's time limit.
ROUND_TIMEOUT_SECONDS = 3600.0


@dataclass(frozen=True)
class Scheduled:
    on: date
    kind: str  # outcome | reactivation | payment
    action: OutboxEntry
    outcome: StepOutcome | None = None


class SimulatedWorld:
    """The outside world: it reads the messages sent (receipts, office answers, customers who pay)."""

    def __init__(self, seed: int, *, play: bool = True, pay_probability: float = 0.12) -> None:
        self._seed = seed
        self._play = play
        self._pay = pay_probability
        self._seen: set[str] = set()
        self.pending: list[Scheduled] = []
        self.heard: list[OutboxEntry] = []

    def knew(self, action_keys: Iterable[str]) -> None:
        """Messages sent before the simulation: not answered (a re-run plays nothing again)."""
        self._seen.update(action_keys)

    def hear(self, entries: Iterable[OutboxEntry]) -> None:
        """Messages sent: each is answered once (planned for later days), whatever the order."""
        for entry in entries:
            if entry.action_key in self._seen:
                continue
            self._seen.add(entry.action_key)
            self.heard.append(entry)
            self.pending.extend(self._plan(entry))

    def due(self, day: date) -> list[Scheduled]:
        today = sorted((s for s in self.pending if s.on <= day), key=lambda s: (s.on, s.action.action_key, s.kind))
        self.pending = [s for s in self.pending if s.on > day]
        return today

    def _plan(self, action: OutboxEntry) -> list[Scheduled]:
        if not self._play:
            return []
        rng = random.Random(f"{self._seed}:{action.action_key}")
        start = action.business_date
        if action.seq is None:
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
    # every event recorded during the simulation (by the workers, the commands, the payments), by name
    events: Counter[str] = field(default_factory=Counter)
    # the messages sent during the simulation, by action (label) and by channel
    actions_by_code: Counter[str] = field(default_factory=Counter)
    sent_by_channel: Counter[str] = field(default_factory=Counter)
    cases_by_status: Counter[str] = field(default_factory=Counter)
    # (ladder, last step seq, its action code label) -> open and closed cases there
    cases_by_step: Counter[tuple[str, int, str]] = field(default_factory=Counter)
    cases_by_ladder: Counter[str] = field(default_factory=Counter)
    payments: int = 0
    outcomes: int = 0
    confirmations: int = 0
    rounds: int = 0  # scheduler rounds
    positions_run: int = 0  # positions the rounds handed to the workers


@dataclass(frozen=True)
class Workers:
    """What a simulated day needs of the machinery: the scheduler (its round claims the due positions,
    hands them to the workers' queue and relays the outbox), the outbox (to relay what the operator's
    commands executed, and to read what was sent), the read models' catch-up, a wait until the
    in-process workers have finished every message, the event log (to count what was recorded) and
    ``forget``, which drops a position from the simulator's own cache of loaded positions once the log
    says it changed (the workers write them in their own threads)."""

    scheduler: Scheduler
    outbox: OutboxService
    wait: Callable[[], None]
    catch_up: Callable[[], object]
    log: EventLog
    forget: Callable[[UUID], None]


class Simulator:
    def __init__(
        self,
        service: DunningService,
        commands: CaseCommands,
        world: SimulatedWorld,
        set_today: Callable[[date], None],
        workers: Workers,
        *,
        operator: bool = True,
    ) -> None:
        self._service = service
        self._commands = commands
        self._world = world
        self._set_today = set_today
        self._workers = workers
        self._operator = operator
        self._logged = 0
        self._horizon = date.min  # the earliest business date of an entry not yet sent

    def run(
        self, company: str, start: date, end: date, *, on_day: Callable[[date], None] | None = None
    ) -> SimulationSummary:
        summary = SimulationSummary(company, start, end)
        workers = self._workers
        workers.catch_up()
        self._world.knew(e.action_key for e in workers.outbox.list(company, status=SENT))
        self._horizon = start
        self._logged = workers.log.last_notification_id()
        day = start
        while day <= end:
            self._set_today(day)
            self._play(company, day, summary)
            self._round(day, summary)
            today = self._tally(summary)
            proposals = today["StepProposed"] or today["ApprovalRequested"]
            if self._operator and proposals and self._work_the_worklist(company, day, summary):
                self._relay()
                self._tally(summary)
            self._hear(company, day, summary)
            summary.days += 1
            if on_day is not None:
                on_day(day)
            day = add_days(day, 1)
        self._final_state(company, summary)
        return summary

    def _round(self, day: date, summary: SimulationSummary) -> None:
        """The scheduler's round for ``day``, then a wait until the workers have run every position
        it handed over and sent every action those runs (and the round's relay) handed on."""
        report = self._workers.scheduler.run_once(day)
        self._workers.wait()
        summary.rounds += 1
        summary.positions_run += report.claimed

    def _relay(self) -> None:
        """The actions the operator's commands executed: into the outbox, to the workers, sent."""
        self._workers.catch_up()
        self._workers.outbox.relay(self._workers.scheduler.queue)
        self._workers.wait()

    def _tally(self, summary: SimulationSummary) -> Counter[str]:
        """The events recorded since the last tally, by name; the positions they changed are loaded
        afresh next time."""
        events, self._logged = self._workers.log.events_after(self._logged)
        for originator_id in {originator_id for _, originator_id in events}:
            self._workers.forget(originator_id)
        recorded = Counter(name for name, _ in events)
        summary.events.update(recorded)
        return recorded

    def _hear(self, company: str, day: date, summary: SimulationSummary) -> None:
        """The outside world reads the messages sent so far and not read yet."""
        self._workers.catch_up()
        waiting: list[date] = []
        sent: list[OutboxEntry] = []
        for entry in self._workers.outbox.list(company, since=self._horizon):
            if entry.status == SENT:
                sent.append(entry)
            elif entry.status in (PENDING, SENDING):
                waiting.append(entry.business_date)
        before = len(self._world.heard)
        self._world.hear(sent)
        for entry in self._world.heard[before:]:
            summary.actions_by_code[entry.action_code.label if entry.seq is not None else REACTIVATION] += 1
            summary.sent_by_channel[entry.channel] += 1
        self._horizon = min(waiting, default=day)

    def _play(self, company: str, day: date, summary: SimulationSummary) -> None:
        for item in self._world.due(day):
            action = item.action
            try:
                if item.kind == "outcome" and item.outcome is not None and action.seq is not None:
                    self._commands.record_outcome(
                        company, action.customer_code, action.case_id, action.seq, item.outcome, day, by=SIMULATION
                    )
                    summary.outcomes += 1
                elif item.kind == "reactivation":
                    self._commands.record_reactivation(
                        company, action.customer_code, action.case_id, True, day, by=SIMULATION
                    )
                else:
                    self._pay(company, action, day, summary)
            except DomainError:
                continue  # the world moved on (e.g. case already closed): nothing to play

    def _pay(self, company: str, action: OutboxEntry, day: date, summary: SimulationSummary) -> None:
        position = self._service.load(company, action.customer_code)
        owed = supply_debt(position, str(action.payload.get("supply_code")), day).overdue
        if owed <= Decimal("0.00"):
            return
        if position.receive_payment(f"SIM-{action.action_key}", day, owed, None, "simulazione", by=SIMULATION):
            self._service.save(position)
            summary.payments += 1

    def _work_the_worklist(self, company: str, day: date, summary: SimulationSummary) -> bool:
        """Confirm the proposals and approve the steps waiting; True when something was recorded."""
        acted = False
        for position in self._service.positions(company):
            for case in position.dunning.cases.values():
                step = case.pending_step
                if not case.is_open or step is None:
                    continue
                customer = position.customer_code
                if step.status == StepStatus.PROPOSED:
                    self._commands.confirm_proposal(company, customer, case.case_id, step.seq, by=SIMULATION)
                    summary.confirmations += 1
                    acted = True
                if step.approval_level > 0 and step.status != StepStatus.APPROVED:
                    try:
                        self._commands.approve_step(
                            company, customer, case.case_id, step.seq, SUPERVISOR_LEVEL, by=SIMULATION
                        )
                        acted = True
                    except DomainError:
                        continue
        return acted

    def _final_state(self, company: str, summary: SimulationSummary) -> None:
        for position in self._service.positions(company):
            for case in position.dunning.cases.values():
                summary.cases_by_ladder[case.ladder] += 1
                summary.cases_by_status[case.status.value] += 1
                last = case.last_executed
                if last is not None:
                    summary.cases_by_step[(case.ladder, last.seq, last.action_code.label)] += 1
