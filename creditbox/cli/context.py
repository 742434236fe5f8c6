"""Shared CLI plumbing: opening the container, printing errors the same way everywhere."""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, NoReturn

import typer
from rich.console import Console

from creditbox.bootstrap import Container, bootstrap
from creditbox.domain.errors import DomainError
from creditbox.projections.runner import ProjectionFailed

console = Console()
error_console = Console(stderr=True)

CLI_USER = "cli"  # recorded when nobody can be named (no --by, no CREDITBOX_USER, no login name)
USER_VARIABLE = "CREDITBOX_USER"
_MAX_USER_LENGTH = 64

# ``creditbox --by NAME <command>``: set by the main callback for the command being run.
_by_option: str | None = None


def set_by_option(name: str | None) -> None:
    global _by_option
    _by_option = name


def _clean_user(raw: str | None) -> str | None:
    name = (raw or "").strip()
    if not name or len(name) > _MAX_USER_LENGTH or not name.isprintable():
        return None
    return name


def login_name() -> str | None:
    """The login name of whoever runs the process, or None when the system cannot tell."""
    try:
        return _clean_user(getpass.getuser())
    except (OSError, KeyError, ImportError):  # no LOGNAME/USER and no password-database entry
        return None


def who(by: str | None = None) -> str | None:
    """Who runs this command: ``--by`` (of the command, else of ``creditbox``), else the
    ``CREDITBOX_USER`` variable, else the login name; None when nobody can be named."""
    for candidate in (by, _by_option, os.environ.get(USER_VARIABLE)):
        if candidate is not None and candidate.strip():
            name = _clean_user(candidate)
            if name is None:
                fail(f"nome dell'operatore non valido: {candidate!r}", 2)
            return name
    return login_name()


def cli_user(by: str | None = None) -> str:
    """The name recorded as ``by`` on what a command records (``cli`` when nobody can be named)."""
    return who(by) or CLI_USER


@contextmanager
def container(*, follow: bool = True) -> Iterator[Container]:
    """Open the composition root; domain errors end the command with a clear message.

    With ``follow`` (the default), the read models catch up with what the command recorded before
    the command ends, when they run inline (the embedded mode); with ``CREDITBOX_PROJECTIONS=external``
    the projector processes do it."""
    try:
        with bootstrap() as c:
            yield c
            if follow:
                try:
                    c.projections.after_command()
                except ProjectionFailed as error:
                    error_console.print(f"[yellow]Attenzione:[/] modelli di lettura non aggiornati: {error}")
    except DomainError as error:
        fail(str(error))


def fail(message: str, code: int = 1) -> NoReturn:
    error_console.print(f"[bold red]Errore:[/] {message}")
    raise typer.Exit(code)


def parse_date(value: str | None, default: date) -> date:
    if value is None:
        return default
    for parse in (date.fromisoformat, _italian_date):
        try:
            return parse(value)
        except ValueError:
            continue
    fail(f"data non valida: {value!r} (usare AAAA-MM-GG o GG/MM/AAAA)")


def _italian_date(value: str) -> date:
    day, month, year = value.split("/")
    return date(int(year), int(month), int(day))


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
