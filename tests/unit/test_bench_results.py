"""``bench/results.md`` from given figures: one table per benchmark, each figure beside its ceiling, ratio,
goal and whether it is met; the machine, the scale and a busy machine said."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.__main__ import SMALL, environment, main
from bench.figures import Figure, record, take
from bench.results import BenchResult, Machine, Run, render, write

MACHINE = Machine("Example CPU 3000", 2, "8.0 GiB", "CPython 3.11.7", "PostgreSQL 16.4", "Redis 7.0.15")
WHEN = datetime(2026, 12, 3, 19, 5, tzinfo=UTC)


def _rows(text: str, section: str) -> list[list[str]]:
    block = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return [
        [cell.strip() for cell in line.strip("|").split(" | ")] for line in block.splitlines() if line.startswith("| ")
    ]


def test_each_figure_is_a_row_with_its_ceiling_ratio_goal_and_verdict() -> None:
    results = [
        BenchResult(
            "import",
            12.5,
            [
                Figure(
                    "postgres: import events/s", 5_400.0, "events/s", 9_000.0, 0.6, "at least 50% of the ceiling", True
                ),
                Figure("postgres: whole import", 3.25, "s"),
                Figure("rows rejected", 3, "rows", goal="none", met=False),
            ],
        ),
        BenchResult(
            "tick", 2.0, [Figure("tick among 1,000,000", 1.8, "s", 1.0, 1.8, "at most 150% of the ceiling", False)]
        ),
    ]
    text = render(results, MACHINE, Run("small", WHEN, 0.5, 1.0, "python -m bench"))

    assert _rows(text, "import") == [
        ["Figure", "Value", "Unit", "Ceiling", "Ratio", "Goal", "Met"],
        ["postgres: import events/s", "5,400", "events/s", "9,000", "60%", "at least 50% of the ceiling", "yes"],
        ["postgres: whole import", "3.25", "s", "—", "—", "—", "—"],
        ["rows rejected", "3", "rows", "—", "—", "none", "**no**"],
    ]
    assert _rows(text, "tick")[1] == [
        "tick among 1,000,000",
        "1.80",
        "s",
        "1.00",
        "180%",
        "at most 150% of the ceiling",
        "**no**",
    ]
    assert "**Scale: small.**" in text
    assert "Example CPU 3000, 2 cores" in text and "PostgreSQL 16.4" in text and "Redis 7.0.15" in text
    assert "2026-12-03 19:05 UTC" in text
    assert "0.50 at the start, 1.00 at the end" in text
    assert "busy" not in text


def test_a_busy_machine_and_a_failed_benchmark_are_said(tmp_path: Path) -> None:
    results = [BenchResult("workers", 4.0, [], error="RuntimeError: Redis | gone")]
    path = write(results, MACHINE, Run("full", WHEN, 3.5, 2.5, "python -m bench --full"), tmp_path / "results.md")
    text = path.read_text(encoding="utf-8")

    assert "**Scale: full.**" in text
    assert "shared and busy" in text and "3.50 at the start" in text
    assert "**Failed:** RuntimeError: Redis \\| gone" in text


def test_recorded_figures_compute_their_ratio_and_are_taken_once() -> None:
    take()
    record("verify", 50.0, "events/s", ceiling=200.0)
    assert take() == [Figure("verify", 50.0, "events/s", 200.0, 0.25)]
    assert take() == []


def test_a_scale_sets_only_the_variables_not_set_already() -> None:
    os.environ.pop("BENCH_TICK_DUE", None)
    os.environ["BENCH_TICK_STORE"] = "123"
    try:
        with environment(SMALL["tick"]):
            assert os.environ["BENCH_TICK_DUE"] == SMALL["tick"]["BENCH_TICK_DUE"]
            assert os.environ["BENCH_TICK_STORE"] == "123"
        assert "BENCH_TICK_DUE" not in os.environ
        assert os.environ["BENCH_TICK_STORE"] == "123"
    finally:
        del os.environ["BENCH_TICK_STORE"]


def test_an_unknown_scale_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--scale", "huge"]) == 2
    assert "unknown scale 'huge'" in capsys.readouterr().err
