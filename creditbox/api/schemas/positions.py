"""Positions: the summary of one customer, its history, and pages of positions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from creditbox.api.schemas.common import Money


class CustomerOut(BaseModel):
    name: str
    customer_type: int
    customer_type_label: str
    fiscal_code: str | None = None
    vat_number: str | None = None
    email: str | None = None
    pec: str | None = None
    mobile: str | None = None
    address: str | None = None
    postcode: str | None = None
    city: str | None = None
    province: str | None = None


class SupplyOut(BaseModel):
    code: str
    service: int
    service_label: str
    supply_type: int
    supply_type_label: str
    status: int
    status_label: str
    meter: str | None = Field(default=None, description="Matricola del contatore")
    address: str | None = Field(default=None, description="Indirizzo di fornitura")
    overdue: Money = Field(description="Scaduto della fornitura alla data (as_of)")
    open_items: int = Field(description="Partite aperte della fornitura (scadute o no) alla data (as_of)")


class OpenItemOut(BaseModel):
    bill_number: str
    supply_code: str
    issue_date: date
    due_date: date
    amount: Money
    residual: Money
    days_overdue: int


class CaseOut(BaseModel):
    case_id: str
    supply_code: str
    ladder: str
    status: str
    status_label: str | None = None
    step: int | None = Field(default=None, description="Sequenza del passo corrente (in attesa o ultimo eseguito)")
    action_code: int | None = None
    action_label: str | None = None
    step_status: str | None = None
    next_due_date: date | None = None
    overdue: Money | None = None
    opened_on: date | None = None
    waiting_for: str | None = Field(
        default=None, description="Che cosa attende la pratica (null: solo una data, o pratica chiusa)"
    )
    waiting_for_code: str | None = Field(
        default=None,
        description="plan, litigation, operator_decision, lock, confirmation, approval, execution, "
        "failed_delivery, agency_payment, delivery_proof, outcome",
    )


class LostItemOut(BaseModel):
    bill_number: str
    supply_code: str
    issue_date: date
    due_date: date
    amount: Money
    residual: Money
    loss: str = Field(description="written_off (stralciato) o litigation (perdita da contenzioso)")
    loss_label: str


class PositionSummaryOut(BaseModel):
    company: str
    customer_code: str
    as_of: date
    customer: CustomerOut
    supplies: list[SupplyOut]
    open_items: list[OpenItemOut] = Field(description="Partite aperte in recupero (stralciate e perse escluse)")
    balance: Money
    overdue: Money = Field(description="Scaduto in recupero alla data: esclusi stralciato e perdita da contenzioso")
    credit: Money
    cases: list[CaseOut]
    written_off: Money = Field(
        default=Decimal("0.00"),
        description="Stralciato: residuo delle bollette di pratiche chiuse con stralcio o transazione",
    )
    litigation_loss: Money = Field(
        default=Decimal("0.00"),
        description="Perdita da contenzioso: residuo delle bollette di pratiche chiuse dal contenzioso",
    )
    lost_items: list[LostItemOut] = Field(
        default_factory=list, description="Le bollette fuori dal recupero (stralciate o perse), a parte"
    )


class HistoryEntryOut(BaseModel):
    version: int
    type: str = Field(description="Il tipo di evento, ad es. BillIssued")
    business_date: date
    recorded_at: datetime
    by: str | None = Field(default=None, description="Chi: nome del token, cli, import:<id>, scheduler")
    description: str = Field(default="", description="Che cosa è successo, in italiano")
    data: dict[str, Any]


class PositionHistoryOut(BaseModel):
    company: str
    customer_code: str
    as_of: date | None = Field(default=None, description="Solo gli eventi con data contabile fino a questa data")
    as_recorded_at: datetime | None = Field(
        default=None, description="Solo gli eventi registrati fino a questo istante (com'era mostrata allora)"
    )
    events: list[HistoryEntryOut]
    position: PositionSummaryOut | None = Field(
        default=None, description="La posizione com'era alla data (eventi fino ad as_of riapplicati)"
    )
    notes: list[str] = Field(
        default_factory=list,
        description="Che cosa della ricostruzione ad as_of non ha una data contabile propria (vuoto: nulla)",
    )
