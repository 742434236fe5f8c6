"""Dunning from the command line: ``tick``, ``simulate``, ``outbox list`` and ``cases …`` (operator
and supervisor commands on dunning cases)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from creditbox.api.permissions import Permission, allows, roles_with
from creditbox.application.case_commands import CaseCommands, CommandResult
from creditbox.application.dunning import ActionToDispatch, CachingLoader
from creditbox.application.operators import Acting
from creditbox.application.simulation import SimulatedChannels, SimulationSummary, Simulator
from creditbox.bootstrap import Container, bootstrap
from creditbox.cli.choices import allowed_help, choice, enum_choice
from creditbox.cli.context import cli_user, console, container, error_console, fail, parse_date, print_json, who
from creditbox.clock import FixedClock
from creditbox.domain.errors import DomainError, Field, LevelTooLow
from creditbox.domain.ids import position_id
from creditbox.domain.money import format_euro, parse_spreadsheet_amount
from creditbox.domain.wording import plural
from creditbox.domain.workflow.amounts import supply_debt
from creditbox.domain.workflow.cases import CaseStatus
from creditbox.domain.workflow.outcomes import LitigationResult, LockReason, StepOutcome, WriteOffKind
from creditbox.domain.workflow.plans import split_evenly
from creditbox.projections.event_labels import event_label, event_labels

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
                by=cli_user(),
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
            f"Azienda [bold]{report.company}[/] al {business_date:%d/%m/%Y}: "
            f"{plural(report.positions, 'posizione', 'posizioni')}, "
            f"{plural(report.changed, 'aggiornata', 'aggiornate')}, "
            f"{plural(report.event_count, 'evento', 'eventi')}, {plural(len(report.actions), 'azione', 'azioni')}"
        )
        _print_counter("Eventi", _labelled(report.events, event_label))


def simulate(
    company: str = COMPANY,
    start: str = typer.Option(..., "--from", help="Primo giorno (AAAA-MM-GG)"),
    end: str = typer.Option(..., "--to", help="Ultimo giorno (AAAA-MM-GG)"),
    channel_outcomes: str = typer.Option(
        "none",
        "--channel-outcomes",
        help="'simulati' (simulated): consegne, esiti e pagamenti simulati; 'nessuno' (none): nessuno",
    ),
    seed: int = typer.Option(1, "--seed", help="Seme della simulazione (stesso seme, stessa storia)"),
    operator: bool = typer.Option(True, "--operator/--no-operator", help="Un operatore conferma e approva le proposte"),
    as_json: bool = AS_JSON,
) -> None:
    """Simula il flusso giorno per giorno (registra gli eventi nel database configurato)."""
    simulated = choice(channel_outcomes, {True: ("simulated", "simulati"), False: ("none", "nessuno")}, "esiti")
    first, last = parse_date(start, date.today(), option="--from"), parse_date(end, date.today(), option="--to")
    if last < first:
        fail("--to precede --from")
    clock = FixedClock(first)
    channels = SimulatedChannels(seed, play=simulated)
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
        f"({plural(summary.days, 'giorno', 'giorni')}): {plural(summary.payments, 'pagamento', 'pagamenti')}, "
        f"{plural(summary.outcomes, 'esito', 'esiti')}, {plural(summary.confirmations, 'conferma', 'conferme')}"
    )
    steps = Table("Scala", "Passo", "Ultima azione eseguita", "Pratiche", title="Pratiche per scala e passo")
    for (ladder, seq, label), n in sorted(summary.cases_by_step.items()):
        steps.add_row(ladder, str(seq), label, str(n))
    console.print(steps)
    _print_counter("Pratiche per stato", _labelled(summary.cases_by_status, _status_label))
    _print_counter("Azioni per codice", dict(summary.actions_by_code))


def _labelled(counts: Mapping[str, int], label: Callable[[str], str]) -> dict[str, int]:
    """``counts`` keyed by Italian labels instead of codes."""
    labelled: dict[str, int] = {}
    for key, n in counts.items():
        labelled[label(key)] = labelled.get(label(key), 0) + n
    return labelled


def _status_label(status: str) -> str:
    try:
        return CaseStatus(status).label
    except ValueError:
        return status


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
# Every case command runs as an operator configured with ``creditbox operators`` (``--by``, else
# CREDITBOX_USER, else the login name): unknown or disabled operators, a role without the
# permission, a level not covering the command are refused with exit code 2.

LEVEL = typer.Option(
    None, "--level", help="Agire con un livello PIÙ BASSO di quello configurato per l'operatore (facoltativo)"
)
NOTE = typer.Option("", "--note", help="Nota")
NOTE_REASON = typer.Option("", "--note", help="Motivo")  # the note of a discard, a refusal, a write-off
BY = typer.Option(None, "--by", help="Operatore (default: CREDITBOX_USER, altrimenti il nome di login)")
REFUSED = 2  # exit code of a refusal of who runs the command (unknown, disabled, role, level)

_DOING = {
    Permission.CASES_WORK: "lavorare le pratiche",
    Permission.CASES_APPROVE: "approvare o rifiutare",
    Permission.CASES_LITIGATE: "gestire il contenzioso",
}


@contextmanager
def _checked(company: str, customer: str) -> Iterator[tuple[Container, str]]:
    """The container and the company's code, once the company and the customer are known."""
    with container() as c:
        code = c.companies.require(company)
        if not c.app.exists(position_id(code, customer)):
            fail(f"cliente {customer!r} sconosciuto nell'azienda {code!r}")
        yield c, code


