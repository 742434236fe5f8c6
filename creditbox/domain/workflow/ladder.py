"""Ladders (*scale di azioni*) of an actions-table version: choice, next step, due dates, skipping.

Rules (``standard-actions-table.md``): the case's ladder is the first ladder, in table order, whose
first row matches the supply's classification; a step is due at the later of (its start point +
``wait_before_days``) and (the previous executed step + its ``wait_after_days``); skipped steps are
transparent, and a case whose first steps were all skipped counts from its opening.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from creditbox.domain.actions import ActionRow, StartPoint, TechnicalRequest
from creditbox.domain.business_dates import add_days
from creditbox.domain.codes import ActionCode, CustomerType, SupplyType
from creditbox.domain.documents import CustomerDetails, SupplyDetails
from creditbox.domain.workflow.cases import DunningCase
from creditbox.domain.workflow.outcomes import OFFICE_CODES, SkipReason, StepOutcome


class TableVersion(Protocol):
    """One version of a company's actions table, as the engine needs it (the ActionsTable
    aggregate's ``TableVersion`` satisfies it)."""

    @property
    def version(self) -> int: ...

    @property
    def rows(self) -> tuple[ActionRow, ...]: ...


@dataclass(frozen=True)
class StaticTable:
    """A table version built in place (tests, simulations)."""

    version: int
    rows: tuple[ActionRow, ...]


@dataclass(frozen=True)
class _Steps:
    """A version's rows by ladder and step: the engine asks for them several times for each position
    it runs (deciding, then finding the next wake-up), so a worker running thousands of positions on
    the same version looks them up here instead of scanning the whole table each time."""

    rows: tuple[ActionRow, ...]  # the rows indexed; the index is used only for this very tuple
    seqs: dict[str, tuple[int, ...]]  # ladder → its distinct seqs, ascending
    by_step: dict[tuple[str, int], tuple[ActionRow, ...]]  # (ladder, seq) → its rows, in table order

    @classmethod
    def of(cls, rows: tuple[ActionRow, ...]) -> _Steps:
        by_step: dict[tuple[str, int], list[ActionRow]] = {}
        for row in rows:
            by_step.setdefault((row.ladder, row.seq), []).append(row)
        seqs: dict[str, list[int]] = {}
        for ladder, seq in by_step:
            seqs.setdefault(ladder, []).append(seq)
        return cls(
            rows,
            {ladder: tuple(sorted(found)) for ladder, found in seqs.items()},
            {key: tuple(found) for key, found in by_step.items()},
        )


# The indexes of the versions seen lately, by the identity of their rows' tuple (immutable, like the
# frozen rows in it; an entry keeps its tuple alive, so the identity is not reused while it is here).
_STEPS: dict[int, _Steps] = {}
_STEPS_KEPT = 32


def _steps(table: TableVersion) -> _Steps:
    rows = table.rows
    if type(rows) is not tuple:  # a sequence that could change: indexed afresh each time
        return _Steps.of(tuple(rows))
    found = _STEPS.get(id(rows))
    if found is None or found.rows is not rows:
        found = _Steps.of(rows)
        if len(_STEPS) >= _STEPS_KEPT:
            _STEPS.clear()
        _STEPS[id(rows)] = found
    return found


def first_seq(table: TableVersion, ladder: str) -> int | None:
    seqs = _steps(table).seqs.get(ladder)
    return seqs[0] if seqs else None


def next_seq(table: TableVersion, ladder: str, after: int) -> int | None:
    seqs = _steps(table).seqs.get(ladder, ())
    at = bisect_right(seqs, after)
    return seqs[at] if at < len(seqs) else None


def rows_of(table: TableVersion, ladder: str, seq: int) -> list[ActionRow]:
    return list(_steps(table).by_step.get((ladder, seq), ()))


def choose_ladder(table: TableVersion, customer: CustomerDetails, supply: SupplyDetails) -> ActionRow | None:
    """The first row (table order) that starts a ladder and matches the supply's classification."""
    firsts: dict[str, int | None] = {}
    for row in table.rows:
        if row.ladder not in firsts:
            firsts[row.ladder] = first_seq(table, row.ladder)
        if row.seq == firsts[row.ladder] and row.matches_classification(
            customer.customer_type, supply.service, supply.supply_type, supply.status
        ):
            return row
    return None


@dataclass(frozen=True)
class StepChoice:
    """The row that applies for a step, or why none does (then ``row`` is the row skipped)."""

    seq: int
    row: ActionRow
    skip: SkipReason | None = None
    detail: str = ""


