"""``cases confirm|discard`` (a proposed action) and ``cases approve|refuse`` (a step awaiting approval)."""

from __future__ import annotations

from creditbox.api.permissions import Permission
from creditbox.cli.cases.session import case_session, optional_date, report
from creditbox.cli.options import By, CaseId, Company, Customer, Level, OnDate, Reason, StepSeq


def confirm(customer: Customer, case: CaseId, seq: StepSeq, company: Company, on: OnDate = None, by: By = None) -> None:
    """Conferma un'azione proposta (lista di lavoro)."""
    with case_session(company, customer, by) as s:
        result = s.commands.confirm_proposal(s.code, customer, case, seq, by=s.by, business_date=optional_date(on))
        report(result, "proposta confermata")


def discard(
    customer: Customer,
    case: CaseId,
    seq: StepSeq,
    company: Company,
    note: Reason = "",
    on: OnDate = None,
    by: By = None,
) -> None:
    """Scarta un'azione proposta: il passo è saltato e si prosegue col successivo."""
    with case_session(company, customer, by) as s:
        when = optional_date(on)
        result = s.commands.discard_proposal(s.code, customer, case, seq, note, by=s.by, business_date=when)
        report(result, "proposta scartata")


def approve(
    customer: Customer,
    case: CaseId,
    seq: StepSeq,
    company: Company,
    level: Level = None,
    on: OnDate = None,
    by: By = None,
) -> None:
    """Approva un passo in attesa di autorizzazione (livello dell'operatore >= livello richiesto)."""
    with case_session(company, customer, by, Permission.CASES_APPROVE) as s:
        acting_level, when = s.level(level), optional_date(on)
        result = s.commands.approve_step(s.code, customer, case, seq, acting_level, by=s.by, business_date=when)
        report(result, "passo approvato")


def refuse(
    customer: Customer,
    case: CaseId,
    seq: StepSeq,
    company: Company,
    level: Level = None,
    note: Reason = "",
    on: OnDate = None,
    by: By = None,
) -> None:
    """Rifiuta un passo in attesa di autorizzazione."""
    with case_session(company, customer, by, Permission.CASES_APPROVE) as s:
        acting_level, when = s.level(level), optional_date(on)
        result = s.commands.refuse_step(s.code, customer, case, seq, acting_level, note, by=s.by, business_date=when)
        report(result, "passo rifiutato")
