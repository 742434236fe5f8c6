"""Ageing of open items (*anzianità dei crediti*), computed for the date asked.

The rows store due dates and residuals only, so any date can be asked: buckets by days past due
(0–30, 31–60, 61–90, 91–180, 181–365, over 365; "a scadere" when not yet due), and the bills close to
the biennial limitation (*prescrizione biennale*: due date + 2 years) within ``window_days``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, func, or_, select, type_coerce

from creditbox.domain.limitation import COVERED_CUSTOMERS, COVERED_FROM
from creditbox.domain.money import ZERO
from creditbox.domain.workflow.outcomes import Loss
from creditbox.projections.dates import add_days
from creditbox.projections.queries.paging import DEFAULT_LIMIT, Ordering, Page, check_limit, page_of
from creditbox.projections.schema import Cents, open_items, positions

o = open_items.c

DEFAULT_WINDOW_DAYS = 60


@dataclass(frozen=True)
class BucketSpec:
    key: str
    label: str
    min_days: int | None  # days past due, inclusive (None: not yet due)
    max_days: int | None  # inclusive (None: no upper limit)


BUCKETS: tuple[BucketSpec, ...] = (
    BucketSpec("not_due", "A scadere", None, 0),
    BucketSpec("d0_30", "0–30 giorni", 1, 30),
    BucketSpec("d31_60", "31–60 giorni", 31, 60),
    BucketSpec("d61_90", "61–90 giorni", 61, 90),
    BucketSpec("d91_180", "91–180 giorni", 91, 180),
    BucketSpec("d181_365", "181–365 giorni", 181, 365),
    BucketSpec("over_365", "Oltre 365 giorni", 366, None),
)


def bucket_of(due_date: date, as_of: date) -> BucketSpec:
    days = (as_of - due_date).days
    for spec in BUCKETS:
        if (spec.min_days is None or days >= spec.min_days) and (spec.max_days is None or days <= spec.max_days):
            return spec
    raise AssertionError(days)


def _in_bucket(spec: BucketSpec, as_of: date) -> ColumnElement[bool]:
    conditions = [LIVE]
    if spec.min_days is not None:
        conditions.append(o.due_date <= add_days(as_of, -spec.min_days))
    if spec.max_days is not None:
        conditions.append(o.due_date >= add_days(as_of, -spec.max_days))
    return and_(*conditions)


def _approaching(as_of: date, window_days: int) -> ColumnElement[bool]:
    return and_(LIVE, o.prescription_date >= as_of, o.prescription_date < add_days(as_of, window_days))


# In collection: bills written off, settled or lost in litigation are out of every bucket and total.
LIVE: ColumnElement[bool] = o.loss.is_(None)
# Covered by the two-year limitation of L. 205/2017 (``domain/limitation.py``): customer type, service
# and due date after the service's start date.
COVERED: ColumnElement[bool] = and_(
    o.customer_type.in_(sorted(t.code for t in COVERED_CUSTOMERS)),
    or_(*(and_(o.service == service.code, o.due_date > start) for service, start in COVERED_FROM.items())),
)


def _time_barred(as_of: date) -> ColumnElement[bool]:
    """*Prescrivibile*: in collection, covered by L. 205/2017 and due date + 2 years before ``as_of``."""
    return and_(LIVE, COVERED, o.prescription_date < as_of)


WRITTEN_OFF: ColumnElement[bool] = o.loss == Loss.WRITTEN_OFF.value
LITIGATION_LOSS: ColumnElement[bool] = o.loss == Loss.LITIGATION.value


def _sum_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return type_coerce(func.coalesce(func.sum(case((condition, o.residual), else_=0)), 0), Cents)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    amount: Decimal
    count: int


@dataclass(frozen=True)
class AgeingSummary:
    company: str
    as_of: date
    window_days: int
    buckets: list[Bucket]
    total: Decimal
    approaching_limit: Decimal  # due date + 2 years falls within the window
    approaching_limit_count: int
    past_limit: Decimal  # due date + 2 years already passed
    past_limit_count: int
    # Out of collection, apart from the buckets: written off or settled, lost in litigation.
    written_off: Decimal = ZERO
    written_off_count: int = 0
    litigation_loss: Decimal = ZERO
    litigation_loss_count: int = 0
    # Past the limitation and covered by L. 205/2017 (*prescrivibile*): part of ``past_limit``.
    time_barred: Decimal = ZERO
    time_barred_count: int = 0


def _filters(company: str, customer_type: int | None, service: int | None) -> list[ColumnElement[bool]]:
    where = [o.company == company]
    if customer_type is not None:
        where.append(o.customer_type == customer_type)
    if service is not None:
        where.append(o.service == service)
    return where


def ageing_summary(
    conn: Connection,
    company: str,
    as_of: date,
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    customer_type: int | None = None,
    service: int | None = None,
) -> AgeingSummary:
    # One pass grouping the items by what decides their place (due and limitation dates, loss, customer
    # type, service): a few hundred groups, each placed below by the same rules as the SQL conditions
    # (``bucket_of``, ``_approaching``, ``_time_barred``) — a handful of sums instead of one
    # conditional sum per figure over every item.
    keys = (o.due_date, o.prescription_date, o.loss, o.customer_type, o.service)
    total_cents = type_coerce(func.sum(o.residual), Cents)
    query = select(*keys, total_cents, func.count()).where(*_filters(company, customer_type, service)).group_by(*keys)
    sums: dict[str, Decimal] = {}
    counts: dict[str, int] = {}

    def add(key: str, amount: Decimal, count: int) -> None:
        sums[key] = sums.get(key, ZERO) + amount
        counts[key] = counts.get(key, 0) + count

    limit_end = add_days(as_of, window_days)
    for due, prescription, loss, kind, served, amount, count in conn.execute(query):
        amount = amount or ZERO
        if loss is not None:  # out of collection: apart from the buckets and the limitation figures
            add(_LOSS_KEYS.get(loss, "other_loss"), amount, count)
            continue
        add(bucket_of(due, as_of).key, amount, count)
        if as_of <= prescription < limit_end:
            add("approaching", amount, count)
        if prescription < as_of:
            add("past", amount, count)
            if _covered(kind, served, due):
                add("barred", amount, count)
    buckets = [Bucket(spec.key, spec.label, sums.get(spec.key, ZERO), counts.get(spec.key, 0)) for spec in BUCKETS]
    return AgeingSummary(
        company=company,
        as_of=as_of,
        window_days=window_days,
        buckets=buckets,
        total=sum((b.amount for b in buckets), ZERO),
        approaching_limit=sums.get("approaching", ZERO),
        approaching_limit_count=counts.get("approaching", 0),
        past_limit=sums.get("past", ZERO),
        past_limit_count=counts.get("past", 0),
        written_off=sums.get("written_off", ZERO),
        written_off_count=counts.get("written_off", 0),
        litigation_loss=sums.get("litigation", ZERO),
        litigation_loss_count=counts.get("litigation", 0),
        time_barred=sums.get("barred", ZERO),
        time_barred_count=counts.get("barred", 0),
    )


def _covered(customer_type: int, service: int | None, due: date) -> bool:
    """``COVERED`` for one group: L. 205/2017's customer types, and a due date after the service's start."""
    if customer_type not in _COVERED_TYPES:
        return False
    start = _COVERED_START.get(service) if service is not None else None
    return start is not None and due > start


_LOSS_KEYS = {Loss.WRITTEN_OFF.value: "written_off", Loss.LITIGATION.value: "litigation"}
_COVERED_TYPES = frozenset(t.code for t in COVERED_CUSTOMERS)
_COVERED_START = {s.code: start for s, start in COVERED_FROM.items()}


@dataclass(frozen=True)
class PositionAgeing:
    customer_code: str
    name: str
    customer_type: int
    buckets: dict[str, Decimal]
    total: Decimal
    oldest_due_date: date | None  # of what is in collection (None: only bills out of it)
    approaching_limit: Decimal
    written_off: Decimal = ZERO
    litigation_loss: Decimal = ZERO
    time_barred: Decimal = ZERO  # *prescrivibile* (L. 205/2017)


ORDERING = Ordering("ageing", (o.customer_code,), ("str",))


def ageing_by_position(
    conn: Connection,
    company: str,
    as_of: date,
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    customer_type: int | None = None,
    service: int | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[PositionAgeing]:
    """One row per customer with open items: the residuals in each bucket."""
    check_limit(limit)
    amounts = [_sum_if(_in_bucket(spec, as_of)).label(spec.key) for spec in BUCKETS]
    query = (
        select(
            o.customer_code,
            func.max(positions.c.name).label("name"),
            func.max(positions.c.customer_type).label("customer_type"),
            func.min(case((LIVE, o.due_date), else_=None)).label("oldest_due_date"),
            _sum_if(_approaching(as_of, window_days)).label("approaching_limit"),
            _sum_if(WRITTEN_OFF).label("written_off"),
            _sum_if(LITIGATION_LOSS).label("litigation_loss"),
            _sum_if(_time_barred(as_of)).label("time_barred"),
            *amounts,
        )
        .join(positions, positions.c.position_id == o.position_id)
        .where(*_filters(company, customer_type, service))
        .group_by(o.customer_code)
    )
    query = ORDERING.after(query, cursor).order_by(*ORDERING.order_by()).limit(limit + 1)
    rows = []
    for r in conn.execute(query):
        m = r._mapping
        buckets = {spec.key: m[spec.key] or ZERO for spec in BUCKETS}
        rows.append(
            PositionAgeing(
                customer_code=m["customer_code"],
                name=m["name"],
                customer_type=int(m["customer_type"]),
                buckets=buckets,
                total=sum(buckets.values(), ZERO),
                oldest_due_date=_as_date(m["oldest_due_date"]),
                approaching_limit=m["approaching_limit"] or ZERO,
                written_off=m["written_off"] or ZERO,
                litigation_loss=m["litigation_loss"] or ZERO,
                time_barred=m["time_barred"] or ZERO,
            )
        )
    items, next_cursor = page_of(rows, limit, ORDERING, lambda a: [a.customer_code])
    return Page(items, next_cursor)


@dataclass(frozen=True)
class OpenItemRow:
    customer_code: str
    bill_number: str
    supply_code: str
    issue_date: date
    due_date: date
    amount: Decimal
    residual: Decimal
    prescription_date: date
    days_overdue: int
    bucket: str  # the bucket's label, or the loss's (*stralciato*, *perdita da contenzioso*)
    approaching_limit: bool
    loss: str | None = None  # ``Loss`` value when out of collection


def open_items_of(
    conn: Connection, company: str, customer_code: str, as_of: date, *, window_days: int = DEFAULT_WINDOW_DAYS
) -> list[OpenItemRow]:
    query = (
        select(open_items)
        .where(o.company == company, o.customer_code == customer_code)
        .order_by(o.due_date, o.bill_number)
    )
    return [_open_item(r._mapping, as_of, window_days) for r in conn.execute(query)]


def _open_item(m: Any, as_of: date, window_days: int) -> OpenItemRow:
    prescription: date = m["prescription_date"]
    loss: str | None = m["loss"]
    return OpenItemRow(
        customer_code=m["customer_code"],
        bill_number=m["bill_number"],
        supply_code=m["supply_code"],
        issue_date=m["issue_date"],
        due_date=m["due_date"],
        amount=m["amount"],
        residual=m["residual"],
        prescription_date=prescription,
        days_overdue=max(0, (as_of - m["due_date"]).days),
        bucket=Loss(loss).label if loss is not None else bucket_of(m["due_date"], as_of).label,
        approaching_limit=loss is None and as_of <= prescription < add_days(as_of, window_days),
        loss=loss,
    )


def _as_date(value: Any) -> date | None:
    """A ``min(CASE …)`` comes back as text on SQLite."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def bucket_labels() -> Sequence[tuple[str, str]]:
    return [(spec.key, spec.label) for spec in BUCKETS]
