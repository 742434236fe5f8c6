"""Deterministic sample workbooks of the default import profile, for the demo, tests and benchmarks.

``generate(SampleSpec(...))`` builds realistic rows (Italian names and addresses, valid codici
fiscali and partite IVA, the four services and supply types, some public bodies, monthly or
bimonthly bills with due dates, full, partial, late, unassigned and missing payments, a few
reversals and credit notes, so that some customers are overdue); ``write_workbook`` writes them
to a real ``.xlsx`` with openpyxl in write-only mode. The same spec always gives the same file.
``with_bad_rows`` appends rows that each break one rule, and says where they are.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from stdnum import luhn
from stdnum.it import codicefiscale

from creditbox.application.records import Column, Sheet

C = Column
HEADERS: dict[str, tuple[str, ...]] = {
    Sheet.CUSTOMERS: (
        C.CUSTOMER_CODE,
        C.NAME,
        C.CUSTOMER_TYPE,
        C.FISCAL_CODE,
        C.VAT_NUMBER,
        C.EMAIL,
        C.PEC,
        C.MOBILE,
        C.ADDRESS,
        C.POSTCODE,
        C.CITY,
        C.PROVINCE,
    ),
    Sheet.SUPPLIES: (C.SUPPLY_CODE, C.CUSTOMER_CODE, C.SERVICE, C.SUPPLY_TYPE, C.STATUS, C.METER, C.SUPPLY_ADDRESS),
    Sheet.BILLS: (C.BILL_NUMBER, C.CUSTOMER_CODE, C.SUPPLY_CODE, C.ISSUE_DATE, C.DUE_DATE, C.AMOUNT),
    Sheet.PAYMENTS: (C.PAYMENT_ID, C.CUSTOMER_CODE, C.BILL_NUMBER, C.PAYMENT_DATE, C.AMOUNT, C.METHOD),
}

FIRST_NAMES_M = ("Marco", "Luca", "Giuseppe", "Giovanni", "Antonio", "Francesco", "Alessandro", "Andrea", "Paolo")
FIRST_NAMES_F = ("Maria", "Anna", "Giulia", "Francesca", "Chiara", "Sara", "Laura", "Elena", "Paola", "Silvia")
SURNAMES = (
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
    "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
)  # fmt: skip
BUSINESS_WORDS = ("Edilizia", "Trasporti", "Alimentari", "Ristorante", "Officina", "Studio", "Panificio", "Hotel")
LEGAL_FORMS = ("S.r.l.", "S.p.A.", "S.n.c.", "S.a.s.")
# (comune, provincia, CAP, codice catastale)
PLACES = (
    ("Milano", "MI", "20121", "F205"),
    ("Roma", "RM", "00184", "H501"),
    ("Napoli", "NA", "80133", "F839"),
    ("Torino", "TO", "10121", "L219"),
    ("Bologna", "BO", "40121", "A944"),
    ("Firenze", "FI", "50122", "D612"),
    ("Bari", "BA", "70121", "A662"),
    ("Genova", "GE", "16121", "D969"),
    ("Verona", "VR", "37121", "L781"),
    ("Brescia", "BS", "25121", "B157"),
    ("Bergamo", "BG", "24121", "A794"),
    ("Padova", "PD", "35121", "G224"),
)
STREETS = ("Via Roma", "Via Garibaldi", "Corso Italia", "Via Mazzini", "Piazza Duomo", "Via Verdi", "Viale Europa")
METHODS = ("bollettino", "SDD", "bonifico", "PagoPA", "carta")
MONTH_LETTERS = "ABCDEHLMPRST"


@dataclass(frozen=True)
class SampleSpec:
    customers: int = 300
    supplies: int | None = None  # default: one per customer, plus some second supplies
    bills: int | None = None  # default: about 6 per supply
    payments: int | None = None  # default: about 80% of the bills
    seed: int = 20260101
    # Bills are issued over the year before this date (fixed, so the file is reproducible).
    end: date = date(2026, 10, 31)
    company_prefix: str = ""

    def counts(self) -> tuple[int, int, int, int]:
        supplies = self.supplies if self.supplies is not None else self.customers + self.customers // 4
        bills = self.bills if self.bills is not None else supplies * 6
        payments = self.payments if self.payments is not None else bills * 4 // 5
        return self.customers, max(supplies, 0), max(bills, 0), max(payments, 0)


@dataclass
class SampleData:
    rows: dict[str, list[list[Any]]] = field(default_factory=lambda: {name: [] for name in Sheet.ALL})

    def count(self, sheet: str) -> int:
        return len(self.rows[sheet])

    @property
    def total_rows(self) -> int:
        return sum(len(r) for r in self.rows.values())


def generate(spec: SampleSpec | None = None) -> SampleData:
    spec = spec or SampleSpec()
    rng = random.Random(spec.seed)
    n_customers, n_supplies, n_bills, n_payments = spec.counts()
    data = SampleData()
    customer_types: list[int] = []
    for i in range(1, n_customers + 1):
        row, kind = _customer(rng, f"{spec.company_prefix}C{i:06d}", i)
        data.rows[Sheet.CUSTOMERS].append(row)
        customer_types.append(kind)
    supplies: list[tuple[str, str, int]] = []  # (code, customer, service)
    for i in range(n_supplies):
        owner = i if i < n_customers else rng.randrange(n_customers)
        customer_code = data.rows[Sheet.CUSTOMERS][owner][0]
        row = _supply(rng, i + 1, customer_code, customer_types[owner], data.rows[Sheet.CUSTOMERS][owner])
        data.rows[Sheet.SUPPLIES].append(row)
        supplies.append((row[0], customer_code, row[2]))
    bills = _bills(rng, spec, supplies, n_bills)
    data.rows[Sheet.BILLS] = [list(b) for b in bills]
    data.rows[Sheet.PAYMENTS] = _payments(rng, spec, bills, n_payments)
    return data


def _customer(rng: random.Random, code: str, index: int) -> tuple[list[Any], int]:
    kind = rng.choices((1, 2, 3, 4), weights=(80, 14, 3, 3))[0]
    city, province, cap, cadastral = rng.choice(PLACES)
    address = f"{rng.choice(STREETS)} {rng.randint(1, 180)}"
    surname = rng.choice(SURNAMES)
    vat = None
    pec = None
    if kind == 1:
        female = rng.random() < 0.5
        first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
        name = f"{surname} {first}"
        fiscal = _personal_fiscal_code(rng, surname, first, female, cadastral)
        email = f"{first}.{surname}{index}@example.it".lower().replace(" ", "")
    elif kind == 4:
        name = f"Comune di {city}" if rng.random() < 0.5 else f"Istituto Comprensivo {surname} di {city}"
        vat = _vat_number(rng)
        fiscal = vat
        email = None
        pec = f"protocollo{index}@pec.example.it"
    else:
        name = f"{rng.choice(BUSINESS_WORDS)} {surname} {rng.choice(LEGAL_FORMS)}"
        vat = _vat_number(rng)
        fiscal = vat
        email = f"amministrazione{index}@example.it"
        pec = f"azienda{index}@pec.example.it" if rng.random() < 0.7 else None
    mobile = f"3{rng.randint(20, 49)}{rng.randint(1000000, 9999999)}" if kind != 4 else None
    return [code, name, kind, fiscal, vat, email, pec, mobile, address, cap, city, province], kind


def _personal_fiscal_code(rng: random.Random, surname: str, first: str, female: bool, cadastral: str) -> str:
    def letters(text: str, is_name: bool) -> str:
        consonants = [c for c in text.upper() if c.isalpha() and c not in "AEIOU"]
        vowels = [c for c in text.upper() if c in "AEIOU"]
        if is_name and len(consonants) >= 4:
            consonants = [consonants[0], consonants[2], consonants[3]]
        return "".join((consonants + vowels + ["X", "X", "X"])[:3])

    year = rng.randint(1940, 2000) % 100
    month = MONTH_LETTERS[rng.randrange(12)]
    day = rng.randint(1, 28) + (40 if female else 0)
    body = f"{letters(surname, False)}{letters(first, True)}{year:02d}{month}{day:02d}{cadastral}"
    return body + codicefiscale.calc_check_digit(body)


def _vat_number(rng: random.Random) -> str:
    body = f"{rng.randint(1, 9999999):07d}{rng.randint(1, 100):03d}"
    return body + luhn.calc_check_digit(body)


def _supply(rng: random.Random, index: int, customer_code: str, customer_type: int, customer: list[Any]) -> list[Any]:
    service = rng.choices((1, 2, 3, 4), weights=(35, 25, 30, 10))[0]
    if service == 3:
        code = f"IT001E{index:08d}"
    elif service == 2:
        code = f"{index:014d}"
    elif service == 1:
        code = f"ACQ{index:09d}"
    else:
        code = f"TEL{index:09d}"
    if customer_type == 4:
        supply_type = 4
    elif service == 4:
        supply_type = 3
    else:
        supply_type = rng.choices((1, 2, 3), weights=(88, 8, 4))[0]
    status = rng.choices((1, 2, 3, 4), weights=(94, 3, 2, 1))[0]
    meter = f"M{rng.randint(10**7, 10**8 - 1)}" if service in (1, 2, 3) else None
    return [code, customer_code, service, supply_type, status, meter, customer[8]]


def _bills(
    rng: random.Random, spec: SampleSpec, supplies: Sequence[tuple[str, str, int]], n_bills: int
) -> list[tuple[str, str, str, date, date, Decimal]]:
    if not supplies:
        return []
    per_supply = [n_bills // len(supplies)] * len(supplies)
    for i in range(n_bills - sum(per_supply)):
        per_supply[i % len(supplies)] += 1
    bills: list[tuple[str, str, str, date, date, Decimal]] = []
    for (code, customer, service), count in zip(supplies, per_supply, strict=True):
        period = 2 if service in (1, 2) else 1  # water and gas bimonthly
        base = {1: 60, 2: 90, 3: 70, 4: 30}[service]
        offset_days = rng.randint(0, 27)
        for k in range(count):
            months_back = (count - k) * period
            issue = _months_before(spec.end, months_back) + timedelta(days=offset_days)
            due = issue + timedelta(days=rng.choice((20, 25, 30)))
            amount = Decimal(rng.randint(base * 50, base * 300)) / 100
            if rng.random() < 0.01:
                amount = -amount / 4  # a credit note
            number = f"{spec.company_prefix}F{issue.year}-{len(bills) + 1:07d}"
            bills.append((number, customer, code, issue, due, amount.quantize(Decimal("0.01"))))
    return bills


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + (day.month - 1) - months
    return date(month_index // 12, month_index % 12 + 1, 1)


def _payments(
    rng: random.Random, spec: SampleSpec, bills: list[tuple[str, str, str, date, date, Decimal]], n_payments: int
) -> list[list[Any]]:
    payable = [b for b in bills if b[5] > 0]
    # One customer in twenty pays last (if at all): they become overdue.
    bad_payers = {customer for customer in sorted({b[1] for b in payable}) if rng.random() < 0.05}
    payable.sort(key=lambda b: (b[1] in bad_payers, b[4], b[0]))
    payments: list[list[Any]] = []
    index = 0
    while len(payments) < n_payments and payable:
        number, customer, _supply_code, _issue, due, amount = payable[index % len(payable)]
        index += 1
        pid = f"{spec.company_prefix}P{len(payments) + 1:08d}"
        method = rng.choice(METHODS)
        roll = rng.random()
        if index > len(payable):  # more payments than bills: extra unassigned payments
            paid_on = min(due + timedelta(days=rng.randint(0, 20)), spec.end)  # nothing paid after the extract
            payments.append([pid, customer, None, paid_on, amount / 2, method])
            continue
        paid_on = due + timedelta(days=rng.randint(-15, 5) if roll < 0.8 else rng.randint(6, 60))
        if paid_on > spec.end:
            paid_on = spec.end
        if roll < 0.82:
            payments.append([pid, customer, number, paid_on, amount, method])
        elif roll < 0.92:  # partial
            part = (amount * Decimal(rng.randint(30, 90)) / 100).quantize(Decimal("0.01"))
            payments.append([pid, customer, number, paid_on, part, method])
        elif roll < 0.99:  # without bill number: allocated to the oldest open bills
            payments.append([pid, customer, None, paid_on, amount, method])
        else:  # a returned direct debit: paid, then reversed
            payments.append([pid, customer, number, paid_on, amount, "SDD"])
            if len(payments) < n_payments:
                reversed_on = min(paid_on + timedelta(days=7), spec.end)
                payments.append([f"{pid}R", customer, number, reversed_on, -amount, "SDD (insoluto)"])
    return payments[:n_payments]


def write_workbook(data: SampleData, target: str | Path | BinaryIO) -> None:
    """Write a real ``.xlsx`` (openpyxl write-only mode: flat memory, fast enough for big files)."""
    workbook = Workbook(write_only=True)
    for name in Sheet.ALL:
        sheet = workbook.create_sheet(name)
        sheet.append(list(HEADERS[name]))
        for row in data.rows[name]:
            sheet.append([_cell(sheet, value) for value in row])
    workbook.save(target)


def _cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell
    return value


def workbook_bytes(data: SampleData) -> bytes:
    buffer = io.BytesIO()
    write_workbook(data, buffer)
    return buffer.getvalue()


def sample_workbook(path: str | Path, spec: SampleSpec | None = None) -> Path:
    """Generate and write a workbook; returns its path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(generate(spec), target)
    return target


