"""The checks the ingestor makes before the domain, and how a refusal becomes a record's result.

A refused record is reported with a precise reason, the column it is about and the kind of
rejection, both decided from the refusal's type and ``field`` (never from its wording): the
ingestor's own refusals are ``RecordRefused`` subclasses naming their column; the domain's
errors name a ``field`` or are about the record as a whole (its key column).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from creditbox.application.ownerships import Ownerships
from creditbox.application.records import (
    BillRecord,
    Column,
    CustomerRecord,
    Outcome,
    PaymentRecord,
    Record,
    RecordResult,
    RejectionKind,
    SupplyRecord,
)
from creditbox.domain.errors import Conflict, DomainError, Field, InvalidCommand, NotAllowed, NotFound
from creditbox.domain.money import format_euro
from creditbox.domain.position import Position
from creditbox.domain.text_policy import key_problem, text_problem


class RecordRefused(DomainError):
    """A record refused by the ingestor's own checks, with the column (default-profile label) the
    reason is about. Refuse with a subclass: its type says the kind of rejection."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column


class RecordConflict(RecordRefused, Conflict):
    """The key is already there with other content, or the supply belongs to another customer."""


class UnknownReference(RecordRefused, NotFound):
    """The record names a supply or a bill that does not exist."""


class UnknownCustomer(RecordRefused, NotFound):
    """The record's customer is neither in the run nor already registered."""

    def __init__(self, customer_code: str, company: str) -> None:
        super().__init__(
            Column.CUSTOMER_CODE, f"cliente {customer_code!r} sconosciuto (non presente nel file né già registrato)"
        )


class InvalidRecordText(RecordRefused, InvalidCommand):
    """A key or a text of the record breaks the text policy (``domain/text_policy.py``)."""


def check_text(record: Record) -> None:
    """The last wall before the domain: whatever source the record came from (a spreadsheet, a
    profile, the JSON feed), a key that is not printable or a text holding control or bidi
    characters is refused here, naming its column, before anything is recorded."""
    for column, value, kind in _texts(record):
        if value is None:
            continue
        problem = key_problem(value) if kind is _KEY else text_problem(value)
        if problem is not None:
            raise InvalidRecordText(column, problem)


_KEY, _TEXT = "key", "text"


def _texts(record: Record) -> tuple[tuple[str, str | None, str], ...]:
    if isinstance(record, CustomerRecord):
        d = record.details
        return (
            (Column.CUSTOMER_CODE, record.customer_code, _KEY),
            (Column.NAME, d.name, _TEXT),
            (Column.FISCAL_CODE, d.fiscal_code, _KEY),
            (Column.VAT_NUMBER, d.vat_number, _KEY),
            (Column.EMAIL, d.email, _KEY),
            (Column.PEC, d.pec, _KEY),
            (Column.MOBILE, d.mobile, _KEY),
            (Column.ADDRESS, d.address, _TEXT),
            (Column.POSTCODE, d.postcode, _KEY),
            (Column.CITY, d.city, _TEXT),
            (Column.PROVINCE, d.province, _TEXT),
        )
    if isinstance(record, SupplyRecord):
        s = record.supply
        return (
            (Column.CUSTOMER_CODE, record.customer_code, _KEY),
            (Column.SUPPLY_CODE, s.code, _KEY),
            (Column.METER, s.meter, _TEXT),
            (Column.SUPPLY_ADDRESS, s.address, _TEXT),
        )
    if isinstance(record, BillRecord):
        return (
            (Column.BILL_NUMBER, record.number, _KEY),
            (Column.CUSTOMER_CODE, record.customer_code, _KEY),
            (Column.SUPPLY_CODE, record.supply_code, _KEY),
        )
    return (
        (Column.PAYMENT_ID, record.payment_id, _KEY),
        (Column.CUSTOMER_CODE, record.customer_code, _KEY),
        (Column.BILL_NUMBER, record.bill_number, _KEY),
        (Column.METHOD, record.method, _TEXT),
    )


# The datum a reason talks about, in words that read right whatever the file's layout (a profile's
# headers differ from ours; the rejection's ``column`` names the file's own header).
_DATUM = {
    Column.AMOUNT: "importo",
    Column.DUE_DATE: "scadenza",
    Column.ISSUE_DATE: "data di emissione",
    Column.SUPPLY_CODE: "fornitura",
    Column.PAYMENT_DATE: "data di pagamento",
    Column.BILL_NUMBER: "bolletta",
    Column.METHOD: "mezzo di pagamento",
}


