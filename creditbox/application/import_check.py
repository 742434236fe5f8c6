"""Checking a file against a profile without importing it (``creditbox profiles check``).

Whoever writes a profile for a new billing export wants to see how CreditBox reads their file
before anything is recorded: the first records of each kind, column by column, in our terms, and
every problem — cells refused, required columns missing, keys repeated with other data (a flat
export's customer that disagrees with itself), warnings. The file goes through the very parser
and checks within the file that the import uses (``ImportService``); nothing is applied, nothing
is saved, the store is never written.

What only the stored data can tell (a bill of a customer registered by an earlier import, a bill
number already used by another customer) is not checked here: the import reports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from creditbox.application.companies import CompanyDirectory
from creditbox.application.imports import as_written, check_within_file
from creditbox.application.ports import EventStore, WorkbookParser
from creditbox.application.records import (
    BillRecord,
    Column,
    CustomerRecord,
    PaymentRecord,
    Record,
    Rejection,
    Sheet,
    SupplyRecord,
)
from creditbox.domain.money import format_euro
from creditbox.domain.text_policy import safe_file_name

DEFAULT_PREVIEW_ROWS = 5


@dataclass
class SheetCheck:
    """One of our sheets as the file gives it: where it is read from, how many records, the first ones."""

    name: str
    source: str  # their sheet (or the CSV file's name)
    headers: dict[str, str]  # our column -> their header
    records: int = 0  # good records read (identical repeats of a flat export included)
    repeated: int = 0  # identical repeats (a flat export's customers and supplies)
    rejected_rows: int = 0
    preview: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (their row, our column -> value)

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "headers": self.headers,
            "records": self.records,
            "repeated": self.repeated,
            "rejected_rows": self.rejected_rows,
            "rows": [{"row": row, "values": values} for row, values in self.preview],
        }


@dataclass
class ImportCheck:
    company: str
    file_name: str
    profile: str
    profile_version: int | None
    sheets: dict[str, SheetCheck]
    rejected: list[Rejection]
    warnings: list[str]

    @property
    def problems(self) -> int:
        return len(self.rejected)

    def as_json(self) -> dict[str, Any]:
        return {
            "company": self.company,
            "file_name": self.file_name,
            "profile": self.profile,
            "profile_version": self.profile_version,
            "imported": False,
            "sheets": {name: sheet.as_json() for name, sheet in self.sheets.items()},
            "rejected": [r.as_json() for r in self.rejected],
            "warnings": self.warnings,
        }


def check_file(
    store: EventStore,
    parser: WorkbookParser,
    content: bytes,
    file_name: str,
    company: str,
    *,
    rows: int = DEFAULT_PREVIEW_ROWS,
) -> ImportCheck:
    """How ``parser`` reads ``content``: the first ``rows`` records of each sheet and every problem
    found without the stored data. Raises ``NotFound`` (company) or ``UnreadableFile``; writes nothing."""
    file_name = safe_file_name(file_name)
    company = CompanyDirectory(store).require(company)
    workbook = parser.parse(content, file_name)
    sheets: dict[str, SheetCheck] = {}
    for name in Sheet.ALL:
        sheet = workbook.sheets.get(name)
        if sheet is None:
            continue
        sheets[name] = SheetCheck(
            name=name,
            source=sheet.source or name,
            headers=dict(sheet.headers),
            records=len(sheet.records) + sheet.repeated,
            repeated=sheet.repeated,
            rejected_rows=len(sheet.rejected_rows),
            preview=[(s.row, shown(s.record)) for s in sheet.records[:rows]],
        )
    checked = check_within_file(workbook)
    rejected = [r for sheet in workbook.sheets.values() for r in sheet.rejections] + checked.rejections
    order = {name: i for i, name in enumerate(Sheet.ALL)}
    rejected.sort(key=lambda r: (order.get(r.sheet, 99), r.row))
    return ImportCheck(
        company=company,
        file_name=file_name,
        profile=workbook.profile,
        profile_version=workbook.profile_version,
        sheets=sheets,
        rejected=as_written(workbook, rejected),
        warnings=list(workbook.warnings),
    )


def shown(record: Record) -> dict[str, str]:
    """A record as our columns, each value written as the import reads it (dates dd/mm/yyyy,
    amounts in euro, codes with their Italian label)."""
    values: dict[str, object]
    if isinstance(record, CustomerRecord):
        d = record.details
        values = {
            Column.CUSTOMER_CODE: record.customer_code,
            Column.NAME: d.name,
            Column.CUSTOMER_TYPE: d.customer_type,
            Column.FISCAL_CODE: d.fiscal_code,
            Column.VAT_NUMBER: d.vat_number,
            Column.EMAIL: d.email,
            Column.PEC: d.pec,
            Column.MOBILE: d.mobile,
            Column.ADDRESS: d.address,
            Column.POSTCODE: d.postcode,
            Column.CITY: d.city,
            Column.PROVINCE: d.province,
        }
    elif isinstance(record, SupplyRecord):
        s = record.supply
        values = {
            Column.SUPPLY_CODE: s.code,
            Column.CUSTOMER_CODE: record.customer_code,
            Column.SERVICE: s.service,
            Column.SUPPLY_TYPE: s.supply_type,
            Column.STATUS: s.status,
            Column.METER: s.meter,
            Column.SUPPLY_ADDRESS: s.address,
        }
    elif isinstance(record, BillRecord):
        values = {
            Column.BILL_NUMBER: record.number,
            Column.CUSTOMER_CODE: record.customer_code,
            Column.SUPPLY_CODE: record.supply_code,
            Column.ISSUE_DATE: record.issue_date,
            Column.DUE_DATE: record.due_date,
            Column.AMOUNT: record.amount,
        }
    else:
        assert isinstance(record, PaymentRecord)
        values = {
            Column.PAYMENT_ID: record.payment_id,
            Column.CUSTOMER_CODE: record.customer_code,
            Column.BILL_NUMBER: record.bill_number,
            Column.PAYMENT_DATE: record.payment_date,
            Column.AMOUNT: record.amount,
            Column.METHOD: record.method,
        }
    return {column: _text(value) for column, value in values.items()}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_euro(value)
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    label = getattr(value, "label", None)
    code = getattr(value, "code", None)
    if isinstance(label, str) and isinstance(code, int):
        return f"{code} {label}"
    return str(value)
