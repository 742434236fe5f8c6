"""The Position aggregate, given/when/then, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from creditbox.domain.errors import Conflict, InvalidCommand, NotFound
from creditbox.domain.position import Position
from tests.builders import BY, a_position, bill, details, pay, supply


class TestBills:
    def test_a_bill_is_owed_and_overdue_after_its_due_date(self) -> None:
        position = a_position()
        bill(position, "B1", date(2026, 1, 31), "100.00")
        assert position.balance() == Decimal("100.00")
        assert position.overdue(date(2026, 1, 31)) == Decimal("0.00")
        assert position.overdue(date(2026, 2, 1)) == Decimal("100.00")

    def test_resending_the_same_bill_changes_nothing(self) -> None:
        position = a_position()
        assert bill(position, "B1", date(2026, 1, 31), "100.00") is True
        version = position.version
        assert bill(position, "B1", date(2026, 1, 31), "100.00") is False
        assert position.version == version

    def test_same_bill_number_with_another_amount_is_refused(self) -> None:
        position = a_position()
        bill(position, "B1", date(2026, 1, 31), "100.00")
        with pytest.raises(Conflict, match="B1"):
            bill(position, "B1", date(2026, 1, 31), "120.00")

    def test_due_date_before_issue_date_is_refused(self) -> None:
        position = a_position()
        with pytest.raises(InvalidCommand, match="precedente"):
            position.issue_bill("B1", "S1", date(2026, 2, 1), date(2026, 1, 1), Decimal("10"), by=BY)

    def test_a_bill_for_a_supply_of_someone_else_is_refused(self) -> None:
        position = a_position()
        with pytest.raises(NotFound):
            bill(position, "B1", date(2026, 1, 31), "100.00", supply_code="OTHER")

    def test_a_negative_bill_is_a_credit_note(self) -> None:
        position = a_position()
        bill(position, "B1", date(2026, 1, 31), "100.00")
        bill(position, "NC1", date(2026, 2, 10), "-30.00")
        assert "NC1" in position.credit_notes
        assert position.balance() == Decimal("70.00")
        assert position.open_items()[0].residual == Decimal("70.00")


class TestPayments:
    def test_unnamed_payment_goes_to_the_oldest_due_bill(self) -> None:
        position = a_position()
        bill(position, "B2", date(2026, 2, 28), "50.00")
        bill(position, "B1", date(2026, 1, 31), "100.00")
        pay(position, "P1", date(2026, 3, 1), "120.00")
        residuals = {i.bill_number: i.residual for i in position.open_items()}
        assert residuals == {"B2": Decimal("30.00")}

    def test_named_payment_goes_to_its_bill(self) -> None:
        position = a_position()
        bill(position, "B1", date(2026, 1, 31), "100.00")
        bill(position, "B2", date(2026, 2, 28), "50.00")
        pay(position, "P1", date(2026, 3, 1), "50.00", bill_number="B2")
        residuals = {i.bill_number: i.residual for i in position.open_items()}
        assert residuals == {"B1": Decimal("100.00")}

    def test_overpayment_is_a_credit(self) -> None:
        position = a_position()
        bill(position, "B1", date(2026, 1, 31), "100.00")
        pay(position, "P1", date(2026, 2, 1), "130.00")
        assert position.open_items() == []
        assert position.balance() == Decimal("-30.00")
        assert position.allocation().credit == Decimal("30.00")

    def test_reversal_reopens_the_bill(self) -> None:
        position = a_position()
        bill(position, "B1", date(2026, 1, 31), "100.00")
        pay(position, "P1", date(2026, 2, 1), "100.00")
        pay(position, "R1", date(2026, 2, 10), "-100.00")
        assert position.overdue(date(2026, 2, 11)) == Decimal("100.00")
        assert "R1" in position.payments and position.payments["R1"].is_reversal

    def test_payment_for_an_unknown_bill_is_refused(self) -> None:
        position = a_position()
        with pytest.raises(NotFound):
            pay(position, "P1", date(2026, 2, 1), "10.00", bill_number="NOPE")

    def test_payment_id_resent_with_other_content_is_refused(self) -> None:
        position = a_position()
        bill(position, "B1", date(2026, 1, 31), "100.00")
        pay(position, "P1", date(2026, 2, 1), "10.00")
        assert pay(position, "P1", date(2026, 2, 1), "10.00") is False
        with pytest.raises(Conflict):
            pay(position, "P1", date(2026, 2, 1), "11.00")

    def test_overdue_as_of_a_date_ignores_later_payments(self) -> None:
        position = a_position()
        bill(position, "B1", date(2026, 1, 31), "100.00")
        pay(position, "P1", date(2026, 3, 1), "100.00")
        assert position.overdue(date(2026, 2, 15)) == Decimal("100.00")
        assert position.overdue(date(2026, 3, 2)) == Decimal("0.00")


class TestMasterData:
    def test_same_details_change_nothing_and_new_details_are_recorded(self) -> None:
        position = a_position()
        assert position.update_details(details(), by=BY) is False
        assert position.update_details(details(name="Mario Rossi Srl"), by=BY) is True
        assert position.details.name == "Mario Rossi Srl"

    def test_supply_resent_unchanged_is_a_no_op(self) -> None:
        position = a_position()
        assert position.register_supply(supply("S1"), by=BY) is False

    def test_replaying_events_rebuilds_the_same_position(self) -> None:
        position = a_position()
        bill(position, "B1", date(2026, 1, 31), "100.00")
        pay(position, "P1", date(2026, 2, 1), "40.00")
        events = position.collect_events()
        replayed: Position | None = None
        for event in events:
            replayed = event.mutate(replayed)  # type: ignore[arg-type]
        assert replayed is not None
        assert replayed.__dict__ == position.__dict__
