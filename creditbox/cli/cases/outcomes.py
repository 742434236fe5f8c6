"""``cases outcome``, ``cases correct-outcome`` and ``cases reactivation``: what became of an executed step."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from creditbox.cli.cases.session import case_session, optional_date, report
from creditbox.cli.choices import enum_choice
from creditbox.cli.context import fail, parse_date
from creditbox.cli.options import By, CaseId, Company, Customer, Note, OnDate, StepSeq
from creditbox.domain.workflow.outcomes import StepOutcome

_OUTCOMES_HELP = (
    "A/R: "
    + ", ".join(f"{o.label} ({o.value})" for o in StepOutcome if o.is_delivery)
    + "; uffici: "
    + ", ".join(f"{o.label} ({o.value})" for o in StepOutcome if not o.is_delivery)
)


def outcome(
    customer: Customer,
    case: CaseId,
    seq: StepSeq,
    result_code: Annotated[str, typer.Argument(metavar="ESITO", help=_OUTCOMES_HELP)],
    company: Company,
    note: Note = "",
    on: OnDate = None,
    by: By = None,
) -> None:
    """Registra l'esito di un passo eseguito (consegna, giacenza, esito ufficio tecnico o agenzia)."""
    parsed = enum_choice(StepOutcome, result_code, "esito")
    with case_session(company, customer, by) as s:
        result = s.commands.record_outcome(s.code, customer, case, seq, parsed, optional_date(on), note, by=s.by)
        report(result, f"esito del passo {seq} registrato: {parsed.label}")


def correct_outcome(
    customer: Customer,
    case: CaseId,
    seq: StepSeq,
    result_code: Annotated[str, typer.Argument(metavar="ESITO", help="L'esito corretto (come per 'outcome')")],
    company: Company,
    on: Annotated[str, typer.Option("--date", help="La data corretta dell'esito (AAAA-MM-GG)")],
    reason: Annotated[str, typer.Option("--reason", help="Perché si corregge (obbligatorio)")],
    replaces: Annotated[
        str | None, typer.Option("--replaces", help="L'esito errato (default: l'ultimo registrato)")
    ] = None,
    replaces_date: Annotated[str | None, typer.Option("--replaces-date", help="La data dell'esito errato")] = None,
    by: By = None,
) -> None:
    """Corregge un esito registrato per errore: il nuovo esito lo sostituisce, con chi e perché."""
    parsed = enum_choice(StepOutcome, result_code, "esito")
    if (replaces is None) != (replaces_date is None):
        fail("indicare sia --replaces sia --replaces-date, o nessuno dei due", code=2)
    target = None
    if replaces is not None and replaces_date is not None:
        wrong_on = parse_date(replaces_date, date.min, option="--replaces-date")
        target = (enum_choice(StepOutcome, replaces, "esito"), wrong_on)
    when = parse_date(on, date.min, option="--date")
    with case_session(company, customer, by) as s:
        result = s.commands.correct_outcome(s.code, customer, case, seq, parsed, when, reason, target, by=s.by)
        report(result, f"esito corretto in {parsed.label} del {when:%d/%m/%Y}")


def reactivation(
    customer: Customer,
    case: CaseId,
    company: Company,
    failed: Annotated[bool, typer.Option("--failed", help="Riattivazione non riuscita")] = False,
    note: Note = "",
    on: OnDate = None,
    by: By = None,
) -> None:
    """Registra l'esito della richiesta di riattivazione all'Ufficio tecnico."""
    with case_session(company, customer, by) as s:
        result = s.commands.record_reactivation(s.code, customer, case, not failed, optional_date(on), note, by=s.by)
        report(result, "esito riattivazione registrato")
