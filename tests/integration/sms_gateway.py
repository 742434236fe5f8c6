"""A small SMS gateway for the tests: a real HTTP server on a free port, in a thread.

It keeps the messages it accepted by client reference (a second POST of the same reference is
answered 409, as the adapter expects of a gateway), counts every call, can be told to answer the
next calls with an error or to be slow, answers the status of a reference, and hands out delivery
reports for polling.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class GatewayState:
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)
    posts: int = 0
    failures: list[int] = field(default_factory=list)  # statuses to answer the next POSTs with
    delay_seconds: float = 0.0
    reports: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class SmsGateway:
    def __init__(self) -> None:
        self.state = GatewayState()
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                with state.lock:
                    state.posts += 1
                    state.headers.append(dict(self.headers))
                    failure = state.failures.pop(0) if state.failures else None
                    delay = state.delay_seconds
                if delay:
                    time.sleep(delay)
                if failure is not None:
                    self._answer(failure, {"error": "temporaneamente non disponibile"})
                    return
                with state.lock:
                    reference = body["client_reference"]
                    if reference in state.accepted:
                        self._answer(409, {"duplicate": True})
                        return
                    state.accepted[reference] = body
                self._answer(201, {"id": f"gw-{len(state.accepted)}"})

            def do_GET(self) -> None:
                url = urlparse(self.path)
                if url.path == "/status":
                    reference = parse_qs(url.query).get("client_reference", [""])[0]
                    with state.lock:
                        known = reference in state.accepted
                    self._answer(200 if known else 404, {"status": "sent" if known else "unknown"})
                elif url.path == "/reports":
                    with state.lock:
                        self._answer(200, {"reports": list(state.reports)})
                else:
                    self._answer(404, {})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def options(self, **more: Any) -> dict[str, Any]:
        """The ``sms-http`` options for this gateway."""
        return {
            "url": f"{self.url}/messages",
            "status_url": f"{self.url}/status",
            "reports_url": f"{self.url}/reports",
            "timeout_seconds": 2,
            "retries": 2,
            "retry_delay_seconds": 0.01,
            **more,
        }


@contextmanager
def running_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway()
    thread = threading.Thread(target=gateway.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        gateway.server.shutdown()
        gateway.server.server_close()
        thread.join(5)
