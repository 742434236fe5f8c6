"""API tokens: the CLI prints the secret once, stores only its hash, lists and revokes by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from creditbox.bootstrap import bootstrap
from creditbox.domain.tokens import Role, token_hash
from creditbox.settings import Settings
from tests.integration.command_line import invoke

pytestmark = pytest.mark.cli_or_api


@pytest.fixture
def cli_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CREDITBOX_DATABASE_URL", database_url)
    with bootstrap(Settings(database_url=database_url)) as c:
        c.companies.register("ACQ", "Acque Spa", by="test")
    return database_url


def run(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.postgres_smoke
def test_create_prints_the_secret_once_and_stores_only_its_hash(cli_db: str, tmp_path: Path) -> None:
    created = json.loads(
        run("tokens", "create", "--company", "acq", "--role", "supervisor", "--level", "2", "--name", "Rossi", "--json")
    )
    listed = run("tokens", "list", "--json")

    assert created["token"].startswith("cbx_") and created["company"] == "ACQ" and created["level"] == 2
    assert created["token"] not in listed
    assert json.loads(listed)[0]["name"] == "Rossi"
    with bootstrap(Settings(database_url=cli_db)) as c:
        principal = c.tokens().authenticate(created["token"])
        stored = [n.state for n in c.app.recorder.select_notifications(start=1, limit=1000)]
    assert principal is not None and principal.role is Role.SUPERVISOR and principal.name == "Rossi"
    assert all(created["token"].encode() not in state for state in stored)
    assert any(token_hash(created["token"]).encode() in state for state in stored)


@pytest.mark.postgres_smoke
def test_revoke_by_name_and_names_are_unique_among_active_tokens(cli_db: str) -> None:
    secret = json.loads(run("tokens", "create", "--company", "*", "--role", "auditor", "--name", "audit", "--json"))[
        "token"
    ]
    duplicate = invoke("tokens", "create", "--company", "*", "--role", "auditor", "--name", "audit")
    run("--by", "amministratore", "tokens", "revoke", "audit")
    listed = json.loads(run("tokens", "list", "--all", "--json"))

    assert duplicate.exit_code == 1 and "audit" in duplicate.output
    assert listed[0]["revoked_by"] == "amministratore" and listed[0]["company"] == "*"
    with bootstrap(Settings(database_url=cli_db)) as c:
        assert c.tokens().authenticate(secret) is None


def test_bad_roles_levels_and_companies_are_refused(cli_db: str) -> None:
    bad_role = invoke("tokens", "create", "--company", "ACQ", "--role", "boss")
    level_for_operator = invoke("tokens", "create", "--company", "ACQ", "--role", "operator", "--level", "2")
    unknown_company = invoke("tokens", "create", "--company", "XYZ", "--role", "operator")

    assert bad_role.exit_code == 2 and "ruolo sconosciuto 'boss' (ammessi: Gestionale (feed) (feed)" in bad_role.output
    assert level_for_operator.exit_code == 1 and "supervisor" in level_for_operator.output
    assert unknown_company.exit_code == 1 and "XYZ" in unknown_company.output


@pytest.mark.parametrize(("typed", "role"), [("Responsabile", "supervisor"), ("SUPERVISOR", "supervisor")])
def test_a_role_is_typed_as_its_code_or_its_italian_label(cli_db: str, typed: str, role: str) -> None:
    created = json.loads(
        run("tokens", "create", "--company", "ACQ", "--role", typed, "--level", "2", "--name", "capo", "--json")
    )
    shown = invoke("tokens", "list", env={"COLUMNS": "200"})

    assert (created["role"], created["level"]) == (role, 2)
    assert "Responsabile" in shown.output and "supervisor" not in shown.output


def test_the_token_cache_keeps_a_principal_for_its_ttl_only(cli_db: str) -> None:
    from creditbox.api.guard import TokenCache

    with bootstrap(Settings(database_url=cli_db)) as c:
        service = c.tokens()
        issued = service.issue("ACQ", Role.AUDITOR, issued_on=c.clock.today(), name="cached", by="test")
        cached, uncached = TokenCache(service, ttl=60), TokenCache(service, ttl=0)
        assert cached.authenticate(issued.secret) is not None and uncached.authenticate(issued.secret) is not None

        service.revoke("cached", on=c.clock.today(), by="test")

        assert cached.authenticate(issued.secret) is not None  # still within its ttl
        assert uncached.authenticate(issued.secret) is None
        assert cached.authenticate("cbx_unknown") is None
