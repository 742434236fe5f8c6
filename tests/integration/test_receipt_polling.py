"""Polling the PEC mailbox over IMAP (TLS, login) against a tiny IMAP server started by the test
(``imap_server.py``, speaking the protocol on the wire to ``imaplib``): the new messages imported as
receipts on real positions (SQLite and PostgreSQL), each then flagged (and moved when a done folder is
configured), so that a second poll adds nothing; a message that is no receipt flagged as discarded and
left in the mailbox; a server without MOVE; a wrong password and a server down marking nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from creditbox.application.receipt_polling import ReceiptPolling
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.workflow.outcomes import StepOutcome
from creditbox.infrastructure.pec.mailbox import (
    IMPORTED_KEYWORD,
    REJECTED_KEYWORD,
    ImapMailbox,
    ImapSettings,
    ImapUnavailable,
)
from creditbox.settings import Settings
from tests.integration.command_line import run, use_database
from tests.integration.imap_server import ImapServer, MailStore, free_port
from tests.integration.test_pec_receipts import FIXTURES, given_public_bodies_with_a_pec_notice

TLS = Path(__file__).resolve().parents[1] / "fixtures" / "tls"
CERTIFICATE, KEY = TLS / "server-cert.pem", TLS / "server-key.pem"
USER, PASSWORD = "solleciti@pec.acque.example.it", "segreta"


@pytest.fixture
def receipts_container(database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    settings = Settings(database_url=database_url, evidence_dir=str(tmp_path / "prove"))
    with bootstrap(settings, clock=clock) as c:
        given_public_bodies_with_a_pec_notice(c)
        yield c


def _settings(port: int, **options: Any) -> ImapSettings:
    return ImapSettings.from_options(
        {"imap_host": "localhost", "imap_port": port, "username": USER, "ca_file": str(CERTIFICATE), **options}
    )


def _poll(c: Container, settings: ImapSettings, password: str = PASSWORD) -> Any:
    with ImapMailbox.opened(settings, lambda: password) as mailbox:
        return ReceiptPolling(c.inbound_files(), batch=2).poll("ACQ", mailbox)


def _steps(c: Container, customer: str) -> list[tuple[StepOutcome, date]]:
    return list(c.positions.load("ACQ", customer).dunning.cases[f"S-{customer}/1"].steps[0].outcomes)


def test_new_receipts_are_imported_once_and_flagged(receipts_container: Container) -> None:
    c = receipts_container
    store = MailStore(USER, PASSWORD)
    delivered = store.deliver((FIXTURES / "avvenuta-consegna.eml").read_bytes())
    failed = store.deliver((FIXTURES / "errore-consegna.eml").read_bytes())
    unknown = store.deliver((FIXTURES / "sconosciuta.eml").read_bytes())
    other = store.deliver(b"From: ufficio@ente.example.it\r\nSubject: grazie\r\n\r\nRicevuto, grazie.\r\n")

    with ImapServer(store, CERTIFICATE, KEY) as port:
        first = _poll(c, _settings(port))
        second = _poll(c, _settings(port))

    assert (first.messages, first.accepted, first.unmatched, first.rejected) == (4, 2, 1, 1)
    assert second.messages == 0 and second.results == []
    assert _steps(c, "E1") == [(StepOutcome.DELIVERED, date(2026, 2, 10))]
    assert _steps(c, "E2") == [(StepOutcome.NOT_DELIVERED, date(2026, 2, 11))]
    for uid in (delivered, failed, unknown):
        assert {IMPORTED_KEYWORD, "\\Seen"} <= store.flags_of(uid)
    assert REJECTED_KEYWORD in store.flags_of(other)  # left in the mailbox for a person
    assert len(store.folders["INBOX"]) == 4 and store.logins == 2
    assert len(c.inbound_files().unmatched("ACQ")) == 1


@pytest.mark.parametrize("capabilities", [("IMAP4rev1", "MOVE", "UIDPLUS"), ("IMAP4rev1", "UIDPLUS")])
def test_imported_messages_are_moved_to_the_done_folder(
    receipts_container: Container, capabilities: tuple[str, ...]
) -> None:
    c = receipts_container
    store = MailStore(USER, PASSWORD, capabilities=capabilities)
    store.folders["Importate"] = []
    store.deliver((FIXTURES / "accettazione.eml").read_bytes())
    store.deliver(b"Subject: pubblicita\r\n\r\nofferta\r\n")

    with ImapServer(store, CERTIFICATE, KEY) as port:
        result = _poll(c, _settings(port, imap_done_folder="Importate"))
        again = _poll(c, _settings(port, imap_done_folder="Importate"))

    assert result.accepted == 1 and again.messages == 0
    [moved] = store.folders["Importate"]
    assert IMPORTED_KEYWORD in moved.flags
    [left] = store.folders["INBOX"]  # the discarded one stays where it was
    assert REJECTED_KEYWORD in left.flags
    assert _steps(c, "E1") == [(StepOutcome.SENT, date(2026, 2, 10))]


def test_a_wrong_password_marks_nothing(receipts_container: Container) -> None:
    store = MailStore(USER, PASSWORD)
    uid = store.deliver((FIXTURES / "avvenuta-consegna.eml").read_bytes())

    with ImapServer(store, CERTIFICATE, KEY) as port, pytest.raises(ImapUnavailable, match=r"accesso .* rifiutato"):
        _poll(receipts_container, _settings(port), password="sbagliata")

    assert store.flags_of(uid) == set()
    assert _steps(receipts_container, "E1") == []


def test_a_server_down_is_said_in_italian(receipts_container: Container) -> None:
    with pytest.raises(ImapUnavailable, match="non raggiungibile"):
        _poll(receipts_container, _settings(free_port()))


@pytest.mark.cli_or_api
def test_receipts_poll_from_the_command_line(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clock: FixedClock
) -> None:
    monkeypatch.setenv("CREDITBOX_EVIDENCE_DIR", str(tmp_path / "prove"))
    use_database(database_url, monkeypatch, company="ACQ", name="Acque")
    with bootstrap(Settings(database_url=database_url), clock=clock) as c:
        given_public_bodies_with_a_pec_notice(c)
    store = MailStore(USER, PASSWORD)
    store.deliver((FIXTURES / "avvenuta-consegna.eml").read_bytes())
    password = tmp_path / "password"
    password.write_text(PASSWORD + "\n")
    options = ["--company", "ACQ", "--host", "localhost", "--user", USER, "--ca-file", str(CERTIFICATE)]

    with ImapServer(store, CERTIFICATE, KEY) as port:
        first = run("receipts", "poll", *options, "--port", str(port), "--password-file", str(password), "--json")
        monkeypatch.setenv("CREDITBOX_PEC_PASSWORD", "sbagliata")
        refused = run("receipts", "poll", *options, "--port", str(port))

    assert first.code == 0, first.out + first.err
    assert json.loads(first.out)["accepted"] == 1
    assert refused.code == 1 and "accesso alla casella PEC rifiutato" in refused.err
    with bootstrap(Settings(database_url=database_url)) as c:
        assert _steps(c, "E1") == [(StepOutcome.DELIVERED, date(2026, 2, 10))]


@pytest.mark.cli_or_api
def test_receipts_poll_reads_the_mailbox_of_the_channel_configuration(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clock: FixedClock
) -> None:
    monkeypatch.setenv("CREDITBOX_EVIDENCE_DIR", str(tmp_path / "prove"))
    use_database(database_url, monkeypatch, company="ACQ", name="Acque")
    password = tmp_path / "pec-password"
    password.write_text(PASSWORD + "\n")
    store = MailStore(USER, PASSWORD)
    store.deliver((FIXTURES / "avvenuta-consegna.eml").read_bytes())
    with ImapServer(store, CERTIFICATE, KEY) as port:
        with bootstrap(Settings(database_url=database_url), clock=clock) as c:
            given_public_bodies_with_a_pec_notice(c)
            unconfigured = run("receipts", "poll", "--company", "ACQ")
            pec = {
                "adapter": "pec",
                "options": {
                    "imap_host": "localhost",
                    "imap_port": port,
                    "imap_username": USER,
                    "ca_file": str(CERTIFICATE),
                },
                "secrets": {"password": f"file:{password}"},
            }
            c.channel_config().change("ACQ", {"channels": {"pec": pec}}, by="test")
        polled = run("receipts", "poll", "--company", "ACQ", "--json")

    assert unconfigured.code == 2 and "imap_host" in unconfigured.err
    assert polled.code == 0, polled.out + polled.err
    assert json.loads(polled.out)["accepted"] == 1
    with bootstrap(Settings(database_url=database_url)) as c:
        assert _steps(c, "E1") == [(StepOutcome.DELIVERED, date(2026, 2, 10))]
