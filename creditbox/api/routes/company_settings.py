"""The company's settings: the version in force, any past version, the history, a change (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from creditbox.api.deps import Commit, CompanyCode, ContainerDep, CurrentPrincipal
from creditbox.api.guard import GuardedRoute
from creditbox.api.permissions import Permission, needs
from creditbox.api.presenters import settings_change_out, settings_history_entry_out, settings_out
from creditbox.api.problems import invalid_document, problem_responses
from creditbox.api.schemas.company_settings import (
    CompanySettingsIn,
    CompanySettingsOut,
    SettingsChangeOut,
    SettingsHistoryEntryOut,
)
from creditbox.application.company_settings import SettingsRevision
from creditbox.domain.company_settings_document import InvalidCompanySettings, SettingsProblem

router = APIRouter(prefix="/api/v1/companies/{company}/settings", tags=["company-settings"], route_class=GuardedRoute)

_ERRORS = problem_responses(401, 403, 404, 422)


@router.get("", response_model=CompanySettingsOut, responses=_ERRORS, **needs(Permission.COMPANY_SETTINGS_READ))
def get_current(company: CompanyCode, container: ContainerDep) -> CompanySettingsOut:
    """Le impostazioni in vigore (periodo di tolleranza, calendario delle sospensioni, massimali, tolleranze)."""
    return settings_out(container.company_settings().current(company))


@router.get(
    "/history",
    response_model=list[SettingsHistoryEntryOut],
    responses=_ERRORS,
    **needs(Permission.COMPANY_SETTINGS_READ),
)
def get_history(company: CompanyCode, container: ContainerDep) -> list[SettingsHistoryEntryOut]:
    """Tutte le versioni: chi, quando, perché e quali campi sono cambiati."""
    return [settings_history_entry_out(entry) for entry in container.company_settings().history(company)]


@router.get(
    "/versions/{number}",
    response_model=CompanySettingsOut,
    responses=_ERRORS,
    **needs(Permission.COMPANY_SETTINGS_READ),
)
def get_version(
    number: Annotated[int, Path(ge=1, le=1_000_000, description="Numero di versione")],
    company: CompanyCode,
    container: ContainerDep,
) -> CompanySettingsOut:
    """Una versione qualsiasi, com'era quando fu adottata."""
    return settings_out(container.company_settings().version(company, number))


@router.put(
    "",
    response_model=SettingsChangeOut,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 422),
    **needs(Permission.COMPANY_SETTINGS_WRITE),
)
def put_settings(
    body: CompanySettingsIn, company: CompanyCode, principal: CurrentPrincipal, container: ContainerDep, commit: Commit
) -> SettingsChangeOut:
    """Modifica le impostazioni (tutte o alcune: le altre restano). Una nuova versione se qualcosa cambia;
    ``expected_version`` diversa dalla versione in vigore: 409."""
    service = container.company_settings()

    def change() -> SettingsRevision:
        return service.change(
            company,
            body.settings,
            by=principal.name,
            note=body.note,
            source="api",
            expected_version=body.expected_version,
        )

    try:
        revision = commit(change)
    except InvalidCompanySettings as error:
        raise invalid_document("impostazioni non valide", error.problems, _field_of) from None
    return settings_change_out(revision)


def _field_of(problem: SettingsProblem) -> str:
    return "settings" + (f".{problem.field}" if problem.field else "")
