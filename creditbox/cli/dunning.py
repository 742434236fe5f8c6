"""Dunning from the command line: ``tick``, ``simulate``, ``outbox list`` and ``cases …`` (operator
and supervisor commands on dunning cases)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from creditbox.application.case_commands import CaseCommands, CommandResult
from creditbox.application.dunning import ActionToDispatch, CachingLoader
from creditbox.application.simulation import SimulatedChannels, SimulationSummary, Simulator
from creditbox.bootstrap import Container, bootstrap
from creditbox.cli.context import CLI_USER, console, container, error_console, fail, parse_date, print_json
from creditbox.clock import FixedClock
from creditbox.domain.errors import DomainError, Field
from creditbox.domain.ids import position_id
from creditbox.domain.money import format_euro
from creditbox.domain.workflow.amounts import supply_debt
from creditbox.domain.workflow.outcomes import LitigationResult, LockReason, StepOutcome, WriteOffKind
from creditbox.domain.workflow.plans import split_evenly

outbox_app = typer.Typer(help="Azioni da eseguire (outbox).", no_args_is_help=True)
cases_app = typer.Typer(
    help="Pratiche di sollecito: proposte, approvazioni, esiti, blocchi, piani.", no_args_is_help=True
)

COMPANY = typer.Option(..., "--company", help="Codice azienda")
CUSTOMER = typer.Argument(..., help="Codice cliente")
CASE = typer.Argument(..., help="Pratica (es. S1/1)")
SEQ = typer.Argument(..., help="Numero del passo")
ON = typer.Option(None, "--date", help="Data (AAAA-MM-GG; default: oggi)")
AS_JSON = typer.Option(False, "--json", help="Output JSON")


# ---- tick and simulate --------------------------------------------------------------------------


def tick(
    company: str = COMPANY,
    as_of: str | None = typer.Option(None, "--as-of", help="Data lavorativa (AAAA-MM-GG; default: oggi)"),
    as_json: bool = AS_JSON,
) -> None:
    """Esegue tutto ciò che è dovuto alla data indicata (idempotente: rieseguito non fa nulla)."""
    with container() as c:
        business_date = parse_date(as_of, c.clock.today(), option="--as-of")
        # A tick for a later day would decide, for that day, what no later tick could undo.
        c.date_policy().window().check(business_date, Field.BUSINESS_DATE, "--as-of")
        with _progress(quiet=as_json) as progress:
            task = progress.add_task("Posizioni", total=None)
            report = c.dunning().run_due(
                company,
                business_date,
                by=CLI_USER,
                on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        if as_json:
            print_json(
                {
                    "company": report.company,
                    "business_date": business_date.isoformat(),
                    "positions": report.positions,
                    "changed": report.changed,
                    "events": dict(report.events),
                    "actions": [_action_json(a) for a in report.actions],
                }
            )
            return
        console.print(
            f"Azienda [bold]{report.company}[/] al {business_date:%d/%m/%Y}: {report.positions} posizioni, "
            f"{report.changed} aggiornate, {report.event_count} eventi, {len(report.actions)} azioni"
        )
        _print_counter("Eventi", dict(report.events))


def simulate(
    company: str = COMPANY,
    start: str = typer.Option(..., "--from", help="Primo giorno (AAAA-MM-GG)"),
    end: str = typer.Option(..., "--to", help="Ultimo giorno (AAAA-MM-GG)"),
    channel_outcomes: str = typer.Option(
        "none", "--channel-outcomes", help="'simulated': consegne, esiti e pagamenti simulati; 'none': nessuno"
    ),
    seed: int = typer.Option(1, "--seed", help="Seme della simulazione (stesso seme, stessa storia)"),
    operator: bool = typer.Option(True, "--operator/--no-operator", help="Un operatore conferma e approva le proposte"),
    as_json: bool = AS_JSON,
) -> None:
    """Simula il flusso giorno per giorno (registra gli eventi nel database configurato)."""
    if channel_outcomes not in ("simulated", "none"):
        fail("--channel-outcomes: 'simulated' o 'none'")
    first, last = parse_date(start, date.today(), option="--from"), parse_date(end, date.today(), option="--to")
    if last < first:
        fail("--to precede --from")
    clock = FixedClock(first)
    channels = SimulatedChannels(seed, play=channel_outcomes == "simulated")
    with _simulation_container(clock) as c:
        c.dispatcher = channels
        code = c.companies.require(company)
        service = c.dunning(loader=CachingLoader(c.loader))
        simulator = Simulator(service, CaseCommands(service), channels, clock.set, operator=operator)
        total = (last - first).days + 1
        with _progress(quiet=as_json) as progress:
            task = progress.add_task("Giorni simulati", total=total)
            summary = simulator.run(code, first, last, on_day=lambda _: progress.advance(task))
        if as_json:
            print_json(summary_json(summary))
        else:
            print_summary(summary)


@contextmanager
def _simulation_container(clock: FixedClock) -> Iterator[Container]:
    try:
        with bootstrap(clock=clock) as c:
            yield c
    except DomainError as error:
        fail(str(error))


def summary_json(summary: SimulationSummary) -> dict[str, Any]:
    return {
        "company": summary.company,
        "from": summary.start.isoformat(),
        "to": summary.end.isoformat(),
        "days": summary.days,
        "cases_by_ladder": dict(summary.cases_by_ladder),
        "cases_by_status": dict(summary.cases_by_status),
        "cases_by_step": [
            {"ladder": ladder, "seq": seq, "action": label, "cases": n}
            for (ladder, seq, label), n in sorted(summary.cases_by_step.items())
        ],
        "actions_by_code": dict(summary.actions_by_code),
        "events": dict(summary.events),
        "payments": summary.payments,
        "outcomes": summary.outcomes,
        "confirmations": summary.confirmations,
    }


def print_summary(summary: SimulationSummary) -> None:
    console.print(
        f"Simulazione azienda [bold]{summary.company}[/] dal {summary.start:%d/%m/%Y} al {summary.end:%d/%m/%Y} "
        f"({summary.days} giorni): {summary.payments} pagamenti, {summary.outcomes} esiti, "
        f"{summary.confirmations} conferme"
    )
    steps = Table("Scala", "Passo", "Ultima azione eseguita", "Pratiche", title="Pratiche per scala e passo")
    for (ladder, seq, label), n in sorted(summary.cases_by_step.items()):
        steps.add_row(ladder, str(seq), label, str(n))
    console.print(steps)
    _print_counter("Pratiche per stato", dict(summary.cases_by_status))
    _print_counter("Azioni per codice", dict(summary.actions_by_code))


def _print_counter(title: str, counts: dict[str, int]) -> None:
    table = Table("Voce", "Numero", title=title)
    for key, n in sorted(counts.items()):
        table.add_row(key, str(n))
    console.print(table)


def _progress(*, quiet: bool) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=error_console,
        transient=True,
        disable=quiet,
    )


# ---- outbox -------------------------------------------------------------------------------------


@outbox_app.command("list")
def outbox_list(
    company: str = COMPANY,
    since: str | None = typer.Option(None, "--since", help="Dalla data (AAAA-MM-GG)"),
    limit: int | None = typer.Option(None, "--limit", help="Al massimo N azioni"),
    as_json: bool = AS_JSON,
) -> None:
    """Elenca le azioni registrate per i canali (SMS, e-mail, lettere, PEC, uffici)."""
    with container() as c:
        code = c.companies.require(company)
        first = parse_date(since, date.min, option="--since") if since else None
        actions = c.outbox().list(code, since=first, limit=limit)
        if as_json:
            print_json([_action_json(a) for a in actions])
            return
        table = Table("Data", "Cliente", "Pratica", "Passo", "Azione", "Destinatario", "Scaduto", title="Outbox")
        for a in actions:
            table.add_row(
                f"{a.business_date:%d/%m/%Y}",
                a.customer_code,
                a.case_id,
                str(a.seq) if a.seq is not None else "—",
                a.description,
                a.recipient or "",
                format_euro(a.overdue),
            )
        console.print(table)


def _action_json(a: ActionToDispatch) -> dict[str, Any]:
    return {
        "action_id": a.action_id,
        "company": a.company,
        "customer_code": a.customer_code,
        "supply_code": a.supply_code,
        "case_id": a.case_id,
        "seq": a.seq,
        "action_code": a.action_code.code,
        "action_label": a.action_code.label,
        "description": a.description,
        "recipient": a.recipient,
        "parameters": a.parameters,
        "overdue": str(a.overdue),
        "business_date": a.business_date.isoformat(),
    }


# ---- case commands ------------------------------------------------------------------------------
# Each command states only its own arguments, the CaseCommands method it calls and what it reports.

LEVEL = typer.Option(..., "--level", help="Livello di autorizzazione del responsabile")
NOTE = typer.Option("", "--note", help="Nota")
NOTE_REASON = typer.Option("", "--note", help="Motivo")  # the note of a discard, a refusal, a write-off


@contextmanager
def _checked(company: str, customer: str) -> Iterator[tuple[Container, str]]:
    """The container and the company's code, once the company and the customer are known."""
    with container() as c:
        code = c.companies.require(company)
        if not c.app.exists(position_id(code, customer)):
            fail(f"cliente {customer!r} sconosciuto nell'azienda {code!r}")
        yield c, code


