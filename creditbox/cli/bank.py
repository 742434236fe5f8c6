"""``creditbox bank``: the bank's files (``camt.053`` statements, ``camt.054`` notifications).

- ``bank import FILE --company C [--json]``: reads the file, records the matched credits as payments
  and the returned direct debits as reversals, puts the others on the *incassi da abbinare* worklist,
  reports bank charges and checks the statement's balances. Exit 0 when the file was read (even with
  credits to match or balances that do not add up: both are shown), 2 when it is refused whole
  (unsafe, not a camt file, invalid), 1 for an unknown company.
- ``bank unmatched --company C [--json] [--out FILE.xlsx]``: the worklist.
- ``bank allocate CREDIT_ID --customer X [--bill N] --company C``: allocates one by hand (an operator
  configured with ``creditbox operators``, role *operatore* or above).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from creditbox.api.permissions import Permission
from creditbox.application.bank_files import PROBLEM_LABELS, RULE_LABELS, LedgerEntry
from creditbox.application.inbound import InboundResult
from creditbox.application.records import UnreadableFile
from creditbox.cli.cases.session import acting_operator
from creditbox.cli.context import cli_user, console, container, error_console, fail, print_json
from creditbox.cli.imports import UNREADABLE_EXIT
from creditbox.cli.options import AsJson, By, Company
from creditbox.cli.paths import output_file
from creditbox.domain.money import format_euro
from creditbox.domain.wording import plural
from creditbox.infrastructure.excel.bank_worklist import write_bank_worklist

app = typer.Typer(help="File della banca (camt.053, camt.054) e incassi da abbinare.", no_args_is_help=True)

MAX_SHOWN = 50


def entries_bar(*, quiet: bool) -> Progress:
    """A progress bar over the file's entries: done/total, elapsed and time left (hidden with ``--json``)."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("rimanente"),
        TimeRemainingColumn(),
        console=error_console if quiet else console,
        transient=quiet,
        disable=quiet,
    )


class EntriesProgress:
    """A Rich progress bar over the file's entries."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None
        self._reading: TaskID | None = None

    def reading(self, done: int, total: int) -> None:
        """A file being read (bytes or rows, as the reader counts them): a bar of its own."""
        if self._reading is None:
            self._reading = self._progress.add_task("Lettura del file", total=total or None)
        self._progress.update(self._reading, completed=done)

    def start(self, total: int) -> None:
        self._task = self._progress.add_task("Movimenti", total=total)

    def advance(self, rows: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, rows)


@app.command("import")
def bank_import(
    file: Annotated[Path, typer.Argument(help="File della banca: camt.054 (avvisi) o camt.053 (estratto conto)")],
    company: Company,
    as_json: AsJson = False,
) -> None:
    """Importa un file della banca: abbina gli incassi a clienti e bollette, storna gli addebiti diretti
    respinti, mette gli altri tra gli incassi da abbinare e verifica i saldi dell'estratto."""
    try:
        content = file.read_bytes()
    except OSError as error:
        fail(f"impossibile leggere {str(file)!r}: {error.strerror or error}", UNREADABLE_EXIT)
    with container() as c:
        bank = c.bank_files()
        try:
            with entries_bar(quiet=as_json) as progress:
                result = bank.import_file(
                    company, file.name, content, by=cli_user(), progress=EntriesProgress(progress)
                )
        except UnreadableFile as error:
            fail(str(error), UNREADABLE_EXIT)
    if as_json:
        print_json(result.as_json())
        return
    print_result(result)


