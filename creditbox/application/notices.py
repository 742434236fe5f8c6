"""What a notice says, as data: the content every channel draws from (SMS and e-mail templates,
letters, the technical office's list, the agency's assignment).

A :class:`Notice` is built from the position when the action is carried out (its customer, the
supply, the overdue bills with their residuals, the total and the deadline to pay); the
:class:`Letterhead` is the company's, from its channel configuration. Both travel in the
:class:`~creditbox.application.ports.ChannelMessage`, so an adapter never reads the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class PostalAddress:
    street: str
    postcode: str
    town: str
    province: str = ""

    def lines(self) -> tuple[str, ...]:
        """The address as printed on an envelope (Italian order)."""
        place = f"{self.postcode} {self.town}".strip()
        if self.province:
            place = f"{place} ({self.province})"
        return tuple(line for line in (self.street, place) if line)


@dataclass(frozen=True)
class NoticeBill:
    """An overdue bill as the notice shows it: the residual is what is still to pay."""

    number: str
    issue_date: date
    due_date: date
    amount: Decimal
    residual: Decimal
    supply_code: str | None = None


@dataclass(frozen=True)
class NoticeSupply:
    code: str
    service: str  # Italian label: "Acqua", "Gas", "Energia elettrica", "Telefonia"
    address: str = ""


@dataclass(frozen=True)
class Letterhead:
    """The company as it signs its notices."""

    name: str
    address: tuple[str, ...] = ()
    vat_number: str = ""
    iban: str = ""
    phone: str = ""
    email: str = ""
    pec: str = ""
    website: str = ""
    payment_instructions: str = ""


@dataclass(frozen=True)
class Notice:
    """The content of one action, for whoever draws it."""

    company: str
    action_key: str
    action_code: str  # ActionCode.code
    action_label: str  # Italian
    case_id: str
    business_date: date
    customer_code: str
    customer_name: str
    tax_code: str = ""
    address: PostalAddress | None = None
    mobile: str | None = None
    email: str | None = None
    pec: str | None = None
    supplies: tuple[NoticeSupply, ...] = ()
    bills: tuple[NoticeBill, ...] = ()
    total: Decimal = Decimal("0.00")
    deadline: date | None = None  # pay by this date
    parameters: dict[str, str] = field(default_factory=dict)  # the step's parameters (e.g. tech)
