"""Commands on a customer's dunning cases: proposals, approvals, outcomes, locks, plans,
write-off / settlement, litigation. Each records the token's name as ``by``; sending the same
command again changes nothing (``changed: false``).

A case is addressed by its supply and number (case id ``S1/2`` → ``.../cases/S1/2/...``).
Approvals run at the token's authorisation level: above it, 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path

from creditbox.api.deps import Commit, CompanyCode, ContainerDep, CurrentPrincipal
from creditbox.api.guard import GuardedRoute
from creditbox.api.permissions import Permission, needs
from creditbox.api.problems import ApiProblem, problem_responses
from creditbox.api.schemas.cases import (
    CommandOut,
    Empty,
    LiftLockIn,
    LitigationOutcomeIn,
    LockIn,
    NoteIn,
    OutcomeIn,
    PlanIn,
    ReactivationOutcomeIn,
    WriteOffIn,
)
from creditbox.api.schemas.common import KEY_PATTERN
from creditbox.application.case_commands import CommandResult
from creditbox.domain.errors import NotAllowed
from creditbox.domain.workflow.outcomes import LitigationResult, LockReason, StepOutcome, WriteOffKind

router = APIRouter(prefix="/api/v1/companies/{company}/positions", tags=["cases"], route_class=GuardedRoute)

Customer = Annotated[str, Path(min_length=1, max_length=64, pattern=KEY_PATTERN, description="Codice cliente")]
Supply = Annotated[str, Path(min_length=1, max_length=64, pattern=KEY_PATTERN, description="Codice fornitura")]
CaseNumber = Annotated[int, Path(ge=1, le=100_000, description="Numero della pratica sulla fornitura")]
Seq = Annotated[int, Path(ge=1, le=1000, description="Sequenza del passo")]
LockId = Annotated[str, Path(min_length=1, max_length=32, pattern=KEY_PATTERN, description="Id del blocco, ad es. B1")]

CASE = "/{customer_code}/cases/{supply_code}/{case_number}"
_ERRORS = problem_responses(400, 401, 403, 404, 409, 413, 415, 422)

# Refusals of the domain that mean "your authorisation level is too low": 403, not 409.
_LEVEL_MARKERS = ("livello di autorizzazione", "massimale")


def _run(commit: Commit, command: Callable[[], CommandResult]) -> CommandOut:
    try:
        result = commit(command)
    except NotAllowed as error:
        if any(marker in str(error) for marker in _LEVEL_MARKERS):
            raise ApiProblem(403, str(error), kind="level-too-low") from None
        raise
    return CommandOut(changed=result.changed, events=list(result.events), lock_id=result.lock_id)


def _case(supply_code: str, case_number: int) -> str:
    return f"{supply_code}/{case_number}"


@router.post(
    f"{CASE}/steps/{{seq}}/confirm", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_WORK)
)
def confirm_proposal(
    customer_code: Customer,
    supply_code: Supply,
    case_number: CaseNumber,
    seq: Seq,
    body: Empty,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> CommandOut:
    """Conferma un passo proposto: viene eseguito."""
    cmd = container.case_commands()
    case_id = _case(supply_code, case_number)
    return _run(commit, lambda: cmd.confirm_proposal(company, customer_code, case_id, seq, by=principal.name))


@router.post(
    f"{CASE}/steps/{{seq}}/discard", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_WORK)
)
def discard_proposal(
    customer_code: Customer,
    supply_code: Supply,
    case_number: CaseNumber,
    seq: Seq,
    body: NoteIn,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> CommandOut:
    """Scarta un passo proposto (con nota): la pratica prosegue col passo successivo."""
    cmd = container.case_commands()
    case_id = _case(supply_code, case_number)
    return _run(
        commit, lambda: cmd.discard_proposal(company, customer_code, case_id, seq, body.note, by=principal.name)
    )


@router.post(
    f"{CASE}/steps/{{seq}}/approve", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_APPROVE)
)
def approve_step(
    customer_code: Customer,
    supply_code: Supply,
    case_number: CaseNumber,
    seq: Seq,
    body: Empty,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> CommandOut:
    """Approva un passo che richiede autorizzazione, al livello del token."""
    cmd = container.case_commands()
    case_id = _case(supply_code, case_number)
    return _run(
        commit,
        lambda: cmd.approve_step(company, customer_code, case_id, seq, principal.level, by=principal.name),
    )


@router.post(
    f"{CASE}/steps/{{seq}}/refuse", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_APPROVE)
)
def refuse_step(
    customer_code: Customer,
    supply_code: Supply,
    case_number: CaseNumber,
    seq: Seq,
    body: NoteIn,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> CommandOut:
    """Rifiuta un passo che richiede autorizzazione (con nota)."""
    cmd = container.case_commands()
    case_id = _case(supply_code, case_number)
    return _run(
        commit,
        lambda: cmd.refuse_step(company, customer_code, case_id, seq, principal.level, body.note, by=principal.name),
    )


@router.post(
    f"{CASE}/steps/{{seq}}/outcome", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_WORK)
)
def record_outcome(
    customer_code: Customer,
    supply_code: Supply,
    case_number: CaseNumber,
    seq: Seq,
    body: OutcomeIn,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> CommandOut:
    """Registra l'esito di un passo eseguito (consegna, giacenza, esito ufficio tecnico o agenzia)."""
    cmd = container.case_commands()
    case_id = _case(supply_code, case_number)
    outcome = StepOutcome(body.outcome.value)
    return _run(
        commit,
        lambda: cmd.record_outcome(
            company, customer_code, case_id, seq, outcome, body.outcome_date, body.note, by=principal.name
        ),
    )


