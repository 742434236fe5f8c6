"""The default import profile (``docs/excel-import.md``): sheets, columns, parsers, record builders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from creditbox.application.records import (
    BillRecord,
    Column,
    CustomerRecord,
    PaymentRecord,
    Record,
    Sheet,
    SupplyRecord,
)
from creditbox.domain.codes import CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.documents import CustomerDetails, SupplyDetails
from creditbox.domain.money import ZERO
from creditbox.infrastructure.excel import values

PROFILE_NAME = "default"


class RowError(ValueError):
    """A row-level check across columns failed (e.g. due date before issue date)."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column


@dataclass(frozen=True)
class ColumnSpec:
    label: str
    field: str
    required: bool
    parse: Callable[[object], Any]


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    build: Callable[[dict[str, Any]], Record]
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def required(self) -> list[str]:
        return [c.label for c in self.columns if c.required]


def _customer(v: dict[str, Any]) -> Record:
    return CustomerRecord(
        v["customer_code"],
        CustomerDetails(
            name=v["name"],
            customer_type=v["customer_type"],
            fiscal_code=v["fiscal_code"],
            vat_number=v["vat_number"],
            email=v["email"],
            pec=v["pec"],
            mobile=v["mobile"],
            address=v["address"],
            postcode=v["postcode"],
            city=v["city"],
            province=v["province"],
        ),
    )


def _supply(v: dict[str, Any]) -> Record:
    return SupplyRecord(
        v["customer_code"],
        SupplyDetails(
            code=v["supply_code"],
            service=v["service"],
            supply_type=v["supply_type"],
            status=v["status"] or SupplyStatus.ACTIVE,
            meter=v["meter"],
            address=v["address"],
        ),
    )


def _bill(v: dict[str, Any]) -> Record:
    issue, due = v["issue_date"], v["due_date"]
    if due < issue:
        raise RowError(
            Column.DUE_DATE, f"data di scadenza {due:%d/%m/%Y} precedente alla data di emissione {issue:%d/%m/%Y}"
        )
    if v["amount"] == ZERO:
        raise RowError(Column.AMOUNT, "importo zero")
    return BillRecord(v["number"], v["customer_code"], v["supply_code"], issue, due, v["amount"])


def _payment(v: dict[str, Any]) -> Record:
    if v["amount"] == ZERO:
        raise RowError(Column.AMOUNT, "importo zero")
    return PaymentRecord(
        v["payment_id"], v["customer_code"], v["payment_date"], v["amount"], v["bill_number"], v["method"]
    )


def _col(label: str, name: str, required: bool, parse: Callable[[object], Any] = values.free_text) -> ColumnSpec:
    return ColumnSpec(label, name, required, parse)


C = Column
DEFAULT_PROFILE: tuple[SheetSpec, ...] = (
    SheetSpec(
        Sheet.CUSTOMERS,
        (
            _col(C.CUSTOMER_CODE, "customer_code", True, values.code_text),
            _col(C.NAME, "name", True),
            _col(C.CUSTOMER_TYPE, "customer_type", True, partial(values.coded, CustomerType)),
            _col(C.FISCAL_CODE, "fiscal_code", False, values.fiscal_code),
            _col(C.VAT_NUMBER, "vat_number", False, values.vat_number),
            _col(C.EMAIL, "email", False, values.email),
            _col(C.PEC, "pec", False, values.email),
            _col(C.MOBILE, "mobile", False, values.mobile),
            _col(C.ADDRESS, "address", False),
            _col(C.POSTCODE, "postcode", False, values.postcode),
            _col(C.CITY, "city", False),
            _col(C.PROVINCE, "province", False, values.province),
        ),
        _customer,
        {
            C.NAME: ("Ragione Sociale", "Denominazione", "Nome"),
            C.EMAIL: ("Posta elettronica",),
            C.MOBILE: ("Telefono cellulare", "Cell", "Cellulare SMS"),
            C.FISCAL_CODE: ("CF",),
            C.VAT_NUMBER: ("P IVA", "PIVA"),
        },
    ),
    SheetSpec(
        Sheet.SUPPLIES,
        (
            _col(C.SUPPLY_CODE, "supply_code", True, values.code_text),
            _col(C.CUSTOMER_CODE, "customer_code", True, values.code_text),
            _col(C.SERVICE, "service", True, partial(values.coded, Service)),
            _col(C.SUPPLY_TYPE, "supply_type", True, partial(values.coded, SupplyType)),
            _col(C.STATUS, "status", False, partial(values.coded, SupplyStatus)),
            _col(C.METER, "meter", False),
            _col(C.SUPPLY_ADDRESS, "address", False),
        ),
        _supply,
        {C.METER: ("Matricola",), C.STATUS: ("Stato Fornitura",)},
    ),
    SheetSpec(
        Sheet.BILLS,
        (
            _col(C.BILL_NUMBER, "number", True, values.code_text),
            _col(C.CUSTOMER_CODE, "customer_code", True, values.code_text),
            _col(C.SUPPLY_CODE, "supply_code", True, values.code_text),
            _col(C.ISSUE_DATE, "issue_date", True, values.a_date),
            _col(C.DUE_DATE, "due_date", True, values.a_date),
            _col(C.AMOUNT, "amount", True, values.amount),
        ),
        _bill,
        {C.AMOUNT: ("Importo Bolletta", "Importo Totale"), C.BILL_NUMBER: ("Numero Fattura", "N Bolletta")},
    ),
    SheetSpec(
        Sheet.PAYMENTS,
        (
            _col(C.PAYMENT_ID, "payment_id", True, values.code_text),
            _col(C.CUSTOMER_CODE, "customer_code", True, values.code_text),
            _col(C.BILL_NUMBER, "bill_number", False, values.code_text),
            _col(C.PAYMENT_DATE, "payment_date", True, values.a_date),
            _col(C.AMOUNT, "amount", True, values.amount),
            _col(C.METHOD, "method", False),
        ),
        _payment,
        {C.AMOUNT: ("Importo Pagato",), C.METHOD: ("Mezzo Pagamento", "Canale"), C.PAYMENT_ID: ("Id",)},
    ),
)
