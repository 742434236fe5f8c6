"""Running ``creditbox`` through the real command line (Typer's CliRunner) in the tests."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from creditbox.cli.main import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``creditbox ARGS``."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def use_database(database_url: str, monkeypatch: pytest.MonkeyPatch, *, company: str, name: str) -> str:
    """Point the command line at ``database_url`` and register ``company`` through it."""
    monkeypatch.setenv("CREDITBOX_DATABASE_URL", database_url)
    code, out, err = run("companies", "add", company, "--name", name)
    assert code == 0, out + err
    return database_url
