"""The e-mail and PEC adapters against a real SMTP server started by the test (aiosmtpd), with STARTTLS
(or implicit TLS) and authentication: the message the server received (headers, Message-ID from the
action key, text and HTML, recipients), a recipient refused, a wrong password, the server down, and the
sent-log that makes a second send a duplicate and lets the reconciliation say ``sent``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from creditbox.application.message_ids import action_key_from
from creditbox.application.ports import AdapterSpec, ChannelError, ChannelMessage
from creditbox.clock import FixedClock
from creditbox.infrastructure.channels.smtp import SmtpChannel
from tests.integration.smtp_server import (
    CERTIFICATE,
    PASSWORD,
    REFUSED,
    USER,
    Mailbox,
    free_port,
    server_tls,
    smtp_server,
)

KEY_E1 = "ACQ/E1/S-E1/1/1"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as server:
        yield server


def _spec(port: int, *, adapter: str = "smtp", password: str = PASSWORD, **options: Any) -> AdapterSpec:
    secrets = {"password": password}
    return AdapterSpec(
        company="ACQ",
        channel="pec" if adapter == "pec" else "email",
        adapter=adapter,
        options={
            "host": "localhost",
            "port": port,
            "security": "starttls",
            "username": USER,
            "sender": "solleciti@pec.acque.example.it",
            "sender_name": "Acque S.p.A. - Ufficio crediti",
            "timeout": 5,
            "ca_file": str(CERTIFICATE),
            **options,
        },
        secret=secrets.__getitem__,
    )


def _message(recipient: str = "amministrazione.e1@pec.ente.example.it", channel: str = "pec") -> ChannelMessage:
    return ChannelMessage(
        action_key=KEY_E1,
        company="ACQ",
        channel=channel,
        recipient=recipient,
        subject="Sollecito di pagamento - fornitura S-E1",
        text="Gentile cliente,\nrisultano non pagate bollette per 1.250,00 €.\n",
        html="<p>Gentile cliente,<br>risultano non pagate bollette per <b>1.250,00 €</b>.</p>",
    )


def _channel(spec: AdapterSpec, tmp_path: Path, clock: FixedClock) -> SmtpChannel:
    return SmtpChannel.from_spec(spec, clock, tmp_path / "canali")


def test_a_notice_goes_through_starttls_and_authentication_with_its_message_id(
    mailbox: tuple[Mailbox, int], tmp_path: Path, clock: FixedClock
) -> None:
    server, port = mailbox
    channel = _channel(_spec(port, adapter="pec"), tmp_path, clock)

    receipt = channel.send(_message())

    assert server.logins == [USER]
    envelope = server.envelopes[0]
    assert envelope.mail_from == "solleciti@pec.acque.example.it"
    assert envelope.rcpt_tos == ["amministrazione.e1@pec.ente.example.it"]
    received = server.received()
    assert received["Message-ID"] == "<ACQ/E1/S-E1/1/1@pec.acque.example.it>"
    assert receipt.reference == received["Message-ID"] and not receipt.duplicate
    assert action_key_from(received["Message-ID"]) == KEY_E1
    assert received["From"] == '"Acque S.p.A. - Ufficio crediti" <solleciti@pec.acque.example.it>'
    assert received["To"] == "amministrazione.e1@pec.ente.example.it"
    assert received["Subject"] == "Sollecito di pagamento - fornitura S-E1"
    assert received.get_content_type() == "multipart/alternative"
    plain = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert plain is not None and "1.250,00 €" in plain.get_content()
    assert html is not None and "<b>1.250,00 €</b>" in html.get_content()
    assert channel.status(KEY_E1) == "sent"


def test_a_second_send_of_the_same_action_is_a_duplicate_and_sends_nothing(
    mailbox: tuple[Mailbox, int], tmp_path: Path, clock: FixedClock
) -> None:
    server, port = mailbox
    channel = _channel(_spec(port), tmp_path, clock)
    channel.send(_message(channel="email"))

    again = _channel(_spec(port), tmp_path, clock).send(_message(channel="email"))

    assert again.duplicate and again.reference == "<ACQ/E1/S-E1/1/1@pec.acque.example.it>"
    assert len(server.envelopes) == 1


def test_a_refused_recipient_is_a_channel_error_in_italian_and_nothing_is_logged(
    mailbox: tuple[Mailbox, int], tmp_path: Path, clock: FixedClock
) -> None:
    server, port = mailbox
    channel = _channel(_spec(port), tmp_path, clock)

    with pytest.raises(ChannelError, match=r"destinatario rifiutato.*nessuno@ente\.example\.it.*550.*permanente"):
        channel.send(_message(recipient=REFUSED))

    assert server.envelopes == []
    assert channel.status(KEY_E1) == "unknown"


def test_a_wrong_password_is_refused_as_a_permanent_error(
    mailbox: tuple[Mailbox, int], tmp_path: Path, clock: FixedClock
) -> None:
    server, port = mailbox
    channel = _channel(_spec(port, password="sbagliata"), tmp_path, clock)

    with pytest.raises(ChannelError, match="autenticazione rifiutata"):
        channel.send(_message())

    assert server.envelopes == []


def test_a_server_that_does_not_answer_is_a_temporary_channel_error(tmp_path: Path, clock: FixedClock) -> None:
    channel = _channel(_spec(free_port()), tmp_path, clock)

    with pytest.raises(ChannelError, match=r"non raggiungibile.*temporaneo"):
        channel.send(_message())

    assert channel.status(KEY_E1) == "unknown"


def test_a_certificate_not_trusted_is_refused(mailbox: tuple[Mailbox, int], tmp_path: Path, clock: FixedClock) -> None:
    server, port = mailbox
    channel = _channel(_spec(port, ca_file=""), tmp_path, clock)  # the system's certificates only

    with pytest.raises(ChannelError, match="non raggiungibile"):
        channel.send(_message())

    assert server.envelopes == [] and server.logins == []


def test_implicit_tls_as_pec_providers_serve_it(tmp_path: Path, clock: FixedClock) -> None:
    handler = Mailbox()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        ssl_context=server_tls(),
        authenticator=handler.authenticate,
        auth_require_tls=False,  # the whole connection is TLS: aiosmtpd does not see it as STARTTLS
        server_hostname="localhost",
    )
    controller.start()
    try:
        spec = _spec(port, adapter="pec", security="ssl")
        _channel(spec, tmp_path, clock).send(_message())
    finally:
        controller.stop()

    assert handler.logins == [USER]
    assert handler.received()["Message-ID"] == "<ACQ/E1/S-E1/1/1@pec.acque.example.it>"


def test_an_adapter_without_a_host_is_refused_when_built(tmp_path: Path, clock: FixedClock) -> None:
    spec = AdapterSpec("ACQ", "email", "smtp", {"sender": "a@b.it"}, secret=lambda name: "")

    with pytest.raises(ValueError, match="host mancante"):
        SmtpChannel.from_spec(spec, clock, tmp_path)