def choose_row(
    table: TableVersion, ladder: str, seq: int, customer: CustomerDetails, supply: SupplyDetails, overdue: Decimal
) -> StepChoice:
    rows = rows_of(table, ladder, seq)
    classified = [
        r
        for r in rows
        if r.matches_classification(customer.customer_type, supply.service, supply.supply_type, supply.status)
    ]
    for row in classified:
        if row.matches_amount(overdue):
            return StepChoice(seq, row)
    if classified:
        bands = ", ".join(_band(r) for r in classified)
        return StepChoice(seq, classified[0], SkipReason.AMOUNT_BAND, f"scaduto {overdue} fuori fascia ({bands})")
    return StepChoice(
        seq,
        rows[0],
        SkipReason.CLASSIFICATION,
        f"fornitura {supply.status.label.lower()}, {supply.supply_type.label.lower()}: passo non previsto",
    )


def _band(row: ActionRow) -> str:
    return f"{row.amount_min}–{row.amount_max if row.amount_max is not None else '∞'}"


@dataclass(frozen=True)
class Due:
    on: date | None  # None: blocked
    waiting_for: str = ""  # why it is blocked (Italian, for worklists)


def due_date(case: DunningCase, row: ActionRow) -> Due:
    previous = case.last_executed
    if previous is None or previous.executed_on is None:
        return Due(add_days(case.opened_on, row.wait_before_days))
    if previous.action_code == ActionCode.COLLECTION_AGENCY and previous.outcome == StepOutcome.POSITIVE:
        return Due(None, "pagamento recuperato dall'agenzia")
    start: date | None
    if row.start_point == StartPoint.OPENED:
        start = case.opened_on
    elif row.start_point == StartPoint.PREVIOUS_SENT:
        start = previous.executed_on
    elif row.start_point == StartPoint.PREVIOUS_DELIVERED:
        start = previous.delivered_on
        if start is None and previous.action_code in OFFICE_CODES:
            start = previous.outcome_on
        if start is None:
            failed = " (consegna fallita)" if previous.delivery_failed else ""
            return Due(None, f"prova di consegna del passo {previous.seq}{failed}")
    else:
        start = previous.outcome_on
        if start is None:
            return Due(None, f"esito del passo {previous.seq}")
    by_start = add_days(start, row.wait_before_days)
    by_wait = add_days(previous.executed_on, previous.wait_after_days)
    return Due(max(by_start, by_wait))


TECH_INTERRUPTIONS = frozenset(request.value for request in TechnicalRequest if request.interrupts)


def is_interruption(action_code: ActionCode, tech: str | None) -> bool:
    """A technical-office request that limits, suspends or disconnects the supply."""
    return action_code == ActionCode.TECHNICAL_OFFICE and (tech is None or tech in TECH_INTERRUPTIONS)


def is_suspendable(customer: CustomerDetails, supply: SupplyDetails) -> bool:
    """Never for non-suspendable or public-body supplies, nor for public-body customers."""
    return supply.supply_type not in (SupplyType.NON_SUSPENDABLE, SupplyType.PUBLIC_BODY) and (
        customer.customer_type != CustomerType.PUBLIC_BODY
    )


LETTER_CODES = frozenset({ActionCode.FRIENDLY_REMINDER, ActionCode.REGISTERED_LETTER})


def missing_postal_parts(customer: CustomerDetails) -> list[str]:
    """What a letter cannot do without: the street (with its number, as the master data sends it), the
    postcode (*CAP*) and the town (*comune*). The province is printed when known, never required.
    A value of blanks only counts as missing."""
    parts = (("indirizzo", customer.address), ("CAP", customer.postcode), ("comune", customer.city))
    return [label for label, value in parts if not (value and value.strip())]


def postal_address(customer: CustomerDetails) -> str | None:
    """The address a letter is sent to, on one line; None when incomplete (see ``missing_postal_parts``)."""
    if missing_postal_parts(customer):
        return None
    assert customer.address and customer.postcode and customer.city
    address = f"{customer.address.strip()}, {customer.postcode.strip()} {customer.city.strip()}"
    if customer.province and customer.province.strip():
        address += f" ({customer.province.strip()})"
    return address


def contact_for(action_code: ActionCode, customer: CustomerDetails) -> tuple[str | None, SkipReason | None]:
    """The recipient of a message step, or the reason it must be skipped."""
    if action_code == ActionCode.SMS:
        return (customer.mobile, None) if customer.mobile else (None, SkipReason.MISSING_MOBILE)
    if action_code == ActionCode.EMAIL:
        return (customer.email, None) if customer.email else (None, SkipReason.MISSING_EMAIL)
    if action_code == ActionCode.PEC:
        return (customer.pec, None) if customer.pec else (None, SkipReason.MISSING_PEC)
    if action_code in LETTER_CODES:
        address = postal_address(customer)
        return (address, None) if address is not None else (None, SkipReason.MISSING_ADDRESS)
    return (None, None)


def missing_contact_detail(reason: SkipReason, customer: CustomerDetails) -> str:
    """The worklist's detail of a skip for a missing contact (which parts of the address lack)."""
    if reason == SkipReason.MISSING_ADDRESS:
        return f"{reason.label}: manca {', '.join(missing_postal_parts(customer))}"
    return reason.label
