"""Run the fault suite N times in a row and print, per run: rows, payments, actions, faults injected,
lost and duplicated (summed over the suite's tests), and whether the run passed.

    python -m tests.faults.repeat 5 [pytest arguments...]

Each run is a fresh ``pytest tests/faults`` (its own private PostgreSQL and Redis); the tests write
their figures to a file named by ``CREDITBOX_FAULT_FIGURES``, read back here. Exit status 1 when a
run failed or anything was lost or duplicated.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ("rows", "payments", "actions", "faults", "lost", "duplicated")


def run_once(number: int, extra: list[str]) -> tuple[dict[str, int], int, int, float]:
    """One run of the suite: its summed figures, its test count, pytest's exit code, its seconds."""
    with tempfile.TemporaryDirectory() as folder:
        figures = Path(folder) / "figures.jsonl"
        env = {**os.environ, "CREDITBOX_FAULT_FIGURES": str(figures)}
        started = time.monotonic()
        command = [sys.executable, "-m", "pytest", "tests/faults", "-q", "-p", "no:cacheprovider", *extra]
        done = subprocess.run(command, cwd=ROOT, env=env, check=False, capture_output=True, text=True)
        seconds = time.monotonic() - started
        if done.returncode != 0:
            print(f"--- run {number}: pytest exited {done.returncode}\n{done.stdout[-4000:]}", file=sys.stderr)
        lines = figures.read_text(encoding="utf-8").splitlines() if figures.exists() else []
    tests = [json.loads(line) for line in lines]
    totals = {name: sum(int(t[name]) for t in tests) for name in COLUMNS}
    return totals, len(tests), done.returncode, seconds


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv else 5
    extra = argv[1:]
    header = f"{'run':>3} {'tests':>5} " + " ".join(f"{c:>10}" for c in COLUMNS) + f" {'seconds':>8} {'result':>7}"
    print(header)
    failed = False
    for number in range(1, runs + 1):
        totals, tests, code, seconds = run_once(number, extra)
        bad = code != 0 or totals["lost"] or totals["duplicated"]
        failed = failed or bool(bad)
        cells = " ".join(f"{totals[c]:>10}" for c in COLUMNS)
        print(f"{number:>3} {tests:>5} {cells} {seconds:>8.0f} {'FAILED' if bad else 'ok':>7}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
