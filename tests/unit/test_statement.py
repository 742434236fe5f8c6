"""The statement of account (``application/statement.py``) of a position built in memory, and its
Excel (reopened with openpyxl) and PDF (text read with pypdf) renderings.

The position: a domestic customer with a water supply; bill B1 200,00 € due 31/01/2023 and B2
100,00 € due 30/06/2023; payment P1 150,00 € on 15/03/2023 naming B1; credit note N1 20,00 € on
10/07/2023; payment P2 50,00 € on 01/08/2023 naming nothing. Statement on 31/12/2025.

Allocation, document by document: P1 → B1 (residual 50); N1 → B1, the oldest due (30); P2 → B1 30,
B2 20 (B1 0, B2 80). Principal 300 − 20 − 200 = 80,00.

Interest at the legal rate (5% 2023, 2,5% 2024, 2% 2025), base × rate × days / 36500, per line:
  B1  01/02–15/03/2023  43 d on 200 at 5%   = 1,178… → 1,18
      16/03–10/07/2023 117 d on  50 at 5%   = 0,801… → 0,80
      11/07–01/08/2023  22 d on  30 at 5%   = 0,090… → 0,09      B1 total 2,07
  B2  01/07–01/08/2023  32 d on 100 at 5%   = 0,438… → 0,44
      02/08–31/12/2023 152 d on  80 at 5%   = 1,665… → 1,67
      01/01–31/12/2024 366 d on  80 at 2,5% = 2,005… → 2,01
      01/01–31/12/2025 365 d on  80 at 2%   = 1,600  → 1,60      B2 total 5,72
Interest 7,79; total owed 80,00 + 7,79 = 87,79. B2 (due 30/06/2023, + 2 years = 30/06/2025) is
*prescrivibile* on 31/12/2025; B1 too, but it is paid.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from creditbox.application.statement import MovementKind, Statement, build_statement, statement_as_json
from creditbox.domain.codes import CustomerType
from creditbox.domain.money import ZERO
from creditbox.domain.position import Position
from creditbox.infrastructure.excel.writer import DATE_FORMAT, EURO_FORMAT
from creditbox.infrastructure.interest_rates import standard_rates
from creditbox.infrastructure.statement.pdf import render_pdf
from creditbox.infrastructure.statement.xlsx import render_xlsx
from tests.builders import BY, bill, details, pay, supply

D = Decimal
AS_OF = date(2025, 12, 31)


def a_statement(customer_type: CustomerType = CustomerType.DOMESTIC) -> Statement:
    position = Position.register(
        "ACQ", "C1", details("Maria Bianchi", customer_type, fiscal_code="BNCMRA70A41H501X"), by=BY
    )
    position.register_supply(supply("S1"), by=BY)
    bill(position, "B1", date(2023, 1, 31), "200.00", issued=date(2023, 1, 1))
    bill(position, "B2", date(2023, 6, 30), "100.00", issued=date(2023, 6, 1))
    pay(position, "P1", date(2023, 3, 15), "150.00", "B1")
    position.issue_bill("N1", "S1", date(2023, 7, 10), date(2023, 7, 10), D("-20.00"), by=BY)
    pay(position, "P2", date(2023, 8, 1), "50.00")
    pay(position, "P3", date(2026, 1, 15), "80.00")  # after the statement's date: left out
    return build_statement(position, "Acque Pubbliche S.p.A.", standard_rates(), AS_OF)


def test_movements_in_date_order_with_allocation_and_running_balances() -> None:
    statement = a_statement()
    rows = [
        (m.day, m.kind, m.document, m.debit, m.credit, m.interest, m.principal_balance) for m in statement.movements
    ]
    assert rows == [
        (date(2023, 1, 1), MovementKind.BILL, "B1", D("200.00"), D("0.00"), D("0.00"), D("200.00")),
        (date(2023, 3, 15), MovementKind.PAYMENT, "P1", D("0.00"), D("150.00"), D("0.00"), D("50.00")),
        (date(2023, 6, 1), MovementKind.BILL, "B2", D("100.00"), D("0.00"), D("0.00"), D("150.00")),
        (date(2023, 7, 10), MovementKind.CREDIT_NOTE, "N1", D("0.00"), D("20.00"), D("0.00"), D("130.00")),
        (date(2023, 8, 1), MovementKind.PAYMENT, "P2", D("0.00"), D("50.00"), D("0.00"), D("80.00")),
        (AS_OF, MovementKind.INTEREST, "B1", D("0.00"), D("0.00"), D("2.07"), D("80.00")),
        (AS_OF, MovementKind.INTEREST, "B2", D("0.00"), D("0.00"), D("5.72"), D("80.00")),
    ]
    by_document = {m.document: m.description for m in statement.movements if m.kind is not MovementKind.INTEREST}
    assert "imputato a B1 150,00 €" in by_document["P1"] and "indicata la bolletta B1" in by_document["P1"]
    assert "imputato a B1 20,00 €" in by_document["N1"]
    assert "imputato a B1 30,00 €; B2 20,00 €" in by_document["P2"]
    assert statement.movements[-1].balance == D("87.79")
    assert (statement.billed, statement.credited, statement.paid) == (D("300.00"), D("20.00"), D("200.00"))
    assert (statement.principal, statement.interest_total, statement.total) == (D("80.00"), D("7.79"), D("87.79"))
    assert statement.compensation_total == D("0.00")


def test_interest_lines_per_bill_and_period_match_the_hand_computation() -> None:
    statement = a_statement()
    lines = [(ln.bill_number, ln.start, ln.end, ln.days, ln.base, ln.amount) for ln in statement.interest_lines]
    assert lines == [
        ("B1", date(2023, 2, 1), date(2023, 3, 15), 43, D("200.00"), D("1.18")),
        ("B1", date(2023, 3, 16), date(2023, 7, 10), 117, D("50.00"), D("0.80")),
        ("B1", date(2023, 7, 11), date(2023, 8, 1), 22, D("30.00"), D("0.09")),
        ("B2", date(2023, 7, 1), date(2023, 8, 1), 32, D("100.00"), D("0.44")),
        ("B2", date(2023, 8, 2), date(2023, 12, 31), 152, D("80.00"), D("1.67")),
        ("B2", date(2024, 1, 1), date(2024, 12, 31), 366, D("80.00"), D("2.01")),
        ("B2", date(2025, 1, 1), date(2025, 12, 31), 365, D("80.00"), D("1.60")),
    ]


def test_bills_carry_the_limitation_flag_and_the_notes_say_which_are_prescrivibili() -> None:
    statement = a_statement()
    flags = {b.number: (b.residual, b.limitation.label if b.limitation else None) for b in statement.bills}
    assert flags == {"B1": (D("0.00"), "Prescrivibile"), "B2": (D("80.00"), "Prescrivibile")}
    assert [b.number for b in statement.time_barred] == ["B2"]  # only what is still owed
    assert any("Prescrivibili (L. 205/2017 art. 1 c. 4-5): B2 per 80,00 €" in n for n in statement.notes)
    document = statement_as_json(statement)
    assert document["totals"]["total"] == "87.79" and document["bills"][1]["limitation"]["time_barred"] is True
    # A large account is not covered: no flag.
    large = a_statement(CustomerType.LARGE_ACCOUNT)
    assert [b.limitation.label for b in large.bills if b.limitation] == ["Non soggetta", "Non soggetta"]


def test_a_business_owes_the_231_rate_and_40_euro_per_late_bill() -> None:
    statement = a_statement(CustomerType.NON_DOMESTIC)
    assert statement.compensation_total == D("80.00")  # both bills were late
    fees = [m for m in statement.movements if m.kind is MovementKind.FLAT_COMPENSATION]
    assert [(m.day, m.document, m.compensation) for m in fees] == [
        (date(2023, 2, 1), "B1", D("40.00")),
        (date(2023, 7, 1), "B2", D("40.00")),
    ]
    # B1's first line: 01/02–15/03/2023, 43 days on 200 at 10,50%: 200 × 10,5 × 43 / 36500 = 2,473… → 2,47
    first = statement.interest_lines[0]
    assert (first.rate, first.amount) == (D("10.50"), D("2.47"))
    assert statement.total == statement.principal + statement.interest_total + D("80.00")


def test_the_workbook_reopens_with_values_and_formats() -> None:
    statement = a_statement()
    book = load_workbook(io.BytesIO(render_xlsx(statement)))
    assert book.sheetnames == ["Riepilogo", "Bollette", "Movimenti", "Interessi"]
    summary = {row[0]: row for row in book["Riepilogo"].iter_rows(min_row=2, values_only=True)}
    assert summary["Cliente"][2] == "C1 — Maria Bianchi (Domestico)"
    assert summary["Regime degli interessi"][2] == "Tasso legale (art. 1284 c.c.)"
    amounts = {label: D(str(row[1])) for label, row in summary.items() if row[1] is not None}
    assert amounts["Capitale residuo"] == D("80") and amounts["Totale dovuto"] == D("87.79")
    assert amounts["Interessi di mora"] == D("7.79") and amounts["Prescrivibili (L. 205/2017)"] == D("80")
    assert book["Riepilogo"]["B2"].number_format == EURO_FORMAT
    movements = book["Movimenti"]
    assert [c.value for c in movements[1]][:3] == ["Data", "Tipo", "Documento"]
    assert movements.freeze_panes == "A2" and movements.auto_filter.ref == "A1:K8"
    assert movements["A2"].number_format == DATE_FORMAT and movements["A2"].value.date() == date(2023, 1, 1)
    assert movements["F2"].number_format == EURO_FORMAT and movements["F2"].value == 200
    assert D(str(movements["K8"].value)) == D("87.79")
    interest = book["Interessi"]
    amounts = [row[6] for row in interest.iter_rows(min_row=2, values_only=True)]
    assert sum(D(str(a)) for a in amounts) == D("7.79") and len(amounts) == 7
    assert "1284" in interest["H2"].value
    bills = {row[0]: row for row in book["Bollette"].iter_rows(min_row=2, values_only=True)}
    assert bills["B2"][-1] == "Prescrivibile" and bills["B2"][7] == 80


def test_the_pdf_reads_back_in_italian_and_is_the_same_bytes_twice() -> None:
    statement = a_statement()
    content = render_pdf(statement)
    assert content == render_pdf(a_statement())
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Acque Pubbliche S.p.A.",
        "Estratto conto al 31/12/2025",
        "Maria Bianchi",
        "B1",
        "B2",
        "P1",
        "P2",
        "N1",
        "Totale dovuto",
        "87,79 €",
        "7,79 €",
        "Prescrivibile",
        "Tasso legale",
        f"Pagina 1 di {len(reader.pages)}",
    ):
        assert expected in text, expected
    assert "P3" not in text  # paid after the statement's date


# ---- properties over generated positions -----------------------------------------------------------

START = date(2023, 1, 1)
cents = st.integers(min_value=1, max_value=200_000).map(lambda c: D(c) / 100)


@st.composite
def positions(draw: st.DrawFn) -> Position:
    kind = draw(st.sampled_from(list(CustomerType)))
    position = Position.register("ACQ", "C1", details("Cliente", kind), by=BY)
    position.register_supply(supply("S1"), by=BY)
    numbers = []
    for n in range(draw(st.integers(min_value=1, max_value=5))):
        issued = START + timedelta(days=draw(st.integers(min_value=0, max_value=900)))
        due = issued + timedelta(days=draw(st.integers(min_value=0, max_value=45)))
        position.issue_bill(f"B{n}", "S1", issued, due, draw(cents), by=BY)
        numbers.append(f"B{n}")
    for n in range(draw(st.integers(min_value=0, max_value=1))):
        day = START + timedelta(days=draw(st.integers(0, 1000)))
        position.issue_bill(f"N{n}", "S1", day, day, -draw(cents), by=BY)
    for n in range(draw(st.integers(min_value=0, max_value=5))):
        named = draw(st.none() | st.sampled_from(numbers))
        amount = draw(cents) * (-1 if draw(st.integers(0, 6)) == 0 else 1)
        day = START + timedelta(days=draw(st.integers(0, 1000)))
        position.receive_payment(f"P{n}", day, amount, named, by=BY)
    return position


@settings(max_examples=80, deadline=None)
@given(position=positions(), days=st.integers(min_value=0, max_value=1200))
def test_the_statement_adds_up_for_any_position(position: Position, days: int) -> None:
    as_of = START + timedelta(days=days)
    statement = build_statement(position, "Acque", standard_rates(), as_of)
    assert statement.principal == position.balance(as_of)
    assert [m.day for m in statement.movements] == sorted(m.day for m in statement.movements)
    assert all(m.day <= as_of for m in statement.movements)
    final = statement.movements[-1] if statement.movements else None
    assert final is None or (final.principal_balance, final.balance) == (statement.principal, statement.total)
    charged = sum((m.interest for m in statement.movements), ZERO)
    assert charged == statement.interest_total == sum((ln.amount for ln in statement.interest_lines), ZERO)
    assert sum((m.compensation for m in statement.movements), ZERO) == statement.compensation_total
    residuals = {b.number: b.residual for b in statement.bills}
    if statement.credit > ZERO:  # money not allocated: every bill is paid
        assert all(r == ZERO for r in residuals.values()) and statement.principal == -statement.credit
    if statement.customer_type is CustomerType.DOMESTIC:
        assert statement.compensation_total == ZERO


def test_a_credit_covers_a_new_bill_and_a_reversal_reopens_it() -> None:
    position = Position.register("ACQ", "C1", details("Cliente"), by=BY)
    position.register_supply(supply("S1"), by=BY)
    pay(position, "P1", date(2024, 1, 10), "50.00")  # before any bill: a credit of the customer
    bill(position, "B1", date(2024, 2, 29), "80.00", issued=date(2024, 2, 1))
    pay(position, "R1", date(2024, 3, 5), "-50.00")  # the direct debit came back
    statement = build_statement(position, "Acque", standard_rates(), date(2024, 3, 31))
    texts = [m.description for m in statement.movements if m.kind is not MovementKind.INTEREST]
    assert texts == [
        "Pagamento P1 — a credito del cliente",
        "Bolletta B1 — coperta dal credito del cliente per 50,00 €",
        "Storno pagamento R1 — riapre B1 50,00 €",
    ]
    reversal = statement.movements[2]
    assert (reversal.debit, reversal.credit, reversal.principal_balance) == (D("50.00"), ZERO, D("80.00"))
    # B1 owed 30 from 01/03 to 05/03 and 80 from 06/03 (the reversal counts from the day after it), at 2,5%:
    #   01/03–05/03:  5 days on 30: 30 × 2,5 × 5 / 36500 = 0,0102… → 0,01
    #   06/03–31/03: 26 days on 80: 80 × 2,5 × 26 / 36500 = 0,1424… → 0,14
    assert [(ln.days, ln.base, ln.amount) for ln in statement.interest_lines] == [
        (5, D("30.00"), D("0.01")),
        (26, D("80.00"), D("0.14")),
    ]
