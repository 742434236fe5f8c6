"""``bench/results.md``: the figures of a ``python -m bench`` run, each beside its ceiling measured in the
same run, its ratio, its goal and whether it is met — with the machine, the date, the scale and the load."""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

from bench.figures import Figure

RESULTS = Path(__file__).resolve().parent / "results.md"
BUSY_LOAD = 2.0


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    memory: str
    python: str
    postgresql: str
    redis: str


@dataclass(frozen=True)
class BenchResult:
    """One benchmark module's run: its figures, how long it took, and its error if it failed."""

    name: str
    seconds: float
    figures: list[Figure] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class Run:
    scale: str
    started: datetime
    load_start: float
    load_end: float
    command: str


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else platform.machine()


def _memory() -> str:
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return "unknown"
    found = re.search(r"^MemTotal:\s*(\d+) kB", text, re.MULTILINE)
    return f"{int(found.group(1)) / 1024 / 1024:.1f} GiB" if found else "unknown"


def _postgresql(url: str) -> str:
    try:
        import psycopg

        admin = urlparse(url)._replace(path="/postgres").geturl()  # the benchmark's database may not exist yet
        with psycopg.connect(admin, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return f"PostgreSQL {row[0]}" if row else "unknown"
    except Exception as error:  # the machine's description must not stop the results
        return f"not reachable ({type(error).__name__})"


def _redis(url: str) -> str:
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=3)
        return f"Redis {client.info('server')['redis_version']}"
    except Exception as error:
        return f"not reachable ({type(error).__name__})"


def describe_machine(postgres_url: str, redis_url: str) -> Machine:
    """This machine: CPU model and cores, memory, Python, and the versions of the servers the benchmarks use."""
    return Machine(
        cpu=_cpu_model(),
        cores=os.cpu_count() or 1,
        memory=_memory(),
        python=f"{platform.python_implementation()} {platform.python_version()}",
        postgresql=_postgresql(postgres_url),
        redis=_redis(redis_url),
    )


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _met(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "**no**")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(results: Sequence[BenchResult], machine: Machine, run: Run) -> str:
    """The Markdown of ``bench/results.md``."""
    busy = max(run.load_start, run.load_end) > BUSY_LOAD
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{run.command}` on {run.started:%Y-%m-%d %H:%M} UTC.",
        "",
        f"**Scale: {run.scale}.**"
        + (
            " These are the small sizes of the default run, to see the suite work and the ratios hold; the"
            " figures the issues name come from `make bench SCALE=full`. The goals are the full sizes' goals;"
            " at these sizes fixed costs (processes starting, pipelines filling, warm-up) weigh more, so a"
            " figure here, met or missed, says little about the full size."
            if run.scale == "small"
            else " The sizes the issues name."
        ),
        "",
        "## Machine",
        "",
        f"- CPU: {machine.cpu}, {machine.cores} cores",
        f"- Memory: {machine.memory}",
        f"- Python: {machine.python}",
        f"- PostgreSQL: {machine.postgresql}",
        f"- Redis: {machine.redis}",
        f"- Load average (1 min): {run.load_start:.2f} at the start, {run.load_end:.2f} at the end",
        "",
    ]
    if busy:
        lines += [
            f"**The machine was shared and busy during this run (load average above {BUSY_LOAD:g}):** other work"
            " ran on the same cores, so the absolute figures are lower than on an idle machine; the ratios,"
            " measured against a ceiling in the same run, suffer less but only roughly.",
            "",
        ]
    lines += [
        "Each ceiling is measured in the same run, on the same machine and database, as the benchmark's own"
        " description says (`bench/bench_*.py`); the ratio is the figure divided by its ceiling.",
        "",
    ]
    for result in results:
        lines += [f"## {result.name}", "", f"Run time: {result.seconds:,.1f} s.", ""]
        if result.error:
            lines += [f"**Failed:** {_cell(result.error)}", ""]
        if not result.figures:
            if not result.error:
                lines += ["No figure recorded.", ""]
            continue
        lines += ["| Figure | Value | Unit | Ceiling | Ratio | Goal | Met |", "|---|---:|---|---:|---:|---|---|"]
        for f in result.figures:
            lines.append(
                f"| {_cell(f.name)} | {_number(f.value)} | {_cell(f.unit)} | {_number(f.ceiling)} | "
                f"{_ratio(f.ratio)} | {_cell(f.goal or '—')} | {_met(f.met)} |"
            )
        lines.append("")
    return "\n".join(lines)


def write(results: Sequence[BenchResult], machine: Machine, run: Run, path: Path = RESULTS) -> Path:
    path.write_text(render(results, machine, run), encoding="utf-8")
    return path
