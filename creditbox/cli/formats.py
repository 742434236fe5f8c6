"""Pieces of output several commands print the same way: a moment, a table of counts, a progress bar."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from creditbox.cli.context import console, error_console


def moment(at: datetime) -> str:
    """When a version was saved: ``02/03/2026 14:05``."""
    return at.strftime("%d/%m/%Y %H:%M")


def labelled(counts: Mapping[str, int], label: Callable[[str], str]) -> dict[str, int]:
    """``counts`` keyed by Italian labels instead of codes."""
    by_label: dict[str, int] = {}
    for key, n in counts.items():
        by_label[label(key)] = by_label.get(label(key), 0) + n
    return by_label


def print_counts(title: str, counts: Mapping[str, int]) -> None:
    """A two-column table (``Voce``, ``Numero``) sorted by its first column."""
    table = Table("Voce", "Numero", title=title)
    for key, n in sorted(counts.items()):
        table.add_row(key, str(n))
    console.print(table)


def progress_bar(*, quiet: bool = False, on_stderr: bool = False) -> Progress:
    """A progress bar (description, bar, done/total, elapsed time, time left). On standard error it vanishes when
    done, so that what the command prints stays clean; ``quiet`` (``--json``) hides it."""
    transient = on_stderr or quiet
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=error_console if transient else console,
        transient=transient,
        disable=quiet,
    )
