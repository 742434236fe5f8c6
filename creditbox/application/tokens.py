"""Issuing, revoking, listing and checking API tokens.

The secret is generated here, returned once to whoever issued it, and never stored: only its
SHA-256 hash is recorded (in the ``TokenIssued`` event). Checking a presented token hashes it,
loads the one aggregate whose id derives from that hash and compares the hashes in constant time.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import date
from enum import Enum

from creditbox.application.ports import EventStore
from creditbox.domain.errors import Conflict, InvalidCommand, NotFound
from creditbox.domain.ids import normalise_company_code
from creditbox.domain.tokens import GROUP, TOKEN_ISSUED, ApiToken, Role, api_token_id, normalise_scope, token_hash

TOKEN_PREFIX = "cbx_"
MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's name (recorded as ``by`` on every command), scope, role, level."""

    name: str
    company: str
    role: Role
    level: int = 0
    token_id: str = ""

    @property
    def is_group(self) -> bool:
        return self.company == GROUP

    def sees(self, company: str) -> bool:
        """Whether this token may see ``company`` at all (its own, or any for a group token)."""
        return self.is_group or self.company == normalise_company_code(company)


class TokenRefusal(Enum):
    """Why a presented token was refused (for the log; the caller is told only "unknown or revoked")."""

    MALFORMED = "token vuoto o troppo lungo"
    UNKNOWN = "token sconosciuto"
    REVOKED = "token revocato"


@dataclass(frozen=True)
class IssuedToken:
    secret: str  # shown once, never stored
    token: ApiToken


class TokenService:
    def __init__(self, store: EventStore) -> None:
        self._store = store

    def issue(
        self, company: str, role: Role, *, issued_on: date, level: int | None = None, name: str | None = None, by: str
    ) -> IssuedToken:
        scope = normalise_scope(company)
        if level is None:
            level = 1 if role is Role.SUPERVISOR else 0
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        hashed = token_hash(secret)
        if name is None:
            name = f"{role.value}-{'gruppo' if scope == GROUP else scope.lower()}-{hashed[:8]}"
        if any(t.name == name.strip() and t.is_active for t in self.list()):
            raise Conflict(f"esiste già un token attivo di nome {name.strip()!r}")
        token = ApiToken.issue(hashed, name, scope, role, level, issued_on, by=by)
        self._store.save(token)
        return IssuedToken(secret=secret, token=token)

    def list(self) -> list[ApiToken]:
        tokens = [self._store.get_or_none(i) for i in self._store.originators_of(TOKEN_ISSUED)]
        return [t for t in tokens if isinstance(t, ApiToken)]

    def find(self, name_or_id: str) -> ApiToken:
        """An active token by name, or any token by id (or a unique id prefix of at least 8 characters)."""
        wanted = name_or_id.strip()
        tokens = self.list()
        by_name = [t for t in tokens if t.name == wanted and t.is_active]
        if len(by_name) == 1:
            return by_name[0]
        by_id = [t for t in tokens if str(t.id) == wanted or (len(wanted) >= 8 and str(t.id).startswith(wanted))]
        if len(by_id) == 1:
            return by_id[0]
        if len(by_id) > 1:
            raise InvalidCommand(f"id {wanted!r} ambiguo: indicare l'id completo")
        raise NotFound(f"token sconosciuto: {wanted!r}")

    def revoke(self, name_or_id: str, *, on: date, by: str) -> ApiToken:
        token = self.find(name_or_id)
        if token.revoke(on, by=by):
            self._store.save(token)
        return token

    def authenticate(self, secret: str) -> Principal | None:
        """The principal of a presented token, or ``None`` if unknown or revoked."""
        checked = self.check(secret)
        return checked if isinstance(checked, Principal) else None

    def check(self, secret: str) -> Principal | TokenRefusal:
        """The principal of a presented token, or why it is refused."""
        if not secret or len(secret) > MAX_TOKEN_LENGTH:
            return TokenRefusal.MALFORMED
        hashed = token_hash(secret)
        token = self._store.get_or_none(api_token_id(hashed))
        if not isinstance(token, ApiToken) or not hmac.compare_digest(token.token_hash, hashed):
            return TokenRefusal.UNKNOWN
        if not token.is_active:
            return TokenRefusal.REVOKED
        return Principal(
            name=token.name, company=token.company, role=token.role, level=token.level, token_id=str(token.id)
        )
