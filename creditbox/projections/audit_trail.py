"""``audit_trail``: every event of every aggregate, flattened and in Italian, in log order.

Who (``by``), what (event and description), the business date the event carries, when it was
recorded (the event's timestamp), and the full data as JSON. One row per notification, keyed by its id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

from sqlalchemy import Connection, Table, delete

from creditbox.projections.describe import aggregate_label, business_date, describe, event_data, event_name, plain
from creditbox.projections.framework import Batch
from creditbox.projections.schema import audit_trail


def _subject(state: Any) -> tuple[str | None, str | None]:
    company = getattr(state, "company", None)
    if company is None and type(state).__name__ == "Company":
        company = getattr(state, "code", None)
    customer = getattr(state, "customer_code", None) if type(state).__name__ == "Position" else None
    return (company if isinstance(company, str) else None, customer if isinstance(customer, str) else None)


class AuditTrailProjection:
    name: ClassVar[str] = "audit_trail"
    tables: ClassVar[Sequence[Table]] = (audit_trail,)

    def apply(self, batch: Batch, conn: Connection) -> None:
        subjects = {oid: _subject(batch.state(oid)) for oid in batch.originators()}
        rows = []
        for item in batch.items:
            event = item.event
            data = event_data(event)
            company, customer = subjects[event.originator_id]
            by = data.get("by")
            rows.append(
                {
                    "notification_id": item.notification_id,
                    "originator_id": str(event.originator_id),
                    "originator_version": event.originator_version,
                    "aggregate": aggregate_label(event),
                    "company": company,
                    "customer_code": customer,
                    "event": event_name(event),
                    "description": describe(event, data),
                    "by": by if isinstance(by, str) else None,
                    "business_date": business_date(data),
                    "recorded_at": event.timestamp,
                    "data": json.dumps(plain(data), ensure_ascii=False, sort_keys=True),
                }
            )
        # Idempotent by construction too: the batch's own rows are replaced, never duplicated.
        conn.execute(delete(audit_trail).where(audit_trail.c.notification_id.between(batch.first_id, batch.last_id)))
        conn.execute(audit_trail.insert(), rows)
