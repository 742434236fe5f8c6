"""``creditbox operators password``: the console password of an operator, read from a hidden prompt
(typed twice) or from standard input, never from an argument; stored as an scrypt hash only."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select

from creditbox.bootstrap import bootstrap
from creditbox.infrastructure.database_url import DatabaseUrl
from creditbox.projections.schema import console_passwords
from creditbox.settings import Settings
from tests.integration.command_line import invoke, run, use_database

pytestmark = pytest.mark.cli_or_api

SECRET = "parola-segreta-lunga"


@pytest.fixture
def acq(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    use_database(database_url, monkeypatch, company="ACQ", name="Acque Spa")
    assert run("--by", "admin", "operators", "add", "mario", "--company", "ACQ", "--role", "operator").code == 0
    return database_url


def stored(database_url: str) -> list[tuple[str, str, str, str]]:
    engine = create_engine(DatabaseUrl(database_url).sqlalchemy_url())
    try:
        with engine.connect() as conn:
            c = console_passwords.c
            return [tuple(r) for r in conn.execute(select(c.login, c.company, c.password_hash, c.set_by))]
    finally:
        engine.dispose()


@pytest.mark.postgres_smoke
def test_a_password_typed_twice_at_the_prompt_is_stored_hashed_and_signs_in(acq: str) -> None:
    result = invoke(
        "--by", "admin", "operators", "password", "mario", "--company", "ACQ", input=f"{SECRET}\n{SECRET}\n"
    )

    assert result.exit_code == 0, result.output
    assert "password della console impostata" in result.output and SECRET not in result.output
    [(login, company, hashed, by)] = stored(acq)
    assert (login, company, by) == ("mario", "ACQ", "admin")
    assert hashed.startswith("scrypt$16384$8$5$") and SECRET not in hashed
    with bootstrap(Settings(database_url=acq)) as c:
        accounts = c.console_accounts()
        assert accounts.sign_in("mario", "un'altra-password") is None
        signed = accounts.sign_in("mario", SECRET)
        assert signed is not None and signed.session.principal.name == "mario"


def test_different_passwords_at_the_prompt_change_nothing(acq: str) -> None:
    result = invoke("operators", "password", "mario", "--company", "ACQ", input=f"{SECRET}\naltra-cosa-lunga\n")
    assert result.exit_code == 1 and "non coincidono" in result.output
    assert stored(acq) == []


def test_stdin_short_passwords_and_unknown_operators(acq: str) -> None:
    short = invoke("operators", "password", "mario", "--company", "ACQ", "--stdin", input="corta\n")
    unknown = invoke("operators", "password", "nessuno", "--company", "ACQ", "--stdin", input=f"{SECRET}\n")
    piped = invoke("operators", "password", "mario", "--company", "ACQ", "--stdin", input=f"{SECRET}\n")

    assert short.exit_code != 0 and "almeno 12 caratteri" in short.output
    assert unknown.exit_code != 0 and "sconosciuto" in unknown.output
    assert piped.exit_code == 0 and [row[0] for row in stored(acq)] == ["mario"]


def test_one_login_name_signs_in_for_one_operator_only(acq: str) -> None:
    assert run("--by", "admin", "operators", "add", "mario", "--company", "*", "--role", "auditor").code == 0
    assert invoke("operators", "password", "mario", "--company", "ACQ", "--stdin", input=f"{SECRET}\n").exit_code == 0

    clash = invoke("operators", "password", "mario", "--company", "*", "--stdin", input=f"{SECRET}\n")

    assert clash.exit_code != 0 and "accede già alla console" in clash.output
    assert [row[1] for row in stored(acq)] == ["ACQ"]
