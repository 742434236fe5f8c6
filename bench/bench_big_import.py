"""Peak memory of a big import: a workbook of 1,000,000 bills (100,000 customers and supplies)
checked, read in its child process and imported end to end through ``ImportService`` on SQLite.

Prints the time of the whole import and of the checks alone, and the peak resident memory of this
process (the import) and of the reading process, against the target of 1 GB each. The checks are
timed after the import, so that their memory does not count in the import's peak.

Size: ``python -m bench big_import --bills N`` or ``BENCH_BIG_BILLS`` (default 1,000,000;
customers and supplies are a tenth of it). Environment:
``BENCH_BIG_DATABASE`` (default ``sqlite:///bench-output/bench-big.sqlite3``, emptied first).
The workbook is cached in ``bench-output/``.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

from bench.figures import record
from creditbox.bootstrap import bootstrap
from creditbox.infrastructure.excel.workbook_guard import check_workbook
from creditbox.sample_data import SampleSpec, sample_workbook
from creditbox.settings import Settings

OUTPUT = Path("bench-output")
TARGET_MB = 1024


def peak_mb(who: int) -> int:
    return resource.getrusage(who).ru_maxrss // 1024  # kilobytes on Linux


def workbook(bills: int) -> Path:
    spec = SampleSpec(customers=bills // 10, supplies=bills // 10, bills=bills, payments=0, seed=4242)
    path = OUTPUT / f"big-import-{bills}.xlsx"
    if not path.exists():
        started = time.perf_counter()
        print(f"generating {path} ...", flush=True)
        sample_workbook(path.with_suffix(".tmp.xlsx"), spec)
        path.with_suffix(".tmp.xlsx").rename(path)
        print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
        print("note: generated in this process, its memory counts in the peaks below: run again", flush=True)
    return path


def fresh_sqlite(url: str) -> str:
    path = Path(url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return url


def run() -> None:
    OUTPUT.mkdir(exist_ok=True)
    bills = int(os.environ.get("BENCH_BIG_BILLS", "1000000"))
    path = workbook(bills)
    content = path.read_bytes()
    print(f"workbook {path.name}: {bills:,} bills ({len(content) / 1e6:.1f} MB)", flush=True)

    url = fresh_sqlite(os.environ.get("BENCH_BIG_DATABASE", f"sqlite:///{OUTPUT / 'bench-big.sqlite3'}"))
    with bootstrap(Settings(database_url=url)) as container:
        container.companies.register("BIG", "Benchmark S.p.A.", by="bench")
        before = peak_mb(resource.RUSAGE_SELF)
        started = time.perf_counter()
        result = container.importer().run(content, path.name, "BIG", by="bench")
        seconds = time.perf_counter() - started
    # Read before the checks below run in this process: their memory is the reading process's.
    importer, reader = peak_mb(resource.RUSAGE_SELF), peak_mb(resource.RUSAGE_CHILDREN)
    totals = result.totals
    print(
        f"import: {totals.accepted:,} rows accepted, {totals.rejected:,} rejected, {result.events:,} events"
        f" in {seconds:.0f} s",
        flush=True,
    )
    print(f"peak memory: import process {importer:,} MB (before the import {before:,} MB)", flush=True)
    print(f"peak memory: reading process {reader:,} MB", flush=True)
    for who, mb in (("import process", importer), ("reading process", reader)):
        print(f"target: {who} under {TARGET_MB:,} MB: {'OK' if mb < TARGET_MB else 'MISSED'}", flush=True)
        record(f"peak memory, {who}", mb, "MB", goal=f"under {TARGET_MB:,} MB", met=mb < TARGET_MB)
    record(f"whole import, {bills:,} bills ({result.events:,} events)", seconds, "s")

    started = time.perf_counter()
    check_workbook(content, path.name)
    checks = time.perf_counter() - started
    print(f"checks before reading (alone, timed after the import): {checks:.1f} s", flush=True)
    record("checks before reading (alone)", checks, "s")
