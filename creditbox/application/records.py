"""The records the billing system feeds in (from Excel rows or the JSON feed), already parsed,
and the vocabulary shared by the readers that produce them (column labels, rejections)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import NamedTuple

from creditbox.domain.documents import CustomerDetails, SupplyDetails


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    customer_code: str
    details: CustomerDetails


@dataclass(frozen=True, slots=True)
class SupplyRecord:
    customer_code: str
    supply: SupplyDetails


@dataclass(frozen=True, slots=True)
class BillRecord:
    number: str
    customer_code: str
    supply_code: str
    issue_date: date
    due_date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    payment_id: str
    customer_code: str
    payment_date: date
    amount: Decimal
    bill_number: str | None = None
    method: str | None = None


Record = CustomerRecord | SupplyRecord | BillRecord | PaymentRecord


class Outcome(Enum):
    ACCEPTED = "accepted"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


class RejectionKind(Enum):
    """Why a record was rejected, decided from the type of the refusal (never from its wording):
    what the edges map to their own answers (the feed's HTTP status)."""

    # The data break an invariant (an amount of zero, a due date before the issue date).
    INVALID = "invalid"
    # The key is already there with other content, or the supply belongs to another customer.
    CONFLICT = "conflict"
    # The record refers to a supply or a bill that does not exist.
    NOT_FOUND = "not_found"
    # The record's customer is neither in the same run nor already registered.
    UNKNOWN_CUSTOMER = "unknown_customer"
    # A business rule does not allow it now.
    NOT_ALLOWED = "not_allowed"
    # Refused by a rule of no more specific kind.
    REFUSED = "refused"
    # Not applied at all (a run that stopped before reaching it).
    NOT_PROCESSED = "not_processed"


@dataclass(frozen=True, slots=True)
class RecordResult:
    outcome: Outcome
    reason: str | None = None
    # The column (default-profile label, e.g. "Data Scadenza") the reason is about.
    column: str | None = None
    # Set when the record was rejected.
    kind: RejectionKind | None = None


class Column:
    """Column labels of the default profile (``docs/excel-import.md``). A rejection names one of
    these; a reader translates it back to the header as written in its file."""

    CUSTOMER_CODE = "Codice Cliente"
    NAME = "Nominativo"
    CUSTOMER_TYPE = "Tipologia Cliente"
    FISCAL_CODE = "Codice Fiscale"
    VAT_NUMBER = "Partita IVA"
    EMAIL = "Email"
    PEC = "PEC"
    MOBILE = "Cellulare"
    ADDRESS = "Indirizzo"
    POSTCODE = "CAP"
    CITY = "Comune"
    PROVINCE = "Provincia"
    SUPPLY_CODE = "Codice Fornitura"
    SERVICE = "Tipologia Servizio"
    SUPPLY_TYPE = "Tipologia Fornitura"
    STATUS = "Stato"
    METER = "Matricola Contatore"
    SUPPLY_ADDRESS = "Indirizzo Fornitura"
    BILL_NUMBER = "Numero Bolletta"
    ISSUE_DATE = "Data Emissione"
    DUE_DATE = "Data Scadenza"
    AMOUNT = "Importo"
    PAYMENT_ID = "Id Pagamento"
    PAYMENT_DATE = "Data Pagamento"
    METHOD = "Mezzo"


class Sheet:
    """Sheet names of the default profile, in the order their records are applied."""

    CUSTOMERS = "Clienti"
    SUPPLIES = "Forniture"
    BILLS = "Bollette"
    PAYMENTS = "Pagamenti"

    ALL = (CUSTOMERS, SUPPLIES, BILLS, PAYMENTS)


@dataclass(frozen=True)
class Rejection:
    """A row that did not go in: where it is (sheet, spreadsheet row number, column as written)
    and why (Italian, precise)."""

    sheet: str
    row: int
    column: str | None
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "reason": self.reason}


class SourcedRecord(NamedTuple):
    """A parsed record and the row it came from (a tuple: hundreds of thousands are made per file)."""

    sheet: str
    row: int
    record: Record


@dataclass
class ParsedSheet:
    """One sheet of a workbook: good records, rejected rows, and how its headers were written."""

    name: str
    # Default-profile column label -> header as written in the file.
    headers: dict[str, str] = field(default_factory=dict)
    records: list[SourcedRecord] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    # Rows (numbers) rejected while parsing; a row may have several rejections.
    rejected_rows: set[int] = field(default_factory=set)
    # The sheet's name in the file when a profile maps it onto ours ("Anagrafica" for "Clienti"):
    # rejections then name it instead of ours. None: the file uses our name.
    source: str | None = None
    # Identical repeats of a customer or supply the reader did not send on (a flat export repeats
    # them on every row): counted as unchanged.
    repeated: int = 0

    def header(self, column: str | None) -> str | None:
        if column is None:
            return None
        return self.headers.get(column, column)


@dataclass
class ParsedWorkbook:
    sheets: dict[str, ParsedSheet]
    warnings: list[str] = field(default_factory=list)
    profile: str = "default"
    # The version of a company's import profile (None for the built-in default profile).
    profile_version: int | None = None


class UnreadableFile(Exception):
    """The file cannot be imported at all (not a workbook, no known sheet, missing required column)."""
