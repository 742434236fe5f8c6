"""``/metrics``: the Prometheus text exposition of this API process (requests, latencies, imports,
rows, rejections) and the gauges read from the database at scrape time (actions by channel and status,
due index backlog, projection lag, quarantined events, queue depth).

Not a user route (no company, no role): it answers only with ``Authorization: Bearer`` followed by the
scrape token of the setting ``CREDITBOX_METRICS_TOKEN``; without the setting the route is off (404). A
wrong or missing token is 401, like the API's. The exposition carries counts and codes only.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from creditbox.api.deps import ContainerDep
from creditbox.api.problems import problem_response
from creditbox.api.security_headers import SECURITY_HEADERS
from creditbox.observability.metrics import CONTENT_TYPE

router = APIRouter(tags=["health"])


def _presented(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, container: ContainerDep) -> Response:
    expected = container.settings.metrics_token
    if not expected:
        return problem_response(request, 404, "metriche non attive: impostare CREDITBOX_METRICS_TOKEN")
    presented = _presented(request)
    if presented is None or not hmac.compare_digest(presented.encode(), expected.encode()):
        return problem_response(
            request,
            401,
            "token delle metriche mancante o errato",
            headers={"WWW-Authenticate": 'Bearer realm="creditbox-metrics"'},
        )
    body = await run_in_threadpool(container.metrics_exposition)
    return Response(body, media_type=CONTENT_TYPE, headers=SECURITY_HEADERS)
