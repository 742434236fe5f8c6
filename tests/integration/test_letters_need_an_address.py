"""A letter for a customer without a complete postal address is never sent with an empty recipient:
it is skipped, with its reason, onto the missing-contacts worklist (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from creditbox.application.records import BillRecord, CustomerRecord, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.domain.codes import ActionCode, SupplyType
from creditbox.projections.queries.worklists import worklist_page
from creditbox.projections.worklist_rows import WorklistKind
from tests.builders import details, supply

DUE = date(2026, 1, 31)
COMPLETE = {"address": "Via Roma 1", "postcode": "00184", "city": "Roma"}


def _given(
    container: Container, customer: str, supply_type: SupplyType = SupplyType.SUSPENDABLE, **contacts: str
) -> None:
    records = [
        CustomerRecord(customer, details(mobile="3331234567", email="m@example.it", **contacts)),
        SupplyRecord(customer, supply(f"S-{customer}", supply_type=supply_type)),
        BillRecord(f"B-{customer}", customer, f"S-{customer}", date(2026, 1, 1), DUE, Decimal("150.00")),
    ]
    container.ingestor().ingest("ACQ", records, by="test")


@pytest.fixture
def acq(container: Container) -> Container:
    container.companies.register("ACQ", "Acque", by="test")
    return container


def test_letters_without_address_are_skipped_and_listed_never_sent_empty(acq: Container) -> None:
    # Given customers with no address, no postcode, a blank town, and one with a complete address
    _given(acq, "NONE")
    _given(acq, "NOCAP", address="Via Roma 1", city="Roma")
    _given(acq, "BLANK", address="Via Roma 1", postcode="00184", city="  ")
    _given(acq, "FULL", **COMPLETE)
    # When the registered letters fall due (SMS at opening, letter 5 days later)
    acq.dunning().run_due("ACQ", date(2026, 2, 10))
    acq.dunning().run_due("ACQ", date(2026, 2, 15))
    # Then the outbox holds only the complete address's letter, with its recipient
    letters = [a for a in acq.recorded_actions().list("ACQ") if a.action_code == ActionCode.REGISTERED_LETTER]
    assert [(a.customer_code, a.recipient) for a in letters] == [("FULL", "Via Roma 1, 00184 Roma")]
    assert all(a.recipient for a in acq.recorded_actions().list("ACQ"))
    # And the three others are on the missing-contacts worklist, with what is missing
    acq.projections.catch_up()
    with acq.projections.connect() as conn:
        items = worklist_page(conn, "ACQ", WorklistKind.MISSING_CONTACT).items
    found = {i.customer_code: (i.action, i.detail) for i in items}
    assert found == {
        "NONE": (
            4,
            "Sollecito e costituzione in mora A/R con offerta di rateizzazione: "
            "indirizzo postale mancante o incompleto: manca indirizzo, CAP, comune",
        ),
        "NOCAP": (
            4,
            "Sollecito e costituzione in mora A/R con offerta di rateizzazione: "
            "indirizzo postale mancante o incompleto: manca CAP",
        ),
        "BLANK": (
            4,
            "Sollecito e costituzione in mora A/R con offerta di rateizzazione: "
            "indirizzo postale mancante o incompleto: manca comune",
        ),
    }


def test_a_friendly_reminder_without_address_is_listed_too(acq: Container) -> None:
    # Given a non-suspendable supply (friendly reminder first) of a customer without address
    _given(acq, "C1", SupplyType.NON_SUSPENDABLE)
    # When the case opens
    report = acq.dunning().run_due("ACQ", date(2026, 2, 10))
    # Then nothing is sent: the reminder and the registered letter (due from the opening, as skipped
    # steps are transparent) are both on the missing-contacts worklist
    assert report.actions == []
    acq.projections.catch_up()
    with acq.projections.connect() as conn:
        items = worklist_page(conn, "ACQ", WorklistKind.MISSING_CONTACT).items
    assert sorted((i.customer_code, i.action) for i in items) == [("C1", 3), ("C1", 4)]