@router.post(
    f"{CASE}/reactivation-outcome", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_WORK)
)
def record_reactivation(
    customer_code: Customer,
    supply_code: Supply,
    case_number: CaseNumber,
    body: ReactivationOutcomeIn,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> CommandOut:
    """Esito della richiesta di riattivazione all'ufficio tecnico."""
    cmd = container.case_commands()
    case_id = _case(supply_code, case_number)
    return _run(
        commit,
        lambda: cmd.record_reactivation(
            company, customer_code, case_id, body.positive, body.outcome_date, body.note, by=principal.name
        ),
    )


@router.post(f"{CASE}/repayment-plan", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_WORK))
def agree_plan(
    customer_code: Customer,
    supply_code: Supply,
    case_number: CaseNumber,
    body: PlanIn,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> CommandOut:
    """Concorda un piano di rientro: la pratica è sospesa, le rate sono scadenze; il totale è lo scaduto."""
    cmd = container.case_commands()
    case_id = _case(supply_code, case_number)
    schedule = [(i.due_date, i.amount) for i in body.instalments]
    return _run(commit, lambda: cmd.agree_plan(company, customer_code, case_id, schedule, by=principal.name))


@router.post(f"{CASE}/write-off", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_WORK))
def request_write_off(
    customer_code: Customer,
    supply_code: Supply,
    case_number: CaseNumber,
    body: WriteOffIn,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> CommandOut:
    """Chiede lo stralcio o la transazione (saldo e stralcio): serve l'approvazione di un responsabile."""
    cmd = container.case_commands()
    case_id = _case(supply_code, case_number)
    kind = WriteOffKind(body.kind.value)
    return _run(
        commit,
        lambda: cmd.request_write_off(
            company, customer_code, case_id, kind, body.settlement_amount, body.note, by=principal.name
        ),
    )


@router.post(
    f"{CASE}/write-off/approve", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_APPROVE)
)
def approve_write_off(
    customer_code: Customer,
    supply_code: Supply,
    case_number: CaseNumber,
    body: Empty,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> CommandOut:
    """Approva lo stralcio o la transazione, entro il massimale del livello del token."""
    cmd = container.case_commands()
    case_id = _case(supply_code, case_number)
    return _run(
        commit, lambda: cmd.approve_write_off(company, customer_code, case_id, principal.level, by=principal.name)
    )


@router.post(
    f"{CASE}/write-off/refuse", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_APPROVE)
)
def refuse_write_off(
    customer_code: Customer,
    supply_code: Supply,
    case_number: CaseNumber,
    body: NoteIn,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> CommandOut:
    """Rifiuta lo stralcio o la transazione (con nota): la pratica prosegue."""
    cmd = container.case_commands()
    case_id = _case(supply_code, case_number)
    return _run(
        commit,
        lambda: cmd.refuse_write_off(company, customer_code, case_id, principal.level, body.note, by=principal.name),
    )


@router.post(f"{CASE}/litigation", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_APPROVE))
def hand_over_to_litigation(
    customer_code: Customer,
    supply_code: Supply,
    case_number: CaseNumber,
    body: Empty,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> CommandOut:
    """Passa la pratica all'ufficio legale (contenzioso), al livello del token."""
    cmd = container.case_commands()
    case_id = _case(supply_code, case_number)
    return _run(
        commit,
        lambda: cmd.hand_over_to_litigation(company, customer_code, case_id, principal.level, by=principal.name),
    )


@router.post(
    f"{CASE}/litigation/outcome", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_LITIGATE)
)
def record_litigation_outcome(
    customer_code: Customer,
    supply_code: Supply,
    case_number: CaseNumber,
    body: LitigationOutcomeIn,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> CommandOut:
    """Esito del contenzioso (ufficio legale): recuperato, parzialmente, inesigibile."""
    cmd = container.case_commands()
    case_id = _case(supply_code, case_number)
    result = LitigationResult(body.result.value)
    return _run(
        commit,
        lambda: cmd.record_litigation_outcome(
            company,
            customer_code,
            case_id,
            result,
            body.recovered_amount,
            body.outcome_date,
            body.note,
            by=principal.name,
        ),
    )


@router.post("/{customer_code}/locks", response_model=CommandOut, responses=_ERRORS, **needs(Permission.CASES_WORK))
def set_lock(
    customer_code: Customer,
    body: LockIn,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> CommandOut:
    """Mette un blocco datato (reclamo, contestazione, manuale) su una fornitura o sul cliente."""
    cmd = container.case_commands()
    reason = LockReason(body.reason.value)
    return _run(
        commit,
        lambda: cmd.set_lock(
            company, customer_code, reason, body.supply_code, body.start, body.until, body.note, by=principal.name
        ),
    )


@router.post(
    "/{customer_code}/locks/{lock_id}/lift",
    response_model=CommandOut,
    responses=_ERRORS,
    **needs(Permission.CASES_WORK),
)
def lift_lock(
    customer_code: Customer,
    lock_id: LockId,
    body: LiftLockIn,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> CommandOut:
    """Toglie un blocco."""
    cmd = container.case_commands()
    return _run(
        commit,
        lambda: cmd.lift_lock(company, customer_code, lock_id, body.lifted_on, body.note, by=principal.name),
    )
