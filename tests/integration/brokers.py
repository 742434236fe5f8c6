"""The real brokers of the worker tests and of the bench: where they are, worker processes on them,
and cleaning up after a run.

Each run uses queue names of its own (``CREDITBOX_QUEUE_PREFIX``), so runs at once never take each
other's messages; a missing broker fails the test (these tests never skip).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"


def redis_test_url() -> str:
    return os.environ.get("CREDITBOX_TEST_REDIS_URL", DEFAULT_REDIS)


def amqp_test_url() -> str:
    return os.environ.get("CREDITBOX_TEST_AMQP_URL", DEFAULT_AMQP)


def reachable(url: str, default_port: int) -> bool:
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def require(url: str, default_port: int, what: str) -> str:
    if not reachable(url, default_port):
        pytest.fail(f"{what} is required for the worker tests and is not reachable at {url}")
    return url


def unique_prefix() -> str:
    """Queue names of this run only."""
    return f"cbtest{uuid.uuid4().hex[:10]}"


def start_workers(
    broker_url: str,
    database_url: str,
    channel_dir: str,
    prefix: str,
    *,
    processes: int = 1,
    threads: int = 2,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """``dramatiq creditbox.workers.actors`` in a process group of its own (stopped by :func:`stop`)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CREDITBOX_BROKER_URL": broker_url,
        "CREDITBOX_DATABASE_URL": database_url,
        "CREDITBOX_CHANNEL_DIR": channel_dir,
        "CREDITBOX_QUEUE_PREFIX": prefix,
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "dramatiq",
        "creditbox.workers.actors",
        "--processes",
        str(processes),
        "--threads",
        str(threads),
    ]
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the workers' main process (they finish the messages in hand); past 30 s, SIGKILL to
    its whole process group."""
    if process.poll() is not None:
        return
    process.terminate()  # the main process stops its worker processes
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_for(condition: Callable[[], bool], seconds: float, what: str = "the workers did not finish in time") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(what)


def forget_redis_queues(url: str, prefix: str) -> None:
    """Delete this run's keys (its queues, their delay queues and acks) from Redis."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        for pattern in (f"dramatiq:{prefix}*", f"dramatiq:__acks__.*.{prefix}*"):
            for key in client.scan_iter(pattern):
                client.delete(key)
    finally:
        client.close()


def forget_amqp_queues(url: str, queue_names: tuple[str, ...]) -> None:
    """Delete this run's queues (with their delay and dead-letter queues) from RabbitMQ."""
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        for name in queue_names:
            for suffix in ("", ".DQ", ".XQ"):
                channel.queue_delete(name + suffix)
    finally:
        connection.close()