@dataclass(frozen=True)
class BadRow:
    """Where a deliberately bad row is, and the column the import must name."""

    sheet: str
    row: int
    column: str
    why: str


def with_bad_rows(data: SampleData) -> list[BadRow]:
    """Append one row per rule broken (needs at least two customers with supplies and a bill).
    Returns where each bad row is (spreadsheet row numbers: header is row 1)."""
    customers = data.rows[Sheet.CUSTOMERS]
    supplies = data.rows[Sheet.SUPPLIES]
    bills = data.rows[Sheet.BILLS]
    first, second = supplies[0], next(s for s in supplies if s[1] != supplies[0][1])
    issue, due = date(2026, 1, 5), date(2026, 2, 5)
    bad: list[BadRow] = []

    def add(sheet: str, row: list[Any], column: str, why: str) -> None:
        data.rows[sheet].append(row)
        bad.append(BadRow(sheet, len(data.rows[sheet]) + 1, column, why))

    template = list(customers[0])
    add(Sheet.CUSTOMERS, ["XBAD1", "Rossi Mario", 9, *template[3:]], C.CUSTOMER_TYPE, "tipologia inesistente")
    add(Sheet.CUSTOMERS, ["XBAD2", "Verdi Anna", 1, "RSSMRA80A01F205Z", *template[4:]], C.FISCAL_CODE, "CF errato")
    add(Sheet.SUPPLIES, ["XSUP1", first[1], "Vento", 1, 1, None, None], C.SERVICE, "servizio sconosciuto")
    add(Sheet.SUPPLIES, ["XSUP2", "NESSUNO", 1, 1, 1, None, None], C.CUSTOMER_CODE, "cliente sconosciuto")
    add(Sheet.BILLS, ["XB1", first[1], first[0], issue, due, "dieci euro"], C.AMOUNT, "importo testuale")
    add(Sheet.BILLS, ["XB2", first[1], first[0], due, issue, Decimal("10.00")], C.DUE_DATE, "scadenza prima")
    add(Sheet.BILLS, ["XB3", "NESSUNO", "XSUP9", issue, due, Decimal("10.00")], C.CUSTOMER_CODE, "cliente ignoto")
    add(Sheet.BILLS, ["XB4", first[1], "NON-ESISTE", issue, due, Decimal("10.00")], C.SUPPLY_CODE, "fornitura ignota")
    add(Sheet.BILLS, ["XB5", first[1], second[0], issue, due, Decimal("10.00")], C.SUPPLY_CODE, "fornitura altrui")
    original = next(b for b in bills if b[1] == first[1])
    changed = Decimal(original[5]) + Decimal("1.00")
    add(Sheet.BILLS, [original[0], *original[1:5], changed], C.AMOUNT, "bolletta ripetuta con altro importo")
    add(
        Sheet.PAYMENTS, ["XP1", first[1], None, "31/02/2026", Decimal("5.00"), None], C.PAYMENT_DATE, "data inesistente"
    )
    add(Sheet.PAYMENTS, ["XP2", first[1], "NON-ESISTE", issue, Decimal("5.00"), None], C.BILL_NUMBER, "bolletta ignota")
    return bad
