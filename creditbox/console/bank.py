"""Bank files from the console: upload a ``camt.053`` / ``camt.054`` and read what it did, the
*incassi da abbinare* (credits no position took) and their allocation by hand.

The same use case as ``POST /api/v1/companies/{company}/bank-files`` and ``creditbox bank``
(``application.bank_import.BankImporter`` through the ``Committer``, permission ``feed:write``, the
operator's name as ``by``); the list and the allocation as ``GET .../bank-files/unmatched`` and
``POST .../bank-files/allocations`` (``positions:read``, ``cases:work``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from creditbox.api.deps import Committer
from creditbox.api.permissions import Permission, allows
from creditbox.application.console_accounts import ConsoleSession
from creditbox.application.inbound import InboundResult
from creditbox.application.records import UnreadableFile
from creditbox.console.web import (
    PREFIX,
    back,
    check_csrf,
    company_for,
    container_of,
    current_session,
    page,
    read_upload,
    require,
)
from creditbox.domain.errors import DomainError

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Session = Annotated[ConsoleSession, Depends(current_session)]


@router.get("/{company}/banca")
def unmatched(request: Request, session: Session, company: str) -> Response:
    """The upload form (for the feed's people) and the credits waiting to be matched, oldest first."""
    require(session, Permission.IMPORTS_READ)
    code = company_for(request, session, company)
    role = session.principal.role
    rows = (
        [e.as_json() for e in container_of(request).bank_files().unmatched(code)]
        if allows(role, Permission.POSITIONS_READ)
        else None
    )
    return page(
        request,
        "bank.html",
        company=code,
        rows=rows,
        result=None,
        can_upload=allows(role, Permission.FEED_WRITE),
        can_allocate=allows(role, Permission.CASES_WORK),
    )


@router.post("/{company}/banca")
async def upload(request: Request, session: Session, company: str) -> Response:
    """Import the uploaded bank file and show its report (what was recorded, reported, left to match)."""
    upload = await read_upload(request, session)
    require(session, Permission.FEED_WRITE)
    code = company_for(request, session, company)
    here = f"{PREFIX}/{code}/banca"
    if upload.name is None:
        return back(request, session, here, "Scegliere un file della banca (camt.053 o camt.054, XML).")
    content, name = upload.content, upload.name
    container, by = container_of(request), session.principal.name

    def run() -> InboundResult:
        bank = container.bank_files()
        return Committer(container)(lambda: bank.import_file(code, name, content, by=by))

    try:
        result = await run_in_threadpool(run)
    except (UnreadableFile, DomainError) as error:
        return back(request, session, here, f"File {name!r} non importato: {error}")
    role = session.principal.role
    return page(
        request,
        "bank.html",
        company=code,
        rows=None,
        result=result.as_json(),
        can_upload=True,
        can_allocate=allows(role, Permission.CASES_WORK),
    )


@router.post("/{company}/banca/abbinamenti")
async def allocate(request: Request, session: Session, company: str) -> Response:
    """Allocate a credit to a customer (and a bill): the payment is recorded on the position."""
    fields = await check_csrf(request, session)
    require(session, Permission.CASES_WORK)
    code = company_for(request, session, company)
    here = f"{PREFIX}/{code}/banca"
    credit_id, customer, bill = fields.get("movimento"), fields.get("cliente"), fields.get("bolletta") or None
    if not credit_id or not customer:
        return back(request, session, here, "Indicare il movimento e il cliente.")
    container, by = container_of(request), session.principal.name

    def run() -> None:
        bank = container.bank_files()
        Committer(container)(lambda: bank.allocate(code, credit_id[:64], customer[:64], bill and bill[:64], by=by))

    try:
        await run_in_threadpool(run)
    except DomainError as error:
        return back(request, session, here, f"Non abbinato: {error}")
    return back(
        request, session, here, f"Incasso abbinato al cliente {customer}" + (f", bolletta {bill}." if bill else ".")
    )
