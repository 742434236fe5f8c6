"""``creditbox tokens``: API tokens — create (printed once), revoke, list."""

from __future__ import annotations

import typer
from rich.table import Table

from creditbox.cli.choices import allowed_help
from creditbox.cli.choices import role as choose_role
from creditbox.cli.context import cli_user, console, container, print_json
from creditbox.cli.options import AsJson
from creditbox.domain.tokens import GROUP, Role

app = typer.Typer(help="Token di accesso all'API.", no_args_is_help=True)


@app.command("create")
def create(
    company: str = typer.Option(..., "--company", help="Codice azienda, o '*' per tutto il gruppo"),
    role: str = typer.Option(..., "--role", help="Ruolo: " + allowed_help(Role)),
    level: int | None = typer.Option(None, "--level", help="Livello di autorizzazione (solo supervisor)"),
    name: str | None = typer.Option(None, "--name", help="Nome del token (registrato su ogni operazione)"),
    as_json: AsJson = False,
) -> None:
    """Crea un token: il segreto è mostrato UNA volta sola e non è conservato (solo il suo hash)."""
    with container(follow=False) as c:
        if company.strip() != GROUP:
            company = c.companies.require(company)
        issued = c.tokens().issue(
            company, choose_role(role), issued_on=c.clock.today(), level=level, name=name, by=cli_user()
        )
        token = issued.token
        if as_json:
            print_json(
                {
                    "id": str(token.id),
                    "name": token.name,
                    "company": token.company,
                    "role": token.role.value,
                    "level": token.level,
                    "token": issued.secret,
                }
            )
            return
        console.print(
            f"Token [bold]{token.name}[/] ({token.role.label}, azienda {token.company}"
            + (f", livello {token.level}" if token.level else "")
            + f") id {token.id}"
        )
        console.print("Conservarlo ora: non sarà più mostrato.")
        typer.echo(issued.secret)


@app.command("revoke")
def revoke(name_or_id: str = typer.Argument(..., help="Nome o id del token")) -> None:
    """Revoca un token: dalla prossima richiesta risponde 401."""
    with container(follow=False) as c:
        token = c.tokens().revoke(name_or_id, on=c.clock.today(), by=cli_user())
        console.print(f"Token [bold]{token.name}[/] revocato ({token.id})")


@app.command("list")
def list_tokens(
    show_revoked: bool = typer.Option(False, "--all", help="Anche i token revocati"),
    as_json: AsJson = False,
) -> None:
    """Elenca i token (mai i segreti)."""
    with container(follow=False) as c:
        tokens = [t for t in c.tokens().list() if show_revoked or t.is_active]
        tokens.sort(key=lambda t: (t.company, t.name))
        if as_json:
            print_json(
                [
                    {
                        "id": str(t.id),
                        "name": t.name,
                        "company": t.company,
                        "role": t.role.value,
                        "level": t.level,
                        "issued_on": t.issued_on.isoformat(),
                        "issued_by": t.issued_by,
                        "revoked_on": t.revoked_on.isoformat() if t.revoked_on else None,
                        "revoked_by": t.revoked_by,
                    }
                    for t in tokens
                ]
            )
            return
        table = Table("Nome", "Azienda", "Ruolo", "Livello", "Emesso", "Revocato", "Id")
        for t in tokens:
            table.add_row(
                t.name,
                t.company,
                t.role.label,
                str(t.level or ""),
                f"{t.issued_on:%d/%m/%Y}",
                f"{t.revoked_on:%d/%m/%Y}" if t.revoked_on else "",
                str(t.id),
            )
        console.print(table)