@contextmanager
def _case_commands(company: str, customer: str) -> Iterator[tuple[str, CaseCommands]]:
    """The company's code and the case commands, once the company and the customer are known."""
    with _checked(company, customer) as (c, code):
        yield code, c.case_commands()


def _report(result: CommandResult, done: str) -> None:
    if not result.changed:
        console.print(f"Nessuna modifica: l'operazione era già stata registrata ({done}).")
        return
    console.print(f"{done[:1].upper()}{done[1:]}. Eventi: {', '.join(result.events)}")


@cases_app.command("confirm")
def confirm(
    customer: str = CUSTOMER, case: str = CASE, seq: int = SEQ, company: str = COMPANY, on: str | None = ON
) -> None:
    """Conferma un'azione proposta (lista di lavoro)."""
    with _case_commands(company, customer) as (code, commands):
        result = commands.confirm_proposal(code, customer, case, seq, by=CLI_USER, business_date=_date(on))
        _report(result, "proposta confermata")


@cases_app.command("discard")
def discard(
    customer: str = CUSTOMER,
    case: str = CASE,
    seq: int = SEQ,
    company: str = COMPANY,
    note: str = NOTE_REASON,
    on: str | None = ON,
) -> None:
    """Scarta un'azione proposta: il passo è saltato e si prosegue col successivo."""
    with _case_commands(company, customer) as (code, commands):
        result = commands.discard_proposal(code, customer, case, seq, note, by=CLI_USER, business_date=_date(on))
        _report(result, "proposta scartata")


