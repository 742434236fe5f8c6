"""Headers every answer of the API carries, whatever produced it (a route, an error handler, the docs).

- ``Cache-Control: no-store``: answers hold personal and financial data; no proxy or browser keeps them.
- ``X-Content-Type-Options: nosniff``: a browser takes each answer for the type it declares.

``SecurityHeaders`` is a pure ASGI middleware (it does not buffer bodies); error documents built by
``problems.problem_response`` carry the same headers themselves, because a 500 is answered by the
outermost layer of Starlette, outside every middleware. The ``Server`` banner is uvicorn's, turned
off where the server is started (``creditbox serve``: ``server_header=False``).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS: dict[str, str] = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
