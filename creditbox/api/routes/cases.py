"""Commands on a customer's dunning cases: proposals, approvals, outcomes, locks, plans,
write-off / settlement, litigation. Each records the token's name as ``by``; sending the same
command again changes nothing (``changed: false``).

A case is addressed by its supply and number (case id ``S1/2`` → ``.../cases/S1/2/...``).
Approvals run at the token's authorisation level: above it, 403 (the domain's ``LevelTooLow``,
mapped in ``creditbox.api.problems``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import AfterValidator

from creditbox.api.deps import Commit, CompanyCode, ContainerDep, CurrentPrincipal
from creditbox.api.guard import GuardedRoute
from creditbox.api.permissions import Permission, needs
from creditbox.api.problems import problem_responses
from creditbox.api.schemas.cases import (
    CommandOut,
    Empty,
    LiftLockIn,
    LitigationOutcomeIn,
    LockIn,
    NoteIn,
    OutcomeCorrectionIn,
    OutcomeIn,
    PlanIn,
    ReactivationOutcomeIn,
    WriteOffIn,
)
from creditbox.api.schemas.common import KEY_PATTERN
from creditbox.application.case_commands import CaseCommands, CommandResult
from creditbox.application.tokens import Principal
from creditbox.domain.text_policy import check_key
from creditbox.domain.workflow.outcomes import LitigationResult, LockReason, StepOutcome, WriteOffKind

router = APIRouter(prefix="/api/v1/companies/{company}/positions", tags=["cases"], route_class=GuardedRoute)

Customer = Annotated[
    str, AfterValidator(check_key), Path(min_length=1, max_length=64, pattern=KEY_PATTERN, description="Codice cliente")
]
Supply = Annotated[
    str,
    AfterValidator(check_key),
    Path(min_length=1, max_length=64, pattern=KEY_PATTERN, description="Codice fornitura"),
]
CaseNumber = Annotated[int, Path(ge=1, le=100_000, description="Numero della pratica sulla fornitura")]
Seq = Annotated[int, Path(ge=1, le=1000, description="Sequenza del passo")]
LockId = Annotated[
    str,
    AfterValidator(check_key),
    Path(min_length=1, max_length=32, pattern=KEY_PATTERN, description="Id del blocco, ad es. B1"),
]

CASE = "/{customer_code}/cases/{supply_code}/{case_number}"
_ERRORS = problem_responses(400, 401, 403, 404, 409, 413, 415, 422)


@dataclass(frozen=True)
class CustomerTarget:
    """What every command on a customer's cases needs: whose position, who acts, how to commit."""

    company: str
    customer_code: str
    principal: Principal
    commands: CaseCommands
    commit: Commit

    @property
    def by(self) -> str:
        return self.principal.name

    def run(self, command: Callable[[CaseCommands], CommandResult]) -> CommandOut:
        result = self.commit(lambda: command(self.commands))
        return CommandOut(changed=result.changed, events=list(result.events), lock_id=result.lock_id)


@dataclass(frozen=True)
class CaseTarget(CustomerTarget):
    case_id: str = ""


def customer_target(
    customer_code: Customer, company: CompanyCode, principal: CurrentPrincipal, container: ContainerDep, commit: Commit
) -> CustomerTarget:
    return CustomerTarget(company, customer_code, principal, container.case_commands(), commit)


def case_target(
    customer: Annotated[CustomerTarget, Depends(customer_target)], supply_code: Supply, case_number: CaseNumber
) -> CaseTarget:
    return CaseTarget(
        customer.company,
        customer.customer_code,
        customer.principal,
        customer.commands,
        customer.commit,
        case_id=f"{supply_code}/{case_number}",
    )


OnCustomer = Annotated[CustomerTarget, Depends(customer_target)]
OnCase = Annotated[CaseTarget, Depends(case_target)]


@router.post(
    f"{CASE}/steps/{{seq}}/confirm", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_WORK)
)
def confirm_proposal(case: OnCase, seq: Seq, body: Empty) -> CommandOut:
    """Conferma un passo proposto: viene eseguito."""
    return case.run(lambda c: c.confirm_proposal(case.company, case.customer_code, case.case_id, seq, by=case.by))


@router.post(
    f"{CASE}/steps/{{seq}}/discard", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_WORK)
)
def discard_proposal(case: OnCase, seq: Seq, body: NoteIn) -> CommandOut:
    """Scarta un passo proposto (con nota): la pratica prosegue col passo successivo."""
    return case.run(
        lambda c: c.discard_proposal(case.company, case.customer_code, case.case_id, seq, body.note, by=case.by)
    )


@router.post(
    f"{CASE}/steps/{{seq}}/approve", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_APPROVE)
)
def approve_step(case: OnCase, seq: Seq, body: Empty) -> CommandOut:
    """Approva un passo che richiede autorizzazione, al livello del token."""
    level = case.principal.level
    return case.run(lambda c: c.approve_step(case.company, case.customer_code, case.case_id, seq, level, by=case.by))


@router.post(
    f"{CASE}/steps/{{seq}}/refuse", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_APPROVE)
)
def refuse_step(case: OnCase, seq: Seq, body: NoteIn) -> CommandOut:
    """Rifiuta un passo che richiede autorizzazione (con nota)."""
    level = case.principal.level
    return case.run(
        lambda c: c.refuse_step(case.company, case.customer_code, case.case_id, seq, level, body.note, by=case.by)
    )


