"""Signing in to the back-office console: operators' passwords and their browser sessions.

An operator (``application/operators.py``: name, company scope, role, level) gets a password with
``creditbox operators password``; the operator's name is then its login, unique across the group
(two operators of the same name in two companies cannot both sign in). Signing in opens a server-side
session: a random secret goes to the browser as a cookie, only its SHA-256 is stored, with a CSRF
token and two expiries — idle (``idle``, pushed forward by each request) and absolute (``max_age``
from the sign-in). Every request reads the operator again, so a disabled operator or a changed level
takes effect on the next page. Times come from the injected clock.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from creditbox.application.operators import OperatorDirectory
from creditbox.application.passwords import (
    DEFAULT_COST,
    ScryptCost,
    check_password_policy,
    decoy,
    hash_password,
    verify_password,
)
from creditbox.application.tokens import Principal
from creditbox.clock import Clock
from creditbox.domain.errors import Conflict, DomainError, NotFound
from creditbox.domain.operators import Operator, normalise_operator_name
from creditbox.domain.tokens import GROUP


@dataclass(frozen=True)
class StoredPassword:
    login: str
    company: str
    password_hash: str


@dataclass(frozen=True)
class StoredSession:
    session_hash: str
    login: str
    company: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    has_flash: bool = False  # a message waits for the next page (read with the session: no query when none)


class ConsoleStore(Protocol):
    """Where passwords and sessions are kept (``infrastructure/console_store.py``)."""

    def password(self, login: str) -> StoredPassword | None: ...
    def set_password(self, entry: StoredPassword, at: datetime, by: str) -> None: ...
    def open_session(self, session: StoredSession) -> None: ...
    def session(self, session_hash: str) -> StoredSession | None: ...
    def touch(self, session_hash: str, last_seen_at: datetime, expires_at: datetime) -> None: ...
    def close_session(self, session_hash: str) -> None: ...
    def close_sessions_of(self, login: str) -> int: ...
    def purge(self, now: datetime) -> int: ...
    def set_flash(self, session_hash: str, message: str | None) -> None: ...
    def take_flash(self, session_hash: str) -> str | None: ...


@dataclass(frozen=True)
class ConsoleSession:
    """A live session: who (as a ``Principal``, like a token's), and the CSRF token of its forms."""

    principal: Principal
    session_hash: str
    csrf_token: str
    expires_at: datetime
    has_flash: bool = False


@dataclass(frozen=True)
class SignedIn:
    secret: str  # the cookie's value: given to the browser once, never stored
    session: ConsoleSession


def session_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _principal(operator: Operator) -> Principal:
    return Principal(name=operator.name, company=operator.company, role=operator.role, level=operator.level)


class ConsoleAccounts:
    def __init__(
        self,
        store: ConsoleStore,
        operators: OperatorDirectory,
        clock: Clock,
        *,
        idle: timedelta,
        max_age: timedelta,
        cost: ScryptCost = DEFAULT_COST,
    ) -> None:
        self._store = store
        self._operators = operators
        self._clock = clock
        self._idle = idle
        self._max_age = max_age
        self._cost = cost

    def set_password(self, name: str, company: str, password: str, *, by: str) -> Operator:
        """Give the operator ``name`` of ``company`` (or of the group, ``*``) a console password. Its
        open sessions are closed: a new password signs everybody out."""
        operator = self._operators.get(name, company)
        check_password_policy(password)
        taken = self._store.password(operator.name)
        if taken is not None and taken.company != operator.company:
            where = "del gruppo" if taken.company == GROUP else f"dell'azienda {taken.company}"
            raise Conflict(f"il nome {operator.name!r} accede già alla console come operatore {where}")
        entry = StoredPassword(operator.name, operator.company, hash_password(password, self._cost))
        self._store.set_password(entry, self._clock.now(), by)
        self._store.close_sessions_of(operator.name)
        return operator

    def sign_in(self, login: str, password: str) -> SignedIn | None:
        """A new session, or ``None`` (unknown login, wrong password, disabled operator: one answer)."""
        try:
            wanted = normalise_operator_name(login)
        except DomainError:
            wanted = ""
        stored = self._store.password(wanted) if wanted else None
        if stored is None:
            verify_password(password, decoy(self._cost))  # as slow as a wrong password
            return None
        if not verify_password(password, stored.password_hash):
            return None
        operator = self._active(stored.login, stored.company)
        if operator is None:
            return None
        now = self._clock.now()
        secret = secrets.token_urlsafe(32)
        session = StoredSession(
            session_hash=session_hash(secret),
            login=operator.name,
            company=operator.company,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=min(now + self._idle, now + self._max_age),
        )
        self._store.purge(now)
        self._store.open_session(session)
        return SignedIn(secret, self._live(session, operator))

    def session(self, secret: str) -> ConsoleSession | None:
        """The live session of a cookie, its idle expiry pushed forward; ``None`` when unknown or expired
        (an expired one is deleted), or when its operator was disabled."""
        if not secret or len(secret) > 200:
            return None
        hashed = session_hash(secret)
        stored = self._store.session(hashed)
        if stored is None or not hmac.compare_digest(stored.session_hash, hashed):
            return None
        now = self._clock.now()
        if now >= stored.expires_at:
            self._store.close_session(hashed)
            return None
        operator = self._active(stored.login, stored.company)
        if operator is None:
            self._store.close_session(hashed)
            return None
        expires = min(now + self._idle, stored.created_at + self._max_age)
        if expires - stored.expires_at > timedelta(seconds=30):  # not a write on every single request
            self._store.touch(hashed, now, expires)
            stored = StoredSession(**{**stored.__dict__, "last_seen_at": now, "expires_at": expires})
        return self._live(stored, operator)

    def sign_out(self, session: ConsoleSession) -> None:
        self._store.close_session(session.session_hash)

    def set_flash(self, session: ConsoleSession, message: str | None) -> None:
        """A message for the next page this session shows (the outcome of a form)."""
        self._store.set_flash(session.session_hash, message)

    def take_flash(self, session: ConsoleSession) -> str | None:
        """The waiting message, once (no query when the session's lookup found none)."""
        return self._store.take_flash(session.session_hash) if session.has_flash else None

    def _active(self, login: str, company: str) -> Operator | None:
        try:
            operator = self._operators.get(login, company)
        except NotFound:
            return None
        return operator if operator.active else None

    @staticmethod
    def _live(stored: StoredSession, operator: Operator) -> ConsoleSession:
        return ConsoleSession(
            _principal(operator), stored.session_hash, stored.csrf_token, stored.expires_at, stored.has_flash
        )
