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


# ---- the order of the proceedings ------------------------------------------------------------------
# One rule, kept deliberately simple: a milestone that only makes sense after another one needs an
# earlier milestone of one of the kinds listed here, dated on or before its own date. The decree is
# granted on a filed petition, served once granted, opposed once served; enforcement needs an
# enforceable title (a served decree or a judgment). A judgment, a recovery and the closing need
# nothing before them (an ordinary lawsuit has no decree; a debtor may pay at any moment).
PREREQUISITES: dict[LegalMilestoneKind, tuple[LegalMilestoneKind, ...]] = {
    LegalMilestoneKind.INJUNCTION_GRANTED: (LegalMilestoneKind.INJUNCTION_FILED,),
    LegalMilestoneKind.INJUNCTION_SERVED: (LegalMilestoneKind.INJUNCTION_GRANTED,),
    LegalMilestoneKind.OPPOSITION_FILED: (LegalMilestoneKind.INJUNCTION_SERVED,),
    LegalMilestoneKind.ENFORCEMENT: (LegalMilestoneKind.INJUNCTION_SERVED, LegalMilestoneKind.JUDGMENT),
}

# What may still be recorded once the litigation outcome has closed the case: money collected after
# the outcome, and the closing of the legal file.
AFTER_OUTCOME = frozenset({LegalMilestoneKind.AMOUNT_RECOVERED, LegalMilestoneKind.CLOSED})

COURT_LENGTH = 255
DOCKET_LENGTH = 64
NOTE_LENGTH = 2000


def missing_prerequisite(
    earlier: tuple[LegalMilestone, ...], kind: LegalMilestoneKind, occurred_on: date
) -> tuple[LegalMilestoneKind, ...]:
    """The kinds one of which must come before a ``kind`` milestone dated ``occurred_on`` (empty when
    the order is respected or ``kind`` needs nothing before it)."""
    needed = PREREQUISITES.get(kind, ())
    if not needed or any(m.kind in needed and m.occurred_on <= occurred_on for m in earlier):
        return ()
    return needed


def last_milestone(milestones: tuple[LegalMilestone, ...]) -> LegalMilestone | None:
    """The milestone the proceedings stand at: the latest by date, the latest recorded among equals."""
    if not milestones:
        return None
    return max(enumerate(milestones), key=lambda im: (im[1].occurred_on, im[0]))[1]


def document_data(document: LegalDocument) -> dict[str, str]:
    """A document as an event stores it."""
    return {"name": document.name, "sha256": document.sha256, "media_type": document.media_type}


def document_of(data: dict[str, str]) -> LegalDocument:
    return LegalDocument(data["name"], data["sha256"], data["media_type"])
