"""What an open case waits for before its ladder can move (*in attesa di*), as a code and an Italian label.

Read in this order, like the engine decides: the case's status (plan, legal team, ladder exhausted),
an active lock on the supply (the engine runs nothing while one is active), the pending step
(confirmation, approval, execution), a failed delivery, the agency's recovery, and finally the
start point of the next step: its proof of delivery or its outcome. ``None``: the case only waits for
a date (the next step's due date) or is closed.

Without the actions-table version (``table=None``) the next step's start point is unknown: an executed
registered letter (code 4) without proof waits for its delivery proof, and an office step without an
outcome waits for its outcome (what every ladder of the standard table expects).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from creditbox.domain.actions import StartPoint
from creditbox.domain.codes import ActionCode
from creditbox.domain.documents import CustomerDetails, SupplyDetails
from creditbox.domain.workflow.cases import CaseStatus, DunningCase, StepRecord, StepStatus
from creditbox.domain.workflow.ladder import TableVersion, choose_row, next_seq
from creditbox.domain.workflow.locks import Lock
from creditbox.domain.workflow.outcomes import OFFICE_CODES, StepOutcome


class WaitingCode:
    PLAN = "plan"
    LITIGATION = "litigation"
    OPERATOR_DECISION = "operator_decision"
    LOCK = "lock"
    CONFIRMATION = "confirmation"
    APPROVAL = "approval"
    EXECUTION = "execution"
    FAILED_DELIVERY = "failed_delivery"
    AGENCY_PAYMENT = "agency_payment"
    DELIVERY_PROOF = "delivery_proof"
    OUTCOME = "outcome"


@dataclass(frozen=True)
class Waiting:
    code: str
    label: str


@dataclass(frozen=True)
class NextRow:
    """What the next step's start point needs (from the case's actions-table version)."""

    start_point: StartPoint


def next_row_of(
    case: DunningCase, table: TableVersion, customer: CustomerDetails, supply: SupplyDetails, amount: Decimal
) -> NextRow | None:
    seq = next_seq(table, case.ladder, case.last_seq)
    if seq is None:
        return None
    return NextRow(choose_row(table, case.ladder, seq, customer, supply, amount).row.start_point)


STATUS_CODES = frozenset({WaitingCode.PLAN, WaitingCode.LITIGATION, WaitingCode.OPERATOR_DECISION})


def waiting_for(case: DunningCase, locks: list[Lock], next_row: NextRow | None, *, known_row: bool) -> Waiting | None:
    """``locks``: the locks active on the date asked that cover the case's supply. ``known_row``:
    whether ``next_row`` was read from the table (False: the table was not available)."""
    base = waiting_without_locks(case, next_row, known_row=known_row)
    return with_locks(base, [lock_label(lock) for lock in locks], is_open=case.is_open)


def with_locks(base: Waiting | None, active_locks: list[str], *, is_open: bool) -> Waiting | None:
    """``base`` (what the case waits for, locks apart) with the labels of the locks active on the date
    asked: a lock comes after the case's status and before everything else, like in the engine."""
    if not is_open or (base is not None and base.code in STATUS_CODES):
        return base if is_open else None
    if active_locks:
        return Waiting(WaitingCode.LOCK, "sblocco: " + "; ".join(active_locks))
    return base


def waiting_without_locks(case: DunningCase, next_row: NextRow | None, *, known_row: bool) -> Waiting | None:
    if not case.is_open:
        return None
    by_status = {
        CaseStatus.PAUSED: Waiting(WaitingCode.PLAN, "piano di rientro in corso"),
        CaseStatus.IN_LITIGATION: Waiting(WaitingCode.LITIGATION, "esito del contenzioso"),
        CaseStatus.LADDER_EXHAUSTED: Waiting(
            WaitingCode.OPERATOR_DECISION, "decisione dell'operatore (azioni esaurite)"
        ),
    }
    if case.status in by_status:
        return by_status[case.status]
    pending = case.pending_step
    if pending is not None:
        return _pending(pending)
    last = case.last_executed
    if last is None:
        return None
    if last.delivery_failed:
        return Waiting(WaitingCode.FAILED_DELIVERY, f"consegna fallita del passo {last.seq}")
    if last.action_code == ActionCode.COLLECTION_AGENCY and last.outcome == StepOutcome.POSITIVE:
        return Waiting(WaitingCode.AGENCY_PAYMENT, "pagamento recuperato dall'agenzia")
    return _start_point(last, next_row, known_row)


