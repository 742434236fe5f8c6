"""Private PostgreSQL and Redis instances for the fault tests: started in a temporary folder on a free
port, stopped as a crash would stop them (PostgreSQL ``immediate``, Redis ``SIGKILL``) and started
again on the same port and data folder.

The shared services are never touched: a test that restarts a service restarts its own. A missing
tool (``initdb``/``pg_ctl``, ``redis-server``) fails the test when ``CI=true``, skips it elsewhere.
When run as root, PostgreSQL's programs run as the ``postgres`` user (``initdb`` refuses root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

START_SECONDS = 60.0


def missing(what: str) -> None:
    """Fail: a tool the fault tests need is not installed (like a missing service, never a skip)."""
    pytest.fail(f"{what} is required for the fault tests and is not installed")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def postgres_bin(name: str) -> str | None:
    """``name`` from the newest ``/usr/lib/postgresql/*/bin``, else from the ``PATH``."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[4]))
    return found[-1] if found else shutil.which(name)


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of its own: ``initdb`` into a temporary folder, ``pg_ctl`` on a free port."""

    root: Path
    port: int
    initdb: str
    pg_ctl: str
    user: str | None = None  # run the programs as this user (when we are root)
    restarts: int = 0
    starts: list[float] = field(default_factory=list)

    @classmethod
    def create(cls) -> PrivatePostgres:
        initdb, pg_ctl = postgres_bin("initdb"), postgres_bin("pg_ctl")
        if initdb is None or pg_ctl is None:
            missing("PostgreSQL (initdb, pg_ctl)")
            raise AssertionError("unreachable")
        root = Path(tempfile.mkdtemp(prefix="creditbox-faults-pg-"))
        user = "postgres" if os.geteuid() == 0 else None
        if user is not None:
            account = pwd.getpwnam(user)
            os.chown(root, account.pw_uid, account.pw_gid)
        cluster = cls(root, free_port(), initdb, pg_ctl, user)
        cluster._run([initdb, "-D", str(cluster.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
        cluster.start()
        return cluster

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(command, capture_output=True, user=self.user, timeout=START_SECONDS, check=False)
        if done.returncode != 0:
            raise AssertionError(f"{command[0]} failed: {done.stdout.decode()} {done.stderr.decode()}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c max_connections=200 -c shared_buffers=32MB"
        )
        self._run([self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start"])
        self.starts.append(time.monotonic())

    def stop(self, mode: str = "immediate") -> None:
        """``immediate``: every server process quits at once, no checkpoint — the next start recovers
        from the WAL, as after a crash; ``fast``: a clean shutdown."""
        self._run([self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop"])

    def restart(self, down_seconds: float = 1.0) -> None:
        """Crash (``immediate``), stay down ``down_seconds``, start again on the same port and data."""
        self.stop("immediate")
        time.sleep(down_seconds)
        self.start()
        self.restarts += 1

    def create_database(self, name: str) -> str:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def close(self) -> None:
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            self.stop("fast")
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class PrivateRedis:
    """A ``redis-server`` of its own on a free port, nothing saved to disk: a restart loses every
    message it held, as a Redis without persistence does."""

    root: Path
    port: int
    binary: str
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    @classmethod
    def create(cls) -> PrivateRedis:
        binary = shutil.which("redis-server")
        if binary is None:
            missing("redis-server")
            raise AssertionError("unreachable")
        server = cls(Path(tempfile.mkdtemp(prefix="creditbox-faults-redis-")), free_port(), binary)
        server.start()
        return server

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.root)]
        with (self.root / "server.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_SECONDS
        while not answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"redis-server did not start: {(self.root / 'server.log').read_text()}")
            time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=START_SECONDS)

    def restart(self, down_seconds: float = 1.0) -> None:
        """SIGKILL, stay down ``down_seconds``, start again on the same port (empty)."""
        self.kill()
        time.sleep(down_seconds)
        self.start()
        self.restarts += 1

    def flush(self) -> None:
        import redis

        client = redis.Redis.from_url(self.url())
        try:
            client.flushall()
        finally:
            client.close()

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)
