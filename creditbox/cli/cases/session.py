"""What every case command does around its one call of ``CaseCommands``: find the company and the
customer, name the operator and check the role's permission and the level, turn refusals into exit
codes, parse the inputs common to the commands and report what was recorded.

Every case command runs as an operator configured with ``creditbox operators`` (``--by``, else
CREDITBOX_USER, else the login name): unknown or disabled operators, a role without the permission,
a level not covering the command are refused with exit code 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from creditbox.api.permissions import Permission, allows, roles_with
from creditbox.application.case_commands import CaseCommands, CommandResult
from creditbox.application.operators import Acting
from creditbox.bootstrap import Container
from creditbox.cli.context import console, container, fail, parse_date, who
from creditbox.domain.errors import DomainError, LevelTooLow
from creditbox.domain.ids import position_id
from creditbox.domain.money import parse_spreadsheet_amount
from creditbox.projections.event_labels import event_labels

REFUSED = 2  # exit code of a refusal of who runs the command (unknown, disabled, role, level)

_DOING = {
    Permission.CASES_WORK: "lavorare le pratiche",
    Permission.CASES_APPROVE: "approvare o rifiutare",
    Permission.CASES_LITIGATE: "gestire il contenzioso",
}


@dataclass(frozen=True)
class CaseSession:
    """A case command about to run: the company's code, the commands and who runs them."""

    code: str
    commands: CaseCommands
    operator: Acting

    @property
    def by(self) -> str:
        return self.operator.name

    def level(self, requested: int | None) -> int:
        """The configured level, or a lower one asked with ``--level``; never a higher one."""
        configured = self.operator.level
        if requested is None:
            return configured
        if requested > configured:
            fail(
                f"livello {requested} non consentito: all'operatore {self.by!r} è configurato il livello "
                f"{configured} (--level può solo abbassarlo)",
                REFUSED,
            )
        return requested


@contextmanager
def known_customer(company: str, customer: str) -> Iterator[tuple[Container, str]]:
    """The container and the company's code, once the company and the customer are known."""
    with container() as c:
        code = c.companies.require(company)
        if not c.app.exists(position_id(code, customer)):
            fail(f"cliente {customer!r} sconosciuto nell'azienda {code!r}")
        yield c, code


@contextmanager
def case_session(
    company: str, customer: str, by: str | None, needs: Permission = Permission.CASES_WORK
) -> Iterator[CaseSession]:
    """The session of a case command, once the company, the customer and the operator are known."""
    with known_customer(company, customer) as (c, code):
        acting = acting_operator(c, code, by, needs)
        try:
            yield CaseSession(code, c.case_commands(), acting)
        except LevelTooLow as error:
            fail(str(error), REFUSED)


def acting_operator(c: Container, company: str, by: str | None, needs: Permission) -> Acting:
    """The configured operator who runs the command, if the role has the permission ``needs``."""
    name = who(by)
    if name is None:
        fail("operatore non identificato: indicare --by o impostare la variabile CREDITBOX_USER", REFUSED)
    try:
        acting = c.operators().acting(company, name)
    except DomainError as error:
        fail(str(error), REFUSED)
    if not allows(acting.role, needs):
        roles = ", ".join(r.label for r in roles_with(needs))
        fail(
            f"l'operatore {acting.name!r} ({acting.role.label}) non può {_DOING[needs]} (ruoli ammessi: {roles})",
            REFUSED,
        )
    return acting


def report(result: CommandResult, done: str) -> None:
    """``Proposta confermata. Eventi: …``, or that nothing changed (the command was a repeat)."""
    if not result.changed:
        console.print(f"Nessuna modifica: l'operazione era già stata registrata ({done}).")
        return
    console.print(f"{done[:1].upper()}{done[1:]}. Eventi: {event_labels(result.events)}")


def optional_date(value: str | None, option: str = "--date") -> date | None:
    """A date given on the command line, or None: the command takes its default (today)."""
    return parse_date(value, date.min, option=option) if value else None


def amount(text: str) -> Decimal:
    """An amount in either notation (``1.234,56`` Italian or ``1234.56``), in the one amount syntax
    of the spreadsheets (``domain/money.py``): no ``1_000``, ``+5``, exponents or other digits."""
    try:
        return parse_spreadsheet_amount(text)
    except ValueError as error:
        fail(str(error), REFUSED)
