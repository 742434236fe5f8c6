"""``cases plan``: a repayment plan in equal monthly instalments on the case's overdue amount."""

from __future__ import annotations

from typing import Annotated

import typer

from creditbox.api.permissions import Permission
from creditbox.cli.cases.session import acting_operator, known_customer, optional_date, report
from creditbox.cli.context import parse_date
from creditbox.cli.options import By, CaseId, Company, Customer, OnDate
from creditbox.domain.errors import Field
from creditbox.domain.money import format_euro
from creditbox.domain.wording import plural
from creditbox.domain.workflow.amounts import supply_debt
from creditbox.domain.workflow.plans import split_evenly


def plan(
    customer: Customer,
    case: CaseId,
    company: Company,
    instalments: Annotated[int, typer.Option("--instalments", help="Numero di rate mensili")],
    first: Annotated[str, typer.Option("--first", help="Scadenza della prima rata (AAAA-MM-GG)")],
    on: OnDate = None,
    by: By = None,
) -> None:
    """Concorda un piano di rientro a rate mensili uguali sullo scaduto della pratica."""
    with known_customer(company, customer) as (c, code):
        acting = acting_operator(c, code, by, Permission.CASES_WORK)
        when = c.dunning().business_date(optional_date(on), Field.BUSINESS_DATE, "--date")
        position = c.dunning().load(code, customer)
        owed = supply_debt(position, position.case(case).supply_code, when).overdue
        schedule = split_evenly(owed, instalments, parse_date(first, when, option="--first"))
        result = c.case_commands().agree_plan(code, customer, case, schedule, by=acting.name, business_date=when)
        report(result, f"piano di rientro in {plural(instalments, 'rata', 'rate')} su {format_euro(owed)} concordato")
