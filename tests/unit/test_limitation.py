"""The two-year limitation (``domain/limitation.py``, L. 205/2017 art. 1 c. 4-5): which bills it
covers (customer type, service, due date after the service's start date) and when they become
*prescrivibili* (due date + 2 years before the date asked)."""

from __future__ import annotations

from datetime import date

import pytest

from creditbox.domain.codes import CustomerType, Service
from creditbox.domain.limitation import covered, limitation_date, limitation_status

DOMESTIC, BUSINESS = CustomerType.DOMESTIC, CustomerType.NON_DOMESTIC


@pytest.mark.parametrize(
    ("service", "last_not_covered"),
    [(Service.ELECTRICITY, date(2018, 3, 1)), (Service.GAS, date(2019, 1, 1)), (Service.WATER, date(2020, 1, 1))],
)
def test_bills_due_after_the_start_date_of_their_service_are_covered(service: Service, last_not_covered: date) -> None:
    assert not covered(DOMESTIC, service, last_not_covered)
    assert covered(DOMESTIC, service, last_not_covered.replace(day=last_not_covered.day + 1))
    assert covered(BUSINESS, service, date(2024, 1, 1))  # a micro-business may be among them


def test_telephone_large_accounts_and_public_bodies_are_never_covered() -> None:
    assert not covered(DOMESTIC, Service.TELEPHONE, date(2024, 1, 1))
    for customer in (CustomerType.LARGE_ACCOUNT, CustomerType.PUBLIC_BODY):
        for service in Service:
            assert not covered(customer, service, date(2024, 1, 1))


def test_a_covered_bill_is_prescrivibile_once_two_years_from_its_due_date_have_run() -> None:
    due = date(2022, 2, 28)
    assert limitation_date(due) == date(2024, 2, 28)
    on_the_day = limitation_status(DOMESTIC, Service.WATER, due, date(2024, 2, 28))
    assert on_the_day.covered and not on_the_day.time_barred and on_the_day.label == "Soggetta a prescrizione biennale"
    after = limitation_status(DOMESTIC, Service.WATER, due, date(2024, 2, 29))
    assert after.time_barred and after.label == "Prescrivibile"
    telephone = limitation_status(DOMESTIC, Service.TELEPHONE, due, date(2030, 1, 1))
    assert not telephone.time_barred and telephone.label == "Non soggetta"


def test_limitation_dates_at_the_ends_of_the_calendar() -> None:
    assert limitation_date(date(2024, 2, 29)) == date(2026, 2, 28)
    assert limitation_date(date(9998, 6, 1)) == date.max