@cases_app.command("approve")
def approve(
    customer: str = CUSTOMER,
    case: str = CASE,
    seq: int = SEQ,
    company: str = COMPANY,
    level: int = LEVEL,
    on: str | None = ON,
) -> None:
    """Approva un passo in attesa di autorizzazione (livello >= livello richiesto)."""
    with _case_commands(company, customer) as (code, commands):
        result = commands.approve_step(code, customer, case, seq, level, by=CLI_USER, business_date=_date(on))
        _report(result, "passo approvato")


@cases_app.command("refuse")
def refuse(
    customer: str = CUSTOMER,
    case: str = CASE,
    seq: int = SEQ,
    company: str = COMPANY,
    level: int = LEVEL,
    note: str = NOTE_REASON,
    on: str | None = ON,
) -> None:
    """Rifiuta un passo in attesa di autorizzazione."""
    with _case_commands(company, customer) as (code, commands):
        result = commands.refuse_step(code, customer, case, seq, level, note, by=CLI_USER, business_date=_date(on))
        _report(result, "passo rifiutato")


@cases_app.command("outcome")
def outcome(
    customer: str = CUSTOMER,
    case: str = CASE,
    seq: int = SEQ,
    result_code: str = typer.Argument(
        ...,
        metavar="ESITO",
        help="sent, delivered, not_delivered, held, unclaimed, returned (A/R), positive, negative (uffici)",
    ),
    company: str = COMPANY,
    note: str = NOTE,
    on: str | None = ON,
) -> None:
    """Registra l'esito di un passo eseguito (consegna, giacenza, esito ufficio tecnico o agenzia)."""
    parsed = _choice(StepOutcome, result_code, "esito")
    with _case_commands(company, customer) as (code, commands):
        result = commands.record_outcome(code, customer, case, seq, parsed, _date(on), note, by=CLI_USER)
        _report(result, f"esito {parsed.label} registrato")