@dataclass(frozen=True)
class _Session:
    """A case command about to run: the company's code, the commands and who runs them."""

    code: str
    commands: CaseCommands
    operator: Acting

    @property
    def by(self) -> str:
        return self.operator.name

    def level(self, requested: int | None) -> int:
        """The configured level, or a lower one asked with ``--level``; never a higher one."""
        configured = self.operator.level
        if requested is None:
            return configured
        if requested > configured:
            fail(
                f"livello {requested} non consentito: all'operatore {self.by!r} è configurato il livello "
                f"{configured} (--level può solo abbassarlo)",
                REFUSED,
            )
        return requested


@contextmanager
def _case_commands(
    company: str, customer: str, by: str | None, needs: Permission = Permission.CASES_WORK
) -> Iterator[_Session]:
    """The session of a case command, once the company, the customer and the operator are known."""
    with _checked(company, customer) as (c, code):
        acting = _operator(c, code, by, needs)
        try:
            yield _Session(code, c.case_commands(), acting)
        except LevelTooLow as error:
            fail(str(error), REFUSED)


def _operator(c: Container, company: str, by: str | None, needs: Permission) -> Acting:
    name = who(by)
    if name is None:
        fail("operatore non identificato: indicare --by o impostare la variabile CREDITBOX_USER", REFUSED)
    try:
        acting = c.operators().acting(company, name)
    except DomainError as error:
        fail(str(error), REFUSED)
    if not allows(acting.role, needs):
        roles = ", ".join(r.label for r in roles_with(needs))
        fail(
            f"l'operatore {acting.name!r} ({acting.role.label}) non può {_DOING[needs]} (ruoli ammessi: {roles})",
            REFUSED,
        )
    return acting


def _report(result: CommandResult, done: str) -> None:
    if not result.changed:
        console.print(f"Nessuna modifica: l'operazione era già stata registrata ({done}).")
        return
    console.print(f"{done[:1].upper()}{done[1:]}. Eventi: {event_labels(result.events)}")


@cases_app.command("confirm")
def confirm(
    customer: str = CUSTOMER,
    case: str = CASE,
    seq: int = SEQ,
    company: str = COMPANY,
    on: str | None = ON,
    by: str | None = BY,
) -> None:
    """Conferma un'azione proposta (lista di lavoro)."""
    with _case_commands(company, customer, by) as s:
        result = s.commands.confirm_proposal(s.code, customer, case, seq, by=s.by, business_date=_date(on))
        _report(result, "proposta confermata")


@cases_app.command("discard")
def discard(
    customer: str = CUSTOMER,
    case: str = CASE,
    seq: int = SEQ,
    company: str = COMPANY,
    note: str = NOTE_REASON,
    on: str | None = ON,
    by: str | None = BY,
) -> None:
    """Scarta un'azione proposta: il passo è saltato e si prosegue col successivo."""
    with _case_commands(company, customer, by) as s:
        result = s.commands.discard_proposal(s.code, customer, case, seq, note, by=s.by, business_date=_date(on))
        _report(result, "proposta scartata")


@cases_app.command("approve")
def approve(
    customer: str = CUSTOMER,
    case: str = CASE,
    seq: int = SEQ,
    company: str = COMPANY,
    level: int | None = LEVEL,
    on: str | None = ON,
    by: str | None = BY,
) -> None:
    """Approva un passo in attesa di autorizzazione (livello dell'operatore >= livello richiesto)."""
    with _case_commands(company, customer, by, Permission.CASES_APPROVE) as s:
        result = s.commands.approve_step(s.code, customer, case, seq, s.level(level), by=s.by, business_date=_date(on))
        _report(result, "passo approvato")


