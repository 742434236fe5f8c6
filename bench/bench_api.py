"""HTTP API load benchmark on PostgreSQL: position summary and a worklist page under a steady rate.

Setup: 100,000 positions of one company, each with a supply and an overdue bill; an actions table
whose first step is a proposal; one dunning tick, so every position has an open case and the
``proposal`` worklist has 100,000 items; projections caught up, then ``ANALYZE``. It is built once
(through the application's batched saves, the tick and the projections' catch-up: about 10 minutes
for 100,000) in the dedicated database ``creditbox_bench_api`` and reused by every later run that finds
the same number of positions *and* of proposal items there; anything else (another scale, a run
stopped half-way) drops the schema and builds it again.

Load: ``creditbox serve --workers N --no-access-log`` (uvicorn, uvloop and httptools) on 127.0.0.1,
half the requests ``GET positions/{code}`` for random customers, half ``GET worklists?kind=proposal``
(the first page or one of 20 pages spread over the 100,000 items, by cursor), at a fixed rate (open loop: a request is
sent at its time whether or not the previous ones have answered). The client is

- ``wrk`` when installed: two processes (summary, worklist) at half the rate each, a Lua script
  paces the sends on a schedule and records how late each send left; wrk times each request from
  its send, so the figure compared with the goal is wrk's p99 plus the p99 of the send lateness;
- otherwise (or with ``BENCH_API_CLIENT=python``) a separate Python process, asyncio with raw
  HTTP/1.1 keep-alive connections, which times each request from its *scheduled* send time (no
  coordinated omission: a stalled server cannot hide behind a waiting client).

A warm-up (``BENCH_API_WARMUP`` s at the same rate: connection pools, prepared statements) is not
counted. Goal: p99 under 100 ms, no errors, the rate sustained (at least 98 % of it answered).

Environment: ``BENCH_SCALE`` (positions × scale, default 1.0), ``BENCH_API_SECONDS`` (default 60),
``BENCH_API_RATE`` (default 200), ``BENCH_API_WORKERS`` (uvicorn workers, default: the CPU count, at least 2),
``BENCH_API_WARMUP`` (default 5), ``BENCH_API_CLIENT`` (``wrk`` or ``python``; default wrk if installed),
``BENCH_API_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/creditbox_bench_api``).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import httpx
import psycopg
from psycopg import sql

from bench.figures import record
from creditbox.bootstrap import bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.actions import ActionRow, StartPoint, StepMode
from creditbox.domain.codes import ActionCode, CustomerType, Service, SupplyType
from creditbox.domain.documents import CustomerDetails, SupplyDetails
from creditbox.domain.position import Position
from creditbox.domain.tokens import Role
from creditbox.projections.queries.paging import encode_cursor
from creditbox.projections.queries.worklists import ORDERING as WORKLIST_ORDERING
from creditbox.settings import Settings

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/creditbox_bench_api"
POSITIONS = 100_000
TODAY = date(2026, 3, 2)
COMPANY = "BENCH"
SAVE_CHUNK = 500
TARGET_P99_MS = 100.0
NEXT_PAGES = 20
WRK_CONNECTIONS = 16  # per wrk process; each connection waits for its slot, so this bounds nothing but bursts
MAX_CONNECTIONS = 256  # Python client: beyond this a request waits for a free connection (time still counted)


def _scale() -> float:
    return float(os.environ.get("BENCH_SCALE", "1.0"))


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def _database(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    admin = urlparse(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _prepared_positions(url: str) -> int:
    """Positions ready from an earlier run: as many as the proposal worklist items (else 0)."""
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM rm_positions WHERE company = %s),"
                " (SELECT count(*) FROM rm_worklist WHERE company = %s AND kind = 'proposal')",
                (COMPANY, COMPANY),
            ).fetchone()
    except psycopg.Error:
        return 0
    return int(row[0]) if row and row[0] == row[1] else 0


def _reset(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def _proposal_table() -> list[ActionRow]:
    def row(seq: int, code: ActionCode, mode: StepMode, start: StartPoint) -> ActionRow:
        return ActionRow(
            ladder="BENCH",
            seq=seq,
            action_code=code,
            description=f"passo {seq}",
            wait_before_days=0,
            start_point=start,
            wait_after_days=15,
            amount_min=Decimal("0"),
            amount_max=None,
            threshold=Decimal("10"),
            approval_level=0,
            mode=mode,
        )

    return [
        row(1, ActionCode.FRIENDLY_REMINDER, StepMode.PROPOSAL, StartPoint.OPENED),
        row(2, ActionCode.REGISTERED_LETTER, StepMode.AUTO, StartPoint.PREVIOUS_SENT),
    ]


def _populate(url: str, positions: int) -> str:
    """Positions, a tick, projections; returns a fresh operator token."""
    if _prepared_positions(url) != positions:
        _reset(url)
        return _populate_fresh(url, positions)
    print(f"[setup] reusing {positions:,} positions from an earlier run", flush=True)
    with bootstrap(Settings(database_url=url), clock=FixedClock(TODAY)) as c:
        return c.tokens().issue(COMPANY, Role.OPERATOR, issued_on=TODAY, by="bench").secret


def _populate_fresh(url: str, positions: int) -> str:
    settings = Settings(database_url=url, pool_size=10)
    with bootstrap(settings, clock=FixedClock(TODAY)) as c:
        started = time.perf_counter()
        c.companies.register(COMPANY, "Benchmark Spa", by="bench")
        c.actions_tables.revise(COMPANY, _proposal_table(), by="bench", source="bench")
        rng = random.Random(7)
        batch: list[Position] = []
        for n in range(positions):
            code = f"C{n:07d}"
            position = Position.register(
                COMPANY,
                code,
                CustomerDetails(
                    f"Cliente {n}", CustomerType.DOMESTIC, address="Via Roma 1", postcode="00184", city="Roma"
                ),
                by="bench",
            )
            position.register_supply(SupplyDetails(f"S{n:07d}", Service.WATER, SupplyType.SUSPENDABLE), by="bench")
            due = date(2026, 1, rng.randint(1, 31))
            amount = Decimal(rng.randint(2000, 90000)) / 100
            position.issue_bill(f"B{n:07d}", f"S{n:07d}", due.replace(day=1), due, amount, by="bench")
            batch.append(position)
            if len(batch) == SAVE_CHUNK:
                c.app.save(*batch)
                batch = []
        if batch:
            c.app.save(*batch)
        print(f"[setup] {positions:,} positions saved in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        report = c.dunning().run_due(COMPANY, TODAY)
        print(f"[setup] tick: {report.changed:,} positions changed in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        read = c.projections.catch_up()
        print(f"[setup] projections: {read:,} notifications in {time.perf_counter() - started:.1f} s", flush=True)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ANALYZE")
        return c.tokens().issue(COMPANY, Role.OPERATOR, issued_on=TODAY, by="bench").secret


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CREDITBOX_DATABASE_URL": url, "CREDITBOX_PROJECTIONS": "external"}
    command = [sys.executable, "-m", "creditbox.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    server = subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parent.parent)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("il server non è partito entro 60 s")


def _page_cursors(url: str, positions: int) -> list[str]:
    """Cursors of ``NEXT_PAGES`` pages spread over the whole proposal list (keyset paging costs the same
    at any depth; these check it), encoded as the API encodes them."""
    rng = random.Random(5)
    offsets = sorted(rng.randrange(50, max(51, positions - 50)) for _ in range(NEXT_PAGES))
    query = (
        "SELECT kind, amount, position_id, item_key FROM rm_worklist WHERE company = %s AND kind = 'proposal'"
        " ORDER BY kind DESC, amount DESC, position_id DESC, item_key DESC OFFSET %s LIMIT 1"
    )
    cursors = []
    with psycopg.connect(url, autocommit=True) as conn:
        for offset in offsets:
            row = conn.execute(query, (COMPANY, offset)).fetchone()
            if row is not None:
                kind, cents, position_id, item_key = row
                cursors.append(encode_cursor(WORKLIST_ORDERING, [kind, Decimal(cents) / 100, position_id, item_key]))
    return cursors


@dataclass(frozen=True)
class Load:
    port: int
    token: str
    positions: int
    rate: int
    seconds: int
    warmup: int
    cursors: list[str]

    @property
    def base(self) -> str:
        return f"/api/v1/companies/{COMPANY}"


@dataclass(frozen=True)
class Figures:
    """One kind of request (or all), latencies in ms: from the scheduled send time (Python client) or
    from the send (wrk, with how late the sends left their schedule in ``late_*``)."""

    kind: str
    sent: int
    answered: int
    errors: int
    p50: float
    p95: float
    p99: float
    max: float
    mean: float
    late_p99: float  # how late the sends left (wrk); 0 for the Python client, whose latencies include it
    late_max: float


# ---- the Python client (a separate process) ------------------------------------------------


def _path(load: Load, slot: int, rng: random.Random) -> tuple[str, str]:
    if slot % 2:
        return "summary", f"{load.base}/positions/C{rng.randrange(load.positions):07d}"
    path = f"{load.base}/worklists?kind=proposal&limit=50"
    if load.cursors and rng.random() < 0.5:
        path += f"&cursor={rng.choice(load.cursors)}"
    return "worklist", path


async def _python_client(load: Load) -> dict[str, list[list[float]]]:
    """Open loop: request ``i`` is due at ``start + i / rate``; its latency runs from then to the end of
    the response body. Returns ``{kind: [[latency_ms, status], ...]}`` for the measured period."""
    rng = random.Random(11)
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    opened = 0
    free = asyncio.Condition()
    results: dict[str, list[list[float]]] = {"summary": [], "worklist": []}
    head = f"Host: 127.0.0.1:{load.port}\r\nAuthorization: Bearer {load.token}\r\n\r\n"
    clock = time.perf_counter  # not loop.time(): uvloop's is cached per iteration, in whole milliseconds

    async def connection() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        nonlocal opened
        async with free:
            while not idle and opened >= MAX_CONNECTIONS:
                await free.wait()
            if idle:
                return idle.pop()
            opened += 1
        return await asyncio.open_connection("127.0.0.1", load.port)

    async def release(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None) -> None:
        nonlocal opened
        async with free:
            if conn is None:
                opened -= 1
            else:
                idle.append(conn)
            free.notify()

    async def send(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], path: str) -> bytes:
        conn[1].write(f"GET {path} HTTP/1.1\r\n{head}".encode())
        return await asyncio.wait_for(conn[0].readuntil(b"\r\n\r\n"), 10)

    async def one(kind: str, path: str, due: float, counted: bool) -> None:
        status = 0
        conn = None
        try:
            conn = await connection()
            try:
                headers = await send(conn, path)
            except (OSError, asyncio.IncompleteReadError):
                # A kept-alive connection the server had closed (idle timeout): reconnect once, like
                # any HTTP client; the time spent still counts.
                conn[1].close()
                conn = await asyncio.open_connection("127.0.0.1", load.port)
                headers = await send(conn, path)
            reader = conn[0]
            lines = headers.decode("latin-1").split("\r\n")
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await asyncio.wait_for(reader.readexactly(length), 10)
            status = int(lines[0].split(" ", 2)[1])
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            if os.environ.get("BENCH_API_DEBUG"):
                print(repr(error), file=sys.stderr)
            if conn is not None:
                conn[1].close()
            conn = None
        await release(conn)
        if counted:
            results[kind].append([(clock() - due) * 1000, status])

    warm = load.rate * load.warmup
    total = warm + load.rate * load.seconds
    start = clock() + 0.2
    tasks = []
    for slot in range(total):
        due = start + slot / load.rate
        delay = due - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        kind, path = _path(load, slot, rng)
        tasks.append(asyncio.create_task(one(kind, path, due, slot >= warm)))
    await asyncio.gather(*tasks)
    for reader_writer in idle:
        reader_writer[1].close()
    return results


def _client_main(argument: str) -> None:
    load = Load(**json.loads(argument))
    try:
        import uvloop
    except ImportError:
        print(json.dumps(asyncio.run(_python_client(load))))
    else:
        print(json.dumps(uvloop.run(_python_client(load))))


def _figures(kind: str, sent: int, samples: list[list[float]], late: tuple[float, float] = (0, 0)) -> Figures:
    latencies = [s[0] for s in samples] or [0.0]
    errors = sum(1 for s in samples if s[1] != 200) + (sent - len(samples))
    return Figures(
        kind,
        sent,
        len(samples),
        errors,
        _percentile(latencies, 50),
        _percentile(latencies, 95),
        _percentile(latencies, 99),
        max(latencies),
        statistics.fmean(latencies),
        *late,
    )


def _run_python(load: Load) -> list[Figures]:
    code = "import sys; from bench.bench_api import _client_main; _client_main(sys.argv[1])"
    command = [sys.executable, "-c", code, json.dumps(load.__dict__)]
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True, cwd=root)
    results: dict[str, list[list[float]]] = json.loads(done.stdout)
    half = load.rate * load.seconds // 2
    figures = [_figures(kind, half, samples) for kind, samples in results.items()]
    return [*figures, _figures("all", 2 * half, results["summary"] + results["worklist"])]


# ---- wrk -------------------------------------------------------------------------------------

WRK_SCRIPT = r"""
-- Paced sends for wrk: each free connection takes the next slot of this thread's schedule
-- (rate/s) and waits for it; how late each send left is recorded (wrk times from the send).
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } cb_timespec;
int clock_gettime(int clk_id, cb_timespec *tp);
]]
local ts = ffi.new("cb_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads = {}
function setup(thread) table.insert(threads, thread) end

function init(args)
  kind, rate, positions, base = args[1], tonumber(args[2]), tonumber(args[3]), args[4]
  cursors = {}
  for i = 5, #args do cursors[#cursors + 1] = args[i] end
  interval, late, next_slot = 1000 / rate, {}, nil
  math.randomseed(tonumber(tostring(now_ms()):sub(-6)))
end

function delay()
  local now = now_ms()
  if next_slot == nil then next_slot = now end
  local slot = next_slot
  next_slot = slot + interval
  local wait = slot - now
  if wait < 0 then
    late[#late + 1] = -wait
    return 0
  end
  late[#late + 1] = 0
  return math.floor(wait)
end

function request()
  local path
  if kind == "summary" then
    path = string.format("%s/positions/C%07d", base, math.random(0, positions - 1))
  else
    path = base .. "/worklists?kind=proposal&limit=50"
    if #cursors > 0 and math.random() < 0.5 then path = path .. "&cursor=" .. cursors[math.random(#cursors)] end
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    for _, v in ipairs(thread:get("late")) do all[#all + 1] = v end
  end
  table.sort(all)
  local function pct(p) if #all == 0 then return 0 end return all[math.max(1, math.ceil(#all * p / 100))] end
  local e = summary.errors
  io.write(string.format(
    '\nRESULT {"requests": %d, "duration_us": %d, "errors": %d, "p50": %.3f, "p95": %.3f, "p99": %.3f, ' ..
    '"max": %.3f, "mean": %.3f, "late_p99": %.3f, "late_max": %.3f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000, pct(99), all[#all] or 0))
end
"""


def _wrk(load: Load, script: str, kind: str, seconds: int) -> subprocess.Popen[str]:
    command = ["wrk", "-t1", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "-s", script]
    command += ["-H", f"Authorization: Bearer {load.token}", f"http://127.0.0.1:{load.port}", "--"]
    command += [kind, str(load.rate / 2), str(load.positions), load.base]
    command += load.cursors if kind == "worklist" else []
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _run_wrk(load: Load) -> list[Figures]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(WRK_SCRIPT)
    try:
        if load.warmup:
            for process in [_wrk(load, file.name, kind, load.warmup) for kind in ("summary", "worklist")]:
                process.communicate()
        processes = {kind: _wrk(load, file.name, kind, load.seconds) for kind in ("summary", "worklist")}
        outputs = {kind: process.communicate()[0] for kind, process in processes.items()}
    finally:
        os.unlink(file.name)
    figures = []
    for kind, output in outputs.items():
        lines = [line for line in output.splitlines() if line.startswith("RESULT ")]
        if not lines:
            raise RuntimeError(f"wrk ({kind}) senza risultato:\n{output}")
        r = json.loads(lines[-1].removeprefix("RESULT "))
        sent = int(load.rate / 2 * load.seconds)
        measured = r["duration_us"] / 1e6  # wrk's own clock: a few more slots fit than rate × seconds
        figures.append(
            Figures(
                kind,
                sent,
                round(r["requests"] * load.seconds / measured),
                r["errors"],
                r["p50"],
                r["p95"],
                r["p99"],
                r["max"],
                r["mean"],
                r["late_p99"],
                r["late_max"],
            )
        )
    return figures


# ---- the run -----------------------------------------------------------------------------------


# ---- who used the CPUs during the run -------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _process_seconds() -> dict[int, float]:
    """CPU seconds (user + system) of every process now."""
    seconds: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            seconds[int(entry)] = (int(fields[11]) + int(fields[12])) / _TICK
    return seconds


def _busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (all CPUs, idle and I/O wait left out)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / _TICK


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the clients, once they have exited
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class CpuSnapshot:
    wall: float
    busy: float
    clients: float
    processes: dict[int, float]

    @classmethod
    def take(cls) -> CpuSnapshot:
        return cls(time.monotonic(), _busy_seconds(), _children_seconds(), _process_seconds())


def _cpu_report(before: CpuSnapshot, url: str, server_pid: int) -> str:
    """CPUs used on average during the load (warm-up included) by the server, its PostgreSQL backends,
    the client, and everything else on the machine: the last is what makes a run unrepresentative."""
    after = CpuSnapshot.take()
    with psycopg.connect(url, autocommit=True) as conn:
        backends = [
            row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ]
    workers = [int(p) for p in Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()]

    def used(pids: list[int]) -> float:
        return sum(after.processes.get(p, 0.0) - before.processes.get(p, 0.0) for p in pids)

    wall = after.wall - before.wall
    server, database = used([server_pid, *workers]), used(backends)
    clients = after.clients - before.clients
    others = max(0.0, after.busy - before.busy - server - database - clients)
    return (
        f"CPUs used during the load: server {server / wall:.2f}, PostgreSQL {database / wall:.2f}, "
        f"client {clients / wall:.2f}, other work on the machine {others / wall:.2f} (of {os.cpu_count()})"
    )


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def run() -> None:
    url = os.environ.get("BENCH_API_POSTGRES_URL", DEFAULT_PG)
    positions = max(1000, int(POSITIONS * _scale()))
    rate = _env_int("BENCH_API_RATE", 200)
    seconds = _env_int("BENCH_API_SECONDS", 60)
    warmup = _env_int("BENCH_API_WARMUP", 5)
    workers = _env_int("BENCH_API_WORKERS", max(2, os.cpu_count() or 2))
    client = os.environ.get("BENCH_API_CLIENT") or ("wrk" if shutil.which("wrk") else "python")
    if client not in ("wrk", "python"):
        raise ValueError(f"BENCH_API_CLIENT={client!r}: usare wrk o python")
    if client == "wrk" and not shutil.which("wrk"):
        raise RuntimeError("BENCH_API_CLIENT=wrk ma wrk non è installato")
    _database(url)
    token = _populate(url, positions)
    port = _free_port()
    server = _serve(url, port, workers)
    try:
        load = Load(port, token, positions, rate, seconds, warmup, _page_cursors(url, positions))
        before = _load_average()
        print(f"[load] client: {client}; warm-up {warmup} s, then {rate}/s for {seconds} s; load average {before}")
        cpu = CpuSnapshot.take()
        figures = _run_wrk(load) if client == "wrk" else _run_python(load)
        cpu_report = _cpu_report(cpu, url, server.pid)
        after = _load_average()
    finally:
        server.terminate()
        server.wait(timeout=30)
    answered = sum(f.answered for f in figures if f.kind != "all")
    print(
        f"{answered:,} requests answered in {seconds} s = {answered / seconds:.0f} req/s (target {rate}/s), "
        f"{positions:,} positions, {workers} uvicorn workers, PostgreSQL, client {client}, "
        f"load average {before} -> {after} ({os.cpu_count()} CPUs)"
    )
    print(f"  {cpu_report}")
    if client == "wrk":
        print("  (wrk times each request from its send; 'late' is how late sends left their schedule)")
    else:
        print("  (latency counted from each request's scheduled send time)")
    worst = 0.0
    errors = 0
    for f in figures:
        bound = f.p99 + f.late_p99
        if f.kind != "all":
            worst = max(worst, bound)
            errors += f.errors
        late = f"  late p99 {f.late_p99:5.1f} max {f.late_max:6.1f} ms" if client == "wrk" else ""
        print(
            f"  {f.kind:9s} n={f.answered:6d}  p50 {f.p50:6.1f} ms  p95 {f.p95:6.1f} ms  p99 {f.p99:6.1f} ms  "
            f"max {f.max:7.1f} ms  mean {f.mean:6.1f} ms  errors {f.errors}{late}"
        )
    sustained = answered >= 0.98 * rate * seconds
    verdict = "OK" if worst < TARGET_P99_MS and errors == 0 and sustained else "MISSED"
    print(f"  goal: p99 < {TARGET_P99_MS:.0f} ms, no errors, rate sustained -> {verdict}")
    for f in figures:
        if f.kind != "all":
            record(f"{f.kind}: p50", f.p50, "ms")
            record(
                f"{f.kind}: p99" + (" + send lateness p99" if client == "wrk" else ""),
                f.p99 + f.late_p99,
                "ms",
                goal=f"under {TARGET_P99_MS:.0f} ms",
                met=f.p99 + f.late_p99 < TARGET_P99_MS,
            )
            record(f"{f.kind}: errors", f.errors, "requests", goal="none", met=f.errors == 0)
    record(
        f"requests answered, {positions:,} positions",
        answered / seconds,
        "req/s",
        ceiling=rate,
        goal="at least 98 % of the rate sent",
        met=sustained,
    )


if __name__ == "__main__":
    run()
