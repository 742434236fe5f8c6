"""Operators (*operatori*): the people who run the command line, with the role and the authorisation
level configured for them — the command-line counterpart of an API token.

An operator belongs to one company, or to the whole group (``*``), like a token. The case commands
of the command line look the operator up by name and act with the role and level recorded here,
never with a level typed on the command line. Adding, re-levelling and disabling are events, so an
auditor sees who could approve what, and since when.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from creditbox.domain.errors import InvalidCommand, NotAllowed
from creditbox.domain.ids import NAMESPACE
from creditbox.domain.tokens import GROUP, MAX_LEVEL, Role, normalise_scope

T = "creditbox.operator."
OPERATOR_ADDED = T + "OperatorAdded"
MAX_NAME_LENGTH = 64
_NAME_PUNCTUATION = frozenset("._-@")


def normalise_operator_name(raw: str) -> str:
    """The operator's name as recorded: trimmed; letters, digits and ``. _ - @`` only (a login name)."""
    name = raw.strip()
    if not name:
        raise InvalidCommand("nome dell'operatore mancante")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidCommand(f"nome dell'operatore troppo lungo (al massimo {MAX_NAME_LENGTH} caratteri)")
    if not all((ch.isascii() and ch.isalnum()) or ch in _NAME_PUNCTUATION for ch in name):
        raise InvalidCommand(f"nome dell'operatore non valido: {name!r} (lettere, cifre e . _ - @)")
    return name


def operator_id(scope: str, name: str) -> UUID:
    return uuid5(NAMESPACE, f"operator/{scope}/{name}")


def check_level(role: Role, level: int) -> None:
    """The same rule as for tokens: only a supervisor has a level, and a supervisor has one."""
    if not 0 <= level <= MAX_LEVEL:
        raise InvalidCommand(f"livello di autorizzazione tra 0 e {MAX_LEVEL}")
    if level and role is not Role.SUPERVISOR:
        raise InvalidCommand("solo il ruolo 'responsabile' (supervisor) ha un livello di autorizzazione")
    if role is Role.SUPERVISOR and level < 1:
        raise InvalidCommand("il ruolo 'responsabile' (supervisor) richiede un livello di autorizzazione (>= 1)")


class Operator(Aggregate):
    TOPIC = "creditbox.operator.Operator"

    class Created(Aggregate.Created):
        TOPIC = T + "Created"

    @staticmethod
    def create_id(company: str, name: str, **_: Any) -> UUID:
        return operator_id(company, name)

    @classmethod
    def add(cls, name: str, company: str, role: Role, level: int, *, by: str, note: str = "") -> Operator:
        check_level(role, level)
        return cls(
            by=by,
            company=normalise_scope(company),
            name=normalise_operator_name(name),
            role=role.value,
            level=level,
            note=note.strip(),
        )

    @event("OperatorAdded", topic=OPERATOR_ADDED)
    def __init__(self, by: str, company: str, name: str, role: str, level: int, note: str) -> None:
        self.company = company
        self.name = name
        self.role = Role(role)
        self.level = level
        self.active = True
        self.added_by = by
        self.changed_by = by

    @property
    def is_group(self) -> bool:
        return self.company == GROUP

    def set_level(self, level: int, *, by: str, role: Role | None = None) -> bool:
        """A new level (and, optionally, a new role); False when nothing changes."""
        role = role or self.role
        check_level(role, level)
        if (role, level) == (self.role, self.level):
            return False
        self._level_changed(by=by, role=role.value, level=level)
        return True

    @event("OperatorLevelChanged", topic=T + "OperatorLevelChanged")
    def _level_changed(self, by: str, role: str, level: int) -> None:
        self.role = Role(role)
        self.level = level
        self.changed_by = by

    def disable(self, *, by: str, note: str = "") -> bool:
        if not self.active:
            return False
        self._disabled(by=by, note=note.strip())
        return True

    @event("OperatorDisabled", topic=T + "OperatorDisabled")
    def _disabled(self, by: str, note: str) -> None:
        self.active = False
        self.changed_by = by

    def enable(self, *, by: str, note: str = "") -> bool:
        if self.active:
            return False
        self._enabled(by=by, note=note.strip())
        return True

    @event("OperatorEnabled", topic=T + "OperatorEnabled")
    def _enabled(self, by: str, note: str) -> None:
        self.active = True
        self.changed_by = by

    def require_active(self) -> None:
        if not self.active:
            raise NotAllowed(f"operatore {self.name!r} disabilitato")
