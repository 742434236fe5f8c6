"""The continuous feed of the billing system: customers, supplies, bills, payments.

Idempotent by natural key: re-sending a record changes nothing (``unchanged``); re-sending a key
with other content is a conflict (409). A single record answers with its own status; a batch
(a JSON array) answers 200 with one result per record, in order, and the good records go in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Body, Path
from pydantic import AfterValidator

from creditbox.api.deps import Commit, CompanyCode, ContainerDep, CurrentPrincipal
from creditbox.api.guard import GuardedRoute
from creditbox.api.permissions import Permission, needs
from creditbox.api.problems import ApiProblem, FieldError, problem_responses
from creditbox.api.schemas.common import KEY_PATTERN
from creditbox.api.schemas.feed import (
    BillIn,
    Bills,
    CustomerIn,
    FeedOutcome,
    FeedResult,
    PaymentIn,
    Payments,
    RecordResultOut,
    SupplyIn,
)
from creditbox.application.records import Outcome, Record, RecordResult, RejectionKind
from creditbox.bootstrap import Container
from creditbox.domain.text_policy import check_key

router = APIRouter(prefix="/api/v1/companies/{company}", tags=["feed"], route_class=GuardedRoute)

CustomerCodePath = Annotated[str, AfterValidator(check_key), Path(min_length=1, max_length=64, pattern=KEY_PATTERN)]
SupplyCodePath = Annotated[str, AfterValidator(check_key), Path(min_length=1, max_length=64, pattern=KEY_PATTERN)]

_ERRORS = problem_responses(400, 401, 403, 404, 409, 413, 415, 422)

# Field names of the JSON feed for the default-profile column labels a rejection names.
_FIELD_OF_COLUMN = {
    "Codice Cliente": "customer_code",
    "Nominativo": "name",
    "Tipologia Cliente": "customer_type",
    "Codice Fornitura": "supply_code",
    "Tipologia Servizio": "service",
    "Tipologia Fornitura": "supply_type",
    "Stato": "status",
    "Numero Bolletta": "number",
    "Data Emissione": "issue_date",
    "Data Scadenza": "due_date",
    "Importo": "amount",
    "Id Pagamento": "payment_id",
    "Data Pagamento": "payment_date",
    "Mezzo": "method",
}

# The status of a rejected record, by the kind the ingestor gave it: "this key (or this supply)
# is already taken with other content" is a conflict; everything else is invalid input.
_STATUS_OF_KIND = {RejectionKind.CONFLICT: 409}
_DEFAULT_REJECTION_STATUS = 422


@router.put("/customers/{customer_code}", response_model=FeedResult, responses=_ERRORS, **needs(Permission.FEED_WRITE))
def put_customer(
    customer_code: CustomerCodePath,
    customer: CustomerIn,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> FeedResult:
    """Crea o aggiorna l'anagrafica di un cliente (idempotente)."""
    return _single(container, commit, company, customer.record(customer_code), customer_code, principal.name)


@router.put("/supplies/{supply_code}", response_model=FeedResult, responses=_ERRORS, **needs(Permission.FEED_WRITE))
def put_supply(
    supply_code: SupplyCodePath,
    supply: SupplyIn,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> FeedResult:
    """Crea o aggiorna una fornitura del cliente indicato (idempotente)."""
    return _single(container, commit, company, supply.record(supply_code), supply_code, principal.name)


@router.post("/bills", response_model=FeedResult, responses=_ERRORS, **needs(Permission.FEED_WRITE))
def post_bills(
    bills: Annotated[BillIn | Bills, Body(description="Una bolletta, o un elenco di bollette")],
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> FeedResult:
    """Registra bollette e note di credito (importo negativo), chiave `number`."""
    if isinstance(bills, BillIn):
        return _single(container, commit, company, bills.record(), bills.number, principal.name)
    return _batch(container, commit, company, [b.record() for b in bills], [b.number for b in bills], principal.name)


@router.post("/payments", response_model=FeedResult, responses=_ERRORS, **needs(Permission.FEED_WRITE))
def post_payments(
    payments: Annotated[PaymentIn | Payments, Body(description="Un pagamento, o un elenco di pagamenti")],
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> FeedResult:
    """Registra pagamenti e storni (importo negativo), chiave `payment_id`."""
    if isinstance(payments, PaymentIn):
        return _single(container, commit, company, payments.record(), payments.payment_id, principal.name)
    records = [p.record() for p in payments]
    return _batch(container, commit, company, records, [p.payment_id for p in payments], principal.name)


def _single(container: Container, commit: Commit, company: str, record: Record, key: str, by: str) -> FeedResult:
    result = _batch(container, commit, company, [record], [key], by)
    only = result.results[0]
    if only.outcome is FeedOutcome.REJECTED:
        errors = [FieldError(field=only.field, location="body", message=only.reason or "")] if only.field else None
        raise ApiProblem(only.status, only.reason or "record rifiutato", errors=errors)
    return result


def _batch(
    container: Container, commit: Commit, company: str, records: Sequence[Record], keys: Sequence[str], by: str
) -> FeedResult:
    report = commit(lambda: container.ingestor().ingest(company, records, by=by))
    results = [_result(index, key, r) for index, (key, r) in enumerate(zip(keys, report.results, strict=True))]
    return FeedResult(
        accepted=sum(r.outcome is FeedOutcome.ACCEPTED for r in results),
        unchanged=sum(r.outcome is FeedOutcome.UNCHANGED for r in results),
        rejected=sum(r.outcome is FeedOutcome.REJECTED for r in results),
        results=results,
    )


def _result(index: int, key: str, result: RecordResult) -> RecordResultOut:
    outcome = FeedOutcome(result.outcome.value)
    field = _FIELD_OF_COLUMN.get(result.column or "", result.column)
    if result.outcome is not Outcome.REJECTED:
        return RecordResultOut(index=index, key=key, outcome=outcome, status=200)
    reason = result.reason or "record rifiutato"
    status = status_of_rejection(result.kind)
    kind = result.kind.value if result.kind is not None else None
    return RecordResultOut(index=index, key=key, outcome=outcome, status=status, reason=reason, field=field, kind=kind)


def status_of_rejection(kind: RejectionKind | None) -> int:
    """The HTTP status of a rejected record: 409 for a conflict, 422 for any other kind."""
    if kind is None:
        return _DEFAULT_REJECTION_STATUS
    return _STATUS_OF_KIND.get(kind, _DEFAULT_REJECTION_STATUS)
