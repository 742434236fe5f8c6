"""The statement of account as a workbook, in the house style of the exports (``excel/writer.py``):
Italian headers, widths, euro and date formats, autofilter, frozen header.

Four sheets: *Riepilogo* (the customer, the date, the regime and the totals, principal and interest
apart, and the notes), *Bollette* (one line per bill with the two-year limitation flag), *Movimenti*
(every movement in date order with the running balances) and *Interessi* (one line per bill and
rate period, with the rate's source).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from creditbox.application.statement import Statement
from creditbox.domain.money import ZERO
from creditbox.infrastructure.excel.writer import Column, Kind, SheetSpec, save_workbook

SUMMARY_COLUMNS = (Column("Voce", width=36), Column("Importo", Kind.EURO), Column("Dettaglio", width=90))
BILL_COLUMNS = (
    Column("Bolletta"),
    Column("Fornitura"),
    Column("Servizio"),
    Column("Emissione", Kind.DATE),
    Column("Scadenza", Kind.DATE),
    Column("Importo", Kind.EURO),
    Column("Pagato o accreditato", Kind.EURO),
    Column("Residuo", Kind.EURO),
    Column("Giorni di ritardo", Kind.INTEGER),
    Column("Interessi", Kind.EURO),
    Column("Indennizzo", Kind.EURO),
    Column("Prescrizione biennale al", Kind.DATE),
    Column("Prescrizione (L. 205/2017)"),
)
MOVEMENT_COLUMNS = (
    Column("Data", Kind.DATE),
    Column("Tipo"),
    Column("Documento"),
    Column("Fornitura"),
    Column("Descrizione", width=70),
    Column("Addebito capitale", Kind.EURO),
    Column("Accredito capitale", Kind.EURO),
    Column("Saldo capitale", Kind.EURO),
    Column("Interessi", Kind.EURO),
    Column("Indennizzo", Kind.EURO),
    Column("Saldo complessivo", Kind.EURO),
)
INTEREST_COLUMNS = (
    Column("Bolletta"),
    Column("Dal", Kind.DATE),
    Column("Al", Kind.DATE),
    Column("Giorni", Kind.INTEGER),
    Column("Base (residuo)", Kind.EURO),
    Column("Tasso annuo %", Kind.NUMBER),
    Column("Interessi", Kind.EURO),
    Column("Fonte del tasso", width=70),
)


def summary_rows(statement: Statement) -> list[Sequence[Any]]:
    customer = f"{statement.customer_code} — {statement.customer_name} ({statement.customer_type.label})"
    identifiers = " - ".join(
        part
        for part in (
            f"Codice fiscale {statement.fiscal_code}" if statement.fiscal_code else "",
            f"P. IVA {statement.vat_number}" if statement.vat_number else "",
        )
        if part
    )
    rows: list[Sequence[Any]] = [
        ("Azienda", None, f"{statement.company} — {statement.company_name}"),
        ("Cliente", None, customer),
    ]
    if identifiers:
        rows.append(("Identificativi", None, identifiers))
    rows += [
        ("Estratto conto al", None, f"{statement.as_of:%d/%m/%Y}"),
        ("Regime degli interessi", None, statement.regime.label),
        ("Bollette emesse", statement.billed, f"{len(statement.bills)} bollette"),
        ("Note di credito", statement.credited, ""),
        ("Pagamenti (al netto degli storni)", statement.paid, ""),
        ("Capitale residuo", statement.principal, "bollette − note di credito − pagamenti"),
        ("Interessi di mora", statement.interest_total, f"{len(statement.interest_lines)} righe di calcolo"),
        (
            "Indennizzi forfettari",
            statement.compensation_total,
            "per bolletta pagata in ritardo (D.Lgs. 231/2002 art. 6)",
        ),
        ("Totale dovuto", statement.total, "capitale + interessi + indennizzi"),
        ("Credito non imputato", statement.credit, "pagamenti non imputati ad alcuna bolletta"),
        (
            "Prescrivibili (L. 205/2017)",
            sum((b.residual for b in statement.time_barred), ZERO),
            ", ".join(b.number for b in statement.time_barred) or "nessuna",
        ),
    ]
    rows += [("Nota", None, note) for note in statement.notes]
    return rows


def statement_sheets(statement: Statement) -> list[SheetSpec]:
    bills = (
        (
            b.number,
            b.supply_code,
            b.service.label if b.service is not None else None,
            b.issue_date,
            b.due_date,
            b.amount,
            b.settled,
            b.residual,
            b.days_late,
            b.interest,
            b.compensation,
            b.limitation.limitation_date if b.limitation is not None else None,
            b.limitation.label if b.limitation is not None else "Servizio sconosciuto",
        )
        for b in statement.bills
    )
    movements = (
        (
            m.day,
            m.kind.value,
            m.document,
            m.supply_code,
            m.description,
            m.debit,
            m.credit,
            m.principal_balance,
            m.interest,
            m.compensation,
            m.balance,
        )
        for m in statement.movements
    )
    interest = (
        (line.bill_number, line.start, line.end, line.days, line.base, line.rate, line.amount, line.source)
        for line in statement.interest_lines
    )
    return [
        SheetSpec("Riepilogo", SUMMARY_COLUMNS, summary_rows(statement)),
        SheetSpec("Bollette", BILL_COLUMNS, bills),
        SheetSpec("Movimenti", MOVEMENT_COLUMNS, movements),
        SheetSpec("Interessi", INTEREST_COLUMNS, interest),
    ]


def render_xlsx(statement: Statement) -> bytes:
    return save_workbook(statement_sheets(statement))