def print_result(result: InboundResult) -> None:
    d = result.details
    info = d["file"]
    checked = "validato con lo schema ufficiale" if info["schema_validated"] else "verificato nella struttura"
    console.print(
        f"File [bold]{result.filename}[/]: {info['label']} ({checked}), messaggio {info['message_id']}, "
        f"azienda {result.company}"
    )
    table = Table("Voce", "Numero", title="Movimenti")
    table.add_row("Movimenti nel file", str(d["transactions"]))
    table.add_row("Incassi registrati", f"{d['payments']} ({format_euro(_decimal(d['payments_amount']))})")
    table.add_row("Storni di addebiti diretti registrati", str(d["reversals"]))
    table.add_row("Già presenti (nessuna modifica)", str(result.duplicates))
    table.add_row("Incassi da abbinare", str(d["to_match"]))
    table.add_row("Altri movimenti (commissioni, addebiti)", str(d["reported_count"]))
    console.print(table)
    for balances in d["balances"]:
        if balances["problem"] is None:
            console.print(
                f"Saldi dell'estratto {balances['statement_id']}: quadrano (apertura "
                f"{format_euro(_decimal(balances['opening']))}, chiusura {format_euro(_decimal(balances['closing']))})"
            )
    for problem in d["balance_problems"]:
        console.print(f"[bold red]Attenzione:[/] {problem}")
    if d["reported"]:
        other = Table("Id", "Data", "Importo", "Descrizione", title="Altri movimenti (non registrati sulle posizioni)")
        for row in d["reported"][:MAX_SHOWN]:
            other.add_row(row["credit_id"], _day(row), format_euro(-_decimal(row["amount"])), row["remittance"])
        console.print(other)
    if result.unmatched:
        console.print(_worklist_table(result.unmatched, "Incassi da abbinare (nuovi)"))
        console.print("Per abbinarli: creditbox bank allocate ID --customer CODICE [--bill NUMERO] --company …")


def _worklist_table(rows: list[dict[str, Any]], title: str) -> Table:
    table = Table("Id", "Data", "Importo", "Ordinante", "Causale", "Problema", "Motivo", title=title)
    for row in rows[:MAX_SHOWN]:
        amount = _decimal(row["amount"]) * (1 if row["direction"] == "accredito" else -1)
        table.add_row(
            row["credit_id"],
            _day(row),
            format_euro(amount),
            row["debtor_name"] or "",
            row["remittance"],
            PROBLEM_LABELS.get(row["problem"] or "", ""),
            row["reason"] or "",
        )
    if len(rows) > MAX_SHOWN:
        table.caption = f"… e altri {len(rows) - MAX_SHOWN} (usare --json o --out per l'elenco completo)"
    return table


@app.command("unmatched")
def bank_unmatched(
    company: Company,
    as_json: AsJson = False,
    out: Annotated[Path | None, typer.Option("--out", help="File Excel da scrivere (.xlsx)")] = None,
) -> None:
    """Incassi da abbinare: accrediti non abbinati o ambigui (e storni senza incasso), mai scartati."""
    if out is not None:
        output_file(out, "--out")
    with container(follow=False) as c:
        entries = c.bank_files().unmatched(company)
    if out is not None:
        try:
            write_bank_worklist(entries, out)
        except OSError as error:
            fail(f"impossibile scrivere {str(out)!r}: {error.strerror or error}", 2)
        (error_console if as_json else console).print(
            f"{plural(len(entries), 'riga scritta', 'righe scritte')} in {out}"
        )
    if as_json:
        print_json([e.as_json() for e in entries])
        return
    if not entries:
        console.print("Nessun incasso da abbinare.")
        return
    console.print(_worklist_table([e.as_json() for e in entries], f"Incassi da abbinare: {len(entries)}"))


@app.command("allocate")
def bank_allocate(
    credit_id: Annotated[str, typer.Argument(help="Id del movimento (colonna Id di 'bank unmatched')")],
    customer: Annotated[str, typer.Option("--customer", help="Codice cliente a cui abbinarlo")],
    company: Company,
    bill: Annotated[str | None, typer.Option("--bill", help="Numero della bolletta pagata (facoltativo)")] = None,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Abbina a mano un incasso da abbinare a un cliente (e a una bolletta): il pagamento è registrato sulla
    sua posizione e l'IBAN dell'ordinante è ricordato per i prossimi file."""
    with container() as c:
        code = c.companies.require(company)
        acting = acting_operator(c, code, by, Permission.CASES_WORK)
        entry = c.bank_files().allocate(code, credit_id, customer, bill, by=acting.name)
    if as_json:
        print_json(entry.as_json())
        return
    print_allocation(entry)


def print_allocation(entry: LedgerEntry) -> None:
    what = "Storno" if not entry.credit else "Incasso"
    bill = f", bolletta {entry.bill_number}" if entry.bill_number else ""
    console.print(
        f"{what} {entry.credit_id} di {format_euro(entry.amount)} abbinato al cliente {entry.customer_code}{bill} "
        f"({RULE_LABELS.get(entry.rule or '', entry.rule)}): pagamento {entry.payment_id}"
    )


def _day(row: dict[str, Any]) -> str:
    value = row["value_date"] or row["booking_date"]
    return "" if value is None else f"{value[8:10]}/{value[5:7]}/{value[0:4]}"


def _decimal(text: str) -> Decimal:
    return Decimal(text)
