"""The legal proceedings of the cases handed over to litigation (*contenzioso*), for the CLI and the API:
record a milestone (with its documents), list the milestones of a customer's cases.

Recording goes the way of the other case commands (``case_commands``): load the position, let the
domain decide and record (``Position.record_legal_milestone``), keep the attached documents, save and
run what became due. The recording time comes from the clock; the milestone's own date may not be
later than the business date (with the usual tolerance). Sending the same milestone again changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from creditbox.application.case_commands import CommandResult
from creditbox.application.date_policy import DatePolicy
from creditbox.application.dunning import DunningService
from creditbox.application.legal_documents import Attachment, LegalDocuments
from creditbox.clock import Clock
from creditbox.domain.workflow.cases import CaseStatus, DunningCase
from creditbox.domain.workflow.legal import LegalMilestone, LegalMilestoneKind, last_milestone


@dataclass(frozen=True)
class MilestoneDraft:
    """A milestone as the legal team gives it (the recording time and who records come apart)."""

    kind: LegalMilestoneKind
    occurred_on: date
    court: str | None = None
    docket: str | None = None
    amount: Decimal | None = None
    next_deadline: date | None = None
    note: str = ""
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class CaseProceedings:
    """A case handed over to litigation and its milestones, in the order recorded."""

    case_id: str
    supply_code: str
    status: CaseStatus
    milestones: tuple[LegalMilestone, ...]

    @property
    def last(self) -> LegalMilestone | None:
        return last_milestone(self.milestones)

    @property
    def next_deadline(self) -> date | None:
        last = self.last
        return last.next_deadline if last is not None else None


class LegalProceedings:
    def __init__(self, service: DunningService, documents: LegalDocuments, clock: Clock, dates: DatePolicy) -> None:
        self._service = service
        self._documents = documents
        self._clock = clock
        self._dates = dates

    def record(self, company: str, customer: str, case_id: str, draft: MilestoneDraft, *, by: str) -> CommandResult:
        """Record a milestone of the case ``case_id`` of ``customer``; its documents are checked first
        (type, content, size) and kept only once the domain has accepted the milestone."""
        documents = self._documents.check_all(draft.attachments)
        position = self._service.load(company, customer)
        changed = position.record_legal_milestone(
            case_id,
            draft.kind,
            draft.occurred_on,
            by=by,
            window=self._dates.window(),
            recorded_at=self._clock.now(),
            court=draft.court,
            docket=draft.docket,
            amount=draft.amount,
            next_deadline=draft.next_deadline,
            note=draft.note,
            documents=documents,
        )
        if changed:
            for attachment in draft.attachments:
                self._documents.keep(position.company, attachment.content)
        events = self._service.save_and_run(position, self._clock.today(), by=by)
        return CommandResult(changed, events)

    def of_customer(self, company: str, customer: str, case_id: str | None = None) -> list[CaseProceedings]:
        """The customer's cases that went to litigation (or only ``case_id``), oldest first."""
        position = self._service.load(company, customer)
        cases = [position.case(case_id)] if case_id is not None else list(position.dunning.cases.values())
        return [_proceedings(c) for c in cases if case_id is not None or _went_to_litigation(c)]


def _went_to_litigation(case: DunningCase) -> bool:
    return case.status in (CaseStatus.IN_LITIGATION, CaseStatus.CLOSED_LITIGATION) or bool(case.legal_milestones)


def _proceedings(case: DunningCase) -> CaseProceedings:
    return CaseProceedings(case.case_id, case.supply_code, case.status, case.legal_milestones)


def milestone_json(m: LegalMilestone) -> dict[str, Any]:
    """A milestone as JSON values (codes and labels, ISO dates, amounts as strings)."""
    return {
        "kind": m.kind.value,
        "kind_label": m.kind.label,
        "occurred_on": m.occurred_on.isoformat(),
        "recorded_at": m.recorded_at.isoformat(),
        "recorded_by": m.recorded_by,
        "court": m.court,
        "docket": m.docket,
        "amount": str(m.amount) if m.amount is not None else None,
        "next_deadline": m.next_deadline.isoformat() if m.next_deadline else None,
        "note": m.note,
        "documents": [{"name": d.name, "sha256": d.sha256, "media_type": d.media_type} for d in m.documents],
    }


def proceedings_json(p: CaseProceedings) -> dict[str, Any]:
    last = p.last
    return {
        "case_id": p.case_id,
        "supply_code": p.supply_code,
        "status": p.status.value,
        "status_label": p.status.label,
        "last_milestone": last.kind.value if last is not None else None,
        "next_deadline": p.next_deadline.isoformat() if p.next_deadline else None,
        "milestones": [milestone_json(m) for m in p.milestones],
    }
