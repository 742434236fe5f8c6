"""``creditbox statement CUSTOMER --company C [--as-of DATE] [--format xlsx|pdf] [--out FILE] [--json]``:
the customer's statement of account (*estratto conto*) with late-payment interest, the flat
compensation and the two-year limitation flags (``application/statement.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from creditbox.application.statement import Statement, StatementFormat, statement_as_json
from creditbox.cli.choices import choice
from creditbox.cli.context import console, container, fail, parse_date, print_json
from creditbox.cli.options import AsJson, AsOf, Company, Customer
from creditbox.cli.paths import output_file, writing
from creditbox.domain.money import format_euro
from creditbox.infrastructure.interest_rates import RateFileError

FILE_FORMATS = {StatementFormat.XLSX: ("xlsx", "Excel"), StatementFormat.PDF: ("pdf", "PDF")}

FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format", help="Formato del file: xlsx (Excel) o pdf; default: dall'estensione di --out, altrimenti xlsx"
    ),
]
OutOption = Annotated[Path | None, typer.Option("--out", help="File da scrivere (.xlsx o .pdf)")]
RatesOption = Annotated[
    Path | None,
    typer.Option("--rates", help="File CSV dei tassi di mora dell'azienda (default: impostazione o tabella fornita)"),
]


def statement(
    customer: Customer,
    company: Company,
    as_of: AsOf = None,
    fmt: FormatOption = None,
    out: OutOption = None,
    rates: RatesOption = None,
    as_json: AsJson = False,
) -> None:
    """Estratto conto del cliente: bollette, note di credito, pagamenti e imputazioni, interessi di mora,
    indennizzi, saldo progressivo e prescrizione biennale; a video, in JSON o in un file Excel o PDF."""
    chosen = _format(fmt, out)
    if out is not None:
        output_file(out, "--out")
    with container(follow=False) as c:
        day = parse_date(as_of, c.clock.today(), option="--as-of")
        service = c.statements(rates_file=str(rates) if rates is not None else None)
        try:
            found = service.build(company, customer, day)
        except RateFileError as error:
            fail(str(error), 2)
        if out is not None:
            content = service.render(found, chosen)
            with writing(out, "--out"):
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(content)
        if as_json:
            print_json(statement_as_json(found) | ({"file": str(out)} if out is not None else {}))
            return
        print_statement(found)
        if out is not None:
            console.print(f"Estratto conto ({FILE_FORMATS[chosen][1]}) scritto in {escape(str(out))}")


def _format(fmt: str | None, out: Path | None) -> StatementFormat:
    if fmt is not None:
        return choice(fmt, FILE_FORMATS, "formato")
    if out is not None and out.suffix.lower() == ".pdf":
        return StatementFormat.PDF
    return StatementFormat.XLSX


def print_statement(found: Statement) -> None:
    title = f"Estratto conto — {found.customer_code} {found.customer_name} ({found.company}) al {found.as_of:%d/%m/%Y}"
    table = Table(title=escape(title))
    for header in (
        "Bolletta",
        "Scadenza",
        "Importo",
        "Residuo",
        "Gg ritardo",
        "Interessi",
        "Indennizzo",
        "Prescrizione",
    ):
        table.add_column(header)
    for bill in found.bills:
        table.add_row(
            escape(bill.number),
            f"{bill.due_date:%d/%m/%Y}",
            format_euro(bill.amount),
            format_euro(bill.residual),
            str(bill.days_late),
            format_euro(bill.interest),
            format_euro(bill.compensation),
            bill.limitation.label if bill.limitation is not None else "",
        )
    console.print(table)
    console.print(
        f"Capitale residuo {format_euro(found.principal)} + interessi {format_euro(found.interest_total)} "
        f"+ indennizzi {format_euro(found.compensation_total)} = [bold]totale {format_euro(found.total)}[/]"
    )
    for note in found.notes:
        console.print(f"[yellow]{escape(note)}[/]")
