"""E-mail and PEC over SMTP (adapters ``smtp`` and ``pec``): one message a notice, through the
company's mail server or PEC provider, with TLS and authentication.

- Built from an ``AdapterSpec`` (:meth:`SmtpChannel.from_spec`): options ``host``, ``port``, ``security``
  (``starttls``, ``ssl`` or ``none``), ``username``, ``sender`` (the address), ``sender_name``,
  ``timeout`` (seconds), ``ca_file`` (the certificates to trust instead of the system's); the password
  is the secret ``password``, read when a message is sent and never kept.
- The Message-ID is derived from the action key (``application/message_ids.py``): a PEC receipt names
  it, so the receipt finds its action; a resend of the same action carries the same Message-ID.
- The message is ``multipart/alternative`` (the text and, when the composer gives one, its HTML).
- Idempotency: the outbox claims an entry before calling :meth:`send`, so one worker sends it. When the
  server has accepted a message, a line of the *sent-log* is written: a small file per message under
  ``<channel_dir>/<COMPANY>/<channel>/`` (named like the file channel's messages, written atomically),
  with the Message-ID and when it was accepted. :meth:`send` of a key in the sent-log sends nothing
  again (a duplicate), and :meth:`status` answers ``sent`` from it — ``unknown`` otherwise, since an SMTP
  server cannot be asked what it received.
- Errors: any refusal or failure raises ``ChannelError`` with an Italian message (the outbox retries with
  back-off, then records the failure): a temporary one (4xx, a server down or unreachable, a timeout) is
  said to be temporary; a permanent one (5xx: a recipient refused, the authentication refused) says so.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

from creditbox.application.message_ids import domain_of, message_id_for
from creditbox.application.ports import (
    CHANNEL_SENT,
    CHANNEL_UNKNOWN,
    AdapterSpec,
    ChannelError,
    ChannelMessage,
    Receipt,
)
from creditbox.clock import Clock
from creditbox.infrastructure.channels.files import file_name, folder_name

SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_TIMEOUT = 30.0
ADAPTERS = ("smtp", "pec")


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand messages over (plain values; the password is read through ``password``)."""

    host: str
    port: int
    security: str
    sender: str
    sender_name: str = ""
    username: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    ca_file: str | None = None

    @classmethod
    def from_options(cls, options: Any, *, default_security: str) -> SmtpSettings:
        """From an adapter's options; a missing or wrong option is a ``ValueError`` naming it."""
        host = str(options.get("host") or "").strip()
        if not host:
            raise ValueError("opzione host mancante: il server di posta")
        security = str(options.get("security") or default_security).strip().lower()
        if security not in SECURITY:
            raise ValueError(f"opzione security non valida: {security!r} (valori: {', '.join(SECURITY)})")
        sender = str(options.get("sender") or "").strip()
        domain_of(sender)  # refuses an address with no domain
        try:
            port = int(options.get("port") or DEFAULT_PORTS[security])
            timeout = float(options.get("timeout") or DEFAULT_TIMEOUT)
        except (TypeError, ValueError):
            raise ValueError("opzioni port e timeout: numeri attesi") from None
        if not 0 < port < 65536 or timeout <= 0:
            raise ValueError("opzioni port e timeout fuori dai limiti")
        username = str(options.get("username") or "").strip() or None
        ca_file = str(options.get("ca_file") or "").strip() or None
        return cls(host, port, security, sender, str(options.get("sender_name") or ""), username, timeout, ca_file)


