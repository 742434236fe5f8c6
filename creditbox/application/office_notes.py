"""What the offices tell us that is not an outcome: the technical office's planned date for a
request (*data pianificata*) and the customer's promise to pay given to the agency (*promessa di
pagamento*).

Neither changes the case — the step waits for its outcome either way — and the position's events have
no place for them, so they are kept as process records (the ``office_notes`` table), one per action,
kind and date: importing the same file again adds nothing, a new planned date is a new note (the
latest is the one in force). The *piani e promesse* lists show them beside the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

PLAN = "plan"  # the technical office's planned date
PROMISE = "promise"  # a promise to pay collected by the agency
NOTE_KINDS = {PLAN: "intervento pianificato", PROMISE: "promessa di pagamento"}


@dataclass(frozen=True)
class OfficeNote:
    company: str
    action_key: str
    kind: str  # PLAN or PROMISE
    on_date: date  # the planned date, or the date promised
    customer_code: str
    case_id: str
    amount: Decimal | None = None  # the amount promised
    note: str = ""
    source: str = ""  # the file it came from
    recorded_at: datetime | None = None
    recorded_by: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "company": self.company,
            "action_key": self.action_key,
            "kind": self.kind,
            "kind_label": NOTE_KINDS.get(self.kind, self.kind),
            "date": self.on_date.isoformat(),
            "customer_code": self.customer_code,
            "case_id": self.case_id,
            "amount": str(self.amount) if self.amount is not None else None,
            "note": self.note,
            "source": self.source,
            "recorded_at": self.recorded_at.isoformat() if self.recorded_at is not None else None,
            "recorded_by": self.recorded_by,
        }


class OfficeNotes(Protocol):
    """The ``office_notes`` table (``infrastructure/office_notes_store.py``)."""

    def add(self, note: OfficeNote) -> bool:
        """Keep ``note``; False when the same action, kind and date are already there."""
        ...

    def list(self, company: str, kind: str | None = None, *, customer: str | None = None) -> list[OfficeNote]:
        """The company's notes (of one kind, of one customer, when given), by action key then date."""
        ...
