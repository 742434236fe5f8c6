"""Test helper: the sample data as a *flat* export, one CSV row per bill, as Italian billing software
writes it — Windows-1252, ``;`` separators, decimal commas with thousands dots, ``dd/mm/yyyy``
dates, every customer and supply column repeated on each of its bills — and the profile reading
customers, supplies and bills from that one table (``FLAT_PROFILE``).

``billed_only`` trims sample data to what a flat export can carry (customers and supplies that
have bills, no payments), so the same business content can be written in another layout too.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from creditbox.application.records import Column as C
from creditbox.application.records import Sheet
from creditbox.sample_data import HEADERS, SampleData

# Their header for each of our columns, in their order: customer, supply, then the bill.
FLAT_CUSTOMER = {
    C.CUSTOMER_CODE: "Cod. Cliente",
    C.NAME: "Ragione Sociale",
    C.CUSTOMER_TYPE: "Tipo Cliente",
    C.FISCAL_CODE: "Codice Fiscale",
    C.VAT_NUMBER: "Partita IVA",
    C.EMAIL: "E-mail",
    C.PEC: "PEC",
    C.MOBILE: "Cellulare",
    C.ADDRESS: "Indirizzo",
    C.POSTCODE: "CAP",
    C.CITY: "Comune",
    C.PROVINCE: "Prov.",
}
FLAT_SUPPLY = {
    C.SUPPLY_CODE: "POD/PDR",
    C.SERVICE: "Servizio",
    C.SUPPLY_TYPE: "Tipo Fornitura",
    C.STATUS: "Stato Fornitura",
    C.METER: "Matricola",
    C.SUPPLY_ADDRESS: "Indirizzo Fornitura",
}
FLAT_BILL = {
    C.BILL_NUMBER: "N. Documento",
    C.ISSUE_DATE: "Data Documento",
    C.DUE_DATE: "Data Scadenza",
    C.AMOUNT: "Totale Documento",
}
FLAT_HEADERS = [*FLAT_CUSTOMER.values(), *FLAT_SUPPLY.values(), *FLAT_BILL.values()]

FLAT_PROFILE: dict[str, Any] = {
    "description": "Estrazione piatta del gestionale: una riga per bolletta",
    "sheets": {
        "Clienti": {"sheet": "Estrazione", "columns": dict(FLAT_CUSTOMER)},
        "Forniture": {
            "sheet": "Estrazione",
            "columns": {**FLAT_SUPPLY, C.CUSTOMER_CODE: FLAT_CUSTOMER[C.CUSTOMER_CODE]},
        },
        "Bollette": {
            "sheet": "Estrazione",
            "columns": {
                **FLAT_BILL,
                C.CUSTOMER_CODE: FLAT_CUSTOMER[C.CUSTOMER_CODE],
                C.SUPPLY_CODE: FLAT_SUPPLY[C.SUPPLY_CODE],
            },
        },
    },
}


def billed_only(data: SampleData) -> SampleData:
    """The customers and supplies that have bills, their bills, no payments."""
    bills = data.rows[Sheet.BILLS]
    billed_supplies = {row[HEADERS[Sheet.BILLS].index(C.SUPPLY_CODE)] for row in bills}
    billed_customers = {row[HEADERS[Sheet.BILLS].index(C.CUSTOMER_CODE)] for row in bills}
    trimmed = SampleData()
    trimmed.rows[Sheet.CUSTOMERS] = [r for r in data.rows[Sheet.CUSTOMERS] if r[0] in billed_customers]
    trimmed.rows[Sheet.SUPPLIES] = [r for r in data.rows[Sheet.SUPPLIES] if r[0] in billed_supplies]
    trimmed.rows[Sheet.BILLS] = [list(r) for r in bills]
    return trimmed


def italian(value: Any) -> str:
    """A cell as Italian software writes it in a CSV file."""
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal | float):
        return f"{Decimal(str(value)):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return str(value)


def flat_rows(data: SampleData) -> list[list[str]]:
    """One row per bill, its customer and supply columns repeated."""
    customers = {r[0]: dict(zip(HEADERS[Sheet.CUSTOMERS], r, strict=False)) for r in data.rows[Sheet.CUSTOMERS]}
    supplies = {r[0]: dict(zip(HEADERS[Sheet.SUPPLIES], r, strict=False)) for r in data.rows[Sheet.SUPPLIES]}
    rows = []
    for bill_row in data.rows[Sheet.BILLS]:
        bill = dict(zip(HEADERS[Sheet.BILLS], bill_row, strict=False))
        customer, supply = customers[bill[C.CUSTOMER_CODE]], supplies[bill[C.SUPPLY_CODE]]
        rows.append(
            [
                *(italian(customer.get(label)) for label in FLAT_CUSTOMER),
                *(italian(supply.get(label)) for label in FLAT_SUPPLY),
                *(italian(bill.get(label)) for label in FLAT_BILL),
            ]
        )
    return rows


def flat_csv_bytes(data: SampleData, rows: list[list[str]] | None = None) -> bytes:
    """The flat export as Windows-1252 bytes, ``;``-separated, CRLF line ends."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(FLAT_HEADERS)
    writer.writerows(rows if rows is not None else flat_rows(data))
    return text.getvalue().encode("windows-1252")
