"""The company's actions table: current version, any past version, a new version (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from creditbox.api.deps import Commit, CompanyCode, ContainerDep, CurrentPrincipal
from creditbox.api.guard import GuardedRoute
from creditbox.api.permissions import Permission, needs
from creditbox.api.presenters import revision_out, table_out
from creditbox.api.problems import invalid_document, problem_responses
from creditbox.api.schemas.actions_table import ActionsTableIn, ActionsTableOut, RevisionOut
from creditbox.application.actions_tables import Revision
from creditbox.domain.actions_parsing import FIELDS, parse_row_data
from creditbox.domain.actions_validation import InvalidActionsTable, Problem

router = APIRouter(prefix="/api/v1/companies/{company}/actions-table", tags=["actions-table"], route_class=GuardedRoute)

_FIELD_OF_HEADER = {f.header: f.name for f in FIELDS}
_ERRORS = problem_responses(401, 403, 404, 422)


@router.get("", response_model=ActionsTableOut, responses=_ERRORS, **needs(Permission.ACTIONS_TABLE_READ))
def get_current(company: CompanyCode, container: ContainerDep) -> ActionsTableOut:
    """La versione in vigore della tabella azioni."""
    return table_out(container.actions_tables.current(company))


@router.get(
    "/versions/{number}", response_model=ActionsTableOut, responses=_ERRORS, **needs(Permission.ACTIONS_TABLE_READ)
)
def get_version(
    number: Annotated[int, Path(ge=1, le=1_000_000, description="Numero di versione")],
    company: CompanyCode,
    container: ContainerDep,
) -> ActionsTableOut:
    """Una versione qualsiasi, com'era quando fu adottata."""
    return table_out(container.actions_tables.version(company, number))


@router.put(
    "",
    response_model=RevisionOut,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 422),
    **needs(Permission.ACTIONS_TABLE_WRITE),
)
def put_table(
    body: ActionsTableIn, company: CompanyCode, principal: CurrentPrincipal, container: ContainerDep, commit: Commit
) -> RevisionOut:
    """Adotta una nuova versione (validata come l'importazione Excel). Identica alla vigente: nessuna nuova versione."""
    parsed = parse_row_data(body.rows)

    def revise() -> Revision:
        return container.actions_tables.revise_parsed(
            company,
            parsed,
            by=principal.name,
            note=body.note,
            source="api",
            expected_version=body.expected_version,
        )

    try:
        revision = commit(revise)
    except InvalidActionsTable as error:
        raise invalid_document("tabella azioni non valida", error.problems, _field_of) from None
    return revision_out(revision)


def _field_of(problem: Problem) -> str:
    parts = ["rows"]
    if problem.row is not None:
        parts.append(str(problem.row - 1))
        if problem.column is not None:
            parts.append(_FIELD_OF_HEADER.get(problem.column, problem.column))
    return ".".join(parts)
