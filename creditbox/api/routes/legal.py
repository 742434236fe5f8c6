"""The legal proceedings of a case handed over to litigation (*contenzioso*): record a milestone with
its documents (``multipart/form-data``: the fields and any number of ``documents`` files), list the
milestones of a customer's cases (the documents by name and SHA-256; their bytes go into the
evidence dossier).

Recording needs ``cases:litigate`` (the legal team, supervisors); the same milestone sent again changes
nothing (``changed: false``). A refused milestone or document is a problem document naming the field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from creditbox.api.deps import ContainerDep
from creditbox.api.guard import GuardedRoute
from creditbox.api.permissions import Permission, needs
from creditbox.api.problems import problem_responses
from creditbox.api.routes.cases import CASE, OnCase, OnCustomer
from creditbox.api.schemas.cases import CommandOut
from creditbox.api.schemas.common import IsoDate, Money, NoteText
from creditbox.api.schemas.legal import CaseProceedingsOut, CustomerProceedingsOut, LegalMilestoneKindIn
from creditbox.application.legal_documents import Attachment
from creditbox.application.legal_proceedings import MilestoneDraft, proceedings_json
from creditbox.domain.workflow.legal import COURT_LENGTH, DOCKET_LENGTH, LegalMilestoneKind

router = APIRouter(prefix="/api/v1/companies/{company}", tags=["legal"], route_class=GuardedRoute)

MILESTONES = f"/positions{CASE}/legal-milestones"


@router.post(
    MILESTONES,
    response_model=CommandOut,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 422),
    **needs(Permission.CASES_LITIGATE),
)
def record_milestone(
    case: OnCase,
    container: ContainerDep,
    kind: Annotated[LegalMilestoneKindIn, Form(description="La fase")],
    occurred_on: Annotated[IsoDate, Form(description="Data della fase (non successiva a oggi)")],
    court: Annotated[str | None, Form(max_length=COURT_LENGTH, description="Tribunale")] = None,
    docket: Annotated[str | None, Form(max_length=DOCKET_LENGTH, description="Numero di ruolo (R.G.)")] = None,
    amount: Annotated[Money | None, Form(description="Importo (ingiunto, recuperato …)")] = None,
    next_deadline: Annotated[IsoDate | None, Form(description="Prossima scadenza (udienza, termine …)")] = None,
    note: Annotated[NoteText, Form()] = "",
    documents: Annotated[
        list[UploadFile] | None,
        File(description="Documenti allegati: PDF, immagini, .eml, .p7m, .docx, .xlsx (ripetibile)"),
    ] = None,
) -> CommandOut:
    """Registra una fase del contenzioso (ricorso, decreto, notifica, opposizione, sentenza, esecuzione,
    somme recuperate, chiusura) con i documenti allegati, conservati per impronta SHA-256."""
    attachments = tuple(Attachment(f.filename or "documento", f.file.read()) for f in documents or [])
    draft = MilestoneDraft(
        kind=LegalMilestoneKind(kind.value),
        occurred_on=occurred_on,
        court=court,
        docket=docket,
        amount=amount,
        next_deadline=next_deadline,
        note=note,
        attachments=attachments,
    )
    legal = container.legal_proceedings()
    result = case.commit(lambda: legal.record(case.company, case.customer_code, case.case_id, draft, by=case.by))
    return CommandOut(changed=result.changed, events=list(result.events), lock_id=None)


@router.get(
    "/positions/{customer_code}/legal-milestones",
    response_model=CustomerProceedingsOut,
    responses=problem_responses(401, 403, 404, 422),
    **needs(Permission.POSITIONS_READ),
)
def list_milestones(customer: OnCustomer, container: ContainerDep) -> CustomerProceedingsOut:
    """Le pratiche del cliente passate al contenzioso, ciascuna con le sue fasi nell'ordine in cui sono
    state registrate e la prossima scadenza (i documenti per nome e impronta SHA-256)."""
    found = container.legal_proceedings().of_customer(customer.company, customer.customer_code)
    return CustomerProceedingsOut(
        customer_code=customer.customer_code,
        cases=[CaseProceedingsOut.model_validate(proceedings_json(p)) for p in found],
    )
