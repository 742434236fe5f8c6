"""Decisions from the console: the same ``CaseCommands`` the API routes call, through the same
``Committer`` (write gate, retries of a version clash, read models caught up), with the same
permissions (``api.permissions``) and the operator's level from its record — the server refuses what
the level does not allow (``LevelTooLow``) whatever the page showed. Every command records the
operator's name as ``by``. The outcome of a form is told on the next page (post, redirect, get).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from creditbox.api.deps import Committer
from creditbox.api.permissions import Permission
from creditbox.application.case_commands import CaseCommands, CommandResult
from creditbox.application.console_accounts import ConsoleSession
from creditbox.console.web import (
    PREFIX,
    ConsoleError,
    Fields,
    back,
    check_csrf,
    company_for,
    container_of,
    current_session,
    local_path,
    require,
)
from creditbox.domain.errors import DomainError
from creditbox.domain.text_policy import check_key
from creditbox.domain.wording import plural
from creditbox.domain.workflow.outcomes import LockReason, StepOutcome

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Session = Annotated[ConsoleSession, Depends(current_session)]
Command = Callable[[CaseCommands], CommandResult]

# decision -> (permission, past participle for the message)
DECISIONS: dict[str, tuple[Permission, str]] = {
    "conferma": (Permission.CASES_WORK, "confermato"),
    "scarta": (Permission.CASES_WORK, "scartato"),
    "approva": (Permission.CASES_APPROVE, "approvato"),
    "rifiuta": (Permission.CASES_APPROVE, "rifiutato"),
}
MAX_LINES = 200
WRITE_OFF_LINE = "stralcio"  # a worklist line about a case's write-off or settlement request, not a step


def _step_command(
    decision: str, company: str, customer: str, case_id: str, seq: int | None, note: str, s: ConsoleSession
) -> Command:
    """The command of a decision on a step; ``seq`` None: on the case's write-off or settlement request."""
    by, level = s.principal.name, s.principal.level
    if seq is None:
        if decision == "approva":
            return lambda c: c.approve_write_off(company, customer, case_id, level, by=by)
        if decision == "rifiuta":
            return lambda c: c.refuse_write_off(company, customer, case_id, level, note, by=by)
        raise ConsoleError(400, "una richiesta di stralcio si approva o si rifiuta")
    if decision == "conferma":
        return lambda c: c.confirm_proposal(company, customer, case_id, seq, by=by)
    if decision == "scarta":
        return lambda c: c.discard_proposal(company, customer, case_id, seq, note, by=by)
    if decision == "approva":
        return lambda c: c.approve_step(company, customer, case_id, seq, level, by=by)
    return lambda c: c.refuse_step(company, customer, case_id, seq, level, note, by=by)


def _run(request: Request, command: Command) -> CommandResult:
    container = container_of(request)
    commands = container.case_commands()
    return Committer(container)(lambda: command(commands))


def _decision(fields: Fields, session: ConsoleSession) -> str:
    decision = fields.get("decisione")
    if decision not in DECISIONS:
        raise ConsoleError(400, f"decisione sconosciuta: {decision!r}")
    require(session, DECISIONS[decision][0])
    if decision in ("scarta", "rifiuta") and not fields.get("nota"):
        raise ConsoleError(400, "per scartare o rifiutare serve una nota")
    return decision


def _line(raw: str) -> tuple[str, str, int | None]:
    """A ticked line of a list: ``customer|supply/number|seq`` (``seq`` ``stralcio``: the write-off request)."""
    try:
        customer, case_id, seq = raw.split("|")
        supply, number = case_id.split("/")
        check_key(customer), check_key(supply)
        return customer, f"{supply}/{int(number)}", None if seq == WRITE_OFF_LINE else int(seq)
    except (ValueError, DomainError):
        raise ConsoleError(400, f"riga non valida: {raw[:80]!r}") from None


