"""Case commands: bodies and the answer (what changed, which events were recorded)."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from creditbox.api.schemas.common import IsoDate, Key, Money, NoteText

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OutcomeKind(Enum):
    SENT = "sent"
    DELIVERED = "delivered"
    NOT_DELIVERED = "not_delivered"
    HELD = "held"
    UNCLAIMED = "unclaimed"
    RETURNED = "returned"
    POSITIVE = "positive"
    NEGATIVE = "negative"


class LockReasonIn(Enum):
    COMPLAINT = "complaint"
    DISPUTE = "dispute"
    MANUAL = "manual"


class WriteOffKindIn(Enum):
    WRITE_OFF = "write_off"
    SETTLEMENT = "settlement"


class LitigationResultIn(Enum):
    RECOVERED = "recovered"
    PARTIALLY_RECOVERED = "partially_recovered"
    UNRECOVERABLE = "unrecoverable"


class NoteIn(BaseModel):
    model_config = _STRICT
    note: NoteText = ""


class Empty(BaseModel):
    model_config = _STRICT


class OutcomeIn(BaseModel):
    model_config = _STRICT
    outcome: OutcomeKind
    outcome_date: IsoDate | None = Field(default=None, description="Default: oggi")
    note: NoteText = ""


class OutcomeCorrectionIn(BaseModel):
    """The outcome that supersedes one recorded by mistake (default: the step's latest outcome;
    ``replaces_outcome`` and ``replaces_date`` name another one)."""

    model_config = _STRICT
    outcome: OutcomeKind = Field(description="L'esito corretto")
    outcome_date: IsoDate = Field(description="La data corretta dell'esito")
    reason: str = Field(min_length=1, max_length=500, description="Perché si corregge (obbligatorio)")
    replaces_outcome: OutcomeKind | None = Field(default=None, description="L'esito errato (default: l'ultimo)")
    replaces_date: IsoDate | None = Field(default=None, description="La data dell'esito errato")

    @model_validator(mode="after")
    def _replaces_both_or_neither(self) -> OutcomeCorrectionIn:
        if (self.replaces_outcome is None) != (self.replaces_date is None):
            raise ValueError("indicare sia replaces_outcome sia replaces_date, o nessuno dei due")
        return self


class ReactivationOutcomeIn(BaseModel):
    model_config = _STRICT
    positive: bool
    outcome_date: IsoDate | None = None
    note: NoteText = ""


class LockIn(BaseModel):
    model_config = _STRICT
    reason: LockReasonIn
    supply_code: Key | None = Field(default=None, description="Assente: blocco sul cliente")
    start: IsoDate | None = Field(default=None, description="Default: oggi")
    until: IsoDate | None = Field(default=None, description="Assente: fino a revoca")
    note: NoteText = ""


class LiftLockIn(BaseModel):
    model_config = _STRICT
    lifted_on: IsoDate | None = None
    note: NoteText = ""


class InstalmentIn(BaseModel):
    model_config = _STRICT
    due_date: IsoDate
    amount: Money


class PlanIn(BaseModel):
    model_config = _STRICT
    instalments: list[InstalmentIn] = Field(min_length=1, max_length=120)


class WriteOffIn(BaseModel):
    model_config = _STRICT
    kind: WriteOffKindIn = WriteOffKindIn.WRITE_OFF
    settlement_amount: Money = Field(
        default=Decimal("0.00"), description="Solo per la transazione: l'importo concordato"
    )
    note: NoteText = ""


class LitigationOutcomeIn(BaseModel):
    model_config = _STRICT
    result: LitigationResultIn
    recovered_amount: Money = Field(default=Decimal("0.00"))
    outcome_date: IsoDate | None = None
    note: NoteText = ""


class CommandOut(BaseModel):
    changed: bool = Field(description="False: il comando era già stato eseguito (ripetizione senza effetto)")
    events: list[str] = Field(description="Gli eventi registrati, in ordine")
    lock_id: str | None = None
