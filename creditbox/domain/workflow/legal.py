"""The legal proceedings of a case handed over to litigation (*contenzioso*): the milestones the legal
team records — injunction filed, granted, served, opposed, judgment, enforcement, amounts recovered,
closed — each with its date, the court and docket number where there is one, and the documents attached.

A milestone is a fact of the case (an event of the position, chained and sealed like every other);
the attached documents are kept content-addressed outside the event, which holds their SHA-256.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum


class LegalMilestoneKind(Enum):
    INJUNCTION_FILED = "injunction_filed"  # ricorso per decreto ingiuntivo depositato
    INJUNCTION_GRANTED = "injunction_granted"  # decreto ingiuntivo emesso
    INJUNCTION_SERVED = "injunction_served"  # decreto notificato
    OPPOSITION_FILED = "opposition_filed"  # opposizione al decreto
    JUDGMENT = "judgment"  # sentenza
    ENFORCEMENT = "enforcement"  # esecuzione (pignoramento, precetto)
    AMOUNT_RECOVERED = "amount_recovered"  # somme recuperate
    CLOSED = "closed"  # pratica legale chiusa

    @property
    def label(self) -> str:
        return {
            "injunction_filed": "ricorso per decreto ingiuntivo depositato",
            "injunction_granted": "decreto ingiuntivo emesso",
            "injunction_served": "decreto ingiuntivo notificato",
            "opposition_filed": "opposizione al decreto",
            "judgment": "sentenza",
            "enforcement": "esecuzione forzata",
            "amount_recovered": "somme recuperate",
            "closed": "pratica legale chiusa",
        }[self.value]


@dataclass(frozen=True)
class LegalDocument:
    """A document attached to a milestone: its file name and the SHA-256 of its bytes (kept apart)."""

    name: str
    sha256: str
    media_type: str


@dataclass(frozen=True)
class LegalMilestone:
    """One step of the proceedings, as recorded by the legal team."""

    kind: LegalMilestoneKind
    occurred_on: date  # the date of the step itself (filing, decree, service, hearing …)
    recorded_at: datetime  # when it was recorded
    recorded_by: str  # the operator who recorded it
    court: str | None  # e.g. "Tribunale di Milano"
    docket: str | None  # numero di ruolo / R.G.
    amount: Decimal | None  # amount granted, recovered …
    next_deadline: date | None  # the next date the legal team must act by (hearing, term to oppose …)
    note: str
    documents: tuple[LegalDocument, ...]
