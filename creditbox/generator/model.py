"""What the generator makes, one customer at a time: the group's companies, and for each customer its
record, supplies, bills, the payments the billing system knows (Pagamenti) and the bank's movements
(camt files), according to a payment behaviour.

Everything is drawn from a ``random.Random`` seeded with the group's seed and the company's code, so
a seed always gives the same customers; customers are produced lazily (``customers(spec, company)``),
so nothing grows with the size of the group.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from creditbox.generator import identity
from creditbox.generator.places import (
    BANKS,
    BUSINESS_WORDS,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    LARGE_WORDS,
    LEGAL_FORMS,
    PLACES,
    PUBLIC_BODIES,
    STREETS,
    SURNAMES,
)

CENT = Decimal("0.01")
# Customer types, services, supply types and statuses by their brochure codes (creditbox.domain.codes).
DOMESTIC, NON_DOMESTIC, LARGE_ACCOUNT, PUBLIC_BODY = 1, 2, 3, 4
WATER, GAS, ELECTRICITY, TELEPHONE = 1, 2, 3, 4
SUSPENDABLE, NON_SUSPENDABLE, DEACTIVATABLE, PUBLIC_SUPPLY = 1, 2, 3, 4
ACTIVE, SUSPENDED, TERMINATED, TO_BE_REACTIVATED = 1, 2, 3, 4


class Behaviour(Enum):
    """How a customer pays."""

    ON_TIME = "puntuale"
    LATE = "in_ritardo"
    PARTIAL = "parziale"
    NEVER = "mai"
    AFTER_SUSPENSION = "dopo_sospensione"
    RETURNED_DIRECT_DEBIT = "rid_insoluto"
    PUBLIC_BODY_SLOW = "ente_lento"


class Layout(Enum):
    STANDARD = "standard"  # our four sheets
    FLAT = "piatto"  # one row per bill, read through an import profile


# Bank methods arrive in the camt files; the others in the billing system's Pagamenti sheet.
BANK_TRANSFER, DIRECT_DEBIT = "bonifico", "SDD"
BILLING_METHODS = ("bollettino", "PagoPA", "carta")


@dataclass(frozen=True)
class GroupSpec:
    companies: int = 2
    customers: int = 1000  # across the group
    months: int = 12
    seed: int = 1
    until: date = date(2026, 8, 31)  # the day of the extraction: nothing is issued or paid after it

    def __post_init__(self) -> None:
        if self.companies < 1 or self.customers < self.companies or self.months < 1:
            raise ValueError("servono almeno un'azienda, un cliente per azienda e un mese")


@dataclass(frozen=True)
class CompanyPlan:
    index: int
    code: str
    name: str
    services: tuple[int, ...]
    layout: Layout
    customers: int
    account_iban: str


@dataclass(frozen=True)
class Supply:
    code: str
    service: int
    supply_type: int
    status: int
    meter: str | None
    address: str


@dataclass(frozen=True)
class Bill:
    number: str
    supply_code: str
    issued: date
    due: date
    amount: Decimal


@dataclass(frozen=True)
class Payment:
    """A payment the billing system exports (Pagamenti sheet)."""

    payment_id: str
    bill_number: str | None
    paid_on: date
    amount: Decimal
    method: str


@dataclass(frozen=True)
class BankMovement:
    """One entry of the bank's files: a credit (transfer or direct debit collected) or a debit (a
    returned direct debit)."""

    booked: date
    amount: Decimal
    credit: bool
    reference: str  # AcctSvcrRef
    end_to_end: str
    tx_id: str
    family: tuple[str, str, str]
    text: str | None = None
    rf: str | None = None
    debtor: str | None = None
    debtor_iban: str | None = None
    return_reason: str | None = None


@dataclass
class Customer:
    code: str
    name: str
    customer_type: int
    behaviour: Behaviour
    fiscal_code: str | None
    vat_number: str | None
    email: str | None
    pec: str | None
    mobile: str | None
    address: str
    postcode: str
    city: str
    province: str
    iban: str
    supplies: list[Supply] = field(default_factory=list)
    bills: list[Bill] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    movements: list[BankMovement] = field(default_factory=list)


_KINDS = (
    ("ACQ", "Acque", (WATER,)),
    ("ENE", "Energia e Gas", (GAS, ELECTRICITY, TELEPHONE)),
    ("MUL", "Multiservizi", (WATER, GAS, ELECTRICITY, TELEPHONE)),
)
_TOWNS = ("del Nord", "del Sud", "Centro", "dell'Adriatico", "del Tirreno", "Alpine", "Padane", "Insulari")


def companies(spec: GroupSpec) -> list[CompanyPlan]:
    """The group's companies: a water company, a gas, electricity and telephone one, then multi-utilities,
    in turn (one company alone: a multi-utility, so that every service appears). Every second company
    exports the flat layout."""
    plans = []
    share, extra = divmod(spec.customers, spec.companies)
    for index in range(spec.companies):
        prefix, label, services = _KINDS[2] if spec.companies == 1 else _KINDS[index % 3]
        code = f"{prefix}{index + 1}"
        town = _TOWNS[index % len(_TOWNS)]
        abi, cab = BANKS[index % len(BANKS)]
        plans.append(
            CompanyPlan(
                index=index,
                code=code,
                name=f"{label} {town} S.p.A.",
                services=services,
                layout=Layout.FLAT if index % 2 == 1 else Layout.STANDARD,
                customers=share + (1 if index < extra else 0),
                account_iban=identity.iban(abi, cab, f"{index + 1:06d}000001"),
            )
        )
    return plans


def months(spec: GroupSpec) -> list[date]:
    """The first day of each billed month, oldest first; the last is ``until``'s month."""
    last = spec.until.year * 12 + spec.until.month - 1
    return [date(m // 12, m % 12 + 1, 1) for m in range(last - spec.months + 1, last + 1)]


def customers(spec: GroupSpec, company: CompanyPlan) -> Iterator[Customer]:
    """The company's customers, one at a time, with their supplies, bills, payments and bank movements."""
    rng = random.Random(f"creditbox-generator/{spec.seed}/{company.code}")
    counters = _Counters(company.code)
    billed_months = months(spec)
    for index in range(1, company.customers + 1):
        customer = _customer(rng, company, index)
        _add_supplies(rng, company, customer, counters)
        _add_bills(rng, spec, billed_months, customer, counters)
        _pay(rng, spec, customer, counters)
        yield customer


@dataclass
class _Counters:
    company: str
    supply: int = 0
    bill: int = 0
    payment: int = 0
    movement: int = 0

    def next_movement(self) -> tuple[str, str]:
        self.movement += 1
        return f"{self.company}-{self.movement:09d}", f"TX{self.company}{self.movement:09d}"


def _customer(rng: random.Random, company: CompanyPlan, index: int) -> Customer:
    kind = rng.choices((DOMESTIC, NON_DOMESTIC, LARGE_ACCOUNT, PUBLIC_BODY), weights=(80, 13, 3, 4))[0]
    city, province, postcode, cadastral = rng.choice(PLACES)
    address = f"{rng.choice(STREETS)} {rng.randint(1, 220)}"
    surname = rng.choice(SURNAMES)
    code = f"C{index:07d}"
    abi, cab = rng.choice(BANKS)
    account_iban = identity.iban(abi, cab, f"{rng.randrange(10**12):012d}")
    fiscal = vat = email = pec = mobile = None
    if kind == DOMESTIC:
        female = rng.random() < 0.5
        first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
        born = date(1935, 1, 1) + timedelta(days=rng.randrange(365 * 70))
        _, _, _, birthplace = rng.choice(PLACES) if rng.random() < 0.3 else (city, province, postcode, cadastral)
        name = f"{surname} {first}"
        fiscal = identity.fiscal_code(surname, first, born, female, birthplace)
        slug = f"{first}.{surname}".lower().replace(" ", "").replace("'", "")
        email = f"{slug}{index}@example.it" if rng.random() < 0.7 else None
        mobile = f"3{rng.randint(20, 49)}{rng.randint(1000000, 9999999)}" if rng.random() < 0.8 else None
    else:
        vat = identity.vat_number(rng.randrange(1, 10**7), rng.randint(1, 100))
        fiscal = vat
        if kind == PUBLIC_BODY:
            name = rng.choice(PUBLIC_BODIES).format(city=city, surname=surname)
            pec = f"protocollo.{index}@pec.example.it"
        else:
            words = LARGE_WORDS if kind == LARGE_ACCOUNT else BUSINESS_WORDS
            name = f"{rng.choice(words)} {surname} {rng.choice(LEGAL_FORMS)}"
            email = f"amministrazione{index}@example.it"
            pec = f"azienda{index}@pec.example.it" if rng.random() < 0.75 else None
            mobile = f"3{rng.randint(20, 49)}{rng.randint(1000000, 9999999)}" if rng.random() < 0.5 else None
    return Customer(
        code=code,
        name=name,
        customer_type=kind,
        behaviour=_behaviour(rng, kind),
        fiscal_code=fiscal,
        vat_number=vat,
        email=email,
        pec=pec,
        mobile=mobile,
        address=address,
        postcode=postcode,
        city=city,
        province=province,
        iban=account_iban,
    )


def _behaviour(rng: random.Random, kind: int) -> Behaviour:
    if kind == PUBLIC_BODY:
        return Behaviour.PUBLIC_BODY_SLOW if rng.random() < 0.8 else Behaviour.ON_TIME
    behaviours = (
        Behaviour.ON_TIME,
        Behaviour.LATE,
        Behaviour.PARTIAL,
        Behaviour.NEVER,
        Behaviour.AFTER_SUSPENSION,
        Behaviour.RETURNED_DIRECT_DEBIT,
    )
    return rng.choices(behaviours, weights=(62, 14, 7, 4, 5, 8))[0]


def _add_supplies(rng: random.Random, company: CompanyPlan, customer: Customer, counters: _Counters) -> None:
    count = 1 if rng.random() < 0.8 or (len(company.services) == 1 and rng.random() < 0.5) else 2
    for _ in range(count):
        counters.supply += 1
        serial = (company.index + 1) * 10**7 + counters.supply
        service = rng.choice(company.services)
        if service == ELECTRICITY:
            code = identity.pod(serial)
        elif service == GAS:
            code = identity.pdr(serial)
        elif service == WATER:
            code = f"ACQ{serial:010d}"
        else:
            code = f"TEL{serial:010d}"
        if customer.customer_type == PUBLIC_BODY:
            supply_type = PUBLIC_SUPPLY
        elif service == TELEPHONE:
            supply_type = DEACTIVATABLE
        else:
            supply_type = rng.choices((SUSPENDABLE, NON_SUSPENDABLE, DEACTIVATABLE), weights=(88, 8, 4))[0]
        status = _status(rng, customer.behaviour)
        meter = f"M{rng.randint(10**7, 10**8 - 1)}" if service != TELEPHONE else None
        address = f"{customer.address}, {customer.city}" if rng.random() < 0.9 else f"{rng.choice(STREETS)} 1"
        customer.supplies.append(Supply(code, service, supply_type, status, meter, address))


def _status(rng: random.Random, behaviour: Behaviour) -> int:
    if behaviour is Behaviour.NEVER:
        return SUSPENDED if rng.random() < 0.6 else ACTIVE
    if behaviour is Behaviour.AFTER_SUSPENSION:
        return TO_BE_REACTIVATED
    return rng.choices((ACTIVE, TERMINATED), weights=(97, 3))[0]


_BASE = {WATER: 45, GAS: 80, ELECTRICITY: 65, TELEPHONE: 30}
_SCALE = {DOMESTIC: 1, NON_DOMESTIC: 3, LARGE_ACCOUNT: 12, PUBLIC_BODY: 5}


def _add_bills(
    rng: random.Random, spec: GroupSpec, billed_months: list[date], customer: Customer, counters: _Counters
) -> None:
    for supply in customer.supplies:
        bimonthly = supply.service in (WATER, GAS)
        phase = rng.randrange(2) if bimonthly and len(billed_months) > 1 else 0
        day = rng.randint(1, 20)
        base = _BASE[supply.service] * _SCALE[customer.customer_type]
        for position, month in enumerate(reversed(billed_months)):  # newest first: the phase keeps the last
            if bimonthly and position % 2 != phase:
                continue
            issued = min(month + timedelta(days=day - 1), spec.until)
            amount = (Decimal(rng.randint(base * 60, base * 160)) / 100).quantize(CENT)
            counters.bill += 1
            number = f"B{issued.year}{counters.bill:08d}"
            due = issued + timedelta(days=rng.choice((20, 25, 30)))
            customer.bills.append(Bill(number, supply.code, issued, due, amount))
            if rng.random() < 0.01:  # a credit note correcting the bill
                counters.bill += 1
                credit = -(amount / 4).quantize(CENT)
                customer.bills.append(Bill(f"N{issued.year}{counters.bill:08d}", supply.code, issued, due, credit))
    customer.bills.sort(key=lambda b: (b.issued, b.number))


def _method(rng: random.Random, customer: Customer) -> str:
    if customer.behaviour is Behaviour.RETURNED_DIRECT_DEBIT:
        return DIRECT_DEBIT
    if customer.customer_type == PUBLIC_BODY:
        return BANK_TRANSFER
    if customer.behaviour is Behaviour.PARTIAL:  # a direct debit collects the whole bill
        return rng.choice((BANK_TRANSFER, *BILLING_METHODS))
    return rng.choices((DIRECT_DEBIT, BANK_TRANSFER, *BILLING_METHODS), weights=(35, 20, 25, 15, 5))[0]


def _pay(rng: random.Random, spec: GroupSpec, customer: Customer, counters: _Counters) -> None:
    method = _method(rng, customer)
    behaviour = customer.behaviour
    if behaviour is Behaviour.NEVER:
        return
    bills = [b for b in customer.bills if b.amount > 0]
    skipped: set[str] = set()
    if behaviour is Behaviour.AFTER_SUSPENSION:
        skipped = _arrears(spec, customer, bills, counters)
    for bill in bills:
        if bill.number in skipped:
            continue
        amount = bill.amount
        if behaviour is Behaviour.LATE:
            paid_on = bill.due + timedelta(days=rng.randint(15, 75))
        elif behaviour is Behaviour.PUBLIC_BODY_SLOW:
            paid_on = bill.due + timedelta(days=rng.randint(90, 180))
        else:
            paid_on = bill.due - timedelta(days=rng.randint(0, 10))
            paid_on = max(paid_on, bill.issued + timedelta(days=1))
        if behaviour is Behaviour.PARTIAL and rng.random() < 0.6:
            amount = (amount * Decimal(rng.randint(30, 80)) / 100).quantize(CENT)
        if paid_on > spec.until:
            continue  # not yet paid on the day of the extraction
        if method == DIRECT_DEBIT:
            if bill.due > spec.until:
                continue  # collected on the due date, after the extraction
            _direct_debit(rng, spec, customer, bill, counters)
        elif method == BANK_TRANSFER:
            _transfer(rng, customer, bill, amount, paid_on, counters)
        else:
            counters.payment += 1
            customer.payments.append(Payment(f"P{counters.payment:09d}", bill.number, paid_on, amount, method))


def _arrears(spec: GroupSpec, customer: Customer, bills: list[Bill], counters: _Counters) -> set[str]:
    """Three bills unpaid until the supply is suspended; then the whole debt at once, on account (the
    customer's code in the transfer's text), 100 days after the first of them fell due, if that is
    before the extraction."""
    if not bills:
        return set()
    settled = [b for b in bills if b.due + timedelta(days=100) <= spec.until]
    start = max(0, len(settled) - 3) if settled else max(0, len(bills) - 3)
    unpaid = bills[start : start + 3]
    lump_on = unpaid[0].due + timedelta(days=100)
    if lump_on <= spec.until:
        total = sum((b.amount for b in unpaid), start=Decimal("0.00"))
        reference, tx_id = counters.next_movement()
        customer.movements.append(
            BankMovement(
                lump_on,
                total,
                True,
                reference,
                "NOTPROVIDED",
                tx_id,
                ("PMNT", "RCDT", "ESCT"),
                text=f"SALDO MOROSITA CLIENTE {customer.code} PER RIATTIVAZIONE",
                debtor=customer.name,
                debtor_iban=customer.iban,
            )
        )
    return {b.number for b in unpaid}


def _transfer(
    rng: random.Random, customer: Customer, bill: Bill, amount: Decimal, paid_on: date, counters: _Counters
) -> None:
    reference, tx_id = counters.next_movement()
    with_rf = customer.customer_type == PUBLIC_BODY or rng.random() < 0.3
    customer.movements.append(
        BankMovement(
            paid_on,
            amount,
            True,
            reference,
            f"E2E{reference}" if rng.random() < 0.7 else "NOTPROVIDED",
            tx_id,
            ("PMNT", "RCDT", "ESCT"),
            text=None if with_rf else f"PAGAMENTO BOLLETTA {bill.number}",
            rf=identity.rf_reference(bill.number) if with_rf else None,
            debtor=customer.name,
            debtor_iban=customer.iban,
        )
    )


def _direct_debit(rng: random.Random, spec: GroupSpec, customer: Customer, bill: Bill, counters: _Counters) -> None:
    """The direct debit collected on the due date; for the customers whose debits come back, one in
    three is returned a few days later (insufficient funds) and paid by transfer a month after, when
    it is before the extraction."""
    reference, tx_id = counters.next_movement()
    end_to_end = f"SDD-{bill.number}"
    collected = BankMovement(
        bill.due,
        bill.amount,
        True,
        reference,
        end_to_end,
        tx_id,
        ("PMNT", "IDDT", "ESDD"),
        text=f"ADDEBITO SDD BOLLETTA {bill.number}",
        debtor=customer.name,
        debtor_iban=customer.iban,
    )
    customer.movements.append(collected)
    if customer.behaviour is not Behaviour.RETURNED_DIRECT_DEBIT or rng.random() >= 0.34:
        return
    returned_on = bill.due + timedelta(days=rng.randint(3, 8))
    if returned_on > spec.until:
        return
    back_reference, _ = counters.next_movement()
    customer.movements.append(
        BankMovement(
            returned_on,
            bill.amount,
            False,
            back_reference,
            end_to_end,
            tx_id,
            ("PMNT", "IDDT", "UPDD"),
            text=f"INSOLUTO SDD BOLLETTA {bill.number}",
            return_reason=rng.choice(("AM04", "MS02", "AC04")),
        )
    )
    repaid_on = returned_on + timedelta(days=rng.randint(20, 40))
    if rng.random() < 0.5 and repaid_on <= spec.until:
        _transfer(rng, customer, bill, bill.amount, repaid_on, counters)
