"""API tokens (*token di accesso*): who may call the HTTP API, for which company, in which role.

A token is stored by the SHA-256 hash of its secret only; the aggregate id is derived from that
hash (uuid5), so a presented token is found with one lookup and the secret never reaches the
event store. Issuing and revoking are events, so an auditor can see who could do what, when.
"""

from __future__ import annotations

import hashlib
from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from creditbox.domain.errors import InvalidCommand, NotAllowed
from creditbox.domain.ids import NAMESPACE, normalise_company_code
from creditbox.domain.text_policy import require_key

T = "creditbox.token."
TOKEN_ISSUED = T + "TokenIssued"

# The scope of a group-level token: every company of the group.
GROUP = "*"
MAX_LEVEL = 9


class Role(Enum):
    FEED = "feed"  # the billing system: customers, supplies, bills, payments, imports
    OPERATOR = "operator"  # works the worklists
    SUPERVISOR = "supervisor"  # approves within an authorisation level
    LEGAL = "legal"  # litigation
    AUDITOR = "auditor"  # read-only, including history
    ADMIN = "admin"  # actions table, tokens

    @property
    def label(self) -> str:
        return {
            "feed": "Gestionale (feed)",
            "operator": "Operatore",
            "supervisor": "Responsabile",
            "legal": "Ufficio legale",
            "auditor": "Revisore",
            "admin": "Amministratore",
        }[self.value]

    @classmethod
    def parse(cls, raw: str) -> Role:
        try:
            return cls(raw.strip().lower())
        except ValueError:
            allowed = ", ".join(r.value for r in cls)
            raise InvalidCommand(f"ruolo sconosciuto {raw!r} (ammessi: {allowed})") from None


def token_hash(secret: str) -> str:
    """Hex SHA-256 of the token as presented by the client."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def api_token_id(hashed: str) -> UUID:
    return uuid5(NAMESPACE, f"api-token/{hashed}")


def normalise_scope(company: str) -> str:
    scope = company.strip()
    if scope == GROUP:
        return GROUP
    code = normalise_company_code(scope)
    if not code:
        raise InvalidCommand("azienda del token mancante (codice azienda o '*' per il gruppo)")
    return code


class ApiToken(Aggregate):
    TOPIC = "creditbox.token.ApiToken"

    class Created(Aggregate.Created):
        TOPIC = T + "Created"

    @staticmethod
    def create_id(token_hash: str, **_: Any) -> UUID:
        return api_token_id(token_hash)

    @classmethod
    def issue(
        cls, hashed: str, name: str, company: str, role: Role, level: int, issued_on: date, *, by: str
    ) -> ApiToken:
        name = name.strip()
        if not name:
            raise InvalidCommand("nome del token mancante")
        require_key(name, "nome del token")
        if len(hashed) != 64:
            raise InvalidCommand("hash del token non valido")
        if not 0 <= level <= MAX_LEVEL:
            raise InvalidCommand(f"livello di autorizzazione tra 0 e {MAX_LEVEL}")
        if level and role is not Role.SUPERVISOR:
            raise InvalidCommand("solo il ruolo 'supervisor' ha un livello di autorizzazione")
        if role is Role.SUPERVISOR and level < 1:
            raise InvalidCommand("il ruolo 'supervisor' richiede un livello di autorizzazione (>= 1)")
        return cls(
            by=by,
            token_hash=hashed,
            name=name,
            company=normalise_scope(company),
            role=role.value,
            level=level,
            issued_on=issued_on,
        )

    @event("TokenIssued", topic=TOKEN_ISSUED)
    def __init__(
        self, by: str, token_hash: str, name: str, company: str, role: str, level: int, issued_on: date
    ) -> None:
        self.token_hash = token_hash
        self.name = name
        self.company = company
        self.role = Role(role)
        self.level = level
        self.issued_on = issued_on
        self.issued_by = by
        self.revoked_on: date | None = None
        self.revoked_by: str | None = None

    @property
    def is_active(self) -> bool:
        return self.revoked_on is None

    def revoke(self, on: date, *, by: str) -> bool:
        if self.revoked_on is not None:
            return False
        self._revoked(by=by, revoked_on=on)
        return True

    @event("TokenRevoked", topic=T + "TokenRevoked")
    def _revoked(self, by: str, revoked_on: date) -> None:
        self.revoked_on = revoked_on
        self.revoked_by = by

    def require_active(self) -> None:
        if self.revoked_on is not None:
            raise NotAllowed(f"token {self.name!r} revocato il {self.revoked_on:%d/%m/%Y}")
