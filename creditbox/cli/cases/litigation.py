"""``cases litigation`` (hand the case over to the legal office) and ``cases litigation-outcome``."""

from __future__ import annotations

from typing import Annotated

import typer

from creditbox.api.permissions import Permission
from creditbox.cli.cases.session import amount, case_session, optional_date, report
from creditbox.cli.choices import allowed_help, enum_choice
from creditbox.cli.options import By, CaseId, Company, Customer, Level, Note, OnDate
from creditbox.domain.workflow.outcomes import LitigationResult


def litigation(
    customer: Customer, case: CaseId, company: Company, level: Level = None, on: OnDate = None, by: By = None
) -> None:
    """Passa la pratica all'ufficio legale (contenzioso)."""
    with case_session(company, customer, by, Permission.CASES_APPROVE) as s:
        acting_level, when = s.level(level), optional_date(on)
        result = s.commands.hand_over_to_litigation(s.code, customer, case, acting_level, by=s.by, business_date=when)
        report(result, "pratica passata a contenzioso")


def litigation_outcome(
    customer: Customer,
    case: CaseId,
    company: Company,
    result_code: Annotated[str, typer.Option("--result", help="Esito: " + allowed_help(LitigationResult))],
    recovered: Annotated[str, typer.Option("--recovered", help="Importo recuperato")] = "0",
    note: Note = "",
    on: OnDate = None,
    by: By = None,
) -> None:
    """Registra l'esito del contenzioso (chiude la pratica)."""
    parsed = enum_choice(LitigationResult, result_code, "esito")
    with case_session(company, customer, by, Permission.CASES_LITIGATE) as s:
        got = amount(recovered)
        result = s.commands.record_litigation_outcome(
            s.code, customer, case, parsed, got, optional_date(on), note, by=s.by
        )
        report(result, f"esito del contenzioso registrato: {parsed.label}")
