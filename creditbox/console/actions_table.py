"""The company's actions table (*tabella azioni*) in the console: the version in force, readable by
ladder; any version as the CLI's Excel workbook (``creditbox actions export``); a new version uploaded
as that workbook (``creditbox actions import``: same reader, same validation, every problem named by
Excel row and column); the history of versions with what changed (``creditbox actions history``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from creditbox.api.deps import Committer
from creditbox.api.permissions import Permission, allows
from creditbox.application.actions_tables import HistoryEntry, Revision
from creditbox.application.console_accounts import ConsoleSession
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
from creditbox.domain.actions import ActionRow
from creditbox.domain.actions_parsing import format_codes, format_parameters
from creditbox.domain.actions_table import TableVersion
from creditbox.domain.actions_validation import InvalidActionsTable
from creditbox.domain.errors import DomainError
from creditbox.domain.money import format_euro
from creditbox.infrastructure.excel.actions_workbook import export_table, read_table

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Session = Annotated[ConsoleSession, Depends(current_session)]


def _codes(codes: frozenset[Any]) -> str:
    return format_codes(codes) or "tutti"


def _row(number: int, row: ActionRow) -> dict[str, Any]:
    band = (
        f"da {format_euro(row.amount_min)}"
        if row.amount_max is None
        else f"{format_euro(row.amount_min)} – {format_euro(row.amount_max)}"
    )
    return {
        "number": number,
        "seq": row.seq,
        "action": f"{row.action_code.code} {row.description}",
        "parameters": format_parameters(row.parameters) if row.parameters else "",
        "wait": f"{row.wait_before_days} gg da {row.start_point.label}",
        "after": f"{row.wait_after_days} gg",
        "band": band,
        "threshold": format_euro(row.threshold),
        "level": row.approval_level,
        "mode": row.mode.label,
    }


def _ladders(table: TableVersion) -> list[dict[str, Any]]:
    """The table by ladder, each row with its row number in the Excel export (header = row 1)."""
    numbers = {id(row): number for number, row in enumerate(table.rows, start=2)}
    ladders = []
    for name in table.ladder_names:
        steps = table.ladder(name)
        first = steps[0]
        scope = (
            f"clienti {_codes(first.customer_types)}, servizi {_codes(first.services)}, "
            f"forniture {_codes(first.supply_types)}, stati {_codes(first.supply_statuses)}"
        )
        ladders.append({"name": name, "scope": scope, "rows": [_row(numbers[id(r)], r) for r in steps]})
    return ladders


def _change(entry: HistoryEntry) -> dict[str, Any]:
    v = entry.version
    return {
        "version": v.version,
        "at": v.at,
        "by": v.by,
        "source": v.source,
        "note": v.note or "",
        "rows": len(v.rows),
        "summary": "versione iniziale" if v.version == 1 else entry.diff.summary(),
        "lines": []
        if v.version == 1
        else [
            (label, key)
            for label, keys in (
                ("aggiunta", entry.diff.added),
                ("eliminata", entry.diff.removed),
                ("modificata", entry.diff.changed),
            )
            for key in keys
        ],
    }


def _show(request: Request, session: ConsoleSession, code: str, version: int | None, **extra: Any) -> Response:
    tables = container_of(request).actions_tables
    try:
        table = tables.current(code) if version is None else tables.version(code, version)
        history = tables.history(code)
    except DomainError as error:
        raise ConsoleError(404, str(error)) from None
    return page(
        request,
        "actions_table.html",
        status=extra.pop("status", 200),
        company=code,
        table=table,
        current=history[-1].version.version if history else table.version,
        ladders=_ladders(table),
        history=[_change(entry) for entry in reversed(history)],
        can_upload=allows(session.principal.role, Permission.ACTIONS_TABLE_WRITE),
        base=f"{PREFIX}/{code}/tabella-azioni",
        problems=extra.pop("problems", []),
        **extra,
    )


@router.get("/{company}/tabella-azioni")
def actions_table(
    request: Request,
    session: Session,
    company: str,
    versione: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    require(session, Permission.ACTIONS_TABLE_READ)
    code = company_for(request, session, company)
    return _show(request, session, code, versione)


@router.get("/{company}/tabella-azioni/excel")
def actions_table_excel(
    request: Request,
    session: Session,
    company: str,
    versione: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    """The version as the CLI's workbook (sheets «Tabella azioni» and «Legenda»): edit it, upload it."""
    require(session, Permission.ACTIONS_TABLE_READ)
    code = company_for(request, session, company)
    tables = container_of(request).actions_tables
    try:
        table = tables.current(code) if versione is None else tables.version(code, versione)
    except DomainError as error:
        raise ConsoleError(404, str(error)) from None
    name = f"tabella-azioni-{code}-v{table.version}.xlsx"
    return Response(
        export_table(table), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post("/{company}/tabella-azioni")
async def upload_actions_table(request: Request, session: Session, company: str) -> Response:
    """A new version from a workbook: refused with every problem, or saved (unless identical)."""
    upload = await read_upload(request, session)
    fields = upload.fields
    require(session, Permission.ACTIONS_TABLE_WRITE)
    code = company_for(request, session, company)
    here = f"{PREFIX}/{code}/tabella-azioni"
    if upload.name is None:
        return back(request, session, here, "Scegliere un file .xlsx con la tabella azioni.")
    content, name = upload.content, upload.name
    if not content.startswith(XLSX_SIGNATURE):
        return back(request, session, here, f"{name!r} non è una cartella di lavoro .xlsx: nulla cambiato.")
    container = container_of(request)
    by, note = session.principal.name, fields.get("nota") or None

    def revise() -> Revision:
        parsed = read_table(content)
        tables = container.actions_tables
        return Committer(container)(
            lambda: tables.revise_parsed(code, parsed, by=by, note=note, source=f"excel:{name}")
        )

    try:
        revision = await run_in_threadpool(revise)
    except InvalidActionsTable as error:
        problems = [str(p) for p in error.problems]
        return await run_in_threadpool(
            _show, request, session, code, None, status=422, problems=problems, file_name=name
        )
    except DomainError as error:
        return back(request, session, here, f"Tabella non importata: {error}")
    if not revision.changed:
        return back(request, session, here, f"Nessuna modifica: resta la versione {revision.version.version}.")
    message = f"Salvata la versione {revision.version.version} ({revision.diff.summary()})."
    return back(request, session, here, message)
