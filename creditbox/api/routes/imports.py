"""File uploads (*importazione*: .xlsx, .xls, .ods, .csv): same validation and summary as
``creditbox import --json``."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Path, Query, UploadFile

from creditbox.api.deps import Commit, CompanyCode, ContainerDep, CurrentPrincipal
from creditbox.api.guard import GuardedRoute
from creditbox.api.permissions import Permission, needs
from creditbox.api.problems import ApiProblem, FieldError, problem_responses
from creditbox.api.schemas.imports import ImportOut, ImportRecordOut, RejectionOut, SheetCountsOut
from creditbox.application.file_formats import ACCEPTED, detect_format
from creditbox.application.records import UnreadableFile
from creditbox.domain.imports import Import

router = APIRouter(prefix="/api/v1/companies/{company}/imports", tags=["imports"], route_class=GuardedRoute)


@router.post(
    "",
    response_model=ImportOut,
    responses=problem_responses(400, 401, 403, 404, 413, 415, 422),
    **needs(Permission.FEED_WRITE),
)
def upload(
    file: Annotated[UploadFile, File(description="File .xlsx, .xls, .ods o .csv (formato standard o del profilo)")],
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
    profile: Annotated[
        str | None,
        Query(
            description="Profilo di importazione dell'azienda ('creditbox profiles'): il formato del file;"
            " default: il formato standard",
            max_length=40,
        ),
    ] = None,
) -> ImportOut:
    """Importa un file Excel, LibreOffice o CSV (fogli Clienti, Forniture, Bollette, Pagamenti, o quelli
    del profilo indicato).
    Le righe errate sono riportate con foglio, riga, colonna e motivo (come scritti nel file); le buone
    entrano. Lo stesso file due volte non aggiunge nulla. Un profilo sconosciuto: 404, nulla importato."""
    name = file.filename or "upload.xlsx"
    content = file.file.read()
    try:  # the content decides, not the media type browsers guess (a CSV is often sent as Excel)
        detect_format(content, name)
    except UnreadableFile as error:
        raise ApiProblem(
            415, str(error), errors=[FieldError(field="file", location="body", message=ACCEPTED)]
        ) from None
    parser = container.import_profiles().parser(company, profile)
    try:
        result = commit(lambda: container.importer().run(content, name, company, by=principal.name, parser=parser))
    except UnreadableFile as error:
        raise ApiProblem(
            422, str(error), errors=[FieldError(field="file", location="body", message=str(error))]
        ) from None
    return ImportOut.model_validate(result.as_json())


@router.get(
    "/{import_id}",
    response_model=ImportRecordOut,
    responses=problem_responses(401, 403, 404, 422),
    **needs(Permission.IMPORTS_READ),
)
def get_import(
    import_id: Annotated[UUID, Path(description="Id dell'importazione")],
    company: CompanyCode,
    container: ContainerDep,
) -> ImportRecordOut:
    """Un'importazione registrata: file, impronta, conteggi per foglio, righe scartate."""
    record = container.app.get_or_none(import_id)
    if not isinstance(record, Import) or record.company != company:
        raise ApiProblem(404, f"importazione {import_id} sconosciuta")
    counts = {name: SheetCountsOut(**c) for name, c in record.counts.items()}
    return ImportRecordOut(
        import_id=str(record.id),
        company=record.company,
        file_name=record.file_name,
        file_sha256=record.file_sha256,
        profile=record.profile,
        profile_version=record.profile_version,
        imported_at=record.imported_at.isoformat(),
        runs=record.runs,
        sheets=counts,
        rejected=[RejectionOut(**r) for r in record.rejected],
        warnings=list(record.warnings),
    )