@router.post(
    f"{CASE}/steps/{{seq}}/outcome", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_WORK)
)
def record_outcome(case: OnCase, seq: Seq, body: OutcomeIn) -> CommandOut:
    """Registra l'esito di un passo eseguito (consegna, giacenza, esito ufficio tecnico o agenzia)."""
    outcome = StepOutcome(body.outcome.value)
    return case.run(
        lambda c: c.record_outcome(
            case.company, case.customer_code, case.case_id, seq, outcome, body.outcome_date, body.note, by=case.by
        )
    )


@router.post(
    f"{CASE}/steps/{{seq}}/outcome/correct",
    response_model=CommandOut,
    responses=_ERRORS,
    **needs(Permission.CASES_WORK),
)
def correct_outcome(case: OnCase, seq: Seq, body: OutcomeCorrectionIn) -> CommandOut:
    """Corregge un esito registrato per errore (con motivo): il nuovo esito lo sostituisce e la pratica
    segue la correzione; la storia conserva entrambi, con chi e perché."""
    outcome = StepOutcome(body.outcome.value)
    replaces = None
    if body.replaces_outcome is not None and body.replaces_date is not None:
        replaces = (StepOutcome(body.replaces_outcome.value), body.replaces_date)
    return case.run(
        lambda c: c.correct_outcome(
            case.company,
            case.customer_code,
            case.case_id,
            seq,
            outcome,
            body.outcome_date,
            body.reason,
            replaces,
            by=case.by,
        )
    )


@router.post(
    f"{CASE}/reactivation-outcome", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_WORK)
)
def record_reactivation(case: OnCase, body: ReactivationOutcomeIn) -> CommandOut:
    """Esito della richiesta di riattivazione all'ufficio tecnico."""
    return case.run(
        lambda c: c.record_reactivation(
            case.company, case.customer_code, case.case_id, body.positive, body.outcome_date, body.note, by=case.by
        )
    )


@router.post(f"{CASE}/repayment-plan", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_WORK))
def agree_plan(case: OnCase, body: PlanIn) -> CommandOut:
    """Concorda un piano di rientro: la pratica è sospesa, le rate sono scadenze; il totale è lo scaduto."""
    schedule = [(i.due_date, i.amount) for i in body.instalments]
    return case.run(lambda c: c.agree_plan(case.company, case.customer_code, case.case_id, schedule, by=case.by))


@router.post(f"{CASE}/write-off", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_WORK))
def request_write_off(case: OnCase, body: WriteOffIn) -> CommandOut:
    """Chiede lo stralcio o la transazione (saldo e stralcio): serve l'approvazione di un responsabile."""
    kind = WriteOffKind(body.kind.value)
    return case.run(
        lambda c: c.request_write_off(
            case.company, case.customer_code, case.case_id, kind, body.settlement_amount, body.note, by=case.by
        )
    )


@router.post(
    f"{CASE}/write-off/approve", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_APPROVE)
)
def approve_write_off(case: OnCase, body: Empty) -> CommandOut:
    """Approva lo stralcio o la transazione, entro il massimale del livello del token."""
    level = case.principal.level
    return case.run(lambda c: c.approve_write_off(case.company, case.customer_code, case.case_id, level, by=case.by))


@router.post(
    f"{CASE}/write-off/refuse", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_APPROVE)
)
def refuse_write_off(case: OnCase, body: NoteIn) -> CommandOut:
    """Rifiuta lo stralcio o la transazione (con nota): la pratica prosegue."""
    level = case.principal.level
    return case.run(
        lambda c: c.refuse_write_off(case.company, case.customer_code, case.case_id, level, body.note, by=case.by)
    )


@router.post(f"{CASE}/litigation", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_APPROVE))
def hand_over_to_litigation(case: OnCase, body: Empty) -> CommandOut:
    """Passa la pratica all'ufficio legale (contenzioso), al livello del token."""
    level = case.principal.level
    return case.run(
        lambda c: c.hand_over_to_litigation(case.company, case.customer_code, case.case_id, level, by=case.by)
    )


@router.post(
    f"{CASE}/litigation/outcome", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_LITIGATE)
)
def record_litigation_outcome(case: OnCase, body: LitigationOutcomeIn) -> CommandOut:
    """Esito del contenzioso (ufficio legale): recuperato, parzialmente, inesigibile."""
    result = LitigationResult(body.result.value)
    return case.run(
        lambda c: c.record_litigation_outcome(
            case.company,
            case.customer_code,
            case.case_id,
            result,
            body.recovered_amount,
            body.outcome_date,
            body.note,
            by=case.by,
        )
    )


@router.post("/{customer_code}/locks", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_WORK))
def set_lock(customer: OnCustomer, body: LockIn) -> CommandOut:
    """Mette un blocco datato (reclamo, contestazione, manuale) su una fornitura o sul cliente."""
    reason = LockReason(body.reason.value)
    return customer.run(
        lambda c: c.set_lock(
            customer.company,
            customer.customer_code,
            reason,
            body.supply_code,
            body.start,
            body.until,
            body.note,
            by=customer.by,
        )
    )


@router.post(
    "/{customer_code}/locks/{lock_id}/lift",
    response_model=CommandOut,
    responses=_ERRORS,
    **needs(Permission.CASES_WORK),
)
def lift_lock(customer: OnCustomer, lock_id: LockId, body: LiftLockIn) -> CommandOut:
    """Toglie un blocco."""
    return customer.run(
        lambda c: c.lift_lock(
            customer.company, customer.customer_code, lock_id, body.lifted_on, body.note, by=customer.by
        )
    )
