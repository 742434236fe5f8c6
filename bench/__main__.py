"""Run every benchmark module ``bench/bench_*.py`` (each exposes ``run()``), or only those named:
``python -m bench [import ...]``, and write ``bench/results.md`` (the figures each module recorded,
``bench/figures.py``, with the machine, the date, the scale and the load average).

Scale: the whole suite runs small by default (``--scale small``: every module at a size that makes the
whole suite take a few minutes), at the sizes the issues name with ``--full`` (or ``--scale full``;
``make bench SCALE=full``). Modules named without a scale run at their own defaults (their docstrings).
A scale only sets the modules' own environment variables (``SMALL`` and ``FULL`` below, one module at a
time) that are not set already: a variable set by hand wins.

Other options: ``--bills N`` sets the size of ``big_import`` (``BENCH_BIG_BILLS``); ``--tick-full`` runs
``tick`` at its full size (10,000 due among 1,000,000, ``BENCH_TICK_FULL``); ``--steps N`` sets the size
of ``workers`` (``BENCH_WORKERS_STEPS``); ``--results PATH`` writes the results there (by default
``bench/results.md``, and only when the whole suite ran: a run of some modules writes none unless asked).
The machine's PostgreSQL and Redis versions are read from ``BENCH_POSTGRES_URL`` and ``BENCH_REDIS_URL``
(or ``CREDITBOX_TEST_REDIS_URL``)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import bench
from bench.figures import Figure, take
from bench.results import RESULTS, BenchResult, Run, describe_machine, write

OUTPUT = Path(__file__).resolve().parent.parent / "bench-output"

# Module name (without ``bench_``) → its environment at each scale.
SMALL: dict[str, dict[str, str]] = {
    "api": {"BENCH_SCALE": "0.02", "BENCH_API_SECONDS": "10", "BENCH_API_WARMUP": "2"},
    "audit": {"BENCH_SCALE": "0.01", "BENCH_AUDIT_SQLITE": str(OUTPUT / "bench-audit-small.sqlite3")},
    "big_import": {"BENCH_BIG_BILLS": "20000"},
    "console": {"BENCH_SCALE": "0.02", "BENCH_CONSOLE_ROUNDS": "20"},
    "daily": {"BENCH_DAILY_CUSTOMERS": "5000"},
    "flat_csv": {"BENCH_FLAT_BILLS": "20000"},
    "import": {"BENCH_SCALE": "0.05"},
    "projections": {"BENCH_SCALE": "0.01"},
    "tick": {"BENCH_TICK_DUE": "200", "BENCH_TICK_STORE": "20000"},
    "workers": {"BENCH_WORKERS_STEPS": "500"},
}
FULL: dict[str, dict[str, str]] = {
    "api": {"BENCH_SCALE": "1.0"},
    "audit": {"BENCH_SCALE": "1.0"},
    "big_import": {"BENCH_BIG_BILLS": "1000000"},
    "console": {"BENCH_SCALE": "1.0"},
    "daily": {"BENCH_DAILY_CUSTOMERS": "1000000"},
    "flat_csv": {"BENCH_FLAT_BILLS": "1000000"},
    "import": {"BENCH_SCALE": "1.0"},
    "projections": {"BENCH_SCALE": "1.0"},
    "tick": {"BENCH_TICK_FULL": "1"},
    "workers": {"BENCH_WORKERS_STEPS": "2000"},
}
PROFILES = {"small": SMALL, "full": FULL}
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """``values`` set in the environment where not set already, for the time of one module's run."""
    added = [name for name in values if name not in os.environ]
    for name in added:
        os.environ[name] = values[name]
    try:
        yield
    finally:
        for name in added:
            del os.environ[name]


def _option(argv: list[str], name: str) -> str | None:
    if name not in argv:
        return None
    at = argv.index(name)
    value = argv[at + 1]
    del argv[at : at + 2]
    return value


def _run_module(name: str, profile: Mapping[str, dict[str, str]]) -> BenchResult:
    module = importlib.import_module(f"bench.{name}")
    run = getattr(module, "run", None)
    if not callable(run):
        print(f"[bench] {name}: no run() function, skipped")
        return BenchResult(name, 0.0, error="no run() function")
    print(f"\n=== {name} ===", flush=True)
    take()
    started = time.perf_counter()
    error = None
    returned = None
    try:
        with environment(profile.get(name.removeprefix("bench_"), {})):
            returned = run()
    except Exception as failure:  # report and go on with the other benchmarks
        error = f"{type(failure).__name__}: {failure}"
        print(f"[bench] {name} FAILED: {error}", flush=True)
    seconds = time.perf_counter() - started
    print(f"=== {name}: {seconds:.1f} s ===", flush=True)
    figures = take()
    if isinstance(returned, list):
        figures += [f for f in returned if isinstance(f, Figure)]
    return BenchResult(name.removeprefix("bench_"), seconds, figures, error)


def main(argv: list[str]) -> int:
    argv = list(argv)
    if "--help" in argv or "-h" in argv:
        print(__doc__)
        return 0
    command = " ".join(["python -m bench", *argv])
    bills = _option(argv, "--bills")
    if bills is not None:
        os.environ["BENCH_BIG_BILLS"] = str(int(bills))
    steps = _option(argv, "--steps")
    if steps is not None:
        os.environ["BENCH_WORKERS_STEPS"] = str(int(steps))
    if "--tick-full" in argv:
        os.environ["BENCH_TICK_FULL"] = "1"
        argv.remove("--tick-full")
    scale = _option(argv, "--scale")
    if "--full" in argv:
        scale = "full"
        argv.remove("--full")
    if scale is not None and scale not in PROFILES:
        print(f"unknown scale {scale!r}: small or full", file=sys.stderr)
        return 2
    results_path = _option(argv, "--results")
    wanted = set(argv)
    if scale is None and not wanted:
        scale = "small"
    profile = PROFILES[scale] if scale else {}
    label = scale or "each module's own default"
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    selected = [n for n in names if not wanted or n.removeprefix("bench_") in wanted or n in wanted]

    started_at = datetime.now(UTC)
    load_start = os.getloadavg()[0]
    print(f"[bench] scale: {label}; load average {load_start:.2f}", flush=True)
    results = [_run_module(name, profile) for name in selected]
    load_end = os.getloadavg()[0]
    print(f"[bench] load average at the end {load_end:.2f}", flush=True)

    if results_path or not wanted:
        machine = describe_machine(
            os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG),
            os.environ.get("BENCH_REDIS_URL", os.environ.get("CREDITBOX_TEST_REDIS_URL", DEFAULT_REDIS)),
        )
        run = Run(label, started_at, load_start, load_end, command)
        path = write(results, machine, run, Path(results_path) if results_path else RESULTS)
        print(f"[bench] results written to {path}", flush=True)
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