def _pending(pending: StepRecord) -> Waiting | None:
    if pending.status == StepStatus.PROPOSED:
        return Waiting(WaitingCode.CONFIRMATION, f"conferma dell'operatore (passo {pending.seq})")
    if pending.status == StepStatus.AWAITING_APPROVAL:
        label = f"approvazione livello {pending.approval_level} (passo {pending.seq})"
        return Waiting(WaitingCode.APPROVAL, label)
    if pending.status == StepStatus.APPROVED:
        return Waiting(WaitingCode.EXECUTION, f"esecuzione del passo {pending.seq}")
    return None


def _start_point(last: StepRecord, next_row: NextRow | None, known_row: bool) -> Waiting | None:
    office = last.action_code in OFFICE_CODES
    if known_row:
        if next_row is None:
            return None
        needs_proof = next_row.start_point == StartPoint.PREVIOUS_DELIVERED and not office
        needs_outcome = next_row.start_point == StartPoint.PREVIOUS_OUTCOME or (
            next_row.start_point == StartPoint.PREVIOUS_DELIVERED and office
        )
    else:
        needs_proof = last.action_code == ActionCode.REGISTERED_LETTER
        needs_outcome = office
    if needs_proof and last.delivered_on is None:
        held = " (in giacenza)" if last.outcome == StepOutcome.HELD else ""
        return Waiting(
            WaitingCode.DELIVERY_PROOF, f"prova di consegna del passo {last.seq} ({last.action_code.label}){held}"
        )
    if needs_outcome and last.outcome_on is None:
        return Waiting(WaitingCode.OUTCOME, f"esito del passo {last.seq} ({last.action_code.label})")
    return None


def lock_label(lock: Lock) -> str:
    until = f"fino al {lock.until:%d/%m/%Y}" if lock.until is not None else "fino a revoca"
    return f"{lock.reason.label} {lock.lock_id} ({lock.scope_label}, dal {lock.start:%d/%m/%Y} {until})"


def table_version_of(case: DunningCase) -> int:
    """The actions-table version of the case's last decision (the next step's row comes from it)."""
    return max([case.table_version, *(s.table_version for s in case.steps)])


@dataclass(frozen=True)
class LockSpan:
    """A lock as a read model keeps it: when it applies, and its label (see ``lock_label``)."""

    start: date
    until: date | None
    lifted_on: date | None
    label: str

    def is_active(self, on: date) -> bool:
        """As ``Lock.is_active``."""
        if on < self.start or (self.until is not None and on > self.until):
            return False
        return self.lifted_on is None or on < self.lifted_on


def lock_spans(case: DunningCase, locks: list[Lock]) -> list[LockSpan]:
    """The locks covering the case's supply, whenever they apply."""
    return [
        LockSpan(lock.start, lock.until, lock.lifted_on, lock_label(lock))
        for lock in locks
        if lock.covers(case.supply_code)
    ]


def waiting_on(base: Waiting | None, spans: list[LockSpan], on: date, *, is_open: bool) -> Waiting | None:
    """What a case waits for on ``on``, from what it waits for locks apart and its locks' spans."""
    return with_locks(base, [span.label for span in spans if span.is_active(on)], is_open=is_open)


def waiting_of(
    case: DunningCase,
    locks: list[Lock],
    on: date,
    table: TableVersion | None,
    customer: CustomerDetails,
    supply: SupplyDetails | None,
    amount: Decimal,
) -> Waiting | None:
    """``waiting_for`` with the locks active on ``on`` and the next row read from ``table`` when given."""
    active = [lock for lock in locks if lock.is_active(on) and lock.covers(case.supply_code)]
    if table is None or supply is None:
        return waiting_for(case, active, None, known_row=False)
    return waiting_for(case, active, next_row_of(case, table, customer, supply, amount), known_row=True)
