"""The legal proceedings of a case in litigation: a milestone as recorded, a case's milestones, the
*contenzioso* worklist by next deadline."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from pydantic import BaseModel, Field

from creditbox.api.schemas.common import Money
from creditbox.api.schemas.lists import WorklistItemOut


class LegalMilestoneKindIn(Enum):
    INJUNCTION_FILED = "injunction_filed"
    INJUNCTION_GRANTED = "injunction_granted"
    INJUNCTION_SERVED = "injunction_served"
    OPPOSITION_FILED = "opposition_filed"
    JUDGMENT = "judgment"
    ENFORCEMENT = "enforcement"
    AMOUNT_RECOVERED = "amount_recovered"
    CLOSED = "closed"


class LegalDocumentOut(BaseModel):
    name: str
    sha256: str = Field(description="Impronta SHA-256 dei byte del documento (nel fascicolo probatorio)")
    media_type: str


class LegalMilestoneOut(BaseModel):
    kind: str
    kind_label: str
    occurred_on: date
    recorded_at: datetime
    recorded_by: str
    court: str | None = None
    docket: str | None = None
    amount: Money | None = None
    next_deadline: date | None = None
    note: str
    documents: list[LegalDocumentOut]


class CaseProceedingsOut(BaseModel):
    case_id: str
    supply_code: str
    status: str
    status_label: str
    last_milestone: str | None = None
    next_deadline: date | None = Field(default=None, description="La prossima scadenza (dell'ultima fase)")
    milestones: list[LegalMilestoneOut]


class CustomerProceedingsOut(BaseModel):
    customer_code: str
    cases: list[CaseProceedingsOut]


class LitigationPage(BaseModel):
    items: list[WorklistItemOut]
    offset: int
    total: int
