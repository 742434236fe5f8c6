"""Every answer of the API — data, errors of every kind, the health check, the docs and their assets,
the schema — carries ``Cache-Control: no-store`` and ``X-Content-Type-Options: nosniff``, and no
header names the server or a version."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from creditbox.api.app import create_app
from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, Api, bill, seed_customer
from tests.api.live_server import free_port, live_server

pytestmark = pytest.mark.cli_or_api

SECURITY = {"cache-control": "no-store", "x-content-type-options": "nosniff"}
# Headers that would tell an attacker what runs behind the API.
REVEALING = {"server", "x-powered-by", "x-aspnet-version", "via"}
VERSION = re.compile(r"\d+\.\d+")


def _assert_safe(response: httpx.Response) -> None:
    for name, value in SECURITY.items():
        assert response.headers.get(name) == value, (response.request.url, name, dict(response.headers))
    assert not REVEALING & {name.lower() for name in response.headers}, dict(response.headers)
    for name, value in response.headers.items():
        if name.lower() not in ("date", "content-length", "retry-after", "etag", "last-modified"):
            assert not VERSION.search(value), (name, value)


def _requests(api: Api) -> list[tuple[str, str, dict[str, object]]]:
    feed = api.headers(Role.FEED)
    operator = api.headers(Role.OPERATOR)
    return [
        ("GET", "/healthz", {}),
        ("GET", "/docs", {}),
        ("GET", "/docs/assets/swagger-ui-bundle.js", {}),
        ("GET", "/docs/assets/swagger-ui.css", {}),
        ("GET", "/openapi.json", {}),
        ("GET", "/no/such/route", {}),  # 404 of the router
        ("GET", "/redoc", {}),  # not served: 404
        ("DELETE", "/healthz", {}),  # 405
        ("GET", f"{BASE}/positions/C1", {}),  # 401, no token
        ("GET", f"{BASE}/positions/C1", {"headers": {"Authorization": "Bearer cbx_wrong"}}),  # 401
        ("GET", "/api/v1/companies/ZZZ/positions/C1", {"headers": operator}),  # 404 unknown company
        ("GET", f"{BASE}/positions/C1", {"headers": operator}),  # 200
        ("GET", f"{BASE}/positions/NOBODY", {"headers": operator}),  # 404 unknown customer
        ("POST", f"{BASE}/bills", {"headers": operator, "json": bill()}),  # 403
        ("POST", f"{BASE}/bills", {"headers": feed, "json": {"number": "B1"}}),  # 422
        ("POST", f"{BASE}/bills", {"headers": {**feed, "content-type": "application/json"}, "content": b"{"}),  # 400
        ("POST", f"{BASE}/bills", {"headers": {**feed, "content-type": "text/plain"}, "content": b"x"}),  # 415
        ("POST", f"{BASE}/bills", {"headers": feed, "json": bill()}),  # 200
        ("POST", f"{BASE}/bills", {"headers": feed, "json": bill(amount="999.00")}),  # 409
    ]


def test_every_kind_of_answer_carries_the_security_headers(api: Api) -> None:
    # given a customer
    seed_customer(api)
    statuses = set()
    # when every kind of request is made, then every answer carries the headers
    for method, path, options in _requests(api):
        response = api.client.request(method, path, **options)  # type: ignore[arg-type]
        statuses.add(response.status_code)
        _assert_safe(response)
    assert {200, 400, 401, 403, 404, 405, 409, 415, 422} <= statuses


def test_an_unexpected_error_is_a_500_problem_with_the_headers_and_no_internals(api: Api) -> None:
    # given a route that fails in an unforeseen way
    app = create_app(api.container, close_container=False)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("psycopg: password for user 'creditbox' at /srv/secret failed")

    # when it is called
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")

    # then the answer is a 500 problem document naming nothing of the internals
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    _assert_safe(response)
    assert "secret" not in response.text and "psycopg" not in response.text and "RuntimeError" not in response.text


def test_a_real_server_sends_no_banner(api: Api) -> None:
    # given the app under uvicorn as `creditbox serve` starts it
    seed_customer(api)
    # when every kind of request is made over HTTP
    with live_server(api.client.app) as base, httpx.Client(base_url=base) as client:  # type: ignore[arg-type]
        for method, path, options in _requests(api):
            # then no answer has a server banner, and all have the security headers
            _assert_safe(client.request(method, path, **options))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`creditbox serve` in a process of its own, on a SQLite file."""
    port = free_port()
    database = tmp_path_factory.mktemp("served") / "served.sqlite3"
    env = {**os.environ, "CREDITBOX_DATABASE_URL": f"sqlite:///{database}"}
    command = [sys.executable, "-m", "creditbox.cli.main", "serve", "--port", str(port), "--no-access-log"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, "creditbox serve exited"
                assert time.monotonic() < deadline, "creditbox serve did not start"
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(20)


@pytest.mark.parametrize(
    "path, status",
    [
        ("/healthz", 200),
        ("/docs", 200),
        ("/openapi.json", 200),
        ("/nowhere", 404),
        ("/api/v1/companies/ACQ/positions", 401),
    ],
)
def test_creditbox_serve_sends_no_server_banner(served: str, path: str, status: int) -> None:
    # when the server started by the CLI answers
    response = httpx.get(f"{served}{path}")
    # then without a banner and with the security headers
    assert response.status_code == status
    _assert_safe(response)
