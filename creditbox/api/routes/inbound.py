"""Inbound files (*file in arrivo*): a file uploaded for a kind (PEC receipts, postal outcomes, the
technical office's and the agency's files) is imported through the same code as ``creditbox inbound
import`` and the inbox; and the worklist of the answers that matched nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, UploadFile

from creditbox.api.deps import Commit, CompanyCode, ContainerDep, CurrentPrincipal
from creditbox.api.guard import GuardedRoute
from creditbox.api.permissions import Permission, needs
from creditbox.api.problems import ApiProblem, FieldError, problem_responses
from creditbox.api.schemas.inbound import InboundOut, UnmatchedAnswerOut, UnmatchedPage
from creditbox.application.inbound import InboundFiles

router = APIRouter(prefix="/api/v1/companies/{company}/inbound", tags=["inbound"], route_class=GuardedRoute)

Kind = Annotated[
    str,
    Path(
        description="Tipo di file: ricevute (ricevute PEC), esiti-postali, ufficio-tecnico, agenzia, ...",
        max_length=40,
        pattern=r"^[a-z][a-z0-9-]*$",
    ),
]


def _known(inbound: InboundFiles, kind: str) -> None:
    if kind not in {i.kind for i in inbound.kinds()}:
        known = ", ".join(i.kind for i in inbound.kinds()) or "nessuno"
        raise ApiProblem(404, f"tipo di file in arrivo sconosciuto: {kind} (tipi: {known})")


@router.post(
    "/{kind}",
    response_model=InboundOut,
    responses=problem_responses(400, 401, 403, 404, 413, 422),
    **needs(Permission.CASES_WORK),
)
def upload(
    kind: Kind,
    file: Annotated[UploadFile, File(description="Il file ricevuto (una ricevuta PEC .eml, un file di esiti, ...)")],
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> InboundOut:
    """Importa un file in arrivo: ogni risposta diventa l'esito della sua azione; quelle che non
    corrispondono a nessuna azione dell'azienda restano fra le risposte non abbinate. Lo stesso file due
    volte non cambia nulla. Un file illeggibile: 422, nulla registrato."""
    inbound = container.inbound_files()
    _known(inbound, kind)
    name = file.filename or "file"
    content = file.file.read()
    if not content:
        raise ApiProblem(422, f"{name!r} è vuoto", errors=[FieldError(field="file", location="body", message="vuoto")])
    result = commit(lambda: inbound.import_file(kind, company, name, content, by=principal.name))
    if result.rejected and not (result.accepted or result.duplicates or result.unmatched):
        raise ApiProblem(
            422,
            f"{name!r} non è stato letto: {result.rejected[0].reason}",
            errors=[FieldError(field="file", location="body", message=r.reason) for r in result.rejected],
        )
    return InboundOut.model_validate(result.as_json())


@router.get(
    "/unmatched",
    response_model=UnmatchedPage,
    responses=problem_responses(401, 403, 404, 422),
    **needs(Permission.POSITIONS_READ),
)
def unmatched(
    company: CompanyCode,
    container: ContainerDep,
    kind: Annotated[str | None, Query(description="Solo i file di questo tipo (es. ricevute)", max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> UnmatchedPage:
    """Risposte non abbinate: ricevute ed esiti che non corrispondono a nessuna azione dell'azienda, le
    più recenti per prime."""
    inbound = container.inbound_files()
    if kind is not None:
        _known(inbound, kind)
    labels = {i.kind: i.label for i in inbound.kinds()}
    answers = inbound.unmatched(company, kind=kind, limit=limit)
    return UnmatchedPage(
        items=[
            UnmatchedAnswerOut(
                kind=a.kind,
                kind_label=labels.get(a.kind, a.kind),
                reference=a.reference,
                filename=a.filename,
                digest=a.digest,
                received_at=a.received_at.isoformat(),
                reason=a.reason,
                details=dict(a.details),
            )
            for a in answers
        ]
    )
