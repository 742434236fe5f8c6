"""``creditbox positions show``: one customer's position, read back from its events."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from creditbox.application.case_views import case_view, lock_view
from creditbox.application.positions import PositionSummary
from creditbox.cli.context import console, container, parse_date, parse_timestamp, print_json
from creditbox.cli.offices import print_office_notes
from creditbox.cli.options import AsJson, AsOf, AsRecordedAt, Company, Customer
from creditbox.domain.documents import CustomerDetails, OpenItem, SupplyDetails
from creditbox.domain.money import ZERO, format_euro
from creditbox.domain.position import LostItem
from creditbox.domain.workflow.outcomes import Loss

app = typer.Typer(help="Posizioni creditorie.", no_args_is_help=True)


@app.command("show")
def show(
    customer: Customer,
    company: Company,
    as_of: AsOf = None,
    as_recorded_at: AsRecordedAt = None,
    as_json: AsJson = False,
) -> None:
    """Mostra cliente, forniture, partite aperte, saldo e scaduto."""
    with container() as c:
        code = c.companies.require(company)
        zone = getattr(c.clock.now(), "tzinfo", None)
        recorded = parse_timestamp(as_recorded_at, zone, option="--as-recorded-at")
        default_day = recorded.astimezone(zone).date() if recorded is not None and zone is not None else None
        day = parse_date(as_of, default_day or c.clock.today(), option="--as-of")
        # --as-of / --as-recorded-at: the position as it stood then, replayed from its events up to it.
        replay = as_of is not None or recorded is not None
        summary = c.positions.summary(code, customer, day, replay=replay, zone=zone, as_recorded_at=recorded)
        notes = c.office_notes().list(code, customer=customer)  # planned interventions, promises to pay
        if as_json:
            print_json({**summary_as_json(summary), "office_notes": [n.as_json() for n in notes]})
        else:
            print_summary(summary)
            print_office_notes(notes)


def open_items_by_supply(summary: PositionSummary) -> Counter[str]:
    return Counter(i.supply_code for i in summary.open_items)


def summary_as_json(summary: PositionSummary) -> dict[str, Any]:
    counts = open_items_by_supply(summary)
    return {
        "company": summary.company,
        "customer_code": summary.customer_code,
        "as_of": summary.as_of.isoformat(),
        "customer": _customer_json(summary.details),
        "supplies": [
            _supply_json(s, summary.overdue_by_supply.get(s.code, ZERO), counts[s.code]) for s in summary.supplies
        ],
        "open_items": [_open_item_json(i, summary.as_of) for i in summary.open_items],
        "lost_items": [_lost_item_json(lost) for lost in summary.lost_items],
        "balance": str(summary.balance),
        "overdue": str(summary.overdue),
        "written_off": str(summary.losses.get(Loss.WRITTEN_OFF, ZERO)),
        "litigation_loss": str(summary.losses.get(Loss.LITIGATION, ZERO)),
        "credit": str(summary.credit),
        "cases": [case_view(c, summary.waiting.get(c.case_id)) for c in summary.cases],
        "notes": summary.notes,
        "locks": [lock_view(lock) for lock in summary.locks],
    }


def _customer_json(details: CustomerDetails) -> dict[str, Any]:
    return {
        "name": details.name,
        "customer_type": details.customer_type.code,
        "customer_type_label": details.customer_type.label,
        **details.contacts(),
    }


def _supply_json(supply: SupplyDetails, overdue: Decimal, open_items: int) -> dict[str, Any]:
    return {
        "code": supply.code,
        "service": supply.service.code,
        "service_label": supply.service.label,
        "supply_type": supply.supply_type.code,
        "supply_type_label": supply.supply_type.label,
        "status": supply.status.code,
        "status_label": supply.status.label,
        "meter": supply.meter,
        "address": supply.address,
        "overdue": str(overdue),
        "open_items": open_items,
    }


def _bill_json(item: OpenItem) -> dict[str, Any]:
    """What the open and the lost items show of a bill."""
    return {
        "bill_number": item.bill_number,
        "supply_code": item.supply_code,
        "issue_date": item.issue_date.isoformat(),
        "due_date": item.due_date.isoformat(),
        "amount": str(item.amount),
        "residual": str(item.residual),
    }


def _open_item_json(item: OpenItem, as_of: date) -> dict[str, Any]:
    return {**_bill_json(item), "days_overdue": item.days_overdue(as_of)}


def _lost_item_json(lost: LostItem) -> dict[str, Any]:
    return {**_bill_json(lost.item), "loss": lost.loss.value, "loss_label": lost.loss.label}


def supply_cell(supply: SupplyDetails) -> str:
    """The supply code, with its meter and address (dimmed) below it when known."""
    details = [f"contatore {supply.meter}" if supply.meter else None, supply.address]
    lines = [escape(supply.code), *(f"[dim]{escape(d)}[/]" for d in details if d)]
    return "\n".join(lines)


def print_summary(summary: PositionSummary) -> None:
    """The position on screen: the customer, the supplies, the open and the lost items, the totals,
    the cases and the locks."""
    _print_customer(summary)
    _print_supplies(summary)
    _print_open_items(summary)
    _print_lost_items(summary)
    _print_totals(summary)
    print_cases(summary)


def _print_customer(summary: PositionSummary) -> None:
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


def _print_supplies(summary: PositionSummary) -> None:
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


def _print_open_items(summary: PositionSummary) -> None:
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


def _print_lost_items(summary: PositionSummary) -> None:
    if not summary.lost_items:
        return
    lost = Table("Bolletta", "Fornitura", "Scadenza", "Residuo", "Motivo", title="Fuori dal recupero")
    for entry in summary.lost_items:
        i = entry.item
        lost.add_row(i.bill_number, i.supply_code, f"{i.due_date:%d/%m/%Y}", format_euro(i.residual), entry.loss.label)
    console.print(lost)


def _print_totals(summary: PositionSummary) -> None:
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