@cases_app.command("correct-outcome")
def correct_outcome(
    customer: str = CUSTOMER,
    case: str = CASE,
    seq: int = SEQ,
    result_code: str = typer.Argument(..., metavar="ESITO", help="L'esito corretto (come per 'outcome')"),
    company: str = COMPANY,
    on: str = typer.Option(..., "--date", help="La data corretta dell'esito (AAAA-MM-GG)"),
    reason: str = typer.Option(..., "--reason", help="Perché si corregge (obbligatorio)"),
    replaces: str | None = typer.Option(None, "--replaces", help="L'esito errato (default: l'ultimo registrato)"),
    replaces_date: str | None = typer.Option(None, "--replaces-date", help="La data dell'esito errato"),
) -> None:
    """Corregge un esito registrato per errore: il nuovo esito lo sostituisce, con chi e perché."""
    parsed = _choice(StepOutcome, result_code, "esito")
    if (replaces is None) != (replaces_date is None):
        fail("indicare sia --replaces sia --replaces-date, o nessuno dei due", code=2)
    target = None
    if replaces is not None and replaces_date is not None:
        wrong_on = parse_date(replaces_date, date.min, option="--replaces-date")
        target = (_choice(StepOutcome, replaces, "esito"), wrong_on)
    when = parse_date(on, date.min, option="--date")
    with _case_commands(company, customer) as (code, commands):
        result = commands.correct_outcome(code, customer, case, seq, parsed, when, reason, target, by=CLI_USER)
        _report(result, f"esito corretto in {parsed.label} del {when:%d/%m/%Y}")


@cases_app.command("reactivation")
def reactivation(
    customer: str = CUSTOMER,
    case: str = CASE,
    company: str = COMPANY,
    failed: bool = typer.Option(False, "--failed", help="Riattivazione non riuscita"),
    note: str = NOTE,
    on: str | None = ON,
) -> None:
    """Registra l'esito della richiesta di riattivazione all'Ufficio tecnico."""
    with _case_commands(company, customer) as (code, commands):
        result = commands.record_reactivation(code, customer, case, not failed, _date(on), note, by=CLI_USER)
        _report(result, "esito riattivazione registrato")


@cases_app.command("lock")
def lock(
    customer: str = CUSTOMER,
    company: str = COMPANY,
    reason: str = typer.Option(..., "--reason", help="complaint (reclamo), dispute (contestazione), manual"),
    supply: str | None = typer.Option(None, "--supply", help="Solo questa fornitura (default: tutto il cliente)"),
    start: str | None = typer.Option(None, "--from", help="Dal (default: oggi)"),
    until: str | None = typer.Option(None, "--until", help="Fino al (incluso; default: fino a sblocco)"),
    note: str = NOTE,
) -> None:
    """Blocca le azioni su una fornitura o su tutto il cliente."""
    parsed = _choice(LockReason, reason, "motivo")
    with _case_commands(company, customer) as (code, commands):
        result = commands.set_lock(
            code, customer, parsed, supply, _date(start, "--from"), _date(until, "--until"), note, by=CLI_USER
        )
        _report(result, f"blocco {result.lock_id} impostato")


@cases_app.command("unlock")
def unlock(
    customer: str = CUSTOMER,
    lock_id: str = typer.Argument(..., help="Blocco (es. B1)"),
    company: str = COMPANY,
    note: str = NOTE,
    on: str | None = ON,
) -> None:
    """Rimuove un blocco."""
    with _case_commands(company, customer) as (code, commands):
        result = commands.lift_lock(code, customer, lock_id, _date(on), note, by=CLI_USER)
        _report(result, f"blocco {lock_id} rimosso")


@cases_app.command("plan")
def plan(
    customer: str = CUSTOMER,
    case: str = CASE,
    company: str = COMPANY,
    instalments: int = typer.Option(..., "--instalments", help="Numero di rate mensili"),
    first: str = typer.Option(..., "--first", help="Scadenza della prima rata (AAAA-MM-GG)"),
    on: str | None = ON,
) -> None:
    """Concorda un piano di rientro a rate mensili uguali sullo scaduto della pratica."""
    with _checked(company, customer) as (c, code):
        when = c.dunning().business_date(_date(on), Field.BUSINESS_DATE, "--date")
        position = c.dunning().load(code, customer)
        owed = supply_debt(position, position.case(case).supply_code, when).overdue
        schedule = split_evenly(owed, instalments, parse_date(first, when, option="--first"))
        result = c.case_commands().agree_plan(code, customer, case, schedule, by=CLI_USER, business_date=when)
        _report(result, f"piano di rientro in {instalments} rate su {format_euro(owed)} concordato")


