"""``cases lock`` and ``cases unlock``: no action on a supply, or on the whole customer, for a while."""

from __future__ import annotations

from typing import Annotated

import typer

from creditbox.cli.cases.session import case_session, optional_date, report
from creditbox.cli.choices import allowed_help, enum_choice
from creditbox.cli.options import By, Company, Customer, Note, OnDate
from creditbox.domain.workflow.outcomes import LockReason


def lock(
    customer: Customer,
    company: Company,
    reason: Annotated[str, typer.Option("--reason", help="Motivo: " + allowed_help(LockReason))],
    supply: Annotated[
        str | None, typer.Option("--supply", help="Solo questa fornitura (default: tutto il cliente)")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="Dal (default: oggi)")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Fino al (incluso; default: fino a sblocco)")] = None,
    note: Note = "",
    by: By = None,
) -> None:
    """Blocca le azioni su una fornitura o su tutto il cliente."""
    parsed = enum_choice(LockReason, reason, "motivo")
    with case_session(company, customer, by) as s:
        first, last = optional_date(start, "--from"), optional_date(until, "--until")
        result = s.commands.set_lock(s.code, customer, parsed, supply, first, last, note, by=s.by)
        report(result, f"blocco {result.lock_id} ({parsed.label}) impostato")


def unlock(
    customer: Customer,
    lock_id: Annotated[str, typer.Argument(help="Blocco (es. B1)")],
    company: Company,
    note: Note = "",
    on: OnDate = None,
    by: By = None,
) -> None:
    """Rimuove un blocco."""
    with case_session(company, customer, by) as s:
        result = s.commands.lift_lock(s.code, customer, lock_id, optional_date(on), note, by=s.by)
        report(result, f"blocco {lock_id} rimosso")
