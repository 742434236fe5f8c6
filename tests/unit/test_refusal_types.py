"""Refusals are told apart by type and ``field``, never by the wording of their (Italian) message:
the domain raises typed errors, the ingestor turns them into a kind and a column."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from creditbox.application.record_checks import (
    RecordConflict,
    RecordRefused,
    UnknownCustomer,
    UnknownReference,
    column_for,
    kind_of,
)
from creditbox.application.records import (
    BillRecord,
    Column,
    CustomerRecord,
    PaymentRecord,
    Record,
    RejectionKind,
    SupplyRecord,
)
from creditbox.domain.errors import (
    Conflict,
    DomainError,
    Field,
    InvalidCommand,
    LevelTooLow,
    NotAllowed,
    NotFound,
)
from creditbox.domain.workflow.plans import build_instalments
from tests.builders import BY, a_position, bill, details, supply

BILL = BillRecord("B1", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), Decimal("10.00"))
PAYMENT = PaymentRecord("P1", "C1", date(2026, 2, 1), Decimal("10.00"))
CUSTOMER = CustomerRecord("C1", details())
SUPPLY = SupplyRecord("C1", supply())

# A message with none of the words the edges used to look for ("importo", "scadenza",
# "fornitura", "già presente", "appartiene", "livello di autorizzazione", "massimale").
NEUTRAL = "rifiutato"


class TestTheDomainRaisesTypedRefusals:
    def test_a_zero_amount_names_the_amount(self) -> None:
        position = a_position()
        with pytest.raises(InvalidCommand) as bill_error:
            bill(position, "B1", date(2026, 1, 31), "0.00")
        with pytest.raises(InvalidCommand) as payment_error:
            position.receive_payment("P1", date(2026, 2, 1), Decimal("0"), by=BY)
        assert bill_error.value.field is Field.AMOUNT
        assert payment_error.value.field is Field.AMOUNT

    def test_a_due_date_before_the_issue_date_names_the_due_date(self) -> None:
        position = a_position()
        with pytest.raises(InvalidCommand) as error:
            position.issue_bill("B1", "S1", date(2026, 2, 1), date(2026, 1, 1), Decimal("10"), by=BY)
        assert error.value.field is Field.DUE_DATE

    def test_an_unknown_supply_or_bill_is_named(self) -> None:
        position = a_position()
        with pytest.raises(NotFound) as supply_error:
            bill(position, "B1", date(2026, 1, 31), "10.00", supply_code="OTHER")
        with pytest.raises(NotFound) as bill_error:
            position.receive_payment("P1", date(2026, 2, 1), Decimal("5"), "B9", by=BY)
        assert supply_error.value.field is Field.SUPPLY
        assert bill_error.value.field is Field.BILL

    def test_a_refusal_of_the_whole_command_names_no_field(self) -> None:
        position = a_position()
        bill(position, "B1", date(2026, 1, 31), "10.00")
        with pytest.raises(Conflict) as error:
            bill(position, "B1", date(2026, 1, 31), "12.00")
        assert error.value.field is None

    def test_an_instalment_names_its_amount_or_due_date(self) -> None:
        agreed = date(2026, 3, 1)
        with pytest.raises(InvalidCommand) as amount:
            build_instalments(agreed, [(date(2026, 4, 1), Decimal("0"))])
        with pytest.raises(InvalidCommand) as due:
            build_instalments(agreed, [(date(2026, 2, 1), Decimal("10"))])
        assert amount.value.field is Field.AMOUNT
        assert due.value.field is Field.DUE_DATE

    def test_level_too_low_is_akind_of_not_allowed(self) -> None:
        error = LevelTooLow(NEUTRAL)
        assert isinstance(error, NotAllowed) and str(error) == NEUTRAL and error.field is None


class TestTheColumnOfARefusal:
    @pytest.mark.parametrize(
        "field, column",
        [
            (Field.AMOUNT, Column.AMOUNT),
            (Field.DUE_DATE, Column.DUE_DATE),
            (Field.SUPPLY, Column.SUPPLY_CODE),
            (Field.BILL, Column.BILL_NUMBER),
        ],
    )
    def test_comes_from_the_field_not_from_the_message(self, field: Field, column: str) -> None:
        assert column_for(BILL, InvalidCommand(NEUTRAL, field=field)) == column
        assert column_for(PAYMENT, NotFound(NEUTRAL, field=field)) == column

    def test_a_message_that_mentions_a_column_does_not_choose_it(self) -> None:
        assert column_for(BILL, InvalidCommand("importo e scadenza sbagliati")) == Column.BILL_NUMBER
        assert column_for(BILL, NotFound("fornitura sconosciuta")) == Column.BILL_NUMBER

    @pytest.mark.parametrize(
        "record, column",
        [
            (CUSTOMER, Column.CUSTOMER_CODE),
            (SUPPLY, Column.SUPPLY_CODE),
            (BILL, Column.BILL_NUMBER),
            (PAYMENT, Column.PAYMENT_ID),
        ],
    )
    def test_without_a_field_is_the_key_of_the_record(self, record: Record, column: str) -> None:
        for error in (InvalidCommand(NEUTRAL), NotFound(NEUTRAL), Conflict(NEUTRAL)):
            assert column_for(record, error) == column

    def test_of_the_ingestor_s_own_checks_is_the_one_they_name(self) -> None:
        assert column_for(BILL, RecordConflict(Column.DUE_DATE, NEUTRAL)) == Column.DUE_DATE
        assert column_for(PAYMENT, UnknownReference(Column.BILL_NUMBER, NEUTRAL)) == Column.BILL_NUMBER
        assert column_for(SUPPLY, UnknownCustomer("NOBODY", "ACQ")) == Column.CUSTOMER_CODE

    def test_of_a_rule_about_no_datum_is_none(self) -> None:
        assert column_for(BILL, NotAllowed(NEUTRAL)) is None
        assert column_for(BILL, DomainError(NEUTRAL)) is None


class TestTheKindOfARejection:
    @pytest.mark.parametrize(
        "error, kind",
        [
            (RecordConflict(Column.AMOUNT, NEUTRAL), RejectionKind.CONFLICT),
            (Conflict(NEUTRAL), RejectionKind.CONFLICT),
            (UnknownReference(Column.SUPPLY_CODE, NEUTRAL), RejectionKind.NOT_FOUND),
            (NotFound(NEUTRAL, field=Field.SUPPLY), RejectionKind.NOT_FOUND),
            (UnknownCustomer("NOBODY", "ACQ"), RejectionKind.UNKNOWN_CUSTOMER),
            (InvalidCommand(NEUTRAL, field=Field.AMOUNT), RejectionKind.INVALID),
            (NotAllowed(NEUTRAL), RejectionKind.NOT_ALLOWED),
            (LevelTooLow(NEUTRAL), RejectionKind.NOT_ALLOWED),
            (DomainError(NEUTRAL), RejectionKind.REFUSED),
        ],
    )
    def test_comes_from_the_type(self, error: DomainError, kind: RejectionKind) -> None:
        assert kind_of(error) is kind

    def test_the_old_marker_words_do_not_make_a_conflict(self) -> None:
        assert kind_of(InvalidCommand("bolletta già presente: appartiene a un altro")) is RejectionKind.INVALID
        assert kind_of(UnknownReference(Column.SUPPLY_CODE, "la fornitura appartiene")) is RejectionKind.NOT_FOUND

    def test_the_ingestor_s_own_refusals_are_domain_errors_of_the_matching_type(self) -> None:
        conflict = RecordConflict(Column.AMOUNT, NEUTRAL)
        assert isinstance(conflict, Conflict) and isinstance(conflict, RecordRefused)
        assert isinstance(UnknownReference(Column.BILL_NUMBER, NEUTRAL), NotFound)
        assert isinstance(UnknownCustomer("NOBODY", "ACQ"), NotFound)
