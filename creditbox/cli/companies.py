"""``creditbox companies``: register and list the companies of the group."""

from __future__ import annotations

import typer
from rich.table import Table

from creditbox.cli import company_settings
from creditbox.cli.context import cli_user, console, container, print_json
from creditbox.cli.options import AsJson
from creditbox.domain.company import CompanySettings

app = typer.Typer(help="Aziende del gruppo.", no_args_is_help=True)
app.add_typer(company_settings.app, name="settings")


@app.command("add")
def add(
    code: str = typer.Argument(..., help="Codice azienda, ad es. ACQ"),
    name: str = typer.Option(..., "--name", help="Ragione sociale"),
    grace_days: int = typer.Option(10, "--grace-days", help="Giorni di tolleranza dopo la scadenza"),
) -> None:
    """Registra un'azienda del gruppo."""
    with container() as c:
        company = c.companies.register(code, name, CompanySettings(grace_period_days=grace_days), by=cli_user())
        console.print(f"Azienda [bold]{company.code}[/] registrata: {company.name}")


@app.command("list")
def list_companies(as_json: AsJson = False) -> None:
    """Elenca le aziende registrate."""
    with container() as c:
        companies = c.companies.list()
        if as_json:
            print_json(
                [
                    {"code": co.code, "name": co.name, "grace_period_days": co.settings.grace_period_days}
                    for co in companies
                ]
            )
            return
        table = Table("Codice", "Ragione sociale", "Tolleranza (gg)")
        for co in companies:
            table.add_row(co.code, co.name, str(co.settings.grace_period_days))
        console.print(table)
