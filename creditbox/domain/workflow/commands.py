"""Operator and supervisor commands on a position's dunning cases.

Each function *decides* (validates the case's state, the supervisor's level) and returns the
:class:`~creditbox.domain.workflow.decisions.Decision` values to record; the Position records them
(its public methods of the same names call these). No decision (an empty list) means the command
was already carried out (a retry is a no-op); a :class:`DomainError` names the problem otherwise
(a :class:`LevelTooLow` when the supervisor's level is below what the command needs).
Commands checked against the company settings (write-off ceilings, the litigation level) record
the settings version they were checked against (``settings_version``).
What becomes due because of a command (a confirmed step, a resumed case) is executed by the engine
when the application runs the position again for the business date.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from creditbox.domain.actions import TechnicalRequest
from creditbox.domain.business_dates import DateWindow, check_in_range
from creditbox.domain.codes import ActionCode, SupplyStatus
from creditbox.domain.company import CompanySettings
from creditbox.domain.errors import Field, InvalidCommand, LevelTooLow, NotAllowed, NotFound
from creditbox.domain.money import ZERO, money
from creditbox.domain.workflow import events
from creditbox.domain.workflow.amounts import supply_debt
from creditbox.domain.workflow.cases import CaseStatus, DunningCase, Reactivation, StepRecord, StepStatus
from creditbox.domain.workflow.decisions import Decision, Decisions
from creditbox.domain.workflow.ladder import is_interruption
from creditbox.domain.workflow.legal import (
    AFTER_OUTCOME,
    COURT_LENGTH,
    DOCKET_LENGTH,
    NOTE_LENGTH,
    LegalDocument,
    LegalMilestoneKind,
    document_data,
    missing_prerequisite,
)
from creditbox.domain.workflow.locks import validate_lock_dates
from creditbox.domain.workflow.outcomes import (
    LitigationResult,
    LockReason,
    StepOutcome,
    WriteOffKind,
    allowed_outcomes,
)
from creditbox.domain.workflow.plans import build_instalments
from creditbox.domain.workflow.view import PositionView

NOTHING: Decisions = []  # the command was already carried out


# ---- proposals and approvals ----------------------------------------------------------------


def confirm_proposal(position: PositionView, case_id: str, seq: int, business_date: date) -> Decisions:
    _check_business_date(business_date)
    case = _open_case(position, case_id)
    step = _step(case, seq)
    if step.confirmed:
        return NOTHING
    if step.status != StepStatus.PROPOSED:
        raise NotAllowed(f"passo {seq} della pratica {case_id} non è una proposta ({step.status.label})")
    return [
        Decision(
            events.ProposalConfirmed,
            dict(
                case_id=case_id, seq=seq, business_date=business_date, overdue=_overdue(position, case, business_date)
            ),
        )
    ]


def discard_proposal(position: PositionView, case_id: str, seq: int, business_date: date, note: str) -> Decisions:
    _check_business_date(business_date)
    case = _open_case(position, case_id)
    step = _step(case, seq)
    if step.status == StepStatus.SKIPPED:
        return NOTHING
    if step.status != StepStatus.PROPOSED:
        raise NotAllowed(f"passo {seq} della pratica {case_id} non è una proposta ({step.status.label})")
    return [
        Decision(
            events.ProposalDiscarded,
            dict(
                case_id=case_id,
                seq=seq,
                business_date=business_date,
                overdue=_overdue(position, case, business_date),
                note=note,
            ),
        )
    ]


def approve_step(
    position: PositionView, case_id: str, seq: int, level: int, settings: CompanySettings, business_date: date
) -> Decisions:
    _check_business_date(business_date)
    case = _open_case(position, case_id)
    step = _step(case, seq)
    if step.status in (StepStatus.APPROVED, StepStatus.EXECUTED):
        return NOTHING
    if step.status != StepStatus.AWAITING_APPROVAL:
        raise NotAllowed(f"passo {seq} della pratica {case_id} non attende approvazione ({step.status.label})")
    overdue = _overdue(position, case, business_date)
    _check_level(level, step.approval_level, f"il passo {seq} ({step.description})")
    if step.action_code == ActionCode.WRITE_OFF_REQUEST:
        _check_ceiling(level, overdue, settings)
    return [
        Decision(
            events.StepApproved,
            dict(
                case_id=case_id,
                seq=seq,
                level=level,
                business_date=business_date,
                overdue=overdue,
                settings_version=settings.version,
            ),
        )
    ]


def refuse_step(
    position: PositionView, case_id: str, seq: int, level: int, business_date: date, note: str
) -> Decisions:
    _check_business_date(business_date)
    case = _open_case(position, case_id)
    step = _step(case, seq)
    if step.status == StepStatus.REFUSED:
        return NOTHING
    if step.status != StepStatus.AWAITING_APPROVAL:
        raise NotAllowed(f"passo {seq} della pratica {case_id} non attende approvazione ({step.status.label})")
    _check_level(level, step.approval_level, f"il passo {seq} ({step.description})")
    return [
        Decision(
            events.StepRefused,
            dict(
                case_id=case_id,
                seq=seq,
                level=level,
                business_date=business_date,
                overdue=_overdue(position, case, business_date),
                note=note,
            ),
        )
    ]


# ---- outcomes -------------------------------------------------------------------------------


def record_outcome(
    position: PositionView, case_id: str, seq: int, outcome: StepOutcome, outcome_date: date, note: str
) -> Decisions:
    case = position.case(case_id)
    step = _step(case, seq)
    _check_outcome(case_id, step, outcome, outcome_date)
    if (outcome, outcome_date) in step.outcomes:
        return NOTHING
    return [
        Decision(
            events.OutcomeRecorded,
            dict(case_id=case_id, seq=seq, outcome=outcome, outcome_date=outcome_date, note=note),
        )
    ]


def correct_outcome(
    position: PositionView,
    case_id: str,
    seq: int,
    replaces: tuple[StepOutcome, date] | None,
    outcome: StepOutcome,
    outcome_date: date,
    reason: str,
) -> Decisions:
    """Supersede an outcome recorded by mistake (``replaces``; default: the step's latest) with
    ``outcome`` on ``outcome_date``. The step's effective outcomes — what the engine decides on —
    then hold the correction instead of the mistake; the history keeps both, with who and why."""
    case = position.case(case_id)
    step = _step(case, seq)
    if not reason.strip():
        raise InvalidCommand("motivo della correzione obbligatorio")
    _check_outcome(case_id, step, outcome, outcome_date)
    if not step.outcomes:
        raise NotAllowed(f"passo {seq} della pratica {case_id}: nessun esito registrato da correggere")
    target = replaces if replaces is not None else step.outcomes[-1]
    if target not in step.outcomes:
        if (outcome, outcome_date) in step.outcomes:
            return NOTHING  # the same correction sent again
        wrong, on = target
        raise InvalidCommand(
            f"passo {seq} della pratica {case_id}: nessun esito {wrong.label!r} del {on:%d/%m/%Y} da correggere"
        )
    if target == (outcome, outcome_date):
        return NOTHING
    wrong_outcome, wrong_date = target
    if (
        wrong_outcome == StepOutcome.POSITIVE
        and outcome != StepOutcome.POSITIVE
        and is_interruption(step.action_code, step.tech)
        and step.tech != TechnicalRequest.LIMIT
    ):
        raise NotAllowed(
            f"passo {seq} della pratica {case_id}: l'esito positivo ha sospeso la fornitura; "
            "si può correggerne la data, non l'esito (la riattivazione segue il pagamento)"
        )
    correction = dict(
        case_id=case_id,
        seq=seq,
        replaced_outcome=wrong_outcome,
        replaced_date=wrong_date,
        outcome=outcome,
        outcome_date=outcome_date,
        reason=reason.strip(),
    )
    return [Decision(events.OutcomeCorrected, correction)]


def _check_outcome(case_id: str, step: StepRecord, outcome: StepOutcome, outcome_date: date) -> None:
    check_in_range(outcome_date, Field.OUTCOME_DATE, "data esito")
    seq = step.seq
    if step.status != StepStatus.EXECUTED or step.executed_on is None:
        raise NotAllowed(f"passo {seq} della pratica {case_id} non eseguito: nessun esito registrabile")
    if outcome not in allowed_outcomes(step.action_code):
        allowed = ", ".join(sorted(o.label for o in allowed_outcomes(step.action_code))) or "nessuno"
        raise InvalidCommand(f"esito {outcome.label!r} non previsto per {step.action_code.label} (ammessi: {allowed})")
    if outcome_date < step.executed_on:
        raise InvalidCommand(
            f"data esito {outcome_date:%d/%m/%Y} precedente all'esecuzione {step.executed_on:%d/%m/%Y}",
            field=Field.OUTCOME_DATE,
        )


def after_outcome(
    position: PositionView, case_id: str, seq: int, outcome: StepOutcome, outcome_date: date
) -> Decisions:
    """What an outcome, once on the step (recorded or corrected), brings about: a failed delivery on
    the worklist, a suspended supply."""
    case = position.case(case_id)
    step = _step(case, seq)
    decisions: Decisions = []
    if outcome.is_delivery_failure and step.delivered_on is None:
        failed = dict(
            case_id=case_id, seq=seq, action_code=step.action_code, outcome=outcome, outcome_date=outcome_date
        )
        decisions.append(Decision(events.DeliveryFailed, failed))
    supply = position.supply(case.supply_code)
    if (
        outcome == StepOutcome.POSITIVE
        and is_interruption(step.action_code, step.tech)
        and step.tech != TechnicalRequest.LIMIT
        and supply.status == SupplyStatus.ACTIVE
    ):
        suspended = dict(case_id=case_id, seq=seq, supply_code=case.supply_code, outcome_date=outcome_date)
        decisions.append(Decision(events.SupplySuspended, suspended))
    return decisions


def record_reactivation_outcome(
    position: PositionView, case_id: str, positive: bool, outcome_date: date, note: str
) -> Decisions:
    check_in_range(outcome_date, Field.OUTCOME_DATE, "data esito")
    case = position.case(case_id)
    if case.reactivation is None:
        raise NotAllowed(f"nessuna richiesta di riattivazione per la pratica {case_id}")
    if case.reactivation == Reactivation.DONE:
        return NOTHING
    data = {
        "case_id": case_id,
        "supply_code": case.supply_code,
        "outcome_date": outcome_date,
        "note": note,
    }
    if positive:
        return [Decision(events.SupplyReactivated, data)]
    if case.reactivation == Reactivation.FAILED:
        return NOTHING
    return [Decision(events.ReactivationFailed, data)]


# ---- locks ----------------------------------------------------------------------------------


def set_lock(
    position: PositionView,
    reason: LockReason,
    supply_code: str | None,
    start: date,
    until: date | None,
    note: str,
) -> tuple[str, Decisions]:
    """Returns the lock id and the decision to set it (none: the same lock sent again is not duplicated)."""
    if supply_code is not None:
        position.supply(supply_code)
    validate_lock_dates(start, until)
    for lock in position.dunning.locks.values():
        same = (lock.reason, lock.supply_code, lock.start, lock.until, lock.note) == (
            reason,
            supply_code,
            start,
            until,
            note,
        )
        if same and lock.lifted_on is None:
            return lock.lock_id, NOTHING
    lock_id = position.dunning.next_lock_id()
    new_lock = dict(lock_id=lock_id, reason=reason, supply_code=supply_code, start=start, until=until, note=note)
    return lock_id, [Decision(events.LockSet, new_lock)]


def lift_lock(position: PositionView, lock_id: str, lifted_on: date, note: str) -> Decisions:
    lock = position.dunning.locks.get(lock_id)
    if lock is None:
        raise NotFound(f"blocco {lock_id!r} sconosciuto per il cliente {position.customer_code!r}")
    if lock.lifted_on is not None:
        return NOTHING
    check_in_range(lifted_on, Field.LIFTED_ON, "data di sblocco")
    return [Decision(events.LockLifted, dict(lock_id=lock_id, lifted_on=lifted_on, note=note))]


# ---- repayment plans ------------------------------------------------------------------------


def agree_plan(
    position: PositionView, case_id: str, schedule: list[tuple[date, Decimal]], business_date: date
) -> Decisions:
    _check_business_date(business_date)
    case = _open_case(position, case_id)
    if case.plan is not None:
        raise NotAllowed(f"la pratica {case_id} ha già un piano di rientro in corso")
    if case.status not in (CaseStatus.OPEN, CaseStatus.LADDER_EXHAUSTED):
        raise NotAllowed(f"pratica {case_id} {case.status.label}: piano di rientro non ammesso")
    instalments = build_instalments(business_date, schedule)
    debt = supply_debt(position, case.supply_code, business_date)
    total = money(sum((i.amount for i in instalments), ZERO))
    if total != debt.overdue:
        raise InvalidCommand(
            f"il totale delle rate ({total}) deve essere pari allo scaduto della pratica ({debt.overdue})",
            field=Field.AMOUNT,
        )
    return [
        Decision(
            events.RepaymentPlanAgreed,
            dict(
                case_id=case_id,
                business_date=business_date,
                overdue=debt.overdue,
                total=total,
                instalments=[i.as_event_data() for i in instalments],
                bill_numbers=list(debt.bills),
            ),
        )
    ]


# ---- write-off, settlement, litigation ------------------------------------------------------


def request_write_off(
    position: PositionView,
    case_id: str,
    kind: WriteOffKind,
    settlement_amount: Decimal,
    business_date: date,
    note: str,
) -> Decisions:
    _check_business_date(business_date)
    case = _open_case(position, case_id)
    if case.write_off_request is not None:
        if case.write_off_request.kind == kind and case.write_off_request.settlement_amount == money(settlement_amount):
            return NOTHING
        raise NotAllowed(f"la pratica {case_id} ha già una richiesta di {case.write_off_request.kind.label} in attesa")
    overdue = _overdue(position, case, business_date)
    settlement_amount = money(settlement_amount)
    if kind == WriteOffKind.WRITE_OFF and settlement_amount != ZERO:
        raise InvalidCommand("lo stralcio non prevede un importo concordato (usare la transazione)", field=Field.AMOUNT)
    if kind == WriteOffKind.SETTLEMENT and not ZERO < settlement_amount < overdue:
        raise InvalidCommand(f"importo della transazione tra 0 e lo scaduto ({overdue}) esclusi", field=Field.AMOUNT)
    return [
        Decision(
            events.WriteOffRequested,
            dict(
                case_id=case_id,
                kind=kind,
                amount=money(overdue - settlement_amount),
                settlement_amount=settlement_amount,
                business_date=business_date,
                overdue=overdue,
                note=note,
            ),
        )
    ]


def approve_write_off(
    position: PositionView, case_id: str, level: int, settings: CompanySettings, business_date: date
) -> Decisions:
    _check_business_date(business_date)
    case = position.case(case_id)
    if case.status in (CaseStatus.CLOSED_WRITTEN_OFF, CaseStatus.CLOSED_SETTLED):
        return NOTHING
    case = _open_case(position, case_id)
    request = case.write_off_request
    if request is None:
        raise NotAllowed(f"nessuna richiesta di stralcio o transazione in attesa per la pratica {case_id}")
    _check_level(level, 1, f"la {request.kind.label}")
    _check_ceiling(level, request.amount, settings)
    overdue = _overdue(position, case, business_date)
    approved = dict(
        case_id=case_id,
        kind=request.kind,
        level=level,
        amount=request.amount,
        business_date=business_date,
        settings_version=settings.version,
    )
    return [
        Decision(events.WriteOffApproved, approved),
        Decision(
            events.CaseWrittenOff,
            dict(
                case_id=case_id,
                kind=request.kind,
                amount=request.amount,
                settlement_amount=request.settlement_amount,
                business_date=business_date,
                overdue=overdue,
                table_version=None,
                row_key=None,
            ),
        ),
    ]


def refuse_write_off(position: PositionView, case_id: str, level: int, business_date: date, note: str) -> Decisions:
    _check_business_date(business_date)
    case = _open_case(position, case_id)
    request = case.write_off_request
    if request is None:
        return NOTHING
    _check_level(level, 1, f"la {request.kind.label}")
    return [
        Decision(
            events.WriteOffRefused,
            dict(case_id=case_id, kind=request.kind, level=level, business_date=business_date, note=note),
        )
    ]


def hand_over_to_litigation(
    position: PositionView, case_id: str, level: int, settings: CompanySettings, business_date: date
) -> Decisions:
    _check_business_date(business_date)
    case = position.case(case_id)
    if case.status == CaseStatus.IN_LITIGATION:
        return NOTHING
    case = _open_case(position, case_id)
    _check_level(level, settings.litigation_approval_level, "il passaggio a contenzioso")
    return [
        Decision(
            events.HandedOverToLitigation,
            dict(
                case_id=case_id,
                seq=None,
                table_version=None,
                row_key=None,
                level=level,
                business_date=business_date,
                overdue=_overdue(position, case, business_date),
                settings_version=settings.version,
            ),
        )
    ]


def record_litigation_outcome(
    position: PositionView,
    case_id: str,
    result: LitigationResult,
    recovered_amount: Decimal,
    outcome_date: date,
    note: str,
) -> Decisions:
    case = position.case(case_id)
    if case.status == CaseStatus.CLOSED_LITIGATION:
        return NOTHING
    if case.status != CaseStatus.IN_LITIGATION:
        raise NotAllowed(f"pratica {case_id} non è in contenzioso ({case.status.label})")
    check_in_range(outcome_date, Field.OUTCOME_DATE, "data esito")
    recovered_amount = money(recovered_amount)
    if recovered_amount < ZERO:
        raise InvalidCommand("importo recuperato negativo", field=Field.AMOUNT)
    return [
        Decision(
            events.LitigationOutcomeRecorded,
            dict(
                case_id=case_id,
                result=result,
                recovered_amount=recovered_amount,
                outcome_date=outcome_date,
                overdue=_overdue(position, case, outcome_date),
                note=note,
            ),
        )
    ]


def record_legal_milestone(
    position: PositionView,
    case_id: str,
    kind: LegalMilestoneKind,
    occurred_on: date,
    *,
    window: DateWindow,
    recorded_at: datetime,
    court: str | None = None,
    docket: str | None = None,
    amount: Decimal | None = None,
    next_deadline: date | None = None,
    note: str = "",
    documents: tuple[LegalDocument, ...] = (),
) -> Decisions:
    """A milestone of the legal proceedings of a case handed over to litigation (``docs/legal.md``).

    Allowed on a case in litigation; once the litigation outcome has closed the case, only the amounts
    recovered afterwards and the closing of the legal file. Refused: a date later than the business
    date (``window``, with its tolerance) or before the case was opened, a deadline before the
    milestone, a negative amount (a recovery needs one above zero), a milestone whose prerequisite
    (``legal.PREREQUISITES``: the decree is granted on a filed petition, served once granted, opposed
    once served, enforced on a served decree or a judgment) is not recorded on or before its date,
    anything after the legal file was closed. The same milestone sent again records nothing."""
    case = position.case(case_id)
    if case.status == CaseStatus.CLOSED_LITIGATION:
        if kind not in AFTER_OUTCOME:
            allowed = " o ".join(sorted(k.label for k in AFTER_OUTCOME))
            raise NotAllowed(f"pratica {case_id} {case.status.label}: si possono registrare solo {allowed}")
    elif case.status != CaseStatus.IN_LITIGATION:
        raise NotAllowed(f"pratica {case_id} non è in contenzioso ({case.status.label}): nessuna fase legale")
    window.check(occurred_on, Field.OCCURRED_ON, f"data della fase {kind.label!r}")
    if occurred_on < case.opened_on:
        raise InvalidCommand(
            f"data {occurred_on:%d/%m/%Y} precedente all'apertura della pratica ({case.opened_on:%d/%m/%Y})",
            field=Field.OCCURRED_ON,
        )
    court = _text(court, COURT_LENGTH, "tribunale")
    docket = _text(docket, DOCKET_LENGTH, "numero di ruolo")
    note = _text(note, NOTE_LENGTH, "nota") or ""
    if amount is not None:
        amount = money(amount)
        if amount < ZERO:
            raise InvalidCommand(f"importo negativo ({amount}) per {kind.label}", field=Field.AMOUNT)
    if kind == LegalMilestoneKind.AMOUNT_RECOVERED and (amount is None or amount == ZERO):
        raise InvalidCommand("somme recuperate: indicare l'importo (maggiore di zero)", field=Field.AMOUNT)
    if next_deadline is not None:
        check_in_range(next_deadline, Field.NEXT_DEADLINE, "prossima scadenza")
        if kind == LegalMilestoneKind.CLOSED:
            raise InvalidCommand("una pratica legale chiusa non ha scadenze", field=Field.NEXT_DEADLINE)
        if next_deadline < occurred_on:
            raise InvalidCommand(
                f"prossima scadenza {next_deadline:%d/%m/%Y} precedente alla fase ({occurred_on:%d/%m/%Y})",
                field=Field.NEXT_DEADLINE,
            )
    earlier = case.legal_milestones
    same = (kind, occurred_on, court, docket, amount, next_deadline, note, tuple(documents))
    if any(
        (m.kind, m.occurred_on, m.court, m.docket, m.amount, m.next_deadline, m.note, m.documents) == same
        for m in earlier
    ):
        return NOTHING
    closed = next((m for m in earlier if m.kind == LegalMilestoneKind.CLOSED), None)
    if closed is not None:
        raise NotAllowed(f"pratica legale della pratica {case_id} chiusa il {closed.occurred_on:%d/%m/%Y}")
    needed = missing_prerequisite(earlier, kind, occurred_on)
    if needed:
        before = " o ".join(k.label for k in needed)
        raise NotAllowed(
            f"{kind.label} del {occurred_on:%d/%m/%Y}: prima serve {before} (registrato in data non successiva)"
        )
    milestone = dict(
        case_id=case_id,
        kind=kind,
        occurred_on=occurred_on,
        recorded_at=recorded_at,
        court=court,
        docket=docket,
        amount=amount,
        next_deadline=next_deadline,
        note=note,
        documents=[document_data(d) for d in documents],
    )
    return [Decision(events.LegalMilestoneRecorded, milestone)]


def _text(value: str | None, limit: int, what: str) -> str | None:
    """``value`` stripped (None when empty), refused beyond ``limit`` characters."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > limit:
        raise InvalidCommand(f"{what} troppo lungo ({len(value)} caratteri, al più {limit})")
    return value


# ---- sending ----------------------------------------------------------------------------------


def record_send_failure(
    position: PositionView,
    case_id: str,
    action_id: str,
    seq: int | None,
    channel: str,
    attempts: int,
    error: str,
    business_date: date,
) -> Decisions:
    """The channels could not carry out an executed action: record it once (a retry is a no-op)."""
    _check_business_date(business_date)
    case = position.case(case_id)
    if action_id in case.failed_sends:
        return NOTHING
    if seq is not None:
        step = _step(case, seq)
        if step.status != StepStatus.EXECUTED:
            raise NotAllowed(f"passo {seq} della pratica {case_id} non eseguito ({step.status.label})")
    elif case.reactivation is None:
        raise NotAllowed(f"nessuna richiesta di riattivazione per la pratica {case_id}")
    data = dict(
        case_id=case_id,
        action_id=action_id,
        seq=seq,
        channel=channel,
        attempts=attempts,
        error=error,
        business_date=business_date,
    )
    return [Decision(events.ActionSendFailed, data)]


# ---- helpers --------------------------------------------------------------------------------


def _open_case(position: PositionView, case_id: str) -> DunningCase:
    case = position.case(case_id)
    if not case.is_open:
        raise NotAllowed(f"pratica {case_id} {case.status.label}")
    return case


def _step(case: DunningCase, seq: int) -> StepRecord:
    step = case.step(seq)
    if step is None:
        raise InvalidCommand(f"la pratica {case.case_id} non ha un passo {seq}")
    return step


def _check_business_date(business_date: date) -> None:
    check_in_range(business_date, Field.BUSINESS_DATE, "data")


def _overdue(position: PositionView, case: DunningCase, business_date: date) -> Decimal:
    return supply_debt(position, case.supply_code, business_date).overdue


def _check_level(level: int, required: int, what: str) -> None:
    if level < required:
        raise LevelTooLow(
            f"livello di autorizzazione {level} insufficiente per {what}: serve almeno il livello {required}"
        )


def _check_ceiling(level: int, amount: Decimal, settings: CompanySettings) -> None:
    ceiling = settings.write_off_ceiling(level)
    if amount > ceiling:
        raise LevelTooLow(
            f"importo {amount} oltre il massimale di stralcio del livello {level} ({ceiling}): "
            "serve un livello superiore"
        )
