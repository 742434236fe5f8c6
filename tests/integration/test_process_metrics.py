"""The metrics and logs of the processes other than the API: a worker's message is logged with its
message id and counted; the scheduler, a projector and a ``creditbox worker`` group expose their
metrics on the port of ``CREDITBOX_METRICS_PORT`` (real processes, a real Redis for the workers)."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from prometheus_client.parser import text_string_to_metric_families

from creditbox.observability import logs, metrics
from creditbox.workers.broker import Queues
from creditbox.workers.observability import MessageObservability
from tests.integration.brokers import ROOT, forget_redis_queues, redis_test_url, require, stop, unique_prefix, wait_for

pytestmark = pytest.mark.cli_or_api


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def scrape(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            return str(answer.read().decode())
    except OSError:
        return ""


def value(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                total += float(found.value)
    return total


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logs.configure("json", "INFO", stream)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)


def test_a_message_is_logged_with_its_message_id_and_counted(json_logs: io.StringIO) -> None:
    broker = StubBroker()
    broker.add_middleware(MessageObservability())
    said = logging.getLogger("tests.worker")

    def greet(number: int) -> None:
        said.info("lavoro %s", number)

    actor = dramatiq.actor(greet, broker=broker, actor_name="observe_greet", queue_name="observe-test")
    done = {"queue": "observe-test", "actor": "observe_greet", "outcome": "done"}
    before = value(metrics.exposition().decode(), "creditbox_worker_messages_total", **done)
    worker = dramatiq.Worker(broker, worker_threads=1)
    worker.start()
    try:
        message = actor.send(7)
        broker.join("observe-test")
        worker.join()
    finally:
        worker.stop()
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    mine = [line for line in lines if line["logger"] == "tests.worker"]
    assert [(line["message"], line["message_id"]) for line in mine] == [("lavoro 7", message.message_id)]
    assert "request_id" not in mine[0]
    after = value(metrics.exposition().decode(), "creditbox_worker_messages_total", **done)
    assert after == before + 1


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "creditbox.cli.main", *args],
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def waiting(condition: Callable[[], bool], log: Path, seconds: float = 120) -> None:
    """Wait for ``condition``; failing, say what the process wrote."""
    try:
        wait_for(condition, seconds)
    except AssertionError:
        raise AssertionError(f"not exposed in time; {log.name}: {log.read_text(errors='replace')[-3000:]}") from None


def process_env(tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    return {
        "CREDITBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'creditbox.sqlite3'}",
        "CREDITBOX_CHANNEL_DIR": str(tmp_path / "canali"),
        "CREDITBOX_INBOX_DIR": str(tmp_path / "inbox"),
        "CREDITBOX_METRICS_PORT": str(port),
        "CREDITBOX_LOG_FORMAT": "json",
        **extra,
    }


def test_the_scheduler_and_a_projector_expose_their_metrics(tmp_path: Path) -> None:
    scheduler_port, projector_port = free_port(), free_port()
    # One after the other: two processes migrating one new SQLite file at once would race.
    scheduler = start(
        ["scheduler", "--every", "0.3", "--no-inbox"], process_env(tmp_path, scheduler_port), tmp_path / "scheduler.log"
    )
    projector: subprocess.Popen[bytes] | None = None
    try:
        rounds = "creditbox_scheduler_rounds_total"
        waiting(lambda: value(scrape(scheduler_port), rounds) >= 2, tmp_path / "scheduler.log")
        projector = start(
            ["projections", "run", "--poll", "0.3"],
            process_env(tmp_path, projector_port, CREDITBOX_PROJECTIONS="external"),
            tmp_path / "projector.log",
        )
        waiting(lambda: "creditbox_projection_lag_events" in scrape(projector_port), tmp_path / "projector.log")
        scheduled = scrape(scheduler_port)
        assert "# TYPE creditbox_due_positions gauge" in scheduled
        assert "# TYPE creditbox_queue_depth gauge" in scheduled
        assert "creditbox_projection_lag_events" not in scheduled  # the projectors' own
        projected = scrape(projector_port)
        assert value(projected, "creditbox_projection_lag_events", projection="positions") == 0
        assert "# TYPE creditbox_quarantined_events gauge" in projected
    finally:
        stop(scheduler)
        if projector is not None:
            stop(projector)


@pytest.mark.redis
def test_a_worker_group_exposes_the_merged_metrics_of_its_processes(tmp_path: Path) -> None:
    from dramatiq.brokers.redis import RedisBroker

    url = require(redis_test_url(), 6379, "Redis")
    prefix = unique_prefix()
    port = free_port()
    env = process_env(
        tmp_path,
        port,
        CREDITBOX_BROKER_URL=url,
        CREDITBOX_QUEUE_PREFIX=prefix,
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metriche"),
    )
    workers = start(["worker", "--processes", "2", "--threads", "1"], env, tmp_path / "worker.log")
    broker = RedisBroker(url=url)
    try:
        queue = Queues(prefix).actions
        broker.declare_queue(queue)
        for n in range(4):
            broker.enqueue(dramatiq.Message(queue, "send_actions", ([f"NESSUNA-{n}"],), {}, {}))
        waiting(
            lambda: value(scrape(port), "creditbox_worker_messages_total", actor="send_actions", outcome="done") >= 4,
            tmp_path / "worker.log",
        )
        exposed = scrape(port)
        assert value(exposed, "creditbox_actions_handled_total", result="skipped") >= 4  # unknown keys
        assert value(exposed, "creditbox_worker_message_duration_seconds_count", actor="send_actions") >= 4
        lines = [
            json.loads(line)
            for line in (tmp_path / "worker.log").read_text(errors="replace").splitlines()
            if line.startswith("{")
        ]
        assert any(line.get("message_id") and "NESSUNA" in line["message"] for line in lines)
    finally:
        stop(workers)
        broker.close()
        forget_redis_queues(url, prefix)