class SmtpChannel:
    """Sends each message once through an SMTP server; ``adapter`` is ``smtp`` or ``pec``."""

    def __init__(
        self,
        settings: SmtpSettings,
        password: Callable[[], str],
        clock: Clock,
        sent_log: str | os.PathLike[str],
        *,
        adapter: str = "smtp",
    ) -> None:
        self._settings = settings
        self._password = password
        self._clock = clock
        self._root = Path(sent_log)
        self._adapter = adapter
        self._domain = domain_of(settings.sender)

    @classmethod
    def from_spec(cls, spec: AdapterSpec, clock: Clock, root: str | os.PathLike[str]) -> SmtpChannel:
        """The adapter of ``spec`` (``smtp``: STARTTLS by default; ``pec``: SSL by default, as PEC
        providers serve it); its sent-log under ``root`` (the ``channel_dir`` setting)."""
        if spec.adapter not in ADAPTERS:
            raise ValueError(f"adattatore {spec.adapter!r} non di posta (attesi: {', '.join(ADAPTERS)})")
        default = "ssl" if spec.adapter == "pec" else "starttls"
        settings = SmtpSettings.from_options(spec.options, default_security=default)
        password = (lambda: spec.secret("password")) if settings.username else (lambda: "")
        return cls(settings, password, clock, root, adapter=spec.adapter)

    def message_id(self, action_key: str) -> str:
        return message_id_for(action_key, self._domain)

    def send(self, message: ChannelMessage) -> Receipt:
        if self._logged(message.company, message.channel, message.action_key) is not None:
            return Receipt(self.message_id(message.action_key), duplicate=True)
        recipient = (message.recipient or "").strip()
        if not recipient or "@" not in recipient:
            raise ChannelError(f"{message.action_key}: nessun indirizzo di posta valido del destinatario")
        email = self.compose(message)
        try:
            refused = self._hand_over(email, recipient)
        except smtplib.SMTPRecipientsRefused as error:
            raise ChannelError(_refused(error.recipients)) from error
        except smtplib.SMTPAuthenticationError as error:
            raise ChannelError(
                f"autenticazione rifiutata dal server di posta {self._where()} ({_reply(error)}): errore permanente"
            ) from error
        except smtplib.SMTPResponseException as error:
            raise ChannelError(_response(self._where(), error)) from error
        except (smtplib.SMTPException, ssl.SSLError, OSError) as error:
            raise ChannelError(
                f"server di posta {self._where()} non raggiungibile: {error or type(error).__name__}"
                " (errore temporaneo: nuovo tentativo più tardi)"
            ) from error
        if refused:
            raise ChannelError(_refused(refused))
        self._log(message, email["Message-ID"], recipient)
        return Receipt(email["Message-ID"])

    def status(self, action_key: str) -> str:
        company, _, _ = action_key.partition("/")
        folder = self._root / folder_name(company)
        name = file_name(action_key)
        if folder.is_dir() and any((f / name).is_file() for f in folder.iterdir() if f.is_dir()):
            return CHANNEL_SENT
        return CHANNEL_UNKNOWN

    def compose(self, message: ChannelMessage) -> EmailMessage:
        """The e-mail of ``message``: headers, the text and its HTML alternative."""
        s = self._settings
        email = EmailMessage()
        email["From"] = formataddr((s.sender_name, s.sender)) if s.sender_name else s.sender
        email["To"] = (message.recipient or "").strip()
        email["Subject"] = message.subject
        email["Date"] = format_datetime(self._clock.now())
        email["Message-ID"] = self.message_id(message.action_key)
        email.set_content(message.text)
        if message.html:
            email.add_alternative(message.html, subtype="html")
        return email

    def _hand_over(self, email: EmailMessage, recipient: str) -> dict[str, tuple[int, bytes]]:
        s = self._settings
        context = ssl.create_default_context(cafile=s.ca_file)
        server: smtplib.SMTP
        if s.security == "ssl":
            server = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            server = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        with server:
            server.ehlo()
            if s.security == "starttls":
                server.starttls(context=context)
                server.ehlo()
            if s.username:
                server.login(s.username, self._password())
            return server.send_message(email, from_addr=s.sender, to_addrs=[recipient])

    def _where(self) -> str:
        return f"{self._settings.host}:{self._settings.port}"

    def _path(self, company: str, channel: str, action_key: str) -> Path:
        return self._root / folder_name(company) / folder_name(channel) / file_name(action_key)

    def _logged(self, company: str, channel: str, action_key: str) -> Path | None:
        path = self._path(company, channel, action_key)
        return path if path.is_file() else None

    def _log(self, message: ChannelMessage, message_id: str, recipient: str) -> None:
        """One line of the sent-log: the server accepted the message (written atomically)."""
        target = self._path(message.company, message.channel, message.action_key)
        record = {
            "action_key": message.action_key,
            "company": message.company,
            "channel": message.channel,
            "adapter": self._adapter,
            "message_id": message_id,
            "recipient": recipient,
            "subject": message.subject,
            "accepted_at": self._clock.now().isoformat(),
        }
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=target.parent)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8"))
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, target)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
        except OSError:
            # The server has the message: the outbox marks it sent; only a later reconciliation
            # would not find it (it would ask a person). Never a reason to send it again.
            return


def _reply(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
    return f"{error.smtp_code} {text}".strip()


def _response(where: str, error: smtplib.SMTPResponseException) -> str:
    if 400 <= error.smtp_code < 500:
        return f"il server di posta {where} ha risposto {_reply(error)} (errore temporaneo: nuovo tentativo più tardi)"
    return f"il server di posta {where} ha rifiutato il messaggio: {_reply(error)} (errore permanente)"


def _refused(recipients: dict[str, tuple[int, bytes]]) -> str:
    parts = []
    permanent = True
    for address, (code, text) in recipients.items():
        parts.append(f"{address} ({code} {text.decode('utf-8', 'replace')})")
        permanent = permanent and code >= 500
    kind = "errore permanente: verificare l'indirizzo" if permanent else "errore temporaneo: nuovo tentativo più tardi"
    return f"destinatario rifiutato dal server di posta: {', '.join(parts)} ({kind})"
