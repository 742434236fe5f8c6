"""``/healthz``: liveness, database reachability and the projections' quarantine; ``/readyz``: whether
the process can serve (database, migrations, projections' lag, broker). Both without a token (for
load balancers, orchestrators and monitoring). No personal data: counts, names and ids only."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from creditbox.api.deps import ContainerDep
from creditbox.api.problems import PROBLEM_MEDIA_TYPE, TYPE_PREFIX
from creditbox.api.security_headers import SECURITY_HEADERS
from creditbox.bootstrap import Container

log = logging.getLogger(__name__)

router = APIRouter(tags=["health"])

# How many ids of quarantined events the health document lists per projection.
IDS_SHOWN = 20


class QuarantinedProjection(BaseModel):
    projection: str = Field(description="Nome della proiezione")
    failed: int = Field(description="Eventi che la proiezione non ha potuto applicare")
    held: int = Field(description="Eventi successivi della stessa posizione, in attesa dietro quelli")
    notification_ids: list[int] = Field(description=f"Notifiche degli eventi falliti (al massimo {IDS_SHOWN})")
    aggregate_ids: list[str] = Field(description="Identificativi degli aggregati (posizioni) coinvolti")


class Health(BaseModel):
    status: str = Field(description="ok, degraded (eventi in quarantena) o unavailable")
    database: str
    quarantined: int | None = Field(
        default=0, description="Eventi in quarantena in tutte le proiezioni (null: non leggibile)"
    )
    quarantine: list[QuarantinedProjection] = Field(default_factory=list)


def quarantine_of(container: Container) -> list[QuarantinedProjection]:
    counts = container.projections.quarantine_counts()
    found: list[QuarantinedProjection] = []
    for name, count in counts.items():
        failed = [q for q in container.projections.quarantined([name], limit=IDS_SHOWN * 50) if q.failed]
        found.append(
            QuarantinedProjection(
                projection=name,
                failed=count.failed,
                held=count.held,
                notification_ids=[q.notification_id for q in failed[:IDS_SHOWN]],
                aggregate_ids=list(dict.fromkeys(q.originator_id for q in failed))[:IDS_SHOWN],
            )
        )
    return found


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": Health, "description": "Database non raggiungibile"}},
)
async def healthz(container: ContainerDep) -> JSONResponse:
    """200 se il processo è vivo e l'archivio eventi risponde (``degraded`` se ci sono eventi in
    quarantena nelle proiezioni: conteggi e identificativi, nessun dato personale), 503 altrimenti."""
    backend = "postgresql" if container.database.is_postgres else "sqlite"
    try:
        await run_in_threadpool(container.app.recorder.max_notification_id)
    except Exception:  # any failure of the store is "not ready", never a 500
        return JSONResponse(Health(status="unavailable", database=backend).model_dump(), status_code=503)
    try:
        quarantine = await run_in_threadpool(quarantine_of, container)
    except Exception:  # the read models unreadable: still alive, say what is unknown
        log.exception("health: quarantine of the projections not readable")
        return JSONResponse(Health(status="degraded", database=backend, quarantined=None).model_dump())
    total = sum(q.failed + q.held for q in quarantine)
    status = "degraded" if total else "ok"
    health = Health(status=status, database=backend, quarantined=total, quarantine=quarantine)
    return JSONResponse(health.model_dump())


class ReadinessCheck(BaseModel):
    name: str = Field(description="database, migrations, projections o broker")
    ok: bool
    detail: str = Field(description="Che cosa è stato trovato (in italiano)")


class Readiness(BaseModel):
    status: str = Field(description="ready")
    checks: list[ReadinessCheck]


NOT_READY_TYPE = TYPE_PREFIX + "not-ready"


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"description": "Non pronto: documento problem+json con l'elenco dei controlli (checks)"}},
)
async def readyz(container: ContainerDep) -> JSONResponse:
    """200 se il processo può servire: archivio eventi raggiungibile, schema dei modelli di lettura alla
    revisione attesa, proiezioni entro ``CREDITBOX_READY_MAX_PROJECTION_LAG`` eventi e senza quarantena,
    broker raggiungibile. Altrimenti 503 (``application/problem+json``) che dice quale controllo è
    fallito e di quanto le proiezioni sono indietro. Nessun token, nessun dato personale."""
    checks = await run_in_threadpool(container.readiness)
    body = [check.as_json() for check in checks]
    if all(check.ok for check in checks):
        return JSONResponse({"status": "ready", "checks": body}, headers=SECURITY_HEADERS)
    failed = [f"{check.name}: {check.detail}" for check in checks if not check.ok]
    problem = {
        "type": NOT_READY_TYPE,
        "title": "Servizio non pronto",
        "status": 503,
        "detail": "; ".join(failed),
        "instance": "/readyz",
        "checks": body,
    }
    return JSONResponse(
        problem,
        status_code=503,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={**SECURITY_HEADERS, "Retry-After": "5"},
    )
