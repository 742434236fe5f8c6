"""Enumerations the workflow events carry: step outcomes, skip reasons, lock reasons, closures."""

from __future__ import annotations

from enum import Enum

from creditbox.domain.codes import ActionCode


class StepOutcome(Enum):
    """What came back for an executed step (receipts from channels, answers of offices)."""

    SENT = "sent"  # handed to the channel (informational)
    DELIVERED = "delivered"  # consegnato (PEC receipt, A/R signed, SMS/e-mail delivered)
    NOT_DELIVERED = "not_delivered"  # mancata consegna
    HELD = "held"  # A/R in giacenza at the post office (still pending)
    UNCLAIMED = "unclaimed"  # A/R compiuta giacenza: legally known to the recipient
    RETURNED = "returned"  # A/R returned to sender (address unknown, refused)
    POSITIVE = "positive"  # technical office / agency: done
    NEGATIVE = "negative"  # technical office / agency: could not be done

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]

    @property
    def is_delivery_proof(self) -> bool:
        return self in (StepOutcome.DELIVERED, StepOutcome.UNCLAIMED)

    @property
    def is_delivery_failure(self) -> bool:
        return self in (StepOutcome.NOT_DELIVERED, StepOutcome.RETURNED)

    @property
    def is_final(self) -> bool:
        """An outcome in the sense of the ``previous_outcome`` start point."""
        return self not in (StepOutcome.SENT, StepOutcome.HELD)

    @property
    def is_delivery(self) -> bool:
        return self not in (StepOutcome.POSITIVE, StepOutcome.NEGATIVE)


_OUTCOME_LABELS = {
    StepOutcome.SENT: "inviato",
    StepOutcome.DELIVERED: "consegnato",
    StepOutcome.NOT_DELIVERED: "non consegnato",
    StepOutcome.HELD: "in giacenza",
    StepOutcome.UNCLAIMED: "compiuta giacenza",
    StepOutcome.RETURNED: "restituito al mittente",
    StepOutcome.POSITIVE: "esito positivo",
    StepOutcome.NEGATIVE: "esito negativo",
}

MESSAGE_CODES = frozenset(
    {ActionCode.SMS, ActionCode.EMAIL, ActionCode.FRIENDLY_REMINDER, ActionCode.REGISTERED_LETTER, ActionCode.PEC}
)
OFFICE_CODES = frozenset({ActionCode.TECHNICAL_OFFICE, ActionCode.COLLECTION_AGENCY})


def allowed_outcomes(code: ActionCode) -> frozenset[StepOutcome]:
    """Which outcomes make sense for a step of this action code."""
    if code == ActionCode.REGISTERED_LETTER:
        return frozenset(StepOutcome) - {StepOutcome.POSITIVE, StepOutcome.NEGATIVE}
    if code in MESSAGE_CODES:
        return frozenset({StepOutcome.SENT, StepOutcome.DELIVERED, StepOutcome.NOT_DELIVERED})
    if code in OFFICE_CODES:
        return frozenset({StepOutcome.SENT, StepOutcome.POSITIVE, StepOutcome.NEGATIVE})
    return frozenset()


class SkipReason(Enum):
    AMOUNT_BAND = "amount_band"  # overdue outside the row's band
    CLASSIFICATION = "classification"  # supply status / type no longer matches the row
    MISSING_MOBILE = "missing_mobile"
    MISSING_EMAIL = "missing_email"
    MISSING_PEC = "missing_pec"
    MISSING_ADDRESS = "missing_address"  # letters (codes 3, 4): street, postcode or town missing
    NOT_SUSPENDABLE = "not_suspendable"  # suspension never for supply type 2/4 or customer type 4
    DISCARDED = "discarded"  # an operator discarded the proposal

    @property
    def label(self) -> str:
        return {
            "amount_band": "importo fuori fascia",
            "classification": "stato o tipologia fornitura non previsti dal passo",
            "missing_mobile": "cellulare mancante",
            "missing_email": "e-mail mancante",
            "missing_pec": "indirizzo PEC mancante",
            "missing_address": "indirizzo postale mancante o incompleto",
            "not_suspendable": "fornitura non sospendibile",
            "discarded": "proposta scartata dall'operatore",
        }[self.value]

    @property
    def needs_attention(self) -> bool:
        """Skips that go on a worklist (a contact to be completed)."""
        return self in (
            SkipReason.MISSING_MOBILE,
            SkipReason.MISSING_EMAIL,
            SkipReason.MISSING_PEC,
            SkipReason.MISSING_ADDRESS,
        )


class LockReason(Enum):
    COMPLAINT = "complaint"  # reclamo
    DISPUTE = "dispute"  # contestazione
    MANUAL = "manual"  # blocco manuale

    @property
    def label(self) -> str:
        return {"complaint": "reclamo", "dispute": "contestazione", "manual": "blocco manuale"}[self.value]


class WriteOffKind(Enum):
    WRITE_OFF = "write_off"  # stralcio
    SETTLEMENT = "settlement"  # saldo e stralcio / transazione

    @property
    def label(self) -> str:
        return {"write_off": "stralcio", "settlement": "transazione"}[self.value]


class Loss(Enum):
    """Why an unpaid bill left collection: its case was closed by a write-off or a settlement
    (*stralciato*), or by a litigation outcome (*perdita da contenzioso*). Not an event value."""

    WRITTEN_OFF = "written_off"
    LITIGATION = "litigation"

    @property
    def label(self) -> str:
        return {"written_off": "stralciato", "litigation": "perdita da contenzioso"}[self.value]


class LitigationResult(Enum):
    RECOVERED = "recovered"  # recuperato
    PARTIALLY_RECOVERED = "partially_recovered"
    UNRECOVERABLE = "unrecoverable"  # inesigibile

    @property
    def label(self) -> str:
        return {
            "recovered": "recuperato",
            "partially_recovered": "recuperato in parte",
            "unrecoverable": "inesigibile",
        }[self.value]


WORKFLOW_ENUMS: list[type[Enum]] = [StepOutcome, SkipReason, LockReason, WriteOffKind, LitigationResult]
