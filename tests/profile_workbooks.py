"""Test helper: the same sample data written in another company's layout, and the profile describing it.

"Acque Nord" exports: sheets Anagrafica / Contratti / Fatture / Incassi, a title on row 1 and the
header on row 3, their own headers in their own column order, customer types as RES/BUS/GU/PA,
services as H2O/Gas/EE/TLC, no supply status column (every supply "Attivo", a profile default),
bill dates as text 31.01.2026, payment dates as 20260131, amounts as Italian text (1.234,56),
and an extra column of theirs. ``other_layout_bytes`` writes a real .xlsx with openpyxl.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook

from creditbox.application.records import Column as C
from creditbox.application.records import Sheet
from creditbox.sample_data import HEADERS, BadRow, SampleData

HEADER_ROW = 3
SHEETS = {Sheet.CUSTOMERS: "Anagrafica", Sheet.SUPPLIES: "Contratti", Sheet.BILLS: "Fatture", Sheet.PAYMENTS: "Incassi"}
# Our column -> their header, in THEIR column order (not ours).
THEIR_HEADERS: dict[str, dict[str, str]] = {
    Sheet.CUSTOMERS: {
        C.NAME: "Ragione sociale",
        C.CUSTOMER_CODE: "Cod. Cliente",
        C.CUSTOMER_TYPE: "Categoria",
        C.CITY: "Città",
        C.PROVINCE: "Prov.",
        C.POSTCODE: "Cap",
        C.ADDRESS: "Via",
        C.FISCAL_CODE: "C.F.",
        C.VAT_NUMBER: "P.IVA",
        C.EMAIL: "E-mail",
        C.PEC: "Posta certificata",
        C.MOBILE: "Cell.",
    },
    Sheet.SUPPLIES: {
        C.CUSTOMER_CODE: "Cliente",
        C.SUPPLY_CODE: "POD/PDR",
        C.SUPPLY_TYPE: "Tipo",
        C.SERVICE: "Servizio",
        C.METER: "Contatore",
        C.SUPPLY_ADDRESS: "Ubicazione",
    },
    Sheet.BILLS: {
        C.CUSTOMER_CODE: "Cliente",
        C.BILL_NUMBER: "N. Fattura",
        C.SUPPLY_CODE: "POD/PDR",
        C.AMOUNT: "Totale €",
        C.ISSUE_DATE: "Emessa il",
        C.DUE_DATE: "Scade il",
    },
    Sheet.PAYMENTS: {
        C.PAYMENT_DATE: "Data valuta",
        C.PAYMENT_ID: "Id incasso",
        C.CUSTOMER_CODE: "Cliente",
        C.BILL_NUMBER: "N. Fattura",
        C.AMOUNT: "Incassato",
        C.METHOD: "Canale",
    },
}
EXTRA_HEADER = "Agente"
CUSTOMER_TYPES = {1: "RES", 2: "BUS", 3: "GU", 4: "PA"}
SERVICES = {1: "H2O", 2: "Gas", 3: "EE", 4: "TLC"}

PROFILE: dict[str, Any] = {
    "description": "Export del gestionale di Acque Nord",
    "date_format": "%d.%m.%Y",
    "sheets": {
        "Clienti": {
            "sheet": "Anagrafica",
            "header_row": 3,
            "columns": {
                **{label: header for label, header in THEIR_HEADERS[Sheet.CUSTOMERS].items()},
                C.CUSTOMER_TYPE: {
                    "header": "Categoria",
                    "values": {"RES": 1, "BUS": 2, "GU": "Grande utente", "PA": 4},
                },
            },
        },
        "Forniture": {
            "sheet": "Contratti",
            "header_row": 3,
            "columns": {
                **{label: header for label, header in THEIR_HEADERS[Sheet.SUPPLIES].items()},
                C.SERVICE: {"header": "Servizio", "values": {"H2O": 1, "EE": "Energia elettrica", "TLC": 4}},
                C.STATUS: {"default": "Attivo"},
            },
        },
        "Bollette": {"sheet": "Fatture", "header_row": 3, "columns": dict(THEIR_HEADERS[Sheet.BILLS])},
        "Pagamenti": {
            "sheet": "Incassi",
            "header_row": 3,
            "columns": {
                **{label: header for label, header in THEIR_HEADERS[Sheet.PAYMENTS].items()},
                C.PAYMENT_DATE: {"header": "Data valuta", "format": "%Y%m%d"},
            },
        },
    },
}


def every_supply_active(data: SampleData) -> SampleData:
    """Their export has no status column (the profile defaults it to Attivo): make ours say the same."""
    status = HEADERS[Sheet.SUPPLIES].index(C.STATUS)
    for row in data.rows[Sheet.SUPPLIES]:
        row[status] = 1
    return data


def _italian_amount(value: Any) -> Any:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return value  # a deliberately bad cell stays as written
    return f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _their_cell(sheet: str, label: str, value: Any) -> Any:
    if value is None:
        return None
    if label == C.CUSTOMER_TYPE:
        return CUSTOMER_TYPES.get(value, value)
    if label == C.SERVICE:
        return SERVICES.get(value, value)
    if isinstance(value, date):
        return value.strftime("%Y%m%d" if sheet == Sheet.PAYMENTS else "%d.%m.%Y")
    if label == C.AMOUNT:
        return _italian_amount(value)
    return value


def other_layout_bytes(data: SampleData) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for sheet in (Sheet.PAYMENTS, Sheet.CUSTOMERS, Sheet.BILLS, Sheet.SUPPLIES):  # their order, not ours
        out = book.create_sheet(SHEETS[sheet])
        out.append([f"Estrazione {SHEETS[sheet]} — Acque Nord"])
        out.append([])
        theirs = THEIR_HEADERS[sheet]
        extra = [EXTRA_HEADER] if sheet == Sheet.CUSTOMERS else []
        out.append([*theirs.values(), *extra])
        ours = HEADERS[sheet]
        for row in data.rows[sheet]:
            by_label = dict(zip(ours, row, strict=False))
            cells = [_their_cell(sheet, label, by_label.get(label)) for label in theirs]
            out.append([*cells, *(["Rossi" for _ in extra] if row else [])])
    book.create_sheet("Note").append(["solo appunti"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def their_location(bad: BadRow) -> tuple[str, int, str]:
    """Where a bad row of the default layout (header on row 1) is in theirs: sheet, row, header."""
    return SHEETS[bad.sheet], bad.row + HEADER_ROW - 1, THEIR_HEADERS[bad.sheet][bad.column]
