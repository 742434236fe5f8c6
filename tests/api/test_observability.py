"""Metrics, readiness and logs of the API: ``/metrics`` behind its scrape token, moving after requests
and imports; ``/readyz`` saying what is behind (migrations, projections) with a 503 problem document;
JSON log lines with the request id and none of the imported customers' personal data."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from creditbox.domain.tokens import Role
from creditbox.generator.group import generate_group
from creditbox.generator.model import GroupSpec
from creditbox.observability import logs
from tests.api.conftest import BASE, OWN, Api
from tests.api.test_imports_and_actions_table import upload
from tests.conftest import AFTER_THE_SAMPLE_DATA

pytestmark = pytest.mark.cli_or_api

TOKEN = "scrape-token-for-tests"
SCRAPE = {"Authorization": f"Bearer {TOKEN}"}


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition (0 when absent), read with Prometheus's own parser."""
    for family in text_string_to_metric_families(metrics):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return 0.0


@pytest.fixture
def scraped(api: Api) -> Api:
    api.container.settings.metrics_token = TOKEN
    return api


def test_metrics_need_the_scrape_token_and_are_off_without_one(api: Api) -> None:
    assert api.client.get("/metrics").status_code == 404  # no CREDITBOX_METRICS_TOKEN: off
    api.container.settings.metrics_token = TOKEN
    missing = api.client.get("/metrics")
    wrong = api.client.get("/metrics", headers={"Authorization": "Bearer nope"})
    user = api.client.get("/metrics", headers=api.headers(Role.ADMIN, "group"))  # a user's token is not it
    assert missing.status_code == wrong.status_code == user.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    assert "Bearer" in missing.headers["www-authenticate"]
    ok = api.client.get("/metrics", headers=SCRAPE)
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/plain")


def test_requests_are_counted_by_route_template_never_by_path(scraped: Api) -> None:
    route = "/api/v1/companies/{company}/positions/{customer_code}"
    before = scraped.client.get("/metrics", headers=SCRAPE).text
    for _ in range(3):
        scraped.as_(Role.AUDITOR).get(f"{BASE}/positions/SEGRETO42")
    after = scraped.client.get("/metrics", headers=SCRAPE).text
    labels = {"method": "GET", "route": route, "status": "404"}
    assert (
        sample(after, "creditbox_http_requests_total", **labels)
        == sample(before, "creditbox_http_requests_total", **labels) + 3
    )
    assert sample(after, "creditbox_http_request_duration_seconds_count", method="GET", route=route) >= 3
    assert "SEGRETO42" not in after


def group_export(tmp_path: Path) -> bytes:
    generate_group(GroupSpec(companies=1, customers=25, months=3, seed=8), tmp_path)
    return (tmp_path / "MUL1" / "MUL1-export.xlsx").read_bytes()


@pytest.mark.today(AFTER_THE_SAMPLE_DATA)
def test_an_import_moves_the_import_metrics_and_the_gauges_are_exposed(scraped: Api, tmp_path: Path) -> None:
    before = scraped.client.get("/metrics", headers=SCRAPE).text
    response = upload(scraped, group_export(tmp_path))
    assert response.status_code == 200, response.text
    body = response.json()
    after = scraped.client.get("/metrics", headers=SCRAPE).text

    imported = sample(after, "creditbox_imports_total", outcome="imported")
    assert imported == sample(before, "creditbox_imports_total", outcome="imported") + 1
    accepted = body["sheets"]["Bollette"]["accepted"]
    assert accepted > 0
    grown = sample(after, "creditbox_import_rows_total", sheet="Bollette", result="accepted") - sample(
        before, "creditbox_import_rows_total", sheet="Bollette", result="accepted"
    )
    assert grown == accepted
    for family in (
        "creditbox_projection_lag_events",
        "creditbox_quarantined_events",
        "creditbox_outbox_actions",
        "creditbox_due_positions",
        "creditbox_queue_depth",
    ):
        assert f"# TYPE {family} gauge" in after, family
    assert sample(after, "creditbox_projection_lag_events", projection="positions") == 0  # inline: caught up
    assert sample(after, "creditbox_queue_depth", queue="creditbox.positions") == 0


def test_readyz_is_ready_and_says_what_it_checked(api: Api) -> None:
    response = api.client.get("/readyz")
    assert response.status_code == 200, response.text
    checks = {c["name"]: c for c in response.json()["checks"]}
    assert set(checks) == {"database", "migrations", "projections", "broker"}
    assert all(c["ok"] for c in checks.values())
    assert checks["migrations"]["current"] == checks["migrations"]["head"]


def test_readyz_is_not_ready_when_the_schema_is_behind_or_a_projection_lags(api: Api) -> None:
    api.as_(Role.FEED).put(f"{BASE}/customers/C8", json={"name": "Bianchi Anna", "customer_type": 1})
    assert api.client.get("/readyz").status_code == 200  # caught up, schema at head
    with api.container.projections.engine.begin() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    behind = api.client.get("/readyz")
    assert behind.status_code == 503
    assert behind.headers["content-type"] == "application/problem+json"
    problem = behind.json()
    assert problem["type"] == "urn:creditbox:problem:not-ready" and problem["status"] == 503
    assert "migrations: schema alla revisione 0001" in problem["detail"]
    with api.container.projections.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})

    api.container.settings.ready_max_projection_lag = 0
    api.container.projections.mode = "external"  # the projectors are other processes: nobody catches up
    api.as_(Role.FEED).put(f"{BASE}/customers/C9", json={"name": "Rossi Mario", "customer_type": 1})
    lagging = api.client.get("/readyz")
    assert lagging.status_code == 503
    projections = next(c for c in lagging.json()["checks"] if c["name"] == "projections")
    assert not projections["ok"] and "indietro di" in projections["detail"]
    assert projections["lag"]["positions"] >= 1
    assert "Rossi" not in lagging.text and "C9" not in lagging.text


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logs.configure("json", "INFO", stream)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)


@pytest.mark.today(AFTER_THE_SAMPLE_DATA)
def test_logs_are_json_with_the_request_id_and_no_personal_data(
    api: Api, json_logs: io.StringIO, tmp_path: Path
) -> None:
    content = group_export(tmp_path)
    response = api.as_(Role.FEED).post(
        f"{BASE}/imports",
        files={"file": ("clienti.xlsx", content, "application/octet-stream")},
        headers={"X-Request-Id": "req-import-1"},
    )
    assert response.status_code == 200 and response.headers["x-request-id"] == "req-import-1"
    generated = api.client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-request-id"])

    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    mine = [line for line in lines if line.get("request_id") == "req-import-1"]
    assert mine and mine[-1]["logger"] == "creditbox.access"
    assert mine[-1]["route"] == "/api/v1/companies/{company}/imports" and mine[-1]["status"] == 200
    assert any(line.get("request_id") == generated.headers["x-request-id"] for line in lines)

    personal = set()
    book = load_workbook(io.BytesIO(content), read_only=True)
    for row in book["Clienti"].iter_rows(min_row=2, values_only=True):
        name, fiscal, _vat, email, pec, mobile, address = row[1], row[3], row[4], row[5], row[6], row[7], row[8]
        personal |= {str(v) for v in (name, fiscal, email, pec, mobile, address) if v}
    everything = json_logs.getvalue()
    assert len(personal) > 50
    assert [value for value in personal if value in everything] == []
    assert OWN in everything or "imports" in everything
