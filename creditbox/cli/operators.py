"""``creditbox operators``: the people who run the case commands, with their role and level."""

from __future__ import annotations

import sys
from typing import Any

import typer
from rich.table import Table

from creditbox.cli import choices
from creditbox.cli.context import cli_user, console, container, fail, print_json
from creditbox.cli.options import AsJson, Note
from creditbox.domain.operators import Operator
from creditbox.domain.tokens import GROUP, Role

app = typer.Typer(help="Operatori della riga di comando: ruolo e livello di autorizzazione.", no_args_is_help=True)

NAME = typer.Argument(..., help="Nome dell'operatore (di norma il nome di login)")
SCOPE = typer.Option(..., "--company", help="Codice azienda, o '*' per tutto il gruppo")
ROLES_HELP = "Ruolo: " + choices.allowed_help(Role)


def _scope(c: Any, company: str) -> str:
    return GROUP if company.strip() == GROUP else str(c.companies.require(company))


def _scope_label(company: str) -> str:
    return "gruppo" if company == GROUP else company


def _describe(o: Operator) -> str:
    level = f", livello {o.level}" if o.level else ""
    state = "" if o.active else ", disabilitato"
    return f"Operatore [bold]{o.name}[/] ({o.role.label}{level}, azienda {_scope_label(o.company)}{state})"


@app.command("add")
def add(
    name: str = NAME,
    company: str = SCOPE,
    role: str = typer.Option(..., "--role", help=ROLES_HELP),
    level: int | None = typer.Option(None, "--level", help="Livello di autorizzazione (solo responsabile)"),
    note: Note = "",
) -> None:
    """Aggiunge un operatore per un'azienda (o per tutto il gruppo con --company '*')."""
    parsed = choices.role(role)
    with container(follow=False) as c:
        operator = c.operators().add(name, _scope(c, company), parsed, level, by=cli_user(), note=note)
        console.print(_describe(operator) + " aggiunto")


@app.command("set-level")
def set_level(
    name: str = NAME,
    company: str = SCOPE,
    level: int = typer.Option(..., "--level", help="Nuovo livello di autorizzazione"),
    role: str | None = typer.Option(None, "--role", help="Nuovo ruolo (default: invariato). " + ROLES_HELP),
) -> None:
    """Cambia il livello (ed eventualmente il ruolo) di un operatore."""
    parsed = choices.role(role) if role is not None else None
    with container(follow=False) as c:
        operator = c.operators().set_level(name, _scope(c, company), level, role=parsed, by=cli_user())
        console.print(_describe(operator))


@app.command("disable")
def disable(name: str = NAME, company: str = SCOPE, note: Note = "") -> None:
    """Disabilita un operatore: i comandi sulle pratiche lo rifiutano."""
    with container(follow=False) as c:
        operator = c.operators().disable(name, _scope(c, company), by=cli_user(), note=note)
        console.print(_describe(operator))


@app.command("enable")
def enable(name: str = NAME, company: str = SCOPE, note: Note = "") -> None:
    """Riabilita un operatore disabilitato."""
    with container(follow=False) as c:
        operator = c.operators().enable(name, _scope(c, company), by=cli_user(), note=note)
        console.print(_describe(operator))


@app.command("list")
def list_operators(
    company: str | None = typer.Option(None, "--company", help="Solo questa azienda (e gli operatori di gruppo)"),
    show_disabled: bool = typer.Option(False, "--all", help="Anche gli operatori disabilitati"),
    as_json: AsJson = False,
) -> None:
    """Elenca gli operatori con ruolo e livello."""
    with container(follow=False) as c:
        scope = _scope(c, company) if company is not None else None
        operators = [o for o in c.operators().list(scope) if show_disabled or o.active]
        if as_json:
            print_json(
                [
                    {
                        "name": o.name,
                        "company": o.company,
                        "role": o.role.value,
                        "role_label": o.role.label,
                        "level": o.level,
                        "active": o.active,
                        "added_by": o.added_by,
                        "changed_by": o.changed_by,
                    }
                    for o in operators
                ]
            )
            return
        table = Table("Nome", "Azienda", "Ruolo", "Livello", "Stato", "Aggiunto da", title="Operatori")
        for o in operators:
            table.add_row(
                o.name,
                _scope_label(o.company),
                o.role.label,
                str(o.level or ""),
                "attivo" if o.active else "disabilitato",
                o.added_by,
            )
        console.print(table)


@app.command("password")
def set_password(
    name: str = NAME,
    company: str = SCOPE,
    from_stdin: bool = typer.Option(
        False, "--stdin", help="Legge la password dalla prima riga dello standard input (per gli script)"
    ),
) -> None:
    """Imposta la password di accesso alla console web di un operatore (chiesta a video, mai come argomento).

    Il nome dell'operatore è il suo nome di accesso; le sessioni aperte con la password precedente
    vengono chiuse."""
    password = _read_password(from_stdin)
    with container(follow=False) as c:
        operator = c.console_accounts().set_password(name, _scope(c, company), password, by=cli_user())
        console.print(_describe(operator) + ": password della console impostata")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True)
    second = typer.prompt("Ripetere la password", hide_input=True)
    if first != second:
        fail("le due password non coincidono: nulla è stato cambiato")
    return str(first)
