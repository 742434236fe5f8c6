"""Imports from the console: upload a billing workbook, read its report, download the rejected rows.

The upload runs the importer exactly as ``POST /api/v1/companies/{company}/imports`` does (same
permission ``feed:write``, same parser choice, same ``Committer``, the operator's name as ``by``);
the report and the list come from the ``imports`` read models, like ``GET .../imports/{id}``. A
rejected row is shown with its sheet, row, column and reason as the file wrote them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from creditbox.api.deps import Committer
from creditbox.api.permissions import Permission, allows
from creditbox.application.console_accounts import ConsoleSession
from creditbox.application.records import UnreadableFile
from creditbox.console.web import (
    PREFIX,
    XLSX,
    XLSX_SIGNATURE,
    ConsoleError,
    back,
    company_for,
    container_of,
    current_session,
    page,
    read_upload,
    require,
)
from creditbox.domain.errors import DomainError
from creditbox.infrastructure.excel.writer import Column, Kind, SheetSpec, save_workbook
from creditbox.projections.queries.imports import get_import, imports_page, rejections_of

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Session = Annotated[ConsoleSession, Depends(current_session)]


@router.get("/{company}/importazioni")
def imports(request: Request, session: Session, company: str) -> Response:
    require(session, Permission.IMPORTS_READ)
    code = company_for(request, session, company)
    with container_of(request).projections.connect() as conn:
        rows = imports_page(conn, code, limit=50).items
    can_upload = allows(session.principal.role, Permission.FEED_WRITE)
    return page(request, "imports.html", company=code, rows=rows, can_upload=can_upload)


@router.post("/{company}/importazioni")
async def upload(request: Request, session: Session, company: str) -> Response:
    """Import the uploaded workbook, then show its report (or say why the file was refused)."""
    upload = await read_upload(request, session)
    fields = upload.fields
    require(session, Permission.FEED_WRITE)
    code = company_for(request, session, company)
    here = f"{PREFIX}/{code}/importazioni"
    if upload.name is None:
        return back(request, session, here, "Scegliere un file .xlsx da importare.")
    content, name = upload.content, upload.name
    if not content.startswith(XLSX_SIGNATURE):
        return back(request, session, here, f"{name!r} non è una cartella di lavoro .xlsx: nulla importato.")
    container = container_of(request)
    by = session.principal.name

    def run() -> str:
        parser = container.import_profiles().parser(code, fields.get("profilo") or None)
        importer = container.importer()
        result = Committer(container)(lambda: importer.run(content, name, code, by=by, parser=parser))
        return str(result.import_id)

    try:
        import_id = await run_in_threadpool(run)
    except (UnreadableFile, DomainError) as error:
        return back(request, session, here, f"File non importato: {error}")
    return back(request, session, f"{here}/{import_id}", f"File {name!r} importato.")


@router.get("/{company}/importazioni/{import_id}")
def report(request: Request, session: Session, company: str, import_id: str) -> Response:
    require(session, Permission.IMPORTS_READ)
    code = company_for(request, session, company)
    with container_of(request).projections.connect() as conn:
        row = get_import(conn, code, import_id[:64])
        rejected = rejections_of(conn, code, row.import_id) if row is not None else []
    if row is None:
        raise ConsoleError(404, f"importazione sconosciuta: {import_id[:64]!r}")
    return page(request, "import.html", company=code, row=row, rejected=rejected)


@router.get("/{company}/importazioni/{import_id}/scarti")
def rejects(request: Request, session: Session, company: str, import_id: str) -> Response:
    """The rejected rows as a workbook: sheet, row, column, reason."""
    require(session, Permission.IMPORTS_READ)
    code = company_for(request, session, company)
    with container_of(request).projections.connect() as conn:
        row = get_import(conn, code, import_id[:64])
        rejected = rejections_of(conn, code, row.import_id) if row is not None else []
    if row is None:
        raise ConsoleError(404, f"importazione sconosciuta: {import_id[:64]!r}")
    sheet = SheetSpec(
        "Righe scartate",
        [Column("Foglio"), Column("Riga", Kind.INTEGER), Column("Colonna"), Column("Motivo", width=80)],
        [(r.sheet, r.row_number, r.column_name, r.reason) for r in rejected],
    )
    name = f"scarti-{code}-{row.file_name.rsplit('.', 1)[0]}.xlsx".replace('"', "")
    return Response(
        save_workbook([sheet]), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
