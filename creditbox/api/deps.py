"""Dependencies the routes declare with ``Annotated[..., Depends(...)]`` aliases.

The container (composition root) lives in ``app.state.container``; the principal was put in
``request.state.principal`` by ``GuardedRoute`` before any dependency runs.

The dependencies are ``async def`` although they do no I/O (or only on a cache miss, then in the
thread pool): FastAPI runs a plain ``def`` dependency in the thread pool, a hop that costs more
than the dependency itself.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

from eventsourcing.persistence import RecordConflictError
from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from creditbox.api.guard import company_not_found
from creditbox.api.problems import ApiProblem, busy
from creditbox.api.reads import QueryConnections
from creditbox.application.tokens import Principal
from creditbox.bootstrap import Container
from creditbox.domain.errors import NotFound
from creditbox.domain.ids import normalise_company_code

T = TypeVar("T")

# Documents the bearer scheme in OpenAPI; the check itself happened in ``GuardedRoute``.
_bearer = HTTPBearer(auto_error=False, description="Token API: `Authorization: Bearer <token>`")


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


async def current_principal(
    request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal):  # a route not built with GuardedRoute: refuse
        raise ApiProblem(401, "token mancante")
    return principal


async def get_reads(request: Request) -> QueryConnections:
    reads: QueryConnections = request.app.state.reads
    return reads


ContainerDep = Annotated[Container, Depends(get_container)]
ReadsDep = Annotated[QueryConnections, Depends(get_reads)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def company_code(
    company: Annotated[str, Path(description="Codice azienda, ad es. ACQ", max_length=40)],
    request: Request,
    principal: CurrentPrincipal,
    container: ContainerDep,
) -> str:
    """The normalised code of a registered company the caller may see; otherwise the one 404."""
    code = normalise_company_code(company)
    if not principal.sees(code):
        raise company_not_found(company)
    known: set[str] = request.app.state.known_companies
    if code in known:
        return code
    try:
        code = await run_in_threadpool(container.companies.require, code)
    except NotFound:
        raise company_not_found(company) from None
    known.add(code)
    return code


CompanyCode = Annotated[str, Depends(company_code)]


async def business_date(container: ContainerDep) -> date:
    """Today's business date from the injected clock."""
    return container.clock.today()


Today = Annotated[date, Depends(business_date)]


class Committer:
    """Runs a command, then lets the read models catch up when they run in-process.

    The command holds the process's write gate while it reads, decides and stores (on SQLite the
    writers of a process take turns, so they never clash); a version clash with another process (or,
    on PostgreSQL, another request changing the same aggregate) is retried — reload and decide again —
    with a growing random pause. Waiting for the gate and the retries share one budget,
    ``write_wait_seconds``; past it the request is refused with 503 and ``Retry-After``."""

    MAX_ATTEMPTS = 200

    def __init__(self, container: Container) -> None:
        self._container = container

    def __call__(self, command: Callable[[], T]) -> T:
        gate = self._container.write_gate
        deadline = time.monotonic() + self._container.settings.write_wait_seconds
        attempt = 0
        while True:
            try:
                with gate.hold(deadline):
                    result = command()
                break
            except RecordConflictError:
                attempt += 1
                pause = random.uniform(0.002, 0.02) * min(attempt, 10)
                if attempt >= self.MAX_ATTEMPTS or time.monotonic() + pause >= deadline:
                    raise busy("modifiche concorrenti della stessa posizione: riprovare fra poco") from None
                time.sleep(pause)
        self.catch_up()
        return result

    def catch_up(self) -> None:
        """Embedded mode: bring the projections up to date so the next query sees this command."""
        self._container.projections.after_command()


async def committer(container: ContainerDep) -> Committer:
    return Committer(container)


Commit = Annotated[Committer, Depends(committer)]
