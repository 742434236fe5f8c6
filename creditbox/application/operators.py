"""The operators of the command line: add, list, re-level, disable, and find the one acting now.

``acting(company, name)`` is what every case command of the command line asks: the operator of
that company by that name, or else the group operator by that name; unknown or disabled operators
are refused (``NotAllowed``), so the level a command acts with is always the configured one.
"""

from __future__ import annotations

from dataclasses import dataclass

from creditbox.application.ports import EventStore
from creditbox.domain.errors import Conflict, NotAllowed, NotFound
from creditbox.domain.ids import normalise_company_code
from creditbox.domain.operators import OPERATOR_ADDED, Operator, normalise_operator_name, operator_id
from creditbox.domain.tokens import GROUP, Role, normalise_scope


class UnknownOperator(NotAllowed):
    """Nobody of that name may act for that company (never added, or added for another company)."""


@dataclass(frozen=True)
class Acting:
    """Who runs a command, as configured: name (recorded as ``by``), role, level."""

    name: str
    company: str
    role: Role
    level: int


class OperatorDirectory:
    def __init__(self, store: EventStore) -> None:
        self._store = store

    def add(
        self, name: str, company: str, role: Role, level: int | None = None, *, by: str, note: str = ""
    ) -> Operator:
        scope = normalise_scope(company)
        wanted = normalise_operator_name(name)
        if self._store.exists(operator_id(scope, wanted)):
            where = "del gruppo" if scope == GROUP else f"dell'azienda {scope}"
            raise Conflict(f"operatore {wanted!r} {where} già presente (usare 'operators set-level' o 'enable')")
        if level is None:
            level = 1 if role is Role.SUPERVISOR else 0
        operator = Operator.add(wanted, scope, role, level, by=by, note=note)
        self._store.save(operator)
        return operator

    def list(self, company: str | None = None) -> list[Operator]:
        """Every operator (of ``company`` and of the group, when given), by company and name."""
        found = [self._store.get_or_none(i) for i in self._store.originators_of(OPERATOR_ADDED)]
        operators = [o for o in found if isinstance(o, Operator)]
        if company is not None:
            code = normalise_company_code(company)
            operators = [o for o in operators if o.company in (code, GROUP)]
        return sorted(operators, key=lambda o: (o.company, o.name))

    def get(self, name: str, company: str) -> Operator:
        scope = normalise_scope(company)
        wanted = normalise_operator_name(name)
        operator = self._store.get_or_none(operator_id(scope, wanted))
        if not isinstance(operator, Operator):
            where = "del gruppo" if scope == GROUP else f"dell'azienda {scope}"
            raise NotFound(f"operatore {wanted!r} {where} sconosciuto")
        return operator

    def set_level(self, name: str, company: str, level: int, *, by: str, role: Role | None = None) -> Operator:
        operator = self.get(name, company)
        if operator.set_level(level, by=by, role=role):
            self._store.save(operator)
        return operator

    def disable(self, name: str, company: str, *, by: str, note: str = "") -> Operator:
        operator = self.get(name, company)
        if operator.disable(by=by, note=note):
            self._store.save(operator)
        return operator

    def enable(self, name: str, company: str, *, by: str, note: str = "") -> Operator:
        operator = self.get(name, company)
        if operator.enable(by=by, note=note):
            self._store.save(operator)
        return operator

    def acting(self, company: str, name: str) -> Acting:
        """The operator ``name`` acting for ``company``: its own record first, else the group's.
        A disabled record is a refusal even when a group record of the same name exists."""
        code = normalise_company_code(company)
        wanted = normalise_operator_name(name)
        for scope in (code, GROUP):
            operator = self._store.get_or_none(operator_id(scope, wanted))
            if isinstance(operator, Operator):
                operator.require_active()
                return Acting(name=operator.name, company=code, role=operator.role, level=operator.level)
        raise UnknownOperator(
            f"operatore {wanted!r} sconosciuto per l'azienda {code} "
            f"(aggiungerlo con 'creditbox operators add {wanted} --company {code} --role ...')"
        )
