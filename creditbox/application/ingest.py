"""Applying fed records (customers, supplies, bills, payments) to positions, in batches.

Records are grouped by position; each position is loaded once, every record applied in the
order customers → supplies → bills → payments, and the changed positions saved together,
``chunk_size`` positions per atomic save. A record the domain refuses is rejected with its
reason; the others still go in. Re-sending the same records changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from creditbox.application.records import (
    BillRecord,
    CustomerRecord,
    Outcome,
    PaymentRecord,
    Record,
    RecordResult,
    SupplyRecord,
)
from creditbox.application.unit_of_work import BulkLoader, EventStore
from creditbox.domain.errors import DomainError
from creditbox.domain.ids import position_id, supply_ownership_id
from creditbox.domain.position import Position
from creditbox.domain.supply_ownership import SupplyOwnership

DEFAULT_CHUNK_SIZE = 500

_KIND_ORDER = {CustomerRecord: 0, SupplyRecord: 1, BillRecord: 2, PaymentRecord: 3}


@dataclass
class IngestReport:
    results: list[RecordResult]
    events: int = 0
    saved_positions: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


class Ingestor:
    def __init__(
        self,
        store: EventStore,
        loader: BulkLoader,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self._store = store
        self._loader = loader
        self._chunk_size = chunk_size
        self._on_progress = on_progress

    def ingest(self, company: str, records: Sequence[Record], *, by: str) -> IngestReport:
        """Apply ``records`` for ``company`` (already known to exist). Results align with ``records``."""
        results: list[RecordResult | None] = [None] * len(records)
        by_position: dict[str, list[int]] = {}
        for index, record in enumerate(records):
            by_position.setdefault(record.customer_code.strip(), []).append(index)
        customer_codes = list(by_position)
        events = 0
        saved = 0
        for start in range(0, len(customer_codes), self._chunk_size):
            chunk = customer_codes[start : start + self._chunk_size]
            events_in_chunk, saved_in_chunk = self._apply_chunk(company, chunk, by_position, records, results, by)
            events += events_in_chunk
            saved += saved_in_chunk
            if self._on_progress is not None:
                self._on_progress(sum(len(by_position[c]) for c in chunk))
        final = [r if r is not None else RecordResult(Outcome.REJECTED, "non elaborato") for r in results]
        return IngestReport(results=final, events=events, saved_positions=saved)

    def _apply_chunk(
        self,
        company: str,
        customer_codes: list[str],
        by_position: dict[str, list[int]],
        records: Sequence[Record],
        results: list[RecordResult | None],
        by: str,
    ) -> tuple[int, int]:
        position_ids = {code: position_id(company, code) for code in customer_codes}
        supply_codes = {
            records[i].supply.code  # type: ignore[union-attr]
            for code in customer_codes
            for i in by_position[code]
            if isinstance(records[i], SupplyRecord)
        }
        ownership_ids = {code: supply_ownership_id(company, code) for code in supply_codes}
        loaded = self._loader.load_many([*position_ids.values(), *ownership_ids.values()])
        owners: dict[str, SupplyOwnership] = {code: loaded[oid] for code, oid in ownership_ids.items() if oid in loaded}
        to_save: list[Any] = []
        for code in customer_codes:
            position: Position | None = loaded.get(position_ids[code])
            indexes = sorted(by_position[code], key=lambda i: (_KIND_ORDER[type(records[i])], i))
            for index in indexes:
                record = records[index]
                try:
                    position, changed, claim = _apply(company, position, owners, record, by)
                except DomainError as error:
                    results[index] = RecordResult(Outcome.REJECTED, str(error), _column_for(record, error))
                    continue
                if claim is not None:
                    owners[claim.supply_code] = claim
                    to_save.append(claim)
                results[index] = RecordResult(Outcome.ACCEPTED if changed else Outcome.UNCHANGED)
            if position is not None and position.pending_events:
                to_save.append(position)
        events = sum(len(agg.pending_events) for agg in to_save)
        if to_save:
            self._store.save(*to_save)
        return events, sum(1 for agg in to_save if isinstance(agg, Position))


def _apply(
    company: str,
    position: Position | None,
    owners: dict[str, SupplyOwnership],
    record: Record,
    by: str,
) -> tuple[Position | None, bool, SupplyOwnership | None]:
    if isinstance(record, CustomerRecord):
        if position is None:
            return Position.register(company, record.customer_code, record.details, by=by), True, None
        return position, position.update_details(record.details, by=by), None
    if position is None:
        raise UnknownCustomer(f"cliente {record.customer_code!r} sconosciuto")
    if isinstance(record, SupplyRecord):
        claim = None
        owner = owners.get(record.supply.code)
        if owner is None:
            claim = SupplyOwnership.claim(company, record.supply.code, position.customer_code, by=by)
        else:
            owner.check_owner(position.customer_code)
        return position, position.register_supply(record.supply, by=by), claim
    if isinstance(record, BillRecord):
        if record.supply_code not in position.supplies:
            raise UnknownSupply(
                f"fornitura {record.supply_code!r} sconosciuta o non del cliente {record.customer_code!r}"
            )
        changed = position.issue_bill(
            record.number, record.supply_code, record.issue_date, record.due_date, record.amount, by=by
        )
        return position, changed, None
    changed = position.receive_payment(
        record.payment_id, record.payment_date, record.amount, record.bill_number, record.method, by=by
    )
    return position, changed, None


class UnknownCustomer(DomainError):
    column = "Codice Cliente"


class UnknownSupply(DomainError):
    column = "Codice Fornitura"


def _column_for(record: Record, error: DomainError) -> str | None:
    column = getattr(error, "column", None)
    return column if isinstance(column, str) else None
