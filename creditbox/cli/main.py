"""The ``creditbox`` command: each group of commands lives in its own module."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from creditbox.cli import (
    actions,
    audit,
    bank,
    cases,
    channels,
    companies,
    context,
    db,
    export,
    generate,
    imports,
    inbound,
    inbox,
    letters,
    offices,
    operators,
    outbox,
    positions,
    profiles,
    projections,
    scheduler,
    serve,
    simulate,
    statement,
    template,
    tick,
    tokens,
    worker,
    worklists,
)
from creditbox.cli.context import Handler, add_commands, fail
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


COMMANDS: tuple[tuple[str, Handler], ...] = (
    ("actions", actions.app),
    ("companies", companies.app),
    ("import", imports.import_file),
    ("template", template.template),
    ("inbox", inbox.app),
    ("inbound", inbound.app),
    ("receipts", inbound.receipts_app),
    ("db", db.app),
    ("positions", positions.app),
    ("audit", audit.app),
    ("profiles", profiles.app),
    ("serve", serve.serve),
    ("tokens", tokens.app),
    ("operators", operators.app),
    ("tick", tick.tick),
    ("scheduler", scheduler.scheduler),
    ("simulate", simulate.simulate),
    ("outbox", outbox.app),
    ("technical", offices.technical),
    ("agency", offices.agency),
    ("letters", letters.app),
    ("channels", channels.app),
    ("worker", worker.worker),
    ("cases", cases.app),
    ("projections", projections.app),
    ("worklist", worklists.worklist),
    ("ageing", worklists.ageing),
    ("bank", bank.app),
    ("statement", statement.statement),
    ("export", export.app),
    ("generate", generate.generate),
)

add_commands(app, COMMANDS)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
