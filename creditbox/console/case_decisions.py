"""Decisions on a whole case from the position page: a repayment plan, a write-off or settlement
request and its approval or refusal, the hand-over to litigation and its outcome.

The same ``CaseCommands`` as ``api/routes/cases.py`` through the same ``Committer``, each behind the
permission the API route declares; approvals run at the operator's level from its record, so the
domain refuses (``LevelTooLow``) an approval above it whatever the page offered.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from creditbox.api.permissions import Permission
from creditbox.application.console_accounts import ConsoleSession
from creditbox.console.decisions import Command, parse_date, run_one
from creditbox.console.web import PREFIX, ConsoleError, Fields, check_csrf, company_for, current_session, require
from creditbox.domain.errors import DomainError
from creditbox.domain.money import parse_spreadsheet_amount
from creditbox.domain.text_policy import check_key
from creditbox.domain.workflow.outcomes import LitigationResult, WriteOffKind

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Session = Annotated[ConsoleSession, Depends(current_session)]
CASE = "/{company}/clienti/{customer}/pratiche/{supply}/{number}"
MAX_INSTALMENTS = 60


class CaseForm:
    """A posted form about one case: checked token, company, permission; where to go back."""

    def __init__(self, request: Request, session: ConsoleSession, fields: Fields, code: str, customer: str) -> None:
        self.request, self.session, self.fields = request, session, fields
        self.company, self.customer = code, customer
        self.by, self.level = session.principal.name, session.principal.level

    @property
    def position(self) -> str:
        return f"{PREFIX}/{self.company}/clienti/{self.customer}"

    async def run(self, command: Command, done: str) -> Response:
        return await run_one(self.request, self.session, self.position, command, done)


async def _form(
    request: Request, session: ConsoleSession, company: str, customer: str, supply: str, permission: Permission
) -> tuple[CaseForm, str]:
    fields = await check_csrf(request, session)
    require(session, permission)
    code = company_for(request, session, company)
    try:
        check_key(customer), check_key(supply)
    except DomainError:
        raise ConsoleError(404, "cliente o fornitura non validi") from None
    return CaseForm(request, session, fields, code, customer), supply


def _amount(raw: str, what: str) -> Decimal:
    try:
        return parse_spreadsheet_amount(raw)
    except ValueError as error:
        raise ConsoleError(400, f"{what}: {error}") from None


@router.post(f"{CASE}/piano")
async def agree_plan(
    request: Request, session: Session, company: str, customer: str, supply: str, number: int
) -> Response:
    """A repayment plan: one date and amount per instalment (the empty lines of the form ignored)."""
    form, supply = await _form(request, session, company, customer, supply, Permission.CASES_WORK)
    dates, amounts = form.fields.all("rata_data"), form.fields.all("rata_importo")
    schedule = []
    for n, (raw_date, raw_amount) in enumerate(zip(dates, amounts, strict=False), start=1):
        if not raw_date.strip() and not raw_amount.strip():
            continue
        on = parse_date(raw_date.strip(), f"scadenza della rata {n}")
        if on is None:
            raise ConsoleError(400, f"rata {n}: manca la scadenza")
        schedule.append((on, _amount(raw_amount, f"importo della rata {n}")))
    if not schedule or len(schedule) > MAX_INSTALMENTS:
        raise ConsoleError(400, f"un piano di rientro ha da 1 a {MAX_INSTALMENTS} rate")
    case_id, c, by = f"{supply}/{number}", form.company, form.by
    command: Command = lambda x: x.agree_plan(c, customer, case_id, schedule, by=by)  # noqa: E731
    return await form.run(command, f"Piano di rientro di {len(schedule)} rate concordato per la pratica {case_id}")


@router.post(f"{CASE}/stralcio")
async def request_write_off(
    request: Request, session: Session, company: str, customer: str, supply: str, number: int
) -> Response:
    """A write-off (*stralcio*) or settlement (*transazione*: the agreed amount) request, with a note."""
    form, supply = await _form(request, session, company, customer, supply, Permission.CASES_WORK)
    try:
        kind = WriteOffKind(form.fields.get("tipo"))
    except ValueError:
        raise ConsoleError(400, "tipo di richiesta sconosciuto (stralcio o transazione)") from None
    agreed = Decimal("0.00")
    if kind is WriteOffKind.SETTLEMENT:
        agreed = _amount(form.fields.get("importo"), "importo della transazione")
    note, case_id, c, by = form.fields.get("nota"), f"{supply}/{number}", form.company, form.by
    if not note:
        raise ConsoleError(400, "una richiesta di stralcio o transazione va motivata con una nota")
    command: Command = lambda x: x.request_write_off(c, customer, case_id, kind, agreed, note, by=by)  # noqa: E731
    return await form.run(command, f"Richiesta di {kind.label} per la pratica {case_id} registrata")


@router.post(f"{CASE}/stralcio/{{decision}}")
async def decide_write_off(
    request: Request, session: Session, company: str, customer: str, supply: str, number: int, decision: str
) -> Response:
    """Approve (within the ceiling of the operator's level) or refuse (with a note) the request."""
    form, supply = await _form(request, session, company, customer, supply, Permission.CASES_APPROVE)
    case_id, c, by, level, note = f"{supply}/{number}", form.company, form.by, form.level, form.fields.get("nota")
    if decision == "approva":
        command: Command = lambda x: x.approve_write_off(c, customer, case_id, level, by=by)  # noqa: E731
        return await form.run(command, f"Stralcio della pratica {case_id} approvato")
    if decision == "rifiuta":
        if not note:
            raise ConsoleError(400, "per rifiutare serve una nota")
        command = lambda x: x.refuse_write_off(c, customer, case_id, level, note, by=by)  # noqa: E731
        return await form.run(command, f"Richiesta della pratica {case_id} rifiutata")
    raise ConsoleError(404, f"decisione sconosciuta: {decision[:20]!r}")


@router.post(f"{CASE}/contenzioso")
async def hand_over(
    request: Request, session: Session, company: str, customer: str, supply: str, number: int
) -> Response:
    """Hand the case over to the legal team, at the operator's level (the company's level for it)."""
    form, supply = await _form(request, session, company, customer, supply, Permission.CASES_APPROVE)
    case_id, c, by, level = f"{supply}/{number}", form.company, form.by, form.level
    command: Command = lambda x: x.hand_over_to_litigation(c, customer, case_id, level, by=by)  # noqa: E731
    return await form.run(command, f"Pratica {case_id} passata al contenzioso")


@router.post(f"{CASE}/contenzioso/esito")
async def litigation_outcome(
    request: Request, session: Session, company: str, customer: str, supply: str, number: int
) -> Response:
    """The legal team's outcome: recovered, partly recovered (with the amount), unrecoverable."""
    form, supply = await _form(request, session, company, customer, supply, Permission.CASES_LITIGATE)
    try:
        result = LitigationResult(form.fields.get("risultato"))
    except ValueError:
        raise ConsoleError(400, "esito del contenzioso sconosciuto") from None
    raw = form.fields.get("recuperato")
    recovered = _amount(raw, "importo recuperato") if raw else Decimal("0.00")
    on = parse_date(form.fields.get("data"), "data dell'esito")
    note, case_id, c, by = form.fields.get("nota"), f"{supply}/{number}", form.company, form.by
    command: Command = lambda x: x.record_litigation_outcome(c, customer, case_id, result, recovered, on, note, by=by)  # noqa: E731
    return await form.run(command, f"Esito del contenzioso ({result.label}) registrato")
