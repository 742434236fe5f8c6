"""``creditbox cases …``: operator and supervisor commands on dunning cases, one module a group of
commands (steps, outcomes, locks, plans, write-offs, litigation), their shared options in
``cli/options.py`` and what they do around each call in ``cases/session.py``."""

from __future__ import annotations

import typer

from creditbox.cli.cases import legal, litigation, locks, outcomes, plans, steps, write_offs
from creditbox.cli.context import Handler, add_commands

app = typer.Typer(help="Pratiche di sollecito: proposte, approvazioni, esiti, blocchi, piani.", no_args_is_help=True)

COMMANDS: tuple[tuple[str, Handler], ...] = (
    ("confirm", steps.confirm),
    ("discard", steps.discard),
    ("approve", steps.approve),
    ("refuse", steps.refuse),
    ("outcome", outcomes.outcome),
    ("correct-outcome", outcomes.correct_outcome),
    ("reactivation", outcomes.reactivation),
    ("lock", locks.lock),
    ("unlock", locks.unlock),
    ("plan", plans.plan),
    ("write-off", write_offs.write_off),
    ("approve-write-off", write_offs.approve_write_off),
    ("litigation", litigation.litigation),
    ("litigation-outcome", litigation.litigation_outcome),
    ("legal", legal.app),
)

add_commands(app, COMMANDS)
