"""``/healthz``: liveness and database reachability, without a token (for load balancers)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from creditbox.api.deps import ContainerDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": Health, "description": "Database non raggiungibile"}},
)
def healthz(container: ContainerDep) -> JSONResponse:
    """Risponde 200 se il processo è vivo e l'archivio eventi risponde, 503 altrimenti."""
    backend = "postgresql" if container.database.is_postgres else "sqlite"
    try:
        container.app.recorder.max_notification_id()
    except Exception:  # any failure of the store is "not ready", never a 500
        return JSONResponse(Health(status="unavailable", database=backend).model_dump(), status_code=503)
    return JSONResponse(Health(status="ok", database=backend).model_dump())
