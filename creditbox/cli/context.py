"""Shared CLI plumbing: opening the container, printing errors the same way everywhere."""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.errors import MarkupError
from rich.markup import escape
from rich.text import Text

from creditbox.bootstrap import Container, bootstrap
from creditbox.domain.business_dates import DateRefused, in_range, range_error
from creditbox.domain.errors import DomainError
from creditbox.domain.text_policy import InvalidText
from creditbox.domain.wording import plural


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
                catch_up_views(c)
    except DateRefused as error:
        fail(str(error), code=2)
    except InvalidText as error:
        fail(str(error), 2)
    except DomainError as error:
        fail(str(error))


Handler = typer.Typer | Callable[..., None]  # a group of commands, or one command


def add_commands(app: typer.Typer, commands: Iterable[tuple[str, Handler]]) -> None:
    """Add each named command or group of commands to ``app``, in the order given (``--help`` lists
    them in that order, the single commands before the groups)."""
    for name, handler in commands:
        if isinstance(handler, typer.Typer):
            app.add_typer(handler, name=name)
        else:
            app.command(name)(handler)


def catch_up_views(c: Container) -> None:
    """Embedded mode: bring the read models up to date. Never fails the command (what it recorded is
    recorded): a catch-up that fails is a warning, and the views catch up at the next command."""
    failed = c.projections.after_command()
    if failed is not None:
        error_console.print(f"[yellow]Attenzione:[/] modelli di lettura non aggiornati: {escape(str(failed))}")


def fail(message: str, code: int = 1) -> NoReturn:
    error_console.print(f"[bold red]Errore:[/] {message}")
    raise typer.Exit(code)


def fail_listing(what: str, problems: Sequence[object], code: int, *, markup: bool = True) -> NoReturn:
    """``Errore: <what>, N problemi. Nulla è stato salvato.`` and one line a problem; exit ``code``."""
    error_console.print(
        f"[bold red]Errore:[/] {what}, {plural(len(problems), 'problema', 'problemi')}. Nulla è stato salvato."
    )
    for problem in problems:
        error_console.print(f"  - {problem}", markup=markup, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def parse_date(value: str | None, default: date, *, option: str = "data") -> date:
    """A date typed on the command line (``AAAA-MM-GG`` or ``GG/MM/AAAA``) within the business-date
    range; otherwise the command ends with exit code 2 and an Italian message naming ``option``."""
    if value is None:
        return default
    for parse in (date.fromisoformat, _italian_date):
        try:
            parsed = parse(value.strip())
        except ValueError:
            continue
        if not in_range(parsed):
            fail(f"{option}: {range_error(parsed)}", code=2)
        return parsed
    fail(f"{option}: data non valida: {value!r} (usare AAAA-MM-GG o GG/MM/AAAA)", code=2)


def parse_timestamp(value: str | None, zone: Any, *, option: str = "istante") -> datetime | None:
    """An instant typed on the command line: ``AAAA-MM-GGTHH:MM[:SS]`` (ISO 8601, with or without a
    zone), ``AAAA-MM-GG HH:MM[:SS]`` or ``GG/MM/AAAA HH:MM[:SS]``; without a zone it is the company's
    local time (``zone``). A bad value ends the command with exit code 2 and an Italian message."""
    if value is None:
        return None
    text = value.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for layout in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
            try:
                parsed = datetime.strptime(text, layout)
                break
            except ValueError:
                continue
    if parsed is None:
        fail(f"{option}: istante non valido: {value!r} (usare AAAA-MM-GGTHH:MM[:SS] o GG/MM/AAAA HH:MM)", code=2)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone) if zone is not None else parsed.replace(tzinfo=UTC)
    return parsed


def _italian_date(value: str) -> date:
    day, month, year = value.split("/")
    return date(int(year), int(month), int(day))


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
