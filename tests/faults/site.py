"""One fault test's installation: its database, broker, channel folder and queues, and the real
processes it runs — worker processes (``dramatiq creditbox.workers.actors``, what ``creditbox
worker`` runs), ``creditbox serve``, ``creditbox scheduler``, ``creditbox projections run``,
``creditbox import`` — each in a session of its own, its output in a file of the test's folder.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PROCESS_SECONDS = 90.0  # at most, for one process to start and do its work (seconds in practice)


def wait_until(condition: Callable[[], bool], what: str, seconds: float = PROCESS_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class Site:
    database_url: str
    broker_url: str
    folder: Path
    prefix: str = field(default_factory=lambda: f"cbfaults{uuid.uuid4().hex[:10]}")
    settings: dict[str, str] = field(default_factory=dict)  # CREDITBOX_* of every process
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    @property
    def channel_dir(self) -> Path:
        return self.folder / "canali"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("CREDITBOX_")},
            "PYTHONPATH": str(ROOT),
            "CREDITBOX_DATABASE_URL": self.database_url,
            "CREDITBOX_BROKER_URL": self.broker_url,
            "CREDITBOX_CHANNEL_DIR": str(self.channel_dir),
            "CREDITBOX_QUEUE_PREFIX": self.prefix,
            **self.settings,
            **extra,
        }

    def _log(self, name: str) -> Path:
        folder = self.folder / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{len(self.logs):02d}-{name}.log"
        self.logs.append(path)
        return path

    def spawn(self, name: str, command: list[str], **extra: str) -> subprocess.Popen[bytes]:
        """A process in a session of its own (so that a kill reaches its children), output to a log."""
        with self._log(name).open("wb") as out:
            process = subprocess.Popen(
                command, env=self.env(**extra), cwd=self.folder, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.started.append(process)
        return process

    def creditbox(self, *args: str, **extra: str) -> subprocess.Popen[bytes]:
        return self.spawn(args[0], [sys.executable, "-m", "creditbox.cli.main", *args], **extra)

    def run(self, *args: str, seconds: float = PROCESS_SECONDS, **extra: str) -> tuple[int, str]:
        """``creditbox ARGS`` to its end: the exit code and the output."""
        process = self.creditbox(*args, **extra)
        try:
            code = process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            kill(process)
            raise AssertionError(f"creditbox {' '.join(args)} did not end in {seconds} s") from None
        return code, self.logs[self.started.index(process)].read_text(errors="replace")

    def workers(self, *, processes: int = 1, threads: int = 2, **extra: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "dramatiq", "creditbox.workers.actors"]
        command += ["--processes", str(processes), "--threads", str(threads)]
        return self.spawn("worker", command, **extra)

    def serve(self, port: int, **extra: str) -> subprocess.Popen[bytes]:
        """``creditbox serve`` on ``port``, once it answers ``/healthz``."""
        process = self.creditbox("serve", "--port", str(port), "--no-access-log", "--log-level", "warning", **extra)

        def up() -> bool:
            assert process.poll() is None, self.log_of(process)
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code in (200, 503)
            except httpx.TransportError:
                return False

        wait_until(up, "the API to answer")
        return process

    def log_of(self, process: subprocess.Popen[bytes]) -> str:
        return self.logs[self.started.index(process)].read_text(errors="replace")

    def all_logs(self, name: str) -> str:
        return "".join(p.read_text(errors="replace") for p in self.logs if p.name.endswith(f"-{name}.log"))

    def stop_all(self) -> None:
        stop_together(self.started)


def kill(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """``sig`` to the process's whole session (the process and its children), then reap it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
    process.wait(timeout=PROCESS_SECONDS)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (workers finish what they hold), SIGKILL to the session past 30 s."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        kill(process)
    except ProcessLookupError:
        pass


def stop_together(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to all at once, then wait for each (SIGKILL to its session past 30 s)."""
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        stop(process)
