"""The PEC mailbox over IMAP (``Mailbox``): the receipts of a company's PEC address, fetched over TLS.

- Settings from the ``pec`` adapter's options (the same mailbox that sends the notices): ``imap_host``,
  ``imap_port`` (993), ``imap_username`` (default: ``username``), ``imap_folder`` (``INBOX``),
  ``imap_done_folder`` (optional: where imported messages are moved), ``imap_timeout``, ``ca_file``;
  the password is the adapter's secret named by ``imap_password_secret`` (default: ``password``, the
  one the SMTP side uses), read when connecting.
- New messages are those without the keyword ``$CreditBoxImportata`` or ``$CreditBoxScartata``
  (``UID SEARCH``); each is fetched with ``BODY.PEEK[]`` (never marked as read by the fetch itself), and
  after its import the keyword is set (with ``\\Seen``). With a done folder, an imported message is then
  moved there (``UID MOVE`` when the server has it, else ``UID COPY`` + ``\\Deleted`` + ``UID EXPUNGE``)
  — flagged first, so a crash between the two never makes it new again.
- Any IMAP or network failure is an ``ImapUnavailable`` (Italian message): nothing is marked, the next
  poll tries again.
"""

from __future__ import annotations

import imaplib
import ssl
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from creditbox.application.receipt_polling import IMPORTED, MailItem

IMPORTED_KEYWORD = "$CreditBoxImportata"
REJECTED_KEYWORD = "$CreditBoxScartata"
DEFAULT_PORT = 993
DEFAULT_TIMEOUT = 60.0


class ImapUnavailable(Exception):
    """The mailbox could not be read now (login refused, server down, a command failed)."""


@dataclass(frozen=True)
class ImapSettings:
    host: str
    username: str
    port: int = DEFAULT_PORT
    folder: str = "INBOX"
    done_folder: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    ca_file: str | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ImapSettings:
        host = str(options.get("imap_host") or "").strip()
        username = str(options.get("imap_username") or options.get("username") or "").strip()
        if not host or not username:
            raise ValueError("opzioni imap_host e imap_username (o username) obbligatorie per leggere le ricevute")
        try:
            port = int(options.get("imap_port") or DEFAULT_PORT)
            timeout = float(options.get("imap_timeout") or DEFAULT_TIMEOUT)
        except (TypeError, ValueError):
            raise ValueError("opzioni imap_port e imap_timeout: numeri attesi") from None
        return cls(
            host=host,
            username=username,
            port=port,
            folder=str(options.get("imap_folder") or "INBOX"),
            done_folder=str(options.get("imap_done_folder") or "").strip() or None,
            timeout=timeout,
            ca_file=str(options.get("ca_file") or "").strip() or None,
        )


Connect = Callable[[ImapSettings], imaplib.IMAP4]


def connect_ssl(settings: ImapSettings) -> imaplib.IMAP4:
    """A connection over TLS (IMAPS), checking the server's certificate."""
    context = ssl.create_default_context(cafile=settings.ca_file)
    return imaplib.IMAP4_SSL(settings.host, settings.port, ssl_context=context, timeout=settings.timeout)


class ImapMailbox:
    """One folder of the mailbox, open for the duration of a ``with`` block (:meth:`opened`)."""

    def __init__(self, connection: imaplib.IMAP4, settings: ImapSettings) -> None:
        self._imap = connection
        self._settings = settings

    @classmethod
    @contextmanager
    def opened(
        cls, settings: ImapSettings, password: Callable[[], str], *, connect: Connect = connect_ssl
    ) -> Iterator[ImapMailbox]:
        try:
            connection = connect(settings)
        except (OSError, imaplib.IMAP4.error) as error:
            raise ImapUnavailable(f"casella PEC {settings.host}:{settings.port} non raggiungibile: {error}") from error
        try:
            try:
                connection.login(settings.username, password())
            except imaplib.IMAP4.error as error:
                raise ImapUnavailable(f"accesso alla casella PEC rifiutato: {_text(error)}") from error
            _check(connection.select(_quoted(settings.folder)), f"cartella {settings.folder!r} non disponibile")
            yield cls(connection, settings)
        except (OSError, imaplib.IMAP4.error) as error:
            raise ImapUnavailable(f"casella PEC {settings.host}: {_text(error)}") from error
        finally:
            with suppress(OSError, imaplib.IMAP4.error):  # gone already: nothing was left half done
                connection.logout()

    def new_messages(self, limit: int) -> list[MailItem]:
        query = f"NOT KEYWORD {IMPORTED_KEYWORD} NOT KEYWORD {REJECTED_KEYWORD} NOT DELETED"
        data = _check(self._imap.uid("SEARCH", query), "ricerca dei messaggi non riuscita")
        uids = [u.decode() for u in b" ".join(d for d in data if isinstance(d, bytes)).split()]
        items = []
        for uid in sorted(uids, key=int)[:limit]:
            fetched = _check(self._imap.uid("FETCH", uid, "(BODY.PEEK[])"), f"lettura del messaggio {uid} non riuscita")
            content = next((part[1] for part in fetched if isinstance(part, tuple) and len(part) == 2), None)
            if isinstance(content, bytes):
                items.append(MailItem(uid, content))
        return items

    def mark(self, uid: str, outcome: str) -> None:
        keyword = IMPORTED_KEYWORD if outcome == IMPORTED else REJECTED_KEYWORD
        _check(self._imap.uid("STORE", uid, "+FLAGS", f"(\\Seen {keyword})"), f"messaggio {uid} non marcato")
        target = self._settings.done_folder
        if target is None or outcome != IMPORTED:
            return
        if "MOVE" in self._imap.capabilities:
            _check(self._imap.uid("MOVE", uid, _quoted(target)), f"messaggio {uid} non spostato in {target!r}")
            return
        _check(self._imap.uid("COPY", uid, _quoted(target)), f"messaggio {uid} non copiato in {target!r}")
        _check(self._imap.uid("STORE", uid, "+FLAGS", "(\\Deleted)"), f"messaggio {uid} non marcato")
        if "UIDPLUS" in self._imap.capabilities:
            _check(self._imap.uid("EXPUNGE", uid), f"messaggio {uid} non rimosso")


def _check(response: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = response
    if status != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise ImapUnavailable(f"{what}: {status} {detail}".strip())
    return data


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(error: BaseException) -> str:
    text = str(error)
    return text.strip("b'\"") or type(error).__name__
