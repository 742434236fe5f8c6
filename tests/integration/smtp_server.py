"""An SMTP server for the tests (aiosmtpd) on 127.0.0.1: STARTTLS required, then authentication, with the
throwaway certificate of ``tests/fixtures/tls``; it keeps what it accepted and refuses one recipient."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

TLS = Path(__file__).resolve().parents[1] / "fixtures" / "tls"
CERTIFICATE, KEY = TLS / "server-cert.pem", TLS / "server-key.pem"
USER, PASSWORD = "solleciti@acque.example.it", "s3greta-di-prova"
REFUSED = "nessuno@ente.example.it"


class Mailbox:
    """The server's side: what it accepted, and a recipient it refuses."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.logins: list[str] = []

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address == REFUSED:
            return "550 5.1.1 Recipient address rejected: user unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(self, server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any) -> Any:
        if isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        ):
            self.logins.append(auth_data.login.decode())
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def received(self) -> EmailMessage:
        assert len(self.envelopes) == 1
        content = self.envelopes[0].original_content
        assert isinstance(content, bytes)
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_tls() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(CERTIFICATE, KEY)
    return context


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """An SMTP server on 127.0.0.1 that requires STARTTLS, and authentication after it."""
    handler = Mailbox()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_tls(),
        require_starttls=True,
        auth_require_tls=True,
        authenticator=handler.authenticate,
        server_hostname="localhost",
    )
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