def check_bill(position: Position, ownerships: Ownerships, record: BillRecord) -> None:
    """Refuse with the precise column what the domain would refuse with a general message."""
    if record.supply_code not in position.supplies:
        owner = ownerships.supply_owner(record.supply_code)
        if owner is not None and owner != position.customer_code:
            raise RecordConflict(
                Column.SUPPLY_CODE,
                f"la fornitura {record.supply_code!r} appartiene al cliente {owner!r}, "
                f"non a {position.customer_code!r}",
            )
        raise UnknownReference(
            Column.SUPPLY_CODE,
            f"fornitura {record.supply_code!r} sconosciuta (non presente nel file né già registrata)",
        )
    existing = position.bills.get(record.number) or position.credit_notes.get(record.number)
    if existing is None:
        return
    differences = (
        (Column.AMOUNT, existing.amount, record.amount),
        (Column.DUE_DATE, existing.due_date, record.due_date),
        (Column.ISSUE_DATE, existing.issue_date, record.issue_date),
        (Column.SUPPLY_CODE, existing.supply_code, record.supply_code),
    )
    _refuse_changes(f"bolletta {record.number!r}", differences, "una bolletta non si modifica")


def check_payment(position: Position, record: PaymentRecord) -> None:
    if record.bill_number is not None and record.bill_number not in position.bills:
        raise UnknownReference(
            Column.BILL_NUMBER,
            f"bolletta {record.bill_number!r} sconosciuta per il cliente {position.customer_code!r}",
        )
    existing = position.payments.get(record.payment_id)
    if existing is None:
        return
    differences = (
        (Column.AMOUNT, existing.amount, record.amount),
        (Column.PAYMENT_DATE, existing.payment_date, record.payment_date),
        (Column.BILL_NUMBER, existing.bill_number, record.bill_number),
        (Column.METHOD, existing.method, record.method),
    )
    _refuse_changes(f"pagamento {record.payment_id!r}", differences, "un pagamento non si modifica")


def _refuse_changes(document: str, differences: tuple[tuple[str, object, object], ...], rule: str) -> None:
    """A document re-sent with other data is refused on the first datum that differs."""
    for column, old, new in differences:
        if old != new:
            raise RecordConflict(
                column,
                f"{document} già presente con {_DATUM[column]} {show_value(old)} (qui {show_value(new)}): {rule}",
            )


def show_value(value: object) -> str:
    if value is None:
        return "vuoto"
    if isinstance(value, Decimal):
        return format_euro(value)
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return repr(value)


def rejected(record: Record, error: DomainError) -> RecordResult:
    """The result of a record the domain (or the ingestor's own checks) refused with ``error``."""
    return RecordResult(Outcome.REJECTED, str(error), column_for(record, error), kind_of(error))


def kind_of(error: DomainError) -> RejectionKind:
    """The kind of rejection, by the refusal's type (most specific first)."""
    if isinstance(error, UnknownCustomer):
        return RejectionKind.UNKNOWN_CUSTOMER
    if isinstance(error, Conflict):
        return RejectionKind.CONFLICT
    if isinstance(error, NotFound):
        return RejectionKind.NOT_FOUND
    if isinstance(error, InvalidCommand):
        return RejectionKind.INVALID
    if isinstance(error, NotAllowed):
        return RejectionKind.NOT_ALLOWED
    return RejectionKind.REFUSED


# The column of a domain refusal about one datum (``DomainError.field``).
_COLUMN_OF_FIELD: dict[Field, str] = {
    Field.AMOUNT: Column.AMOUNT,
    Field.DUE_DATE: Column.DUE_DATE,
    Field.ISSUE_DATE: Column.ISSUE_DATE,
    Field.PAYMENT_DATE: Column.PAYMENT_DATE,
    Field.SUPPLY: Column.SUPPLY_CODE,
    Field.BILL: Column.BILL_NUMBER,
}

# The column of a refusal about the record as a whole: its key.
_GENERIC_COLUMNS: dict[type, str] = {
    CustomerRecord: Column.CUSTOMER_CODE,
    SupplyRecord: Column.SUPPLY_CODE,
    BillRecord: Column.BILL_NUMBER,
    PaymentRecord: Column.PAYMENT_ID,
}


def column_for(record: Record, error: DomainError) -> str | None:
    """The column a refusal is about: the ingestor's own (``RecordRefused.column``), the datum
    the domain named (``field``), else the record's key for a refusal of the record as such."""
    if isinstance(error, RecordRefused):
        return error.column
    if error.field is not None and error.field in _COLUMN_OF_FIELD:
        return _COLUMN_OF_FIELD[error.field]
    if isinstance(error, Conflict | NotFound | InvalidCommand):
        return _GENERIC_COLUMNS[type(record)]
    return None
