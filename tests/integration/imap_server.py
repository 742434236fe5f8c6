"""A tiny IMAP4rev1 server over TLS, started by a test: one user, folders of messages held in memory.

It speaks the commands the receipts' poller uses — ``CAPABILITY``, ``LOGIN``, ``SELECT``, ``UID SEARCH``
(``ALL``, ``NOT KEYWORD k``, ``NOT DELETED``), ``UID FETCH n (BODY.PEEK[])``, ``UID STORE n +FLAGS (...)``,
``UID MOVE``, ``UID COPY``, ``UID EXPUNGE``, ``LOGOUT`` — on the wire, as a real server does (tagged
responses, literals), so that ``imaplib`` and the mailbox adapter are exercised for real. Not more.
"""

from __future__ import annotations

import re
import socket
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_ATOM = re.compile(rb'"((?:[^"\\]|\\.)*)"|(\S+)')


@dataclass
class Stored:
    uid: int
    content: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class MailStore:
    user: str
    password: str
    capabilities: tuple[str, ...] = ("IMAP4rev1", "MOVE", "UIDPLUS")
    folders: dict[str, list[Stored]] = field(default_factory=lambda: {"INBOX": []})
    next_uid: int = 1
    logins: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, content: bytes, folder: str = "INBOX") -> int:
        with self.lock:
            uid = self.next_uid
            self.next_uid += 1
            self.folders.setdefault(folder, []).append(Stored(uid, content))
            return uid

    def flags_of(self, uid: int, folder: str = "INBOX") -> set[str]:
        return next(m.flags for m in self.folders[folder] if m.uid == uid)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        store = self.server.store
        self.selected: str | None = None
        self._send(b"* OK tiny IMAP ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            parts = [m.group(1) if m.group(1) is not None else m.group(2) for m in _ATOM.finditer(line.strip())]
            if len(parts) < 2:
                continue
            tag, command, args = parts[0], parts[1].upper(), [p.decode() for p in parts[2:]]
            with store.lock:
                if self._command(store, tag, command, args):
                    return

    def _command(self, store: MailStore, tag: bytes, command: bytes, args: list[str]) -> bool:
        if command == b"CAPABILITY":
            self._send(b"* CAPABILITY " + " ".join(store.capabilities).encode())
            self._ok(tag)
        elif command == b"LOGIN":
            if args == [store.user, store.password]:
                store.logins += 1
                self._ok(tag)
            else:
                self._send(tag + b" NO [AUTHENTICATIONFAILED] credenziali non valide")
        elif command == b"SELECT":
            if args[0] not in store.folders:
                self._send(tag + b" NO cartella inesistente")
                return False
            self.selected = args[0]
            self._send(f"* {len(store.folders[args[0]])} EXISTS".encode())
            self._send(b"* FLAGS (\\Seen \\Deleted)")
            self._send(b"* OK [PERMANENTFLAGS (\\Seen \\Deleted \\*)] ok")
            self._send(tag + b" OK [READ-WRITE] SELECT completed")
        elif command == b"UID":
            self._uid(store, tag, args[0].upper(), args[1:])
        elif command == b"LOGOUT":
            self._send(b"* BYE")
            self._ok(tag)
            return True
        else:
            self._send(tag + b" BAD comando sconosciuto")
        return False

    def _uid(self, store: MailStore, tag: bytes, command: str, args: list[str]) -> None:
        assert self.selected is not None
        messages = store.folders[self.selected]
        if command == "SEARCH":
            words = " ".join(args).split()
            excluded = [words[i + 2] for i, w in enumerate(words) if w == "NOT" and words[i + 1] == "KEYWORD"]
            if "DELETED" in words:
                excluded.append("\\Deleted")
            found = [str(m.uid) for m in messages if not (m.flags & set(excluded))]
            self._send(("* SEARCH " + " ".join(found)).strip().encode())
            self._ok(tag)
            return
        uid = int(args[0])
        message = next((m for m in messages if m.uid == uid), None)
        if message is None:
            self._ok(tag)  # as servers do: a UID that is gone matches nothing
            return
        sequence = messages.index(message) + 1
        if command == "FETCH":
            literal = f"* {sequence} FETCH (UID {uid} BODY[] {{{len(message.content)}}}\r\n".encode()
            self.wfile.write(literal + message.content + b")\r\n")
            self._ok(tag)
        elif command == "STORE":
            message.flags |= set(" ".join(args[2:]).strip("()").split())
            self._send(f"* {sequence} FETCH (UID {uid} FLAGS ({' '.join(sorted(message.flags))}))".encode())
            self._ok(tag)
        elif command in ("MOVE", "COPY"):
            target = store.folders.setdefault(args[1], [])
            target.append(Stored(store.next_uid, message.content, set(message.flags)))
            store.next_uid += 1
            if command == "MOVE":
                messages.remove(message)
            self._ok(tag)
        elif command == "EXPUNGE":
            if "\\Deleted" in message.flags:
                messages.remove(message)
            self._ok(tag)
        else:
            self._send(tag + b" BAD")

    def _ok(self, tag: bytes) -> None:
        self._send(tag + b" OK completed")

    def _send(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, store: MailStore, context: ssl.SSLContext) -> None:
        self.store = store
        self.context = context
        super().__init__(("127.0.0.1", 0), _Handler)

    def get_request(self) -> tuple[Any, Any]:
        connection, address = self.socket.accept()
        return self.context.wrap_socket(connection, server_side=True), address


class ImapServer:
    """``with ImapServer(store, cert, key) as port:`` serves ``store`` on 127.0.0.1:``port`` over TLS."""

    def __init__(self, store: MailStore, certificate: Path, key: Path) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certificate, key)
        self._server = _Server(store, context)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> int:
        self._thread.start()
        return int(self._server.server_address[1])

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
