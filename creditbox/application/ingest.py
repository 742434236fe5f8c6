"""Applying fed records (customers, supplies, bills, payments) to positions, in batches.

Records are grouped by position; each chunk of positions is loaded in one go (``BulkLoader``),
every record applied in the order customers → supplies → bills → payments, and the changed
aggregates saved together, ``chunk_size`` positions per atomic save, in order, by the
``BatchSaver`` the composition root chose for the size of the run. A record the domain refuses
is rejected with a precise reason, the column it is about and the kind of rejection — both
decided from the refusal's type and ``field``, never from its wording; the others still go in.
Re-sending the same records changes nothing and records no event.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from creditbox.application.ownerships import DocumentKey, Ownerships
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
from creditbox.application.unit_of_work import BatchSaver, BatchSavers, BulkLoader, EventStore
from creditbox.domain.document_ownership import DocumentKind, DocumentOwnership
from creditbox.domain.errors import Conflict, DomainError, Field, InvalidCommand, NotAllowed, NotFound
from creditbox.domain.ids import position_id
from creditbox.domain.money import format_euro
from creditbox.domain.position import Position
from creditbox.domain.supply_ownership import SupplyOwnership

DEFAULT_CHUNK_SIZE = 500

_KIND_ORDER = {CustomerRecord: 0, SupplyRecord: 1, BillRecord: 2, PaymentRecord: 3}

ACCEPTED = RecordResult(Outcome.ACCEPTED)
UNCHANGED = RecordResult(Outcome.UNCHANGED)
NOT_PROCESSED = RecordResult(Outcome.REJECTED, "non elaborato", kind=RejectionKind.NOT_PROCESSED)


@contextmanager
def relaxed_gc(threshold: int = 50_000) -> Iterator[None]:
    """Fewer cyclic garbage collections while a batch runs.

    A big import keeps hundreds of thousands of parsed rows alive while it creates millions of
    short-lived objects: with the default thresholds the collector rescans the live ones again
    and again (measured: a sixth of the import's CPU). Reference counting still frees the
    garbage; the thresholds are restored afterwards."""
    previous = gc.get_threshold()
    gc.set_threshold(threshold, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


@dataclass
class IngestReport:
    results: list[RecordResult]
    events: int = 0
    saved_positions: int = 0
    # Aggregates saved (positions and supply claims) and atomic saves made: the shape of the work.
    saved_aggregates: int = 0
    saves: int = 0


class InProcessSaver:
    """Each batch saved by the event store itself, in this thread."""

    def __init__(self, store: EventStore) -> None:
        self._store = store

    def save(self, *aggregates: Any) -> None:
        self._store.save(*aggregates)

    def __enter__(self) -> InProcessSaver:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


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


class Ingestor:
    def __init__(
        self,
        store: EventStore,
        loader: BulkLoader,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        on_progress: Callable[[int], None] | None = None,
        savers: BatchSavers | None = None,
    ) -> None:
        self._store = store
        self._loader = loader
        self._chunk_size = chunk_size
        self._on_progress = on_progress
        self._savers = savers or self._save_in_process

    def _save_in_process(self, _records: int) -> AbstractContextManager[BatchSaver]:
        return InProcessSaver(self._store)

    def ingest(self, company: str, records: Sequence[Record], *, by: str) -> IngestReport:
        """Apply ``records`` for ``company`` (already known to exist). Results align with ``records``."""
        results: list[RecordResult | None] = [None] * len(records)
        by_position: dict[str, list[int]] = {}
        for index, record in enumerate(records):
            by_position.setdefault(record.customer_code.strip(), []).append(index)
        customer_codes = list(by_position)
        report = IngestReport(results=[])
        ownerships = Ownerships(company, self._loader)
        # Chunks are saved in order, one atomic save each, by the saver the composition root
        # chose for the size of the run (in process, or overlapped in a writer process). Leaving
        # the ``with`` without error means every chunk is committed.
        with self._savers(len(records)) as saver:
            for start in range(0, len(customer_codes), self._chunk_size):
                chunk = customer_codes[start : start + self._chunk_size]
                to_save = self._apply_chunk(company, chunk, by_position, records, results, ownerships, by)
                report.events += sum(len(agg.pending_events) for agg in to_save)
                report.saved_positions += sum(1 for agg in to_save if isinstance(agg, Position))
                report.saved_aggregates += len(to_save)
                if to_save:
                    report.saves += 1
                    saver.save(*to_save)
                if self._on_progress is not None:
                    self._on_progress(sum(len(by_position[c]) for c in chunk))
        report.results = [r if r is not None else NOT_PROCESSED for r in results]
        return report

    def _apply_chunk(
        self,
        company: str,
        customer_codes: list[str],
        by_position: dict[str, list[int]],
        records: Sequence[Record],
        results: list[RecordResult | None],
        ownerships: Ownerships,
        by: str,
    ) -> list[Any]:
        position_ids = {code: position_id(company, code) for code in customer_codes}
        supply_codes: set[str] = set()
        for code in customer_codes:
            for i in by_position[code]:
                record = records[i]
                if isinstance(record, SupplyRecord):
                    supply_codes.add(record.supply.code)
                elif isinstance(record, BillRecord):
                    supply_codes.add(record.supply_code)
        loaded = ownerships.load_with_positions(position_ids.values(), supply_codes)
        ownerships.load_documents(
            key
            for code in customer_codes
            for key in _new_documents(loaded.get(position_ids[code]), (records[i] for i in by_position[code]))
        )
        to_save: list[Any] = []
        for code in customer_codes:
            position: Position | None = loaded.get(position_ids[code])
            indexes = sorted(by_position[code], key=lambda i: (_KIND_ORDER[type(records[i])], i))
            for index in indexes:
                record = records[index]
                try:
                    position, changed, claim = _apply(company, position, ownerships, record, by)
                except DomainError as error:
                    results[index] = _rejected(record, error)
                    continue
                if claim is not None:
                    to_save.append(claim)
                results[index] = ACCEPTED if changed else UNCHANGED
            if position is not None and position.pending_events:
                to_save.append(position)
        return to_save


def _new_documents(position: Position | None, records: Iterable[Record]) -> Iterator[DocumentKey]:
    """The bill numbers and payment ids among ``records`` that the position does not hold yet."""
    for record in records:
        key = _document_key(record)
        if key is not None and (position is None or not _holds(position, key)):
            yield key


def _document_key(record: Record) -> DocumentKey | None:
    if isinstance(record, BillRecord):
        return DocumentKind.BILL, record.number
    if isinstance(record, PaymentRecord):
        return DocumentKind.PAYMENT, record.payment_id
    return None


def _holds(position: Position, key: DocumentKey) -> bool:
    kind, number = key
    if kind is DocumentKind.BILL:
        return number in position.bills or number in position.credit_notes
    return number in position.payments


def _apply(
    company: str,
    position: Position | None,
    ownerships: Ownerships,
    record: Record,
    by: str,
) -> tuple[Position | None, bool, SupplyOwnership | DocumentOwnership | None]:
    """Apply one record; returns the position, whether it changed, and the key it claimed."""
    if isinstance(record, CustomerRecord):
        if position is None:
            return Position.register(company, record.customer_code, record.details, by=by), True, None
        return position, position.update_details(record.details, by=by), None
    if position is None:
        raise UnknownCustomer(record.customer_code, company)
    customer = position.customer_code
    if isinstance(record, SupplyRecord):
        owner = ownerships.supply_owner(record.supply.code)
        if owner is not None and owner.customer_code != customer:
            raise RecordConflict(
                Column.SUPPLY_CODE,
                f"la fornitura {record.supply.code!r} appartiene già al cliente {owner.customer_code!r}",
            )
        changed = position.register_supply(record.supply, by=by)
        claim = ownerships.claim_supply(record.supply.code, customer, by=by) if owner is None else None
        return position, changed, claim
    if isinstance(record, BillRecord):
        _check_bill(position, ownerships, record)
        new = not _holds(position, (DocumentKind.BILL, record.number))
        if new:
            _check_document_owner(ownerships, DocumentKind.BILL, record.number, customer, Column.BILL_NUMBER)
        changed = position.issue_bill(
            record.number, record.supply_code, record.issue_date, record.due_date, record.amount, by=by
        )
        return position, changed, _claim_document(ownerships, DocumentKind.BILL, record.number, customer, new, by)
    _check_payment(position, record)
    new = not _holds(position, (DocumentKind.PAYMENT, record.payment_id))
    if new:
        _check_document_owner(ownerships, DocumentKind.PAYMENT, record.payment_id, customer, Column.PAYMENT_ID)
    changed = position.receive_payment(
        record.payment_id, record.payment_date, record.amount, record.bill_number, record.method, by=by
    )
    return position, changed, _claim_document(ownerships, DocumentKind.PAYMENT, record.payment_id, customer, new, by)


def _check_document_owner(ownerships: Ownerships, kind: DocumentKind, number: str, customer: str, column: str) -> None:
    owner = ownerships.document_owner(kind, number)
    refusal = owner.refusal(customer) if owner is not None else None
    if refusal is not None:
        raise RecordConflict(column, f"{refusal}: un numero appartiene a un solo cliente dell'azienda")


def _claim_document(
    ownerships: Ownerships, kind: DocumentKind, number: str, customer: str, new: bool, by: str
) -> DocumentOwnership | None:
    """The claim of a document the position has just recorded, unless it was claimed already."""
    if not new or ownerships.document_owner(kind, number) is not None:
        return None
    return ownerships.claim_document(kind, number, customer, by=by)


def _check_bill(position: Position, ownerships: Ownerships, record: BillRecord) -> None:
    """Refuse with the precise column what the domain would refuse with a general message."""
    if record.supply_code not in position.supplies:
        owner = ownerships.supply_owner(record.supply_code)
        if owner is not None and owner.customer_code != position.customer_code:
            raise RecordConflict(
                Column.SUPPLY_CODE,
                f"la fornitura {record.supply_code!r} appartiene al cliente {owner.customer_code!r}, "
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
    for column, old, new in differences:
        if old != new:
            raise RecordConflict(
                column,
                f"bolletta {record.number!r} già presente con {column} {show_value(old)} (qui {show_value(new)}): "
                "una bolletta non si modifica",
            )


def _check_payment(position: Position, record: PaymentRecord) -> None:
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
    for column, old, new in differences:
        if old != new:
            raise RecordConflict(
                column,
                f"pagamento {record.payment_id!r} già presente con {column} {show_value(old)} (qui {show_value(new)}): "
                "un pagamento non si modifica",
            )


def show_value(value: object) -> str:
    if value is None:
        return "vuoto"
    if isinstance(value, Decimal):
        return format_euro(value)
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return repr(value)


def _rejected(record: Record, error: DomainError) -> RecordResult:
    """The result of a record the domain (or the ingestor's own checks) refused with ``error``."""
    return RecordResult(Outcome.REJECTED, str(error), _column_for(record, error), _kind_of(error))


def _kind_of(error: DomainError) -> RejectionKind:
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


def _column_for(record: Record, error: DomainError) -> str | None:
    """The column a refusal is about: the ingestor's own (``RecordRefused.column``), the datum
    the domain named (``field``), else the record's key for a refusal of the record as such."""
    if isinstance(error, RecordRefused):
        return error.column
    if error.field is not None:
        return _COLUMN_OF_FIELD[error.field]
    if isinstance(error, Conflict | NotFound | InvalidCommand):
        return _GENERIC_COLUMNS[type(record)]
    return None
