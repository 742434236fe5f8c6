"""The channels: a company's configuration and templates (versions, history, changes, preview). The
group's defaults are changed from the command line (``channels config set --group``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path

from creditbox.api.deps import Commit, CompanyCode, ContainerDep, CurrentPrincipal
from creditbox.api.guard import GuardedRoute
from creditbox.api.permissions import Permission, needs
from creditbox.api.problems import invalid_document, problem_responses
from creditbox.api.schemas.channels import (
    ChannelConfigIn,
    ChannelConfigOut,
    ChannelDocumentChangeOut,
    ChannelDocumentHistoryOut,
    ChannelDocumentOut,
    PreviewIn,
    PreviewOut,
    TemplateIn,
    TemplateOut,
)
from creditbox.application.channel_config import DocumentProblem, DocumentRevision, InvalidChannelDocument
from creditbox.application.templates import TemplateView, parse_action
from creditbox.application.tokens import Principal
from creditbox.bootstrap import Container
from creditbox.domain.channel_document import DocumentVersion

router = APIRouter(tags=["channels"], route_class=GuardedRoute)

COMPANY = "/api/v1/companies/{company}/channels"
_READ = problem_responses(401, 403, 404, 422)
_WRITE = problem_responses(400, 401, 403, 404, 409, 413, 415, 422)
ActionPath = Annotated[str, Path(max_length=64, description="Azione: sollecito-sms, … o il codice (1…10)")]
PartPath = Annotated[str, Path(max_length=16, description="subject, text o html (oggetto, testo)")]


def _document_out(version: DocumentVersion) -> ChannelDocumentOut:
    return ChannelDocumentOut(
        scope=version.scope,
        version=version.version,
        by=version.by or None,
        at=version.at,
        note=version.note,
        source=version.source,
        document=version.document,
    )


def _change_out(revision: DocumentRevision) -> ChannelDocumentChangeOut:
    return ChannelDocumentChangeOut(
        changed=revision.changed,
        version=revision.version.version,
        fields=list(revision.fields),
        current=_document_out(revision.version),
    )


def _field_of(problem: DocumentProblem) -> str:
    return "document" + (f".{problem.field}" if problem.field else "")


def _template_field(problem: DocumentProblem) -> str:
    return "source"


def _template_out(view: TemplateView) -> TemplateOut:
    return TemplateOut(
        action=view.action.slug,
        action_label=view.action.label,
        channel=view.action.channel,
        part=view.part,
        origin=view.origin,
        source=view.source,
    )


def _change_config(
    container: Container, scope: str, body: ChannelConfigIn, principal: Principal, commit: Commit
) -> ChannelDocumentChangeOut:
    service = container.channel_config()

    def change() -> DocumentRevision:
        return service.change(
            scope,
            body.document,
            by=principal.name,
            note=body.note,
            source="api",
            expected_version=body.expected_version,
        )

    try:
        return _change_out(commit(change))
    except InvalidChannelDocument as error:
        raise invalid_document("configurazione dei canali non valida", error.problems, _field_of) from None


# ---- a company's configuration ------------------------------------------------------------------


@router.get(
    f"{COMPANY}/config", response_model=ChannelConfigOut, responses=_READ, **needs(Permission.COMPANY_SETTINGS_READ)
)
def get_config(company: CompanyCode, container: ContainerDep) -> ChannelConfigOut:
    """La configurazione dei canali salvata per l'azienda e quella in vigore (con i valori del gruppo)."""
    service = container.channel_config()
    shown = _document_out(service.current(company))
    return ChannelConfigOut(**shown.model_dump(), effective=service.effective(company).document)


@router.get(
    f"{COMPANY}/config/history",
    response_model=list[ChannelDocumentHistoryOut],
    responses=_READ,
    **needs(Permission.COMPANY_SETTINGS_READ),
)
def get_config_history(company: CompanyCode, container: ContainerDep) -> list[ChannelDocumentHistoryOut]:
    """Tutte le versioni: chi, quando, perché e cosa è cambiato."""
    return [
        ChannelDocumentHistoryOut(**_document_out(e.version).model_dump(), changed=list(e.fields))
        for e in container.channel_config().history(company)
    ]


