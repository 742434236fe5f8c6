"""The billing exports, written as rows come (openpyxl write-only: every sheet streams to its own
temporary file, so memory stays flat however many customers there are).

``StandardExport``: our layout, the four sheets Clienti, Forniture, Bollette, Pagamenti.
``FlatExport``: another billing system's layout, one row per bill on the sheet *Estrazione* with the
customer's and the supply's columns repeated (their headers, labels instead of codes, text dates
``dd/mm/yyyy``, Italian amounts ``1.234,56``), its payments on the sheet *Incassi*; ``FLAT_PROFILE`` is
the import profile that reads it.

Both files are made byte for byte reproducible: the workbook's timestamps and the ZIP entries' dates
are fixed after saving (``_reproducible``).
"""

from __future__ import annotations

import re
import shutil
import zipfile
from abc import ABC, abstractmethod
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from creditbox.application.records import Column as C
from creditbox.application.records import Sheet
from creditbox.domain.codes import CustomerType, Service, SupplyStatus, SupplyType
from creditbox.generator.model import Customer
from creditbox.sample_data import HEADERS

FIXED_TIME = datetime(2026, 1, 1)
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


class _Export(ABC):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.book = Workbook(write_only=True)
        self.book.properties.created = FIXED_TIME
        self.book.properties.creator = "CreditBox"
        self.rows = 0

    def __enter__(self) -> _Export:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.close()

    @abstractmethod
    def add(self, customer: Customer) -> None:
        """Write ``customer``'s rows (customer, supplies, bills, payments) in this export's layout."""

    def close(self) -> None:
        self.book.save(self.path)
        _reproducible(self.path)

    def _date(self, sheet: Any, value: date) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell


class StandardExport(_Export):
    """Our layout: the four sheets, codes as numbers, dates as date cells, amounts as numbers."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.sheets = {name: self.book.create_sheet(name) for name in Sheet.ALL}
        for name, sheet in self.sheets.items():
            sheet.append(list(HEADERS[name]))

    def add(self, customer: Customer) -> None:
        c = customer
        who = [c.code, c.name, c.customer_type, c.fiscal_code, c.vat_number, c.email, c.pec, c.mobile]
        self.sheets[Sheet.CUSTOMERS].append([*who, c.address, c.postcode, c.city, c.province])
        supplies = self.sheets[Sheet.SUPPLIES]
        for s in c.supplies:
            supplies.append([s.code, c.code, s.service, s.supply_type, s.status, s.meter, s.address])
        bills = self.sheets[Sheet.BILLS]
        for b in c.bills:
            issued, due = self._date(bills, b.issued), self._date(bills, b.due)
            bills.append([b.number, c.code, b.supply_code, issued, due, b.amount])
        payments = self.sheets[Sheet.PAYMENTS]
        for p in c.payments:
            payments.append([p.payment_id, c.code, p.bill_number, self._date(payments, p.paid_on), p.amount, p.method])
        self.rows += 1 + len(c.supplies) + len(c.bills) + len(c.payments)


FLAT_SHEET, FLAT_PAYMENTS_SHEET = "Estrazione", "Incassi"
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
FLAT_PAYMENT = {
    C.PAYMENT_ID: "Id Incasso",
    C.CUSTOMER_CODE: "Cod. Cliente",
    C.BILL_NUMBER: "N. Documento",
    C.PAYMENT_DATE: "Data Incasso",
    C.AMOUNT: "Importo Incassato",
    C.METHOD: "Canale",
}
FLAT_PROFILE: dict[str, Any] = {
    "description": "Estrazione piatta del gestionale: una riga per bolletta, incassi a parte",
    "date_format": "%d/%m/%Y",
    "sheets": {
        Sheet.CUSTOMERS: {"sheet": FLAT_SHEET, "columns": dict(FLAT_CUSTOMER)},
        Sheet.SUPPLIES: {
            "sheet": FLAT_SHEET,
            "columns": {**FLAT_SUPPLY, C.CUSTOMER_CODE: FLAT_CUSTOMER[C.CUSTOMER_CODE]},
        },
        Sheet.BILLS: {
            "sheet": FLAT_SHEET,
            "columns": {
                **FLAT_BILL,
                C.CUSTOMER_CODE: FLAT_CUSTOMER[C.CUSTOMER_CODE],
                C.SUPPLY_CODE: FLAT_SUPPLY[C.SUPPLY_CODE],
            },
        },
        Sheet.PAYMENTS: {"sheet": FLAT_PAYMENTS_SHEET, "columns": dict(FLAT_PAYMENT)},
    },
}


def italian_amount(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def italian_date(day: date) -> str:
    return f"{day:%d/%m/%Y}"


class FlatExport(_Export):
    """Their layout: one row per bill (customer and supply repeated), payments on their own sheet."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.table = self.book.create_sheet(FLAT_SHEET)
        self.table.append([*FLAT_CUSTOMER.values(), *FLAT_SUPPLY.values(), *FLAT_BILL.values()])
        self.payments = self.book.create_sheet(FLAT_PAYMENTS_SHEET)
        self.payments.append(list(FLAT_PAYMENT.values()))

    def add(self, customer: Customer) -> None:
        c = customer
        who: list[str | None] = [
            c.code,
            c.name,
            CustomerType(c.customer_type).label,
            c.fiscal_code,
            c.vat_number,
            c.email,
            c.pec,
        ]
        who += [c.mobile, c.address, c.postcode, c.city, c.province]
        supplies = {s.code: s for s in c.supplies}
        for b in c.bills:
            s = supplies[b.supply_code]
            what: list[str | None] = [
                s.code,
                Service(s.service).label,
                SupplyType(s.supply_type).label,
                SupplyStatus(s.status).label,
            ]
            what += [s.meter, s.address]
            bill = [b.number, italian_date(b.issued), italian_date(b.due), italian_amount(b.amount)]
            self.table.append([*who, *what, *bill])
        for p in c.payments:
            self.payments.append(
                [p.payment_id, c.code, p.bill_number, italian_date(p.paid_on), italian_amount(p.amount), p.method]
            )
        self.rows += len(c.bills) + len(c.payments)


_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def _reproducible(path: Path) -> None:
    """Rewrite the saved workbook with fixed ZIP entry dates and a fixed modification time (openpyxl
    stamps both with the clock), entry by entry, streamed."""
    temporary = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            if item.filename == "docProps/core.xml":
                stamped = source.read(item)
                fixed = _MODIFIED.sub(rb"<dcterms:modified\1>2026-01-01T00:00:00Z</dcterms:modified>", stamped)
                target.writestr(info, fixed)
                continue
            with source.open(item) as reader, target.open(info, "w", force_zip64=True) as writer:
                shutil.copyfileobj(reader, writer, 1 << 20)
    temporary.replace(path)
