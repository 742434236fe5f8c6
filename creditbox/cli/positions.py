"""``creditbox positions show``: one customer's position, read back from its events."""

from __future__ import annotations

from collections import Counter
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from creditbox.application.case_views import case_view, lock_view
from creditbox.application.positions import PositionSummary
from creditbox.cli.context import console, container, parse_date, print_json
from creditbox.domain.documents import SupplyDetails
from creditbox.domain.money import ZERO, format_euro
from creditbox.domain.workflow.outcomes import Loss

app = typer.Typer(help="Posizioni creditorie.", no_args_is_help=True)


@app.command("show")
def show(
    customer: str = typer.Argument(..., help="Codice cliente"),
    company: str = typer.Option(..., "--company", help="Codice azienda"),
    as_of: str | None = typer.Option(None, "--as-of", help="Data di riferimento (AAAA-MM-GG)"),
    as_json: bool = typer.Option(False, "--json", help="Output JSON"),
) -> None:
    """Mostra cliente, forniture, partite aperte, saldo e scaduto."""
    with container() as c:
        code = c.companies.require(company)
        zone = getattr(c.clock.now(), "tzinfo", None)
        day = parse_date(as_of, c.clock.today(), option="--as-of")
        # --as-of: the position as it stood on that day, replayed from its events up to it.
        summary = c.positions.summary(code, customer, day, replay=as_of is not None, zone=zone)
        if as_json:
            print_json(summary_as_json(summary))
        else:
            print_summary(summary)


def open_items_by_supply(summary: PositionSummary) -> Counter[str]:
    return Counter(i.supply_code for i in summary.open_items)


def summary_as_json(summary: PositionSummary) -> dict[str, Any]:
    details = summary.details
    counts = open_items_by_supply(summary)
    return {
        "company": summary.company,
        "customer_code": summary.customer_code,
        "as_of": summary.as_of.isoformat(),
        "customer": {
            "name": details.name,
            "customer_type": details.customer_type.code,
            "customer_type_label": details.customer_type.label,
            **details.contacts(),
        },
        "supplies": [
            {
                "code": s.code,
                "service": s.service.code,
                "service_label": s.service.label,
                "supply_type": s.supply_type.code,
                "supply_type_label": s.supply_type.label,
                "status": s.status.code,
                "status_label": s.status.label,
                "meter": s.meter,
                "address": s.address,
                "overdue": str(summary.overdue_by_supply.get(s.code, ZERO)),
                "open_items": counts[s.code],
            }
            for s in summary.supplies
        ],
        "open_items": [
            {
                "bill_number": i.bill_number,
                "supply_code": i.supply_code,
                "issue_date": i.issue_date.isoformat(),
                "due_date": i.due_date.isoformat(),
                "amount": str(i.amount),
                "residual": str(i.residual),
                "days_overdue": i.days_overdue(summary.as_of),
            }
            for i in summary.open_items
        ],
        "lost_items": [
            {
                "bill_number": lost.item.bill_number,
                "supply_code": lost.item.supply_code,
                "issue_date": lost.item.issue_date.isoformat(),
                "due_date": lost.item.due_date.isoformat(),
                "amount": str(lost.item.amount),
                "residual": str(lost.item.residual),
                "loss": lost.loss.value,
                "loss_label": lost.loss.label,
            }
            for lost in summary.lost_items
        ],
        "balance": str(summary.balance),
        "overdue": str(summary.overdue),
        "written_off": str(summary.losses.get(Loss.WRITTEN_OFF, ZERO)),
        "litigation_loss": str(summary.losses.get(Loss.LITIGATION, ZERO)),
        "credit": str(summary.credit),
        "cases": [case_view(c, summary.waiting.get(c.case_id)) for c in summary.cases],
        "notes": summary.notes,
        "locks": [lock_view(lock) for lock in summary.locks],
    }


def supply_cell(supply: SupplyDetails) -> str:
    """The supply code, with its meter and address (dimmed) below it when known."""
    details = [f"contatore {supply.meter}" if supply.meter else None, supply.address]
    lines = [escape(supply.code), *(f"[dim]{escape(d)}[/]" for d in details if d)]
    return "\n".join(lines)


