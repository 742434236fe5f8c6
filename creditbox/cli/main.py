"""The ``creditbox`` command: each group of commands lives in its own module."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from creditbox.cli import (
    actions,
    companies,
    context,
    db,
    dunning,
    imports,
    inbox,
    operators,
    positions,
    profiles,
    projections,
    serve,
    template,
    tokens,
    worklists,
)
from creditbox.cli.context import fail
from creditbox.domain.text_policy import argument_problem


class CheckedArguments(TyperGroup):
    """The root command: every argument passes the text policy before any command reads it (no
    control character but tab and line break, no bidi control, no byte that is not UTF-8)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        for argument in args:
            problem = argument_problem(argument)
            if problem is not None:
                fail(problem, 2)
        parsed: Any = super().parse_args(ctx, args)
        return list(parsed)


app = typer.Typer(
    cls=CheckedArguments,
    help="CreditBox — gestione del credito e solleciti.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _who(
    by: str | None = typer.Option(
        None,
        "--by",
        help="Chi esegue il comando (default: variabile CREDITBOX_USER, altrimenti il nome di login)",
    ),
) -> None:
    """CreditBox — gestione del credito e solleciti."""
    context.set_by_option(by)


app.add_typer(actions.app, name="actions")
app.add_typer(companies.app, name="companies")
app.command("import")(imports.import_file)
app.command("template")(template.template)
app.add_typer(inbox.app, name="inbox")
app.add_typer(db.app, name="db")
app.add_typer(positions.app, name="positions")
app.add_typer(profiles.app, name="profiles")
app.command("serve")(serve.serve)
app.add_typer(tokens.app, name="tokens")
app.add_typer(operators.app, name="operators")
app.command("tick")(dunning.tick)
app.command("simulate")(dunning.simulate)
app.add_typer(dunning.outbox_app, name="outbox")
app.add_typer(dunning.cases_app, name="cases")
app.add_typer(projections.app, name="projections")
app.command("worklist")(worklists.worklist)
app.command("ageing")(worklists.ageing)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
