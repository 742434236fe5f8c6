"""The two-year limitation of utility bills (*prescrizione biennale*, L. 205/2017 art. 1 c. 4–5).

For domestic customers and micro-businesses, the right to the price of electricity, gas and water
prescribes in two years instead of five; the rule applies to the bills **due after** 1 March 2018
(electricity), 1 January 2019 (gas) and 1 January 2020 (water) — art. 1 c. 5. Telephone bills are
not covered.

What CreditBox can tell from its data, and the rule it applies:

- the customer: *domestico* is covered; *non domestico* is flagged too, because the micro-businesses
  (fewer than 10 employees and at most 2 million € of turnover) are among them and the billing system
  does not say which: the flag warns, the legal team checks; large accounts (*grandi utenti*) and
  public bodies are not micro-businesses and are never flagged;
- the bill: its service (from its supply) and its due date against the start date above;
- the two years run from the due date (when the price can be claimed, art. 2935 c.c.) — the same date
  + 2 years the ageing calls *prescrizione*: a covered bill whose due date + 2 years falls before the
  date asked is *prescrivibile*: the customer may refuse to pay it unless the running was interrupted
  (a formal notice received, art. 2943 c.c.), which the legal team must check;
- bills carry no consumption period, so the related rule on bills charging consumption older than two
  years (late adjustment bills) cannot be applied here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from creditbox.domain.codes import CustomerType, Service

LIMITATION_YEARS = 2
# L. 205/2017 art. 1 c. 5: the bills due after these dates.
COVERED_FROM: dict[Service, date] = {
    Service.ELECTRICITY: date(2018, 3, 1),
    Service.GAS: date(2019, 1, 1),
    Service.WATER: date(2020, 1, 1),
}
COVERED_CUSTOMERS = frozenset({CustomerType.DOMESTIC, CustomerType.NON_DOMESTIC})
LAW = "L. 205/2017 art. 1 c. 4-5"


def limitation_date(due_date: date) -> date:
    """Due date + 2 years (29 February → 28 February), the end of the calendar at most."""
    try:
        return due_date.replace(year=due_date.year + LIMITATION_YEARS)
    except ValueError:
        if due_date.year + LIMITATION_YEARS > date.max.year:
            return date.max
        return due_date.replace(year=due_date.year + LIMITATION_YEARS, day=28)


def covered(customer_type: CustomerType, service: Service, due_date: date) -> bool:
    """Whether the two-year limitation applies to a bill of this customer, service and due date."""
    start = COVERED_FROM.get(service)
    return start is not None and customer_type in COVERED_CUSTOMERS and due_date > start


@dataclass(frozen=True)
class LimitationStatus:
    covered: bool
    limitation_date: date  # due date + 2 years
    time_barred: bool  # covered and the two years have run before the date asked (*prescrivibile*)

    @property
    def label(self) -> str:
        if self.time_barred:
            return "Prescrivibile"
        return "Soggetta a prescrizione biennale" if self.covered else "Non soggetta"


def limitation_status(customer_type: CustomerType, service: Service, due_date: date, as_of: date) -> LimitationStatus:
    is_covered = covered(customer_type, service, due_date)
    until = limitation_date(due_date)
    return LimitationStatus(is_covered, until, is_covered and until < as_of)