def print_summary(summary: PositionSummary) -> None:
    d = summary.details
    console.print(f"[bold]{summary.customer_code}[/] {d.name} — {d.customer_type.label} (azienda {summary.company})")
    for note in summary.notes:
        console.print(f"[yellow]{escape(note)}[/]")
    contacts = [
        f"{label}: {value}"
        for label, value in (
            ("CF", d.fiscal_code),
            ("P.IVA", d.vat_number),
            ("Email", d.email),
            ("PEC", d.pec),
            ("Cell.", d.mobile),
        )
        if value
    ]
    if contacts:
        console.print("  " + " · ".join(contacts))
    place = " ".join(v for v in (d.postcode, d.city, f"({d.province})" if d.province else None) if v)
    residence = ", ".join(v for v in (d.address, place) if v)
    if residence:
        console.print(f"  Indirizzo: {escape(residence)}")
    counts = open_items_by_supply(summary)
    supplies = Table("Fornitura", "Servizio", "Tipologia", "Stato", title="Forniture")
    supplies.add_column("Scaduto", justify="right", no_wrap=True)
    supplies.add_column("Partite", justify="right")
    for s in summary.supplies:
        supplies.add_row(
            supply_cell(s),
            s.service.label,
            s.supply_type.label,
            s.status.label,
            format_euro(summary.overdue_by_supply.get(s.code, ZERO)),
            str(counts[s.code]),
        )
    console.print(supplies)
    items = Table(
        "Bolletta", "Fornitura", "Emissione", "Scadenza", "Importo", "Residuo", "Giorni", title="Partite aperte"
    )
    for i in summary.open_items:
        items.add_row(
            i.bill_number,
            i.supply_code,
            f"{i.issue_date:%d/%m/%Y}",
            f"{i.due_date:%d/%m/%Y}",
            format_euro(i.amount),
            format_euro(i.residual),
            str(i.days_overdue(summary.as_of)),
        )
    console.print(items)
    if summary.lost_items:
        lost = Table("Bolletta", "Fornitura", "Scadenza", "Residuo", "Motivo", title="Fuori dal recupero")
        for entry in summary.lost_items:
            i = entry.item
            lost.add_row(
                i.bill_number, i.supply_code, f"{i.due_date:%d/%m/%Y}", format_euro(i.residual), entry.loss.label
            )
        console.print(lost)
    console.print(
        f"Saldo: [bold]{format_euro(summary.balance)}[/]   "
        f"Scaduto al {summary.as_of:%d/%m/%Y}: [bold red]{format_euro(summary.overdue)}[/]"
    )
    written_off, litigation = (summary.losses.get(loss, ZERO) for loss in (Loss.WRITTEN_OFF, Loss.LITIGATION))
    if written_off or litigation:
        console.print(
            f"Stralciato: {format_euro(written_off)}   Perdita da contenzioso: {format_euro(litigation)}"
            "   (non compresi nello scaduto)"
        )
    print_cases(summary)


def print_cases(summary: PositionSummary) -> None:
    """Dunning cases and locks, with Italian states (``chiusa per pagamento``, not ``closed_paid``)."""
    if summary.cases:
        cases = Table("Pratica", "Fornitura", "Scala", "Stato", "Aperta il", "In attesa di", title="Pratiche")
        for case in summary.cases:
            waiting = summary.waiting.get(case.case_id)
            cases.add_row(
                escape(case.case_id),
                escape(case.supply_code),
                escape(case.ladder),
                case.status.label,
                f"{case.opened_on:%d/%m/%Y}",
                escape(waiting.label) if waiting is not None else "",
            )
        console.print(cases)
    if summary.locks:
        locks = Table("Blocco", "Motivo", "Fornitura", "Dal", "Al", "Rimosso il", title="Blocchi")
        for lock in summary.locks:
            locks.add_row(
                lock.lock_id,
                lock.reason.label,
                escape(lock.supply_code or "tutto il cliente"),
                f"{lock.start:%d/%m/%Y}",
                f"{lock.until:%d/%m/%Y}" if lock.until else "",
                f"{lock.lifted_on:%d/%m/%Y}" if lock.lifted_on else "",
            )
        console.print(locks)
