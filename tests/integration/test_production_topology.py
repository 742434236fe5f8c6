"""The production topology started for real (docs/operations.md, "Production topology"): PostgreSQL
(a fresh database of this test on the test server), Redis (the test's database, queues of this run's
own), two API processes (``creditbox serve``), one projector (``creditbox projections run``), the
workers (``creditbox worker``) and the scheduler's loop (``creditbox scheduler``), every process a
subprocess with ``CREDITBOX_PROJECTIONS=external`` as in production.

The company and its tokens are registered through the command line, the customers, supplies and bills
fed through the API, alternating between the two API processes; then the worklists (read through the
API) and the outbox (entries ``sent``, the messages' files in the channel folder) must move, and every
process must stop on SIGTERM.
"""

from __future__ import annotations

import json
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import psycopg
import pytest
from psycopg import sql

from tests.conftest import postgres_test_url
from tests.faults.services import free_port
from tests.faults.site import Site, kill, wait_until
from tests.faults.world import COMPANY, DUE, OPENING, outbox_statuses
from tests.integration.brokers import forget_redis_queues, redis_test_url, require, unique_prefix

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

WITH_MOBILE = 6  # customers whose first step (an SMS) goes out through the file channel
WITHOUT_MOBILE = 4  # customers whose SMS is skipped (on the *contatti mancanti* worklist): a letter goes instead
SECONDS = 90.0  # at most, for the worklists and the outbox to move once everything is fed
METRICS_TOKEN = "topologia-metriche"
STOP_SECONDS = 30.0  # at most, for a process to end after SIGTERM
# Every process, as in production: read models kept by the projector, short holds so that the test
# does not wait for a production interval.
SETTINGS = {
    "CREDITBOX_PROJECTIONS": "external",
    "CREDITBOX_SCHEDULER_LEASE_SECONDS": "5",
    "CREDITBOX_OUTBOX_HOLD_SECONDS": "5",
}


@pytest.fixture
def database() -> Iterator[str]:
    """A new database on the test server (its name derived from the test database's), dropped afterwards."""
    base = postgres_test_url()
    parts = urlparse(base)
    name = f"{parts.path.lstrip('/') or 'creditbox'}_topology_{uuid.uuid4().hex[:8]}"
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is required for the production-topology test and is not reachable at {base}: {error}")
    yield parts._replace(path=f"/{name}").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def site(database: str, tmp_path: Path) -> Iterator[Site]:
    broker = require(redis_test_url(), 6379, "Redis")
    here = Site(database, broker, tmp_path, prefix=unique_prefix(), settings=dict(SETTINGS))
    try:
        yield here
    finally:
        for process in here.started:  # whatever the test left running (it stops them itself)
            if process.poll() is None:
                kill(process)
        forget_redis_queues(broker, here.prefix)


def customer(code: str, *, mobile: bool) -> dict[str, object]:
    contacts = {"mobile": "3331234567"} if mobile else {}
    return {
        "name": f"Cliente {code}",
        "customer_type": 1,
        "email": f"{code.lower()}@example.it",
        "address": "Via Roma 1",
        "postcode": "00184",
        "city": "Roma",
        **contacts,
    }


def token(site: Site, role: str) -> str:
    code, out = site.run(
        "tokens", "create", "--company", COMPANY, "--role", role, "--name", f"topologia-{role}", "--json"
    )
    assert code == 0, out
    return str(json.loads(out[out.index("{") :])["token"])


def feed(apis: list[str], secret: str, codes: list[str], without_mobile: set[str]) -> None:
    """Each customer's records through one of the API processes in turn."""
    headers = {"Authorization": f"Bearer {secret}"}
    for i, code in enumerate(codes):
        base = f"{apis[i % len(apis)]}/api/v1/companies/{COMPANY}"
        answers = [
            httpx.put(
                f"{base}/customers/{code}", json=customer(code, mobile=code not in without_mobile), headers=headers
            ),
            httpx.put(
                f"{base}/supplies/S-{code}",
                json={"customer_code": code, "service": 1, "supply_type": 1},
                headers=headers,
            ),
            httpx.post(
                f"{base}/bills",
                json={
                    "number": f"B-{code}",
                    "customer_code": code,
                    "supply_code": f"S-{code}",
                    "issue_date": "2026-01-01",
                    "due_date": DUE.isoformat(),
                    "amount": "120.00",
                },
                headers=headers,
            ),
        ]
        for answer in answers:
            assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text