@router.post("/{company}/liste/{kind}/decisioni")
async def decide_lines(request: Request, session: Session, company: str, kind: str) -> Response:
    """Confirm, discard, approve or refuse the ticked lines of a worklist, one command each."""
    fields = await check_csrf(request, session)
    code = company_for(request, session, company)
    decision = _decision(fields, session)
    lines = [_line(raw) for raw in fields.all("voce")[:MAX_LINES]]
    to = local_path(fields.get("torna"), f"{PREFIX}/{code}/liste/{kind}")
    if not lines:
        return back(request, session, to, "Nessuna riga selezionata.")
    done, unchanged, refused = {"steps": 0, "write_offs": 0}, 0, []
    note = fields.get("nota")
    for customer, case_id, seq in lines:
        command = _step_command(decision, code, customer, case_id, seq, note, session)
        try:
            result = await run_in_threadpool(_run, request, command)
        except DomainError as error:
            what = "stralcio" if seq is None else f"passo {seq}"
            refused.append(f"{customer} {case_id} {what}: {error}")
            continue
        done["steps" if seq is not None else "write_offs"] += int(result.changed)
        unchanged += int(not result.changed)
    participle = DECISIONS[decision][1]
    said = []
    if done["steps"] or not done["write_offs"]:
        said.append(plural(done["steps"], f"passo {participle}", f"passi {participle[:-1]}i"))
    if done["write_offs"]:
        said.append(plural(done["write_offs"], f"stralcio {participle}", f"stralci {participle[:-1]}i"))
    message = ", ".join(said)
    if unchanged:
        message += f"; {plural(unchanged, 'già fatto', 'già fatti')}"
    if refused:
        message += f"; {plural(len(refused), 'rifiutato', 'rifiutati')} — " + "; ".join(refused)
    return back(request, session, to, message + ".")


@router.post("/{company}/clienti/{customer}/pratiche/{supply}/{number}/passi/{seq}")
async def decide_step(
    request: Request, session: Session, company: str, customer: str, supply: str, number: int, seq: int
) -> Response:
    """A decision on one step from the position page: confirm, discard, approve, refuse, or an outcome."""
    fields = await check_csrf(request, session)
    code = company_for(request, session, company)
    to = f"{PREFIX}/{code}/clienti/{customer}"
    case_id = f"{supply}/{number}"
    if fields.get("decisione") == "esito":
        require(session, Permission.CASES_WORK)
        try:
            outcome = StepOutcome(fields.get("esito"))
        except ValueError:
            raise ConsoleError(400, "esito sconosciuto") from None
        on = parse_date(fields.get("data"), "data dell'esito")
        by = session.principal.name
        note = fields.get("nota")
        command: Command = lambda c: c.record_outcome(code, customer, case_id, seq, outcome, on, note, by=by)  # noqa: E731
        return await run_one(request, session, to, command, f"Esito «{outcome.label}» registrato")
    decision = _decision(fields, session)
    command = _step_command(decision, code, customer, case_id, seq, fields.get("nota"), session)
    return await run_one(request, session, to, command, f"Passo {seq} della pratica {case_id} {DECISIONS[decision][1]}")


@router.post("/{company}/clienti/{customer}/blocchi")
async def set_lock(request: Request, session: Session, company: str, customer: str) -> Response:
    """A dated lock (complaint, dispute, manual) on a supply or on the whole customer."""
    fields = await check_csrf(request, session)
    require(session, Permission.CASES_WORK)
    code = company_for(request, session, company)
    try:
        reason = LockReason(fields.get("motivo"))
    except ValueError:
        raise ConsoleError(400, "motivo del blocco sconosciuto") from None
    supply = fields.get("fornitura") or None
    start = parse_date(fields.get("dal"), "inizio del blocco") or container_of(request).clock.today()
    until = parse_date(fields.get("al"), "fine del blocco")
    note, by = fields.get("nota"), session.principal.name
    command: Command = lambda c: c.set_lock(code, customer, reason, supply, start, until, note, by=by)  # noqa: E731
    return await run_one(
        request, session, f"{PREFIX}/{code}/clienti/{customer}", command, f"Blocco ({reason.label}) messo"
    )


@router.post("/{company}/clienti/{customer}/blocchi/{lock_id}/togli")
async def lift_lock(request: Request, session: Session, company: str, customer: str, lock_id: str) -> Response:
    fields = await check_csrf(request, session)
    require(session, Permission.CASES_WORK)
    code = company_for(request, session, company)
    lifted = parse_date(fields.get("data"), "data di fine") or container_of(request).clock.today()
    note, by = fields.get("nota"), session.principal.name
    command: Command = lambda c: c.lift_lock(code, customer, lock_id, lifted, note, by=by)  # noqa: E731
    return await run_one(request, session, f"{PREFIX}/{code}/clienti/{customer}", command, f"Blocco {lock_id} tolto")


async def run_one(request: Request, session: ConsoleSession, to: str, command: Command, done: str) -> Response:
    try:
        result = await run_in_threadpool(_run, request, command)
    except DomainError as error:
        return back(request, session, to, f"Non eseguito: {error}")
    return back(request, session, to, f"{done}." if result.changed else "Nulla da cambiare: già fatto.")


def parse_date(raw: str, what: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ConsoleError(400, f"{what} non valida: {raw!r} (attesa AAAA-MM-GG)") from None
