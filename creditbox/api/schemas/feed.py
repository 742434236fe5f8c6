"""The JSON feed: customers, supplies, bills and payments, validated like the Excel rows."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from creditbox.api.schemas.common import Code, IsoDate, Key, Money, OptionalText, ShortText
from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, SupplyRecord
from creditbox.domain.codes import CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.documents import CustomerDetails, SupplyDetails
from creditbox.infrastructure.excel import values


def _optional(check: Callable[[object], str]) -> Callable[[str | None], str | None]:
    def validate(value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return check(value)

    return validate


FiscalCode = Annotated[Annotated[str, Field(max_length=20)] | None, AfterValidator(_optional(values.fiscal_code))]
VatNumber = Annotated[Annotated[str, Field(max_length=20)] | None, AfterValidator(_optional(values.vat_number))]
Email = Annotated[Annotated[str, Field(max_length=200)] | None, AfterValidator(_optional(values.email))]
Mobile = Annotated[Annotated[str, Field(max_length=30)] | None, AfterValidator(_optional(values.mobile))]
Postcode = Annotated[Annotated[str, Field(max_length=10)] | None, AfterValidator(_optional(values.postcode))]
Province = Annotated[Annotated[str, Field(max_length=50)] | None, AfterValidator(_optional(values.province))]

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CustomerIn(BaseModel):
    """*Anagrafica cliente* (sheet ``Clienti``). The customer code is in the path."""

    model_config = _STRICT

    name: ShortText
    customer_type: Code = Field(description="1 domestico · 2 non domestico · 3 grande utente · 4 ente")
    fiscal_code: FiscalCode = None
    vat_number: VatNumber = None
    email: Email = None
    pec: Email = None
    mobile: Mobile = None
    address: OptionalText = None
    postcode: Postcode = None
    city: OptionalText = None
    province: Province = None

    def record(self, customer_code: str) -> CustomerRecord:
        return CustomerRecord(
            customer_code=customer_code,
            details=CustomerDetails(
                name=self.name,
                customer_type=CustomerType(self.customer_type),
                fiscal_code=self.fiscal_code,
                vat_number=self.vat_number,
                email=self.email,
                pec=self.pec,
                mobile=self.mobile,
                address=self.address,
                postcode=self.postcode,
                city=self.city,
                province=self.province,
            ),
        )


class SupplyIn(BaseModel):
    """*Fornitura* (sheet ``Forniture``). The supply code is in the path."""

    model_config = _STRICT

    customer_code: Key
    service: Code = Field(description="1 acqua · 2 gas · 3 energia elettrica · 4 telefono")
    supply_type: Code = Field(description="1 sospendibile · 2 non sospendibile · 3 disattivabile · 4 ente")
    status: Code = Field(default=1, description="1 attivo · 2 sospeso · 3 cessato · 4 da riattivare")
    meter: OptionalText = None
    address: OptionalText = None

    def record(self, supply_code: str) -> SupplyRecord:
        return SupplyRecord(
            customer_code=self.customer_code,
            supply=SupplyDetails(
                code=supply_code,
                service=Service(self.service),
                supply_type=SupplyType(self.supply_type),
                status=SupplyStatus(self.status),
                meter=self.meter,
                address=self.address,
            ),
        )


class BillIn(BaseModel):
    """*Bolletta* (sheet ``Bollette``): a negative amount is a credit note. Key: ``number``."""

    model_config = _STRICT

    number: Key
    customer_code: Key
    supply_code: Key
    issue_date: IsoDate
    due_date: IsoDate
    amount: Money

    def record(self) -> BillRecord:
        return BillRecord(
            number=self.number,
            customer_code=self.customer_code,
            supply_code=self.supply_code,
            issue_date=self.issue_date,
            due_date=self.due_date,
            amount=self.amount,
        )


class PaymentIn(BaseModel):
    """*Pagamento* (sheet ``Pagamenti``): a negative amount is a reversal. Key: ``payment_id``."""

    model_config = _STRICT

    payment_id: Key
    customer_code: Key
    payment_date: IsoDate
    amount: Money
    bill_number: Key | None = None
    method: OptionalText = None

    def record(self) -> PaymentRecord:
        return PaymentRecord(
            payment_id=self.payment_id,
            customer_code=self.customer_code,
            payment_date=self.payment_date,
            amount=self.amount,
            bill_number=self.bill_number,
            method=self.method,
        )


MAX_BATCH = 5000
Bills = Annotated[list[BillIn], Field(min_length=1, max_length=MAX_BATCH)]
Payments = Annotated[list[PaymentIn], Field(min_length=1, max_length=MAX_BATCH)]


class FeedOutcome(Enum):
    ACCEPTED = "accepted"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


class RecordResultOut(BaseModel):
    index: int = Field(description="Posizione del record nel lotto (0 per un record singolo)")
    key: str = Field(description="La chiave naturale del record")
    outcome: FeedOutcome
    status: int = Field(description="Lo stato HTTP che il record avrebbe da solo: 200, 201, 404, 409 o 422")
    reason: str | None = None
    field: str | None = Field(default=None, description="Il campo a cui si riferisce il motivo")
    kind: str | None = Field(
        default=None,
        description=(
            "Il tipo di rifiuto: invalid, conflict, not_found, unknown_customer, not_allowed, refused "
            "(stabile: i client decidono su questo, non sul testo del motivo)"
        ),
    )


class FeedResult(BaseModel):
    accepted: int
    unchanged: int
    rejected: int
    results: list[RecordResultOut]


def schema_extra(**example: Any) -> dict[str, Any]:
    return {"json_schema_extra": {"examples": [example]}}