@cases_app.command("refuse")
def refuse(
    customer: str = CUSTOMER,
    case: str = CASE,
    seq: int = SEQ,
    company: str = COMPANY,
    level: int | None = LEVEL,
    note: str = NOTE_REASON,
    on: str | None = ON,
    by: str | None = BY,
) -> None:
    """Rifiuta un passo in attesa di autorizzazione."""
    with _case_commands(company, customer, by, Permission.CASES_APPROVE) as s:
        result = s.commands.refuse_step(
            s.code, customer, case, seq, s.level(level), note, by=s.by, business_date=_date(on)
        )
        _report(result, "passo rifiutato")


@cases_app.command("outcome")
def outcome(
    customer: str = CUSTOMER,
    case: str = CASE,
    seq: int = SEQ,
    result_code: str = typer.Argument(
        ...,
        metavar="ESITO",
        help="A/R: "
        + ", ".join(f"{o.label} ({o.value})" for o in StepOutcome if o.is_delivery)
        + "; uffici: "
        + ", ".join(f"{o.label} ({o.value})" for o in StepOutcome if not o.is_delivery),
    ),
    company: str = COMPANY,
    note: str = NOTE,
    on: str | None = ON,
    by: str | None = BY,
) -> None:
    """Registra l'esito di un passo eseguito (consegna, giacenza, esito ufficio tecnico o agenzia)."""
    parsed = enum_choice(StepOutcome, result_code, "esito")
    with _case_commands(company, customer, by) as s:
        result = s.commands.record_outcome(s.code, customer, case, seq, parsed, _date(on), note, by=s.by)
        _report(result, f"esito del passo {seq} registrato: {parsed.label}")


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
    by: str | None = BY,
) -> None:
    """Corregge un esito registrato per errore: il nuovo esito lo sostituisce, con chi e perché."""
    parsed = enum_choice(StepOutcome, result_code, "esito")
    if (replaces is None) != (replaces_date is None):
        fail("indicare sia --replaces sia --replaces-date, o nessuno dei due", code=2)
    target = None
    if replaces is not None and replaces_date is not None:
        wrong_on = parse_date(replaces_date, date.min, option="--replaces-date")
        target = (enum_choice(StepOutcome, replaces, "esito"), wrong_on)
    when = parse_date(on, date.min, option="--date")
    with _case_commands(company, customer, by) as s:
        result = s.commands.correct_outcome(s.code, customer, case, seq, parsed, when, reason, target, by=s.by)
        _report(result, f"esito corretto in {parsed.label} del {when:%d/%m/%Y}")


@cases_app.command("reactivation")
def reactivation(
    customer: str = CUSTOMER,
    case: str = CASE,
    company: str = COMPANY,
    failed: bool = typer.Option(False, "--failed", help="Riattivazione non riuscita"),
    note: str = NOTE,
    on: str | None = ON,
    by: str | None = BY,
) -> None:
    """Registra l'esito della richiesta di riattivazione all'Ufficio tecnico."""
    with _case_commands(company, customer, by) as s:
        result = s.commands.record_reactivation(s.code, customer, case, not failed, _date(on), note, by=s.by)
        _report(result, "esito riattivazione registrato")


@cases_app.command("lock")
def lock(
    customer: str = CUSTOMER,
    company: str = COMPANY,
    reason: str = typer.Option(..., "--reason", help="Motivo: " + allowed_help(LockReason)),
    supply: str | None = typer.Option(None, "--supply", help="Solo questa fornitura (default: tutto il cliente)"),
    start: str | None = typer.Option(None, "--from", help="Dal (default: oggi)"),
    until: str | None = typer.Option(None, "--until", help="Fino al (incluso; default: fino a sblocco)"),
    note: str = NOTE,
    by: str | None = BY,
) -> None:
    """Blocca le azioni su una fornitura o su tutto il cliente."""
    parsed = enum_choice(LockReason, reason, "motivo")
    with _case_commands(company, customer, by) as s:
        result = s.commands.set_lock(
            s.code, customer, parsed, supply, _date(start, "--from"), _date(until, "--until"), note, by=s.by
        )
        _report(result, f"blocco {result.lock_id} ({parsed.label}) impostato")


@cases_app.command("unlock")
def unlock(
    customer: str = CUSTOMER,
    lock_id: str = typer.Argument(..., help="Blocco (es. B1)"),
    company: str = COMPANY,
    note: str = NOTE,
    on: str | None = ON,
    by: str | None = BY,
) -> None:
    """Rimuove un blocco."""
    with _case_commands(company, customer, by) as s:
        result = s.commands.lift_lock(s.code, customer, lock_id, _date(on), note, by=s.by)
        _report(result, f"blocco {lock_id} rimosso")


