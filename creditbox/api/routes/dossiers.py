"""A position's evidence dossier (*fascicolo probatorio*) as a ZIP (``application/dossier.py``)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from creditbox.api.deps import CompanyCode, ContainerDep
from creditbox.api.guard import GuardedRoute
from creditbox.api.permissions import Permission, needs
from creditbox.api.problems import problem_responses
from creditbox.api.routes.positions import CustomerCodePath
from creditbox.api.routes.statements import _ascii

router = APIRouter(prefix="/api/v1/companies/{company}/positions", tags=["positions"], route_class=GuardedRoute)

ZIP = "application/zip"


@router.get(
    "/{customer_code}/dossier",
    responses={
        **problem_responses(401, 403, 404, 422),
        200: {"content": {ZIP: {"schema": {"type": "string", "format": "binary"}}}},
    },
    **needs(Permission.HISTORY_READ),
)
def get_dossier(customer_code: CustomerCodePath, company: CompanyCode, container: ContainerDep) -> Response:
    """Fascicolo probatorio della posizione (ZIP): anagrafica e forniture, estratto conto (JSON, Excel,
    PDF) con il calcolo degli interessi, bollette, ogni avviso come inviato (o ricomposto) con le prove
    di consegna, note degli uffici, pratiche, blocchi, piani e approvazioni con chi e quando, fasi legali
    e documenti, storia completa degli eventi (JSON, eventi come registrati, cronologia PDF) e
    ``manifest.json`` con lo SHA-256 e la dimensione di ogni file e la testa della catena della posizione.
    Si verifica con ``creditbox audit verify-dossier``."""
    dossier, content = container.dossiers().archive(company, customer_code)
    return Response(
        content,
        media_type=ZIP,
        headers={"Content-Disposition": f'attachment; filename="{_ascii(dossier.file_name)}"'},
    )
