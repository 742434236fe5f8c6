"""``creditbox operators …`` and who runs the case commands, through the real command line, on both
backends: the case commands act as a configured operator (``--by``, ``CREDITBOX_USER`` or the login
name) with the role and level configured for it, never with a level typed on the command line."""

from __future__ import annotations

import getpass
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from creditbox.application.records import BillRecord, CustomerRecord, SupplyRecord
from creditbox.bootstrap import bootstrap
from creditbox.domain.ids import position_id
from creditbox.domain.operators import Operator, operator_id
from creditbox.projections.describe import describe, event_data
from creditbox.settings import Settings
from tests.builders import details, supply
from tests.integration.command_line import run, use_database

pytestmark = pytest.mark.cli_or_api

CASE = "S-C1/1"


def cases(*args: str) -> tuple[int, str, str]:
    return run("cases", *args, "--company", "ACQ")


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def acq(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Company ACQ through the command line; nobody named in the environment yet."""
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("CREDITBOX_USER", raising=False)
    return use_database(database_url, monkeypatch, company="ACQ", name="Acque Spa")


def add(name: str, company: str, role: str, *level: str) -> tuple[int, str, str]:
    return run("--by", "admin", "operators", "add", name, "--company", company, "--role", role, *level)


@pytest.fixture
def staff(acq: str) -> str:
    """rossi (operator), bianchi (supervisor level 1), verdi (supervisor level 2) for ACQ."""
    for name, role, level in (("rossi", "Operatore", ()), ("bianchi", "responsabile", ("--level", "1"))):
        code, out, err = add(name, "ACQ", role, *level)
        assert code == 0, out + err
    code, out, err = add("verdi", "acq", "SUPERVISOR", "--level", "2")
    assert code == 0, out + err
    return acq


@pytest.fixture
def write_off_requested(staff: str) -> str:
    """Customer C1 owes 5.000,00 € (over the 1.000,00 € ceiling of level 1) and a write-off of its
    case is requested by rossi."""
    with bootstrap(Settings(database_url=staff)) as c:
        report = c.ingestor().ingest(
            "ACQ",
            [
                CustomerRecord("C1", details(mobile="3331234567", address="Via Roma 1", city="Roma")),
                SupplyRecord("C1", supply("S-C1")),
                BillRecord("B-C1", "C1", "S-C1", date(2026, 1, 1), date(2026, 1, 31), Decimal("5000.00")),
            ],
            by="test",
        )
    assert all(r.outcome.value != "rejected" for r in report.results)
    code, _, err = run("tick", "--company", "ACQ", "--as-of", "2026-02-10")
    assert code == 0, err
    code, out, err = cases("write-off", "C1", CASE, "--date", "2026-02-12", "--by", "rossi")
    assert code == 0 and "Richiesta di stralcio registrata" in out, err
    return staff


def status(database_url: str) -> str:
    code, out, err = run("positions", "show", "C1", "--company", "ACQ", "--json")
    assert code == 0, err
    return str(json.loads(out)["cases"][0]["status"])


def stored(database_url: str, company: str, name: str) -> Operator:
    with bootstrap(Settings(database_url=database_url)) as c:
        operator = c.app.repository.get(operator_id(company, name))
    assert isinstance(operator, Operator)
    return operator


def events_of(database_url: str, event_type: str) -> list[Any]:
    with bootstrap(Settings(database_url=database_url)) as c:
        events = c.app.repository.event_store.get(position_id("ACQ", "C1"))
        return [e for e in events if type(e).__name__ == event_type]


# ---- the operators aggregate through the command line -------------------------------------------


@pytest.mark.postgres_smoke
def test_operators_are_added_listed_relevelled_disabled_and_enabled(staff: str) -> None:
    code, out, err = run("operators", "list", "--company", "ACQ", "--json")

    assert code == 0, err
    listed = {o["name"]: (o["company"], o["role"], o["role_label"], o["level"], o["active"]) for o in json.loads(out)}
    assert listed == {
        "bianchi": ("ACQ", "supervisor", "Responsabile", 1, True),
        "rossi": ("ACQ", "operator", "Operatore", 0, True),
        "verdi": ("ACQ", "supervisor", "Responsabile", 2, True),
    }
    assert stored(staff, "ACQ", "rossi").added_by == "admin"

    relevelled = run("--by", "capo", "operators", "set-level", "bianchi", "--company", "ACQ", "--level", "3")
    disabled = run("--by", "capo", "operators", "disable", "rossi", "--company", "ACQ", "--note", "trasferito")
    assert relevelled[0] == 0 and "livello 3" in relevelled[1]
    assert disabled[0] == 0 and "disabilitato" in disabled[1]
    assert (stored(staff, "ACQ", "bianchi").level, stored(staff, "ACQ", "bianchi").changed_by) == (3, "capo")
    assert stored(staff, "ACQ", "rossi").active is False
    active = run("operators", "list", "--company", "ACQ", "--json")
    everyone = run("operators", "list", "--company", "ACQ", "--all", "--json")
    assert [o["name"] for o in json.loads(active[1])] == ["bianchi", "verdi"]
    assert [o["name"] for o in json.loads(everyone[1])] == ["bianchi", "rossi", "verdi"]

    enabled = run("operators", "enable", "rossi", "--company", "ACQ")
    assert enabled[0] == 0 and stored(staff, "ACQ", "rossi").active is True
    table = run("operators", "list")
    assert table[0] == 0 and "Responsabile" in table[1] and "Operatore" in table[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("mario", "--company", "ACQ", "--role", "pilota"), "ruolo sconosciuto 'pilota'"),
        (("mario", "--company", "ACQ", "--role", "operatore", "--level", "2"), "solo il ruolo 'responsabile'"),
        (("mario", "--company", "ACQ", "--role", "responsabile", "--level", "0"), "richiede un livello"),
        (("mario", "--company", "ACQ", "--role", "responsabile", "--level", "10"), "livello di autorizzazione tra 0"),
        (("ma rio", "--company", "ACQ", "--role", "operatore"), "nome dell'operatore non valido"),
        (("rossi", "--company", "ACQ", "--role", "operatore"), "già presente"),
        (("mario", "--company", "NOPE", "--role", "operatore"), "azienda sconosciuta"),
    ],
    ids=["role", "level-without-supervisor", "supervisor-without-level", "level-too-high", "name", "twice", "company"],
)
def test_an_invalid_operator_is_refused_with_a_clear_message(staff: str, args: tuple[str, ...], message: str) -> None:
    code, _, err = run("operators", "add", *args)

    assert code != 0 and message in one_line(err)
    assert sorted(o["name"] for o in json.loads(run("operators", "list", "--all", "--json")[1])) == [
        "bianchi",
        "rossi",
        "verdi",
    ]


# ---- who runs a case command --------------------------------------------------------------------


@pytest.mark.postgres_smoke
def test_the_approval_is_checked_against_the_operators_configured_level(write_off_requested: str) -> None:
    level_one = cases("approve-write-off", "C1", CASE, "--date", "2026-02-12", "--by", "bianchi")
    raised = cases("approve-write-off", "C1", CASE, "--level", "3", "--date", "2026-02-12", "--by", "bianchi")
    lowered = cases("approve-write-off", "C1", CASE, "--level", "1", "--date", "2026-02-12", "--by", "verdi")

    assert level_one[0] == 2
    assert "importo 5000.00 oltre il massimale di stralcio del livello 1 (1000.00)" in one_line(level_one[2])
    assert raised[0] == 2 and "--level può solo abbassarlo" in one_line(raised[2])
    assert lowered[0] == 2 and "oltre il massimale di stralcio del livello 1" in one_line(lowered[2])
    assert status(write_off_requested) == "open"

    approved = cases("approve-write-off", "C1", CASE, "--date", "2026-02-12", "--by", "verdi")

    assert approved[0] == 0 and approved[1].startswith("Stralcio approvato."), approved[2]
    assert status(write_off_requested) == "closed_written_off"
    [event] = events_of(write_off_requested, "WriteOffApproved")
    assert (event.by, event.level) == ("verdi", 2)


@pytest.mark.parametrize(
    ("by", "message"),
    [
        ("nessuno", "operatore 'nessuno' sconosciuto per l'azienda ACQ"),
        ("rossi", "l'operatore 'rossi' (Operatore) non può approvare o rifiutare"),
        ("ro ssi", "nome dell'operatore non valido"),
    ],
    ids=["unknown", "role-without-the-permission", "invalid-name"],
)
def test_an_operator_who_may_not_approve_is_refused_with_exit_2(
    write_off_requested: str, by: str, message: str
) -> None:
    code, _, err = cases("approve-write-off", "C1", CASE, "--date", "2026-02-12", "--by", by)

    assert code == 2 and message in one_line(err)
    assert status(write_off_requested) == "open"


def test_a_disabled_operator_is_refused_even_for_ordinary_work(write_off_requested: str) -> None:
    assert run("operators", "disable", "rossi", "--company", "ACQ")[0] == 0

    code, _, err = cases("lock", "C1", "--reason", "reclamo", "--by", "rossi")

    assert code == 2 and "operatore 'rossi' disabilitato" in err
    assert events_of(write_off_requested, "LockSet") == []


def test_the_operator_comes_from_by_then_the_environment_then_the_login_name(
    write_off_requested: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "rossi")
    by_login = cases("lock", "C1", "--reason", "manuale", "--from", "2026-02-11")
    monkeypatch.setenv("CREDITBOX_USER", "bianchi")
    by_environment = cases("lock", "C1", "--reason", "contestazione", "--from", "2026-02-11")
    by_global_option = run("--by", "verdi", "cases", "lock", "C1", "--reason", "reclamo", "--company", "ACQ")
    by_option = cases("unlock", "C1", "B1", "--date", "2026-02-13", "--by", "rossi")

    assert [r[0] for r in (by_login, by_environment, by_global_option, by_option)] == [0, 0, 0, 0]
    assert [e.by for e in events_of(write_off_requested, "LockSet")] == ["rossi", "bianchi", "verdi"]
    assert [e.by for e in events_of(write_off_requested, "LockLifted")] == ["rossi"]


def test_nobody_to_name_is_refused_when_the_login_name_is_unavailable(
    write_off_requested: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_login() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", no_login)

    code, _, err = cases("lock", "C1", "--reason", "reclamo")
    companies = run("companies", "list")

    assert code == 2 and "operatore non identificato: indicare --by o impostare la variabile CREDITBOX_USER" in err
    assert companies[0] == 0  # commands that only read need nobody


def test_a_group_operator_acts_for_every_company_unless_the_company_disables_it(
    write_off_requested: str,
) -> None:
    assert add("capo", "*", "responsabile", "--level", "3")[0] == 0
    assert run("companies", "add", "GAS", "--name", "Gas Spa")[0] == 0
    listed = json.loads(run("operators", "list", "--company", "GAS", "--json")[1])
    assert [(o["name"], o["company"]) for o in listed] == [("capo", "*")]

    approved = cases("approve-write-off", "C1", CASE, "--date", "2026-02-12", "--by", "capo")

    assert approved[0] == 0, approved[2]
    assert events_of(write_off_requested, "WriteOffApproved")[0].level == 3
    assert add("capo", "ACQ", "operatore")[0] == 0
    assert run("operators", "disable", "capo", "--company", "ACQ")[0] == 0
    refused = cases("lock", "C1", "--reason", "reclamo", "--by", "capo")
    assert refused[0] == 2 and "operatore 'capo' disabilitato" in refused[2]


def test_operator_events_read_as_italian_sentences_in_the_audit_trail(staff: str) -> None:
    assert run("--by", "capo", "operators", "disable", "rossi", "--company", "ACQ", "--note", "ferie")[0] == 0
    with bootstrap(Settings(database_url=staff)) as c:
        events = c.app.repository.event_store.get(operator_id("ACQ", "rossi"))
        texts = [describe(e, event_data(e)) for e in events]

    assert texts == [
        "Operatore rossi aggiunto: ruolo Operatore, livello 0, azienda ACQ",
        "Operatore disabilitato: ferie",
    ]
