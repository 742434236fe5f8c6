"""A workbook built to exhaust the reader, uploaded through the API: a 422 problem document, and
the server answers the next request. Through the app and through a real uvicorn
server process whose checks are turned off, so the reader itself aborts in its child process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from creditbox.bootstrap import bootstrap
from creditbox.domain.tokens import Role
from creditbox.settings import Settings
from tests import hostile_workbooks as hostile
from tests.api.conftest import BASE, OTHER, OWN, Api, issue_tokens
from tests.api.test_imports_and_actions_table import XLSX, upload, workbook

pytestmark = pytest.mark.cli_or_api

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (hostile.far_cell("XFD1048576"), "colonna 16.384"),
        (hostile.whitespace_sheet(rows=3, columns=1_000), "ultima cella alla colonna"),
        (hostile.declared_dimension("A1:XFD1048576"), "dimensione dichiarata"),
        (hostile.bomb_member(32), "bomba zip"),
        (hostile.lying_size(+4_000), "ma ne contiene"),
        (hostile.deep_row(3_000_000), "riga 3.000.000"),
    ],
    ids=["far-cell", "whitespace", "dimension", "zip-bomb", "lying-size", "deep-row"],
)
def test_a_hostile_upload_is_a_422_and_the_next_upload_is_imported(api: Api, content: bytes, reason: str) -> None:
    refused = upload(api, content, name="ostile.xlsx")
    accepted = upload(api, workbook())

    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith(PROBLEM)
    problem = refused.json()
    assert problem["status"] == 422
    assert problem["detail"].startswith("ostile.xlsx: file rifiutato prima della lettura")
    assert reason in problem["detail"]
    assert problem["errors"][0]["field"] == "file"
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["totals"]["accepted"] == 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``creditbox serve`` on a free port, with the checks before reading turned off (the reader
    itself meets the hostile file) and 1 GiB for the reading process. Yields (base URL, token)."""
    with bootstrap(Settings(database_url=database_url)) as container:
        container.companies.register(OWN, "Acque Spa", by="test")
        container.companies.register(OTHER, "Gas Spa", by="test")
        token = issue_tokens(container)[("own", Role.FEED)]
    port = free_port()
    env = {
        **os.environ,
        "CREDITBOX_DATABASE_URL": database_url,
        "CREDITBOX_IMPORT_MAX_ROWS": "2000000",
        "CREDITBOX_IMPORT_MAX_COLUMNS": "20000",
        "CREDITBOX_IMPORT_MAX_CELLS": "100000000000",
        "CREDITBOX_IMPORT_READER_MEMORY_MB": "1024",
    }
    command = [sys.executable, "-m", "creditbox.cli.main", "serve", "--port", str(port), "--no-access-log"]
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "the server did not start"
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base, token
        assert process.poll() is None, "the server died"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_the_server_process_survives_a_reader_that_aborts_and_answers_the_next_request(
    server: tuple[str, str],
) -> None:
    base, token = server
    headers = {"Authorization": f"Bearer {token}"}

    def post(name: str, content: bytes) -> httpx.Response:
        files = {"file": (name, content, XLSX)}
        return httpx.post(f"{base}{BASE}/imports", files=files, headers=headers, timeout=120)

    refused = post("ostile.xlsx", hostile.far_cell("XFD1048576"))
    accepted = post("clienti.xlsx", workbook())
    health = httpx.get(f"{base}/healthz", timeout=10)

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith(PROBLEM)
    detail = refused.json()["detail"]
    assert detail.startswith("ostile.xlsx: lettura interrotta")
    assert "più risorse di quelle concesse" in detail or "memoria esaurita" in detail
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["totals"]["accepted"] == 3
    assert health.status_code == 200
