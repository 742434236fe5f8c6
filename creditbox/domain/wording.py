"""Italian wording helpers shared by messages everywhere: a count agrees with its noun."""

from __future__ import annotations


def plural(n: int | float, one: str, many: str) -> str:
    """``1 problema``, ``2 problemi``, ``0 problemi``: the number and the noun that agrees with it."""
    number = f"{n:g}" if isinstance(n, float) else str(n)
    return f"{number} {one if abs(n) == 1 else many}"