@cases_app.command("write-off")
def write_off(
    customer: str = CUSTOMER,
    case: str = CASE,
    company: str = COMPANY,
    settlement: str | None = typer.Option(None, "--settlement", help="Importo concordato (transazione)"),
    note: str = NOTE_REASON,
    on: str | None = ON,
) -> None:
    """Chiede lo stralcio (o, con --settlement, una transazione) della pratica."""
    kind = WriteOffKind.SETTLEMENT if settlement else WriteOffKind.WRITE_OFF
    amount = _amount(settlement) if settlement else Decimal("0.00")
    with _case_commands(company, customer) as (code, commands):
        result = commands.request_write_off(
            code, customer, case, kind, amount, note, by=CLI_USER, business_date=_date(on)
        )
        _report(result, f"richiesta di {kind.label} registrata")


@cases_app.command("approve-write-off")
def approve_write_off(
    customer: str = CUSTOMER,
    case: str = CASE,
    company: str = COMPANY,
    level: int = LEVEL,
    refuse: bool = typer.Option(False, "--refuse", help="Rifiuta invece di approvare"),
    note: str = NOTE_REASON,
    on: str | None = ON,
) -> None:
    """Approva (o rifiuta) lo stralcio o la transazione richiesti, entro il massimale del livello."""
    with _case_commands(company, customer) as (code, commands):
        if refuse:
            result = commands.refuse_write_off(code, customer, case, level, note, by=CLI_USER, business_date=_date(on))
            _report(result, "stralcio rifiutato")
        else:
            result = commands.approve_write_off(code, customer, case, level, by=CLI_USER, business_date=_date(on))
            _report(result, "stralcio approvato")


@cases_app.command("litigation")
def litigation(
    customer: str = CUSTOMER, case: str = CASE, company: str = COMPANY, level: int = LEVEL, on: str | None = ON
) -> None:
    """Passa la pratica all'ufficio legale (contenzioso)."""
    with _case_commands(company, customer) as (code, commands):
        result = commands.hand_over_to_litigation(code, customer, case, level, by=CLI_USER, business_date=_date(on))
        _report(result, "pratica passata a contenzioso")


@cases_app.command("litigation-outcome")
def litigation_outcome(
    customer: str = CUSTOMER,
    case: str = CASE,
    company: str = COMPANY,
    result_code: str = typer.Option(..., "--result", help="recovered, partially_recovered, unrecoverable"),
    recovered: str = typer.Option("0", "--recovered", help="Importo recuperato"),
    note: str = NOTE,
    on: str | None = ON,
) -> None:
    """Registra l'esito del contenzioso (chiude la pratica)."""
    parsed = _choice(LitigationResult, result_code, "esito")
    with _case_commands(company, customer) as (code, commands):
        amount = _amount(recovered)
        result = commands.record_litigation_outcome(code, customer, case, parsed, amount, _date(on), note, by=CLI_USER)
        _report(result, "esito del contenzioso registrato")


# ---- parsing the inputs -------------------------------------------------------------------------

E = TypeVar("E", bound=Enum)


def _choice(enum: type[E], text: str, what: str) -> E:
    """``text`` as a member of ``enum`` (its value, in any case); otherwise fail listing the values."""
    try:
        return enum(text.strip().lower())
    except ValueError:
        fail(f"{what} sconosciuto {text!r} (ammessi: {', '.join(str(m.value) for m in enum)})")


def _date(value: str | None, option: str = "--date") -> date | None:
    """A date given on the command line, or None: the command takes its default (today)."""
    return parse_date(value, date.min, option=option) if value else None


def _amount(text: str) -> Decimal:
    """An amount in either notation: ``1.234,56`` (Italian) or ``1234.56``."""
    try:
        return Decimal(text.replace(".", "").replace(",", ".") if "," in text else text)
    except InvalidOperation:
        fail(f"importo non valido: {text!r}")
