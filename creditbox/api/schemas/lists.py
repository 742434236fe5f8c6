"""Pages read from the projections: positions, worklists, ageing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from creditbox.api.schemas.common import Money


class PositionRowOut(BaseModel):
    customer_code: str
    name: str
    customer_type: int
    services: list[int]
    supplies: int
    balance: Money
    overdue: Money
    credit: Money
    oldest_due_date: date | None = None
    days_overdue: int
    open_items: int
    open_cases: int
    current_action: int | None = None
    current_step: int | None = None
    written_off: Money = Field(default=Decimal("0.00"), description="Stralciato (non compreso nello scaduto)")
    litigation_loss: Money = Field(
        default=Decimal("0.00"), description="Perdita da contenzioso (non compresa nello scaduto)"
    )


class PositionPage(BaseModel):
    items: list[PositionRowOut]
    next_cursor: str | None = Field(default=None, description="Da passare come `cursor` per la pagina seguente")
    valued_at: date | None = Field(default=None, description="La data a cui è valutato lo scaduto")


class WorklistItemOut(BaseModel):
    kind: str
    kind_label: str
    customer_code: str
    customer_name: str
    customer_type: int
    supply_code: str | None = None
    service: int | None = None
    case_id: str | None = None
    ladder: str | None = None
    step: int | None = None
    action: int | None = None
    amount: Money
    level: int | None = None
    since: date | None = None
    detail: str
    # The *contenzioso* items: the last milestone (code, label, date), court, docket, next deadline.
    legal_milestone: str | None = None
    legal_milestone_label: str | None = None
    legal_milestone_on: date | None = None
    court: str | None = None
    docket: str | None = None
    next_deadline: date | None = None


class WorklistPage(BaseModel):
    items: list[WorklistItemOut]
    next_cursor: str | None = None
    counts: dict[str, int] | None = Field(default=None, description="Con `counts=true`: elementi per lista")


class BucketOut(BaseModel):
    key: str
    label: str
    amount: Money
    count: int


class AgeingOut(BaseModel):
    company: str
    as_of: date
    window_days: int
    buckets: list[BucketOut]
    total: Money
    approaching_limit: Money
    approaching_limit_count: int
    past_limit: Money
    past_limit_count: int
    written_off: Money = Field(
        description="Stralciato: residuo delle bollette di pratiche chiuse con stralcio o transazione "
        "(fuori dalle fasce e dal totale)"
    )
    written_off_count: int = 0
    litigation_loss: Money = Field(
        description="Perdita da contenzioso: residuo delle bollette di pratiche chiuse dal contenzioso "
        "(fuori dalle fasce e dal totale)"
    )
    litigation_loss_count: int = 0
    time_barred: Money = Field(
        description="Prescrivibile (L. 205/2017): residuo delle bollette oltre i due anni dalla scadenza "
        "coperte dalla prescrizione biennale (clienti domestici e non domestici; luce, gas, acqua); "
        "parte di past_limit"
    )
    time_barred_count: int = 0