@router.put(
    f"{COMPANY}/config",
    response_model=ChannelDocumentChangeOut,
    responses=_WRITE,
    **needs(Permission.COMPANY_SETTINGS_WRITE),
)
def put_config(
    body: ChannelConfigIn, company: CompanyCode, principal: CurrentPrincipal, container: ContainerDep, commit: Commit
) -> ChannelDocumentChangeOut:
    """Sostituisce la configurazione dell'azienda (una nuova versione se cambia; 409 se ``expected_version``
    non è quella in vigore). I segreti solo come riferimento (``env:NOME``, ``file:/percorso``)."""
    return _change_config(container, company, body, principal, commit)


# ---- templates ----------------------------------------------------------------------------------


@router.get(
    f"{COMPANY}/templates", response_model=list[TemplateOut], responses=_READ, **needs(Permission.COMPANY_SETTINGS_READ)
)
def list_templates(company: CompanyCode, container: ContainerDep) -> list[TemplateOut]:
    """Ogni modello in vigore per l'azienda, e da dove viene (azienda, gruppo, predefinito)."""
    return [_template_out(view) for view in container.message_templates().in_force(company)]


@router.get(
    f"{COMPANY}/templates/history",
    response_model=list[ChannelDocumentHistoryOut],
    responses=_READ,
    **needs(Permission.COMPANY_SETTINGS_READ),
)
def get_templates_history(company: CompanyCode, container: ContainerDep) -> list[ChannelDocumentHistoryOut]:
    """Le versioni dei modelli dell'azienda: chi, quando, perché, quali modelli."""
    return [
        ChannelDocumentHistoryOut(**_document_out(e.version).model_dump(), changed=list(e.fields))
        for e in container.message_templates().history(company)
    ]


@router.get(
    f"{COMPANY}/templates/{{action}}/{{part}}",
    response_model=TemplateOut,
    responses=_READ,
    **needs(Permission.COMPANY_SETTINGS_READ),
)
def get_template(action: ActionPath, part: PartPath, company: CompanyCode, container: ContainerDep) -> TemplateOut:
    """Un modello in vigore."""
    return _template_out(container.message_templates().get(company, action, part))


@router.put(
    f"{COMPANY}/templates/{{action}}/{{part}}",
    response_model=ChannelDocumentChangeOut,
    responses=_WRITE,
    **needs(Permission.COMPANY_SETTINGS_WRITE),
)
def put_template(
    action: ActionPath,
    part: PartPath,
    body: TemplateIn,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> ChannelDocumentChangeOut:
    """Salva un modello dell'azienda, verificato prima (variabili e campi sconosciuti, errori di sintassi
    con la riga, SMS troppo lunghi: 422). ``source`` null toglie il modello proprio."""
    templates = container.message_templates()

    def change() -> DocumentRevision:
        return templates.set(
            company,
            action,
            part,
            body.source,
            by=principal.name,
            note=body.note,
            origin="api",
            expected_version=body.expected_version,
        )

    try:
        return _change_out(commit(change))
    except InvalidChannelDocument as error:
        raise invalid_document("modello non valido", error.problems, _template_field) from None


@router.post(
    f"{COMPANY}/templates/{{action}}/preview",
    response_model=PreviewOut,
    responses=_READ,
    **needs(Permission.POSITIONS_READ),
)
def preview_template(action: ActionPath, body: PreviewIn, company: CompanyCode, container: ContainerDep) -> PreviewOut:
    """Il messaggio che l'azione produrrebbe oggi per un cliente reale (nulla viene inviato né registrato)."""
    chosen = parse_action(action)
    on: date = body.date or container.clock.today()
    message = container.composer().preview(company, body.customer_code, chosen, on, body.case_id)
    return PreviewOut(
        action=chosen.slug,
        channel=message.channel,
        recipient=message.recipient,
        subject=message.subject,
        text=message.text,
        html=message.html,
    )
