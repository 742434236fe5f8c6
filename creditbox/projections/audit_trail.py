"""``audit_trail``: every event of every aggregate, flattened and in Italian, in log order.

Who (``by``), what (event and description), the business date the event carries, when it was
recorded (the event's timestamp), and the full data as JSON (the event as stored; the query side
unwraps its typed values). One row per notification, keyed by its id.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import Connection, Table, delete, select

from creditbox.projections.bulk import insert_rows
from creditbox.projections.describe import aggregate_label, business_date, describe, event_data, event_name, plain
from creditbox.projections.framework import Batch
from creditbox.projections.schema import audit_trail

Subject = tuple[str | None, str | None]  # (company, customer code)


def subject_from_creation(event: Any, data: dict[str, Any]) -> Subject | None:
    """Company and customer from an aggregate's first event (they never change afterwards)."""
    if event.originator_version != 1:
        return None
    company = data.get("company")
    if company is None and aggregate_label(event) == "azienda":
        company = data.get("code")
    customer = data.get("customer_code") if aggregate_label(event) == "posizione" else None
    return (company if isinstance(company, str) else None, customer if isinstance(customer, str) else None)


class AuditTrailProjection:
    name: ClassVar[str] = "audit_trail"
    tables: ClassVar[Sequence[Table]] = (audit_trail,)
    MAX_SUBJECTS = 200_000

    def __init__(self) -> None:
        self._subjects: OrderedDict[UUID, Subject] = OrderedDict()

    def _lookup(self, conn: Connection, wanted: set[UUID]) -> None:
        """Subjects of aggregates created before this batch: from their first audit row."""
        missing = [str(oid) for oid in wanted if oid not in self._subjects]
        if not missing:
            return
        a = audit_trail.c
        rows = conn.execute(
            select(a.originator_id, a.company, a.customer_code).where(
                a.originator_id.in_(missing), a.originator_version == 1
            )
        )
        for originator_id, company, customer in rows:
            self._remember(UUID(originator_id), (company, customer))

    def _remember(self, originator_id: UUID, subject: Subject) -> None:
        self._subjects[originator_id] = subject
        self._subjects.move_to_end(originator_id)
        if len(self._subjects) > self.MAX_SUBJECTS:
            self._subjects.popitem(last=False)

    def apply(self, batch: Batch, conn: Connection) -> None:
        rows = []
        for item in batch.items:
            if item.event.originator_version == 1:
                created = subject_from_creation(item.event, vars(item.event))
                if created is not None:
                    self._remember(item.event.originator_id, created)
        originators = {oid: str(oid) for oid in batch.originators()}
        self._lookup(conn, set(originators))
        for item in batch.items:
            event = item.event
            data = vars(event)  # read only; describe() and business_date() skip the metadata
            company, customer = self._subjects.get(event.originator_id, (None, None))
            by = data.get("by")
            rows.append(
                {
                    "notification_id": item.notification_id,
                    "originator_id": originators[event.originator_id],
                    "originator_version": event.originator_version,
                    "aggregate": aggregate_label(event),
                    "company": company,
                    "customer_code": customer,
                    "event": event_name(event),
                    "description": describe(event, data),
                    "by": by if isinstance(by, str) else None,
                    "business_date": business_date(data),
                    "recorded_at": event.timestamp,
                    # The stored JSON as it is (typed values as {"_type_", "_data_"}): no re-encoding.
                    "data": item.state.decode() if item.state is not None else json.dumps(plain(event_data(event))),
                }
            )
        # Idempotent by construction too: the batch's own rows are replaced, never duplicated.
        nid = audit_trail.c.notification_id
        if batch.contiguous:
            conn.execute(delete(audit_trail).where(nid.between(batch.first_id, batch.last_id)))
        else:  # some aggregates only (a quarantine retry): other rows in between are not this batch's
            conn.execute(delete(audit_trail).where(nid.in_(batch.notification_ids())))
        insert_rows(conn, audit_trail, rows)
