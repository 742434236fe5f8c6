"""Each request of the API: a request id, a metric and one access-log line.

``RequestObservability`` (a pure ASGI middleware, bodies are not buffered) takes the client's
``X-Request-Id`` when it is a plain token (letters, digits, ``.``, ``_``, ``-``; at most 64), else makes
one; binds it to every log record of the request (``creditbox.observability.logs``); answers it in the
``X-Request-Id`` header; counts the request in ``creditbox_http_requests_total`` and its duration in
``creditbox_http_request_duration_seconds``, labelled with the route's *template*
(``/api/v1/companies/{company}/positions/{customer_code}``) — never the path itself, which carries
customer codes — and logs one line on ``creditbox.access`` with the same fields.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creditbox.observability import metrics
from creditbox.observability.logs import bound

REQUEST_ID_HEADER = "X-Request-Id"
_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
UNMATCHED = "(nessun percorso)"
access_log = logging.getLogger("creditbox.access")


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _CLIENT_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class RequestObservability:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with bound(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                seconds = time.perf_counter() - started
                method, route = scope.get("method", "?"), route_of(scope)
                metrics.HTTP_REQUESTS.labels(method, route, str(status)).inc()
                metrics.HTTP_SECONDS.labels(method, route).observe(seconds)
                access_log.info(
                    "%s %s %s",
                    method,
                    route,
                    status,
                    extra={"method": method, "route": route, "status": status, "duration_ms": round(seconds * 1000, 1)},
                )