@cases_app.command("plan")
def plan(
    customer: str = CUSTOMER,
    case: str = CASE,
    company: str = COMPANY,
    instalments: int = typer.Option(..., "--instalments", help="Numero di rate mensili"),
    first: str = typer.Option(..., "--first", help="Scadenza della prima rata (AAAA-MM-GG)"),
    on: str | None = ON,
    by: str | None = BY,
) -> None:
    """Concorda un piano di rientro a rate mensili uguali sullo scaduto della pratica."""
    with _checked(company, customer) as (c, code):
        acting = _operator(c, code, by, Permission.CASES_WORK)
        when = c.dunning().business_date(_date(on), Field.BUSINESS_DATE, "--date")
        position = c.dunning().load(code, customer)
        owed = supply_debt(position, position.case(case).supply_code, when).overdue
        schedule = split_evenly(owed, instalments, parse_date(first, when, option="--first"))
        result = c.case_commands().agree_plan(code, customer, case, schedule, by=acting.name, business_date=when)
        _report(result, f"piano di rientro in {plural(instalments, 'rata', 'rate')} su {format_euro(owed)} concordato")


@cases_app.command("write-off")
def write_off(
    customer: str = CUSTOMER,
    case: str = CASE,
    company: str = COMPANY,
    settlement: str | None = typer.Option(None, "--settlement", help="Importo concordato (transazione)"),
    note: str = NOTE_REASON,
    on: str | None = ON,
    by: str | None = BY,
) -> None:
    """Chiede lo stralcio (o, con --settlement, una transazione) della pratica."""
    kind = WriteOffKind.SETTLEMENT if settlement else WriteOffKind.WRITE_OFF
    amount = _amount(settlement) if settlement else Decimal("0.00")
    with _case_commands(company, customer, by) as s:
        result = s.commands.request_write_off(
            s.code, customer, case, kind, amount, note, by=s.by, business_date=_date(on)
        )
        _report(result, f"richiesta di {kind.label} registrata")


@cases_app.command("approve-write-off")
def approve_write_off(
    customer: str = CUSTOMER,
    case: str = CASE,
    company: str = COMPANY,
    level: int | None = LEVEL,
    refuse: bool = typer.Option(False, "--refuse", help="Rifiuta invece di approvare"),
    note: str = NOTE_REASON,
    on: str | None = ON,
    by: str | None = BY,
) -> None:
    """Approva (o rifiuta) lo stralcio o la transazione richiesti, entro il massimale del livello."""
    with _case_commands(company, customer, by, Permission.CASES_APPROVE) as s:
        if refuse:
            result = s.commands.refuse_write_off(
                s.code, customer, case, s.level(level), note, by=s.by, business_date=_date(on)
            )
            _report(result, "stralcio rifiutato")
        else:
            result = s.commands.approve_write_off(
                s.code, customer, case, s.level(level), by=s.by, business_date=_date(on)
            )
            _report(result, "stralcio approvato")


@cases_app.command("litigation")
def litigation(
    customer: str = CUSTOMER,
    case: str = CASE,
    company: str = COMPANY,
    level: int | None = LEVEL,
    on: str | None = ON,
    by: str | None = BY,
) -> None:
    """Passa la pratica all'ufficio legale (contenzioso)."""
    with _case_commands(company, customer, by, Permission.CASES_APPROVE) as s:
        result = s.commands.hand_over_to_litigation(
            s.code, customer, case, s.level(level), by=s.by, business_date=_date(on)
        )
        _report(result, "pratica passata a contenzioso")


@cases_app.command("litigation-outcome")
def litigation_outcome(
    customer: str = CUSTOMER,
    case: str = CASE,
    company: str = COMPANY,
    result_code: str = typer.Option(..., "--result", help="Esito: " + allowed_help(LitigationResult)),
    recovered: str = typer.Option("0", "--recovered", help="Importo recuperato"),
    note: str = NOTE,
    on: str | None = ON,
    by: str | None = BY,
) -> None:
    """Registra l'esito del contenzioso (chiude la pratica)."""
    parsed = enum_choice(LitigationResult, result_code, "esito")
    with _case_commands(company, customer, by, Permission.CASES_LITIGATE) as s:
        amount = _amount(recovered)
        result = s.commands.record_litigation_outcome(s.code, customer, case, parsed, amount, _date(on), note, by=s.by)
        _report(result, f"esito del contenzioso registrato: {parsed.label}")


# ---- parsing the inputs -------------------------------------------------------------------------


def _date(value: str | None, option: str = "--date") -> date | None:
    """A date given on the command line, or None: the command takes its default (today)."""
    return parse_date(value, date.min, option=option) if value else None


def _amount(text: str) -> Decimal:
    """An amount in either notation (``1.234,56`` Italian or ``1234.56``), in the one amount syntax
    of the spreadsheets (``domain/money.py``): no ``1_000``, ``+5``, exponents or other digits."""
    try:
        return parse_spreadsheet_amount(text)
    except ValueError as error:
        fail(str(error), REFUSED)
