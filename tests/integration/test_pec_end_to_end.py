"""A PEC notice from the workflow to its delivery receipt (SQLite and PostgreSQL): the ENTI ladder executes
the PEC step, the outbox sends it through the ``pec`` adapter to a real SMTP server (STARTTLS, login), the
Message-ID the server received is the one the provider's receipt names, the outbox's reconciliation finds
it in the sent-log, and the delivery receipt imported makes the step *consegnato*."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from creditbox.application.outbox import message_of
from creditbox.application.ports import SENDING, SENT, AdapterSpec
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.workflow.outcomes import StepOutcome
from creditbox.infrastructure.outbox_store import SqlOutboxStore
from creditbox.infrastructure.pec.receipts import parse_receipt
from creditbox.settings import Settings
from tests.integration.smtp_server import CERTIFICATE, PASSWORD, USER, Mailbox, smtp_server
from tests.integration.test_pec_receipts import E1, FIXTURES, given_public_bodies_with_a_pec_notice


@pytest.fixture
def world(database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[tuple[Container, Mailbox, int]]:
    settings = Settings(
        database_url=database_url, channel_dir=str(tmp_path / "canali"), evidence_dir=str(tmp_path / "prove")
    )
    with bootstrap(settings, clock=clock) as c, smtp_server() as (server, port):
        given_public_bodies_with_a_pec_notice(c, customers=2)
        yield c, server, port


def _pec(c: Container, port: int) -> AdapterSpec:
    options = {
        "host": "localhost",
        "port": port,
        "security": "starttls",
        "username": USER,
        "sender": "solleciti@pec.acque.example.it",
        "sender_name": "Acque S.p.A.",
        "ca_file": str(CERTIFICATE),
    }
    return AdapterSpec("ACQ", "pec", "pec", options, secret={"password": PASSWORD}.__getitem__)


def test_a_pec_notice_sent_over_smtp_comes_back_delivered(world: tuple[Container, Mailbox, int]) -> None:
    c, server, port = world
    outbox = c.outbox(channel=c.mail_channel(_pec(c, port)))

    sent = outbox.send(E1)

    assert sent.result == "sent"
    [envelope] = server.envelopes
    assert envelope.rcpt_tos == ["amministrazione.e1@pec.ente.example.it"]
    received = server.received()
    receipt = parse_receipt((FIXTURES / "avvenuta-consegna.eml").read_bytes())
    assert received["Message-ID"] == receipt.reference == receipt.header_reference
    assert outbox.send(E1).result == "skipped" and len(server.envelopes) == 1  # never twice

    result = c.inbound_files().import_file("ricevute", "ACQ", "consegna.eml", receipt_bytes(), by="test")

    assert result.accepted == 1
    case = c.positions.load("ACQ", "E1").dunning.cases["S-E1/1"]
    assert case.steps[0].outcomes == [(StepOutcome.DELIVERED, date(2026, 2, 10))]


def test_the_reconciliation_finds_what_the_server_accepted(world: tuple[Container, Mailbox, int]) -> None:
    """A worker that died after the server accepted the message: the entry left *in invio* is found
    sent in the adapter's sent-log, and never sent again."""
    c, server, port = world
    channel = c.mail_channel(_pec(c, port))
    store = SqlOutboxStore(c.projections.engine, c.write_gate)
    entry = store.claim(E1, c.clock.now())
    assert entry is not None and entry.status == SENDING
    channel.send(message_of(entry))  # the server has it; the worker dies before marking it sent
    assert isinstance(c.clock, FixedClock)
    c.clock.advance(seconds=3600)

    report = c.outbox(channel=channel).reconcile(timedelta(seconds=600))

    assert report.sent == [E1] and report.uncertain == []
    after = store.get(E1)
    assert after is not None and after.status == SENT
    assert len(server.envelopes) == 1


def receipt_bytes() -> bytes:
    return (FIXTURES / "avvenuta-consegna.eml").read_bytes()
