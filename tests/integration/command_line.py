"""The one way the tests run ``creditbox`` through the real command line (Typer's CliRunner).

``run`` gives the exit code, stdout and stderr (``code, out, err = run(...)``, or ``.code``, ``.out``,
``.err``); ``invoke`` gives the whole click result (``output`` with both streams interleaved, the
exception). ``use_database`` points the command line at a test's database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import pytest
from click.testing import Result
from typer.testing import CliRunner

from creditbox.cli.main import app

runner = CliRunner()


class Run(NamedTuple):
    code: int
    out: str
    err: str


def invoke(*args: str, env: Mapping[str, str] | None = None, input: str | None = None) -> Result:
    """The result of ``creditbox ARGS`` (``env``: variables set for this run only; ``input``: what the
    command reads on its standard input, prompts included)."""
    return runner.invoke(app, list(args), env=env, input=input)


def run(*args: str) -> Run:
    """Exit code, stdout and stderr of ``creditbox ARGS``."""
    result = invoke(*args)
    return Run(result.exit_code, result.stdout, result.stderr)


def use_database(database_url: str, monkeypatch: pytest.MonkeyPatch, *, company: str, name: str) -> str:
    """Point the command line at ``database_url`` and register ``company`` through it."""
    monkeypatch.setenv("CREDITBOX_DATABASE_URL", database_url)
    code, out, err = run("companies", "add", company, "--name", name)
    assert code == 0, out + err
    return database_url
