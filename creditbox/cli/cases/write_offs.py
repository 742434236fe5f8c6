"""``cases write-off`` (ask for a write-off or a settlement) and ``cases approve-write-off``."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import typer

from creditbox.api.permissions import Permission
from creditbox.cli.cases.session import amount, case_session, optional_date, report
from creditbox.cli.options import By, CaseId, Company, Customer, Level, OnDate, Reason
from creditbox.domain.workflow.outcomes import WriteOffKind


def write_off(
    customer: Customer,
    case: CaseId,
    company: Company,
    settlement: Annotated[str | None, typer.Option("--settlement", help="Importo concordato (transazione)")] = None,
    note: Reason = "",
    on: OnDate = None,
    by: By = None,
) -> None:
    """Chiede lo stralcio (o, con --settlement, una transazione) della pratica."""
    kind = WriteOffKind.SETTLEMENT if settlement else WriteOffKind.WRITE_OFF
    agreed = amount(settlement) if settlement else Decimal("0.00")
    with case_session(company, customer, by) as s:
        when = optional_date(on)
        result = s.commands.request_write_off(s.code, customer, case, kind, agreed, note, by=s.by, business_date=when)
        report(result, f"richiesta di {kind.label} registrata")


def approve_write_off(
    customer: Customer,
    case: CaseId,
    company: Company,
    level: Level = None,
    refuse: Annotated[bool, typer.Option("--refuse", help="Rifiuta invece di approvare")] = False,
    note: Reason = "",
    on: OnDate = None,
    by: By = None,
) -> None:
    """Approva (o rifiuta) lo stralcio o la transazione richiesti, entro il massimale del livello."""
    with case_session(company, customer, by, Permission.CASES_APPROVE) as s:
        acting_level, when = s.level(level), optional_date(on)
        if refuse:
            result = s.commands.refuse_write_off(
                s.code, customer, case, acting_level, note, by=s.by, business_date=when
            )
            report(result, "stralcio rifiutato")
        else:
            result = s.commands.approve_write_off(s.code, customer, case, acting_level, by=s.by, business_date=when)
            report(result, "stralcio approvato")
