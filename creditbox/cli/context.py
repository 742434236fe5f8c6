"""Shared CLI plumbing: opening the container, printing errors the same way everywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.errors import MarkupError
from rich.text import Text

from creditbox.bootstrap import Container, bootstrap
from creditbox.domain.errors import DomainError
from creditbox.domain.text_policy import InvalidText
from creditbox.projections.runner import ProjectionFailed


class DataSafeConsole(Console):
    """A console on which stored text cannot break the output: a name like ``Rossi [/]`` would be a
    markup error in a message or a table cell; the line is then printed as written, unstyled."""

    def render_str(self, text: str, **options: Any) -> Text:
        try:
            return super().render_str(text, **options)
        except MarkupError:
            return super().render_str(text, **{**options, "markup": False})


console = DataSafeConsole()
error_console = DataSafeConsole(stderr=True)

CLI_USER = "cli"


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
    except InvalidText as error:
        fail(str(error), 2)
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
