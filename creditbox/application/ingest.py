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
from typing import Any, cast

from creditbox.application.date_policy import DatePolicy
from creditbox.application.ownerships import DocumentKey, Ownerships
from creditbox.application.ports import BatchSaver, BatchSavers, BulkLoader, EventStore
from creditbox.application.record_checks import (
    RecordConflict,
    UnknownCustomer,
    check_bill,
    check_payment,
    check_text,
    rejected,
)
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
from creditbox.domain.business_dates import DateWindow
from creditbox.domain.document_ownership import DocumentKind, DocumentOwnership, document_refusal
from creditbox.domain.errors import DomainError, Field
from creditbox.domain.ids import position_id
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


class Ingestor:
    def __init__(
        self,
        store: EventStore,
        loader: BulkLoader,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        on_progress: Callable[[int], None] | None = None,
        savers: BatchSavers | None = None,
        dates: DatePolicy | None = None,
    ) -> None:
        self._dates = dates
        self._store = store
        self._loader = loader
        self._chunk_size = chunk_size
        self._on_progress = on_progress
        self._savers = savers or self._save_in_process

    def _save_in_process(self, _records: int) -> AbstractContextManager[BatchSaver]:
        return InProcessSaver(self._store)

    def ingest(self, company: str, records: Sequence[Record], *, by: str, release: bool = False) -> IngestReport:
        """Apply ``records`` for ``company`` (already known to exist). Results align with ``records``.

        ``release``: ``records`` is a list the caller hands over; each record is dropped from it
        (set to None) once its chunk is applied, so that a big run holds less and less of it."""
        results: list[RecordResult | None] = [None] * len(records)
        by_position: dict[str, list[int]] = {}
        for index, record in enumerate(records):
            by_position.setdefault(record.customer_code.strip(), []).append(index)
        customer_codes = list(by_position)
        report = IngestReport(results=[])
        ownerships = Ownerships(company, self._loader)
        window = self._dates.window() if self._dates is not None else None
        # Chunks are saved in order, one atomic save each, by the saver the composition root
        # chose for the size of the run (in process, or overlapped in a writer process). Leaving
        # the ``with`` without error means every chunk is committed.
        with self._savers(len(records)) as saver:
            for start in range(0, len(customer_codes), self._chunk_size):
                chunk = customer_codes[start : start + self._chunk_size]
                to_save = self._apply_chunk(company, chunk, by_position, records, results, ownerships, by, window)
                report.events += sum(len(agg.pending_events) for agg in to_save)
                report.saved_positions += sum(1 for agg in to_save if isinstance(agg, Position))
                report.saved_aggregates += len(to_save)
                if to_save:
                    report.saves += 1
                    saver.save(*to_save)
                if self._on_progress is not None:
                    self._on_progress(sum(len(by_position[c]) for c in chunk))
                if release:
                    _release(chunk, by_position, cast("list[Record | None]", records))
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
        window: DateWindow | None = None,
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
                    position, changed, claim = _apply(company, position, ownerships, record, by, window)
                except DomainError as error:
                    results[index] = rejected(record, error)
                    continue
                if claim is not None:
                    to_save.append(claim)
                results[index] = ACCEPTED if changed else UNCHANGED
            if position is not None and position.pending_events:
                to_save.append(position)
        return to_save


def _release(customer_codes: list[str], by_position: dict[str, list[int]], records: list[Record | None]) -> None:
    """Drop the records of an applied chunk, and their indexes."""
    for code in customer_codes:
        for index in by_position.pop(code):
            records[index] = None


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
    window: DateWindow | None = None,
) -> tuple[Position | None, bool, SupplyOwnership | DocumentOwnership | None]:
    """Apply one record; returns the position, whether it changed, and the key it claimed.
    ``window``: the dates a payment may carry now (none later than today plus the tolerance)."""
    check_text(record)
    if isinstance(record, CustomerRecord):
        if position is None:
            return Position.register(company, record.customer_code, record.details, by=by), True, None
        return position, position.update_details(record.details, by=by), None
    if position is None:
        raise UnknownCustomer(record.customer_code, company)
    customer = position.customer_code
    if isinstance(record, SupplyRecord):
        owner = ownerships.supply_owner(record.supply.code)
        if owner is not None and owner != customer:
            raise RecordConflict(
                Column.SUPPLY_CODE,
                f"la fornitura {record.supply.code!r} appartiene già al cliente {owner!r}",
            )
        changed = position.register_supply(record.supply, by=by)
        claim = ownerships.claim_supply(record.supply.code, customer, by=by) if owner is None else None
        return position, changed, claim
    if isinstance(record, BillRecord):
        check_bill(position, ownerships, record)
        new = not _holds(position, (DocumentKind.BILL, record.number))
        if new:
            _check_document_owner(ownerships, DocumentKind.BILL, record.number, customer, Column.BILL_NUMBER)
        changed = position.issue_bill(
            record.number, record.supply_code, record.issue_date, record.due_date, record.amount, by=by
        )
        return position, changed, _claim_document(ownerships, DocumentKind.BILL, record.number, customer, new, by)
    if window is not None:
        window.check(record.payment_date, Field.PAYMENT_DATE, "data di pagamento")
    check_payment(position, record)
    new = not _holds(position, (DocumentKind.PAYMENT, record.payment_id))
    if new:
        _check_document_owner(ownerships, DocumentKind.PAYMENT, record.payment_id, customer, Column.PAYMENT_ID)
    changed = position.receive_payment(
        record.payment_id, record.payment_date, record.amount, record.bill_number, record.method, by=by
    )
    return position, changed, _claim_document(ownerships, DocumentKind.PAYMENT, record.payment_id, customer, new, by)


def _check_document_owner(ownerships: Ownerships, kind: DocumentKind, number: str, customer: str, column: str) -> None:
    owner = ownerships.document_owner(kind, number)
    refusal = document_refusal(kind, number, owner, customer) if owner is not None else None
    if refusal is not None:
        raise RecordConflict(column, f"{refusal}: un numero appartiene a un solo cliente dell'azienda")


def _claim_document(
    ownerships: Ownerships, kind: DocumentKind, number: str, customer: str, new: bool, by: str
) -> DocumentOwnership | None:
    """The claim of a document the position has just recorded, unless it was claimed already."""
    if not new or ownerships.document_owner(kind, number) is not None:
        return None
    return ownerships.claim_document(kind, number, customer, by=by)
