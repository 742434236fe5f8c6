"""Properties of allocation and replay (hypothesis), without a database.

- Money is conserved: bills − credit notes − payments + reversals = balance, whatever the order
  in which the documents arrive.
- Replaying a position's recorded events (through the application's JSON mapper) rebuilds an
  equal position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from eventsourcing.application import Application
from hypothesis import given, settings
from hypothesis import strategies as st

from creditbox.domain.money import ZERO
from creditbox.domain.position import Position
from creditbox.infrastructure.event_store import CreditBoxApplication
from tests.builders import BY, a_position

START = date(2026, 1, 1)
cents = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100)


@dataclass(frozen=True)
class Doc:
    kind: str  # bill | note | payment | reversal
    key: str
    day: int
    amount: Decimal  # signed as stored: notes and reversals negative
    bill: str | None = None
    supply: str = "S1"


@st.composite
def documents(draw: st.DrawFn) -> list[Doc]:
    docs: list[Doc] = []
    bills = draw(st.integers(min_value=0, max_value=6))
    for i in range(bills):
        docs.append(
            Doc("bill", f"B{i}", draw(st.integers(0, 200)), draw(cents), supply=draw(st.sampled_from(["S1", "S2"])))
        )
    for i in range(draw(st.integers(0, 2))):
        docs.append(Doc("note", f"N{i}", draw(st.integers(0, 200)), -draw(cents)))
    for i in range(draw(st.integers(0, 6))):
        named = f"B{draw(st.integers(0, bills - 1))}" if bills and draw(st.booleans()) else None
        docs.append(Doc("payment", f"P{i}", draw(st.integers(0, 200)), draw(cents), named))
    for i in range(draw(st.integers(0, 2))):
        named = f"B{draw(st.integers(0, bills - 1))}" if bills and draw(st.booleans()) else None
        docs.append(Doc("reversal", f"R{i}", draw(st.integers(0, 200)), -draw(cents), named))
    return docs


def arrival_order(docs: list[Doc], shuffled: list[Doc]) -> list[Doc]:
    """Any order, except that a payment naming a bill comes after that bill (else it is refused)."""
    bills_seen: set[str] = set()
    ready: list[Doc] = []
    waiting: list[Doc] = []
    for doc in shuffled:
        if doc.bill is not None and doc.bill not in bills_seen:
            waiting.append(doc)
            continue
        ready.append(doc)
        if doc.kind == "bill":
            bills_seen.add(doc.key)
            ready.extend(w for w in waiting if w.bill == doc.key)
            waiting = [w for w in waiting if w.bill != doc.key]
    return ready + waiting


def apply(docs: list[Doc]) -> Position:
    position = a_position(supplies=("S1", "S2"))
    for doc in docs:
        day = START + timedelta(days=doc.day)
        if doc.kind in ("bill", "note"):
            position.issue_bill(doc.key, doc.supply, day, day + timedelta(days=30), doc.amount, by=BY)
        else:
            position.receive_payment(doc.key, day, doc.amount, doc.bill, by=BY)
    return position


@st.composite
def two_orders(draw: st.DrawFn) -> tuple[list[Doc], list[Doc], list[Doc]]:
    docs = draw(documents())
    first = arrival_order(docs, draw(st.permutations(docs)))
    second = arrival_order(docs, draw(st.permutations(docs)))
    return docs, first, second


class TestMoneyIsConserved:
    @settings(max_examples=200, deadline=None)
    @given(two_orders())
    def test_balance_is_bills_minus_notes_minus_payments_plus_reversals_in_any_order(
        self, orders: tuple[list[Doc], list[Doc], list[Doc]]
    ) -> None:
        docs, first, second = orders
        bills = sum((d.amount for d in docs if d.kind == "bill"), ZERO)
        notes = sum((-d.amount for d in docs if d.kind == "note"), ZERO)
        payments = sum((d.amount for d in docs if d.kind == "payment"), ZERO)
        reversals = sum((-d.amount for d in docs if d.kind == "reversal"), ZERO)
        expected = bills - notes - payments + reversals

        one, other = apply(first), apply(second)

        assert one.balance() == expected
        assert other.balance() == expected
        assert one.allocation().residuals == other.allocation().residuals
        assert one.allocation().credit == other.allocation().credit
        assert all(Decimal("0") <= r <= one.bills[n].amount for n, r in one.allocation().residuals.items())


class TestReplay:
    @settings(max_examples=100, deadline=None)
    @given(documents())
    def test_replaying_the_recorded_events_rebuilds_an_equal_position(self, docs: list[Doc]) -> None:
        position = apply(arrival_order(docs, docs))
        app: Application = CreditBoxApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        app.save(position)

        replayed = app.repository.get(position.id)

        assert isinstance(replayed, Position)
        assert replayed.version == position.version
        assert replayed.details == position.details
        assert replayed.supplies == position.supplies
        assert replayed.bills == position.bills
        assert replayed.credit_notes == position.credit_notes
        assert replayed.payments == position.payments
        assert replayed.allocation() == position.allocation()
        as_of = START + timedelta(days=120)
        assert replayed.open_items(as_of) == position.open_items(as_of)
        assert replayed.overdue(as_of) == position.overdue(as_of)
