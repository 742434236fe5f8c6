"""Run every benchmark module ``bench/bench_*.py`` (each exposes ``run() -> None``), or only those named:
``python -m bench [import ...]``. ``--bills N`` sets the size of ``big_import`` (``BENCH_BIG_BILLS``);
``--tick-full`` runs ``tick`` at its full size (10,000 due among 1,000,000, ``BENCH_TICK_FULL``);
``--steps N`` sets the size of ``workers`` (``BENCH_WORKERS_STEPS``)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time

import bench


def main(argv: list[str]) -> int:
    argv = list(argv)
    if "--bills" in argv:
        at = argv.index("--bills")
        os.environ["BENCH_BIG_BILLS"] = str(int(argv[at + 1]))
        del argv[at : at + 2]
    if "--steps" in argv:
        at = argv.index("--steps")
        os.environ["BENCH_WORKERS_STEPS"] = str(int(argv[at + 1]))
        del argv[at : at + 2]
    if "--tick-full" in argv:
        os.environ["BENCH_TICK_FULL"] = "1"
        argv.remove("--tick-full")
    wanted = set(argv)
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    failures = 0
    for name in names:
        if wanted and name.removeprefix("bench_") not in wanted and name not in wanted:
            continue
        module = importlib.import_module(f"bench.{name}")
        run = getattr(module, "run", None)
        if not callable(run):
            print(f"[bench] {name}: no run() function, skipped")
            continue
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        try:
            run()
        except Exception as error:  # report and go on with the other benchmarks
            failures += 1
            print(f"[bench] {name} FAILED: {type(error).__name__}: {error}", flush=True)
        print(f"=== {name}: {time.perf_counter() - started:.1f} s ===", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