def missing_contacts(api: str, secret: str) -> set[str]:
    answer = httpx.get(
        f"{api}/api/v1/companies/{COMPANY}/worklists",
        params={"kind": "missing_contact", "limit": 100},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status_code == 200, answer.text
    return {item["customer_code"] for item in answer.json()["items"]}


def sample(exposition: str, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` carrying ``labels`` in a Prometheus text exposition."""
    total, found = 0.0, False
    for line in exposition.splitlines():
        metric, _, value = line.rpartition(" ")
        if metric.split("{")[0] == name and all(f'{k}="{v}"' in metric for k, v in labels.items()):
            total, found = total + float(value), True
    assert found, f"no sample {name} {labels} in:\n{exposition}"
    return total


def sent_by_channel(database_url: str) -> dict[str, int]:
    with psycopg.connect(database_url, connect_timeout=5) as conn:
        rows = conn.execute("SELECT channel, count(*) FROM outbox WHERE status = 'sent' GROUP BY channel").fetchall()
    return {str(channel): int(n) for channel, n in rows}


def stop_on_sigterm(processes: list[subprocess.Popen[bytes]]) -> dict[int, int | None]:
    """SIGTERM to every main process at once (as the units' ``KillMode=mixed``: the worker and API
    supervisors pass it on to their children; a worker child that got a second SIGTERM from its
    supervisor would be killed), the exit code of each within ``STOP_SECONDS`` (``None``: it did not
    end, and its session was then killed)."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    codes: dict[int, int | None] = {}
    for process in processes:
        try:
            codes[process.pid] = process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            codes[process.pid] = None
            kill(process)
    return codes


def test_the_production_topology_moves_the_worklists_and_the_outbox(site: Site) -> None:
    code, out = site.run("db", "upgrade")
    assert code == 0, out
    code, out = site.run("companies", "add", COMPANY, "--name", "Acque del Gruppo")
    assert code == 0, out
    feed_token, operator_token = token(site, "feed"), token(site, "operator")

    ports, scheduler_metrics = [free_port(), free_port()], free_port()
    daemons = {
        "api-1": site.serve(ports[0], CREDITBOX_METRICS_TOKEN=METRICS_TOKEN),
        "api-2": site.serve(ports[1], CREDITBOX_METRICS_TOKEN=METRICS_TOKEN),
        "projector": site.creditbox("projections", "run"),
        "worker": site.creditbox("worker", "--processes", "1", "--threads", "2"),
        "scheduler": site.creditbox(
            "scheduler",
            "--as-of",
            OPENING.isoformat(),
            "--every",
            "1",
            "--no-inbox",
            CREDITBOX_METRICS_PORT=str(scheduler_metrics),
        ),
    }
    apis = [f"http://127.0.0.1:{port}" for port in ports]

    codes = [f"T{i:03d}" for i in range(WITH_MOBILE + WITHOUT_MOBILE)]
    without_mobile = set(codes[:WITHOUT_MOBILE])
    feed(apis, feed_token, codes, without_mobile)

    def moved() -> bool:
        for name, process in daemons.items():
            assert process.poll() is None, f"{name} ended: {site.log_of(process)}"
        return (
            missing_contacts(apis[1], operator_token) == without_mobile
            and outbox_statuses(site.database_url).get("sent", 0) >= len(codes)  # one message each
        )

    wait_until(moved, "the worklists and the outbox to move", SECONDS)

    assert missing_contacts(apis[0], operator_token) == without_mobile  # the other API process sees it too
    sent = sent_by_channel(site.database_url)
    files = {folder.name: len(list(folder.glob("*.json"))) for folder in (site.channel_dir / COMPANY).iterdir()}
    assert files == sent  # every entry sent is a message in its channel's folder, and nothing else is
    sms = sorted(path.name for path in (site.channel_dir / COMPANY / "sms").glob("*.json"))
    assert len(sms) == WITH_MOBILE and all(any(f"%2F{c}%2F" in n for n in sms) for c in set(codes) - without_mobile)

    # What the alerts of docs/operations.md read: the API's gauges and counters, the scheduler's own.
    api_metrics = httpx.get(f"{apis[0]}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    assert sample(api_metrics, "creditbox_outbox_actions", channel="sms", status="sent") == WITH_MOBILE
    assert sample(api_metrics, "creditbox_http_requests_total", route="/api/v1/companies/{company}/bills") >= 1
    rounds = sample(httpx.get(f"http://127.0.0.1:{scheduler_metrics}/metrics").text, "creditbox_scheduler_rounds_total")
    assert rounds >= 1

    exits = stop_on_sigterm(list(daemons.values()))
    for name, process in daemons.items():
        assert exits[process.pid] is not None, f"{name} did not stop within {STOP_SECONDS} s of SIGTERM"
        assert exits[process.pid] in (0, -signal.SIGTERM), f"{name} exited {exits[process.pid]}: {site.log_of(process)}"
        assert process.poll() is not None
