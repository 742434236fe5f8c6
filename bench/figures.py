"""The figures a benchmark measures, recorded as it prints them, for ``bench/results.md``.

A benchmark calls :func:`record` beside each line it prints with a figure; ``python -m bench`` takes
the recorded figures of each module after its ``run()`` (:func:`take`). A ``run()`` may also return
its figures as a list instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure: its value, and when it has them the ceiling measured in the same run, the
    ratio of the value to the ceiling, the goal (in words) and whether the goal is met."""

    name: str
    value: float
    unit: str
    ceiling: float | None = None
    ratio: float | None = None
    goal: str | None = None
    met: bool | None = None


_recorded: list[Figure] = []


def record(
    name: str,
    value: float,
    unit: str,
    *,
    ceiling: float | None = None,
    ratio: float | None = None,
    goal: str | None = None,
    met: bool | None = None,
) -> Figure:
    """Record a figure of the running benchmark (the ratio is computed from the ceiling when not given)."""
    if ratio is None and ceiling:
        ratio = value / ceiling
    figure = Figure(name, value, unit, ceiling, ratio, goal, met)
    _recorded.append(figure)
    return figure


def take() -> list[Figure]:
    """The figures recorded since the last call, and forget them."""
    figures = list(_recorded)
    _recorded.clear()
    return figures
