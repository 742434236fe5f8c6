"""The bank import on a real database (SQLite and PostgreSQL): matching, the worklist, deduplication
across files in both orders, fees, returned direct debits, balances, allocation by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from creditbox.application.bank_files import BankFileRefused
from creditbox.application.bank_import import BankImporter
from creditbox.application.inbound import InboundResult
from creditbox.application.records import BillRecord
from creditbox.bootstrap import Container
from creditbox.domain.errors import Conflict, InvalidCommand, NotFound
from creditbox.infrastructure.bank_ledger import SqlBankLedger
from creditbox.infrastructure.camt_reader import CamtReader
from tests.bank_company import all_payments, payments, seed
from tests.bank_files import DEBTOR_IBAN, FILES, Tx, Writer, fixture

NOTIFICATION = "camt054_v08_notifica.xml"
STATEMENT = "camt053_v08_estratto.xml"


def bank_import(container: Container, name: str) -> InboundResult:
    return container.inbound_files().import_file("banca", "acq", name, fixture(name), by="test")


def by_text(result: InboundResult) -> dict[str, dict[str, object]]:
    return {str(row["remittance"]): row for row in [*result.details["recorded"], *result.unmatched]}


def test_committed_fixtures_are_what_the_generator_writes() -> None:
    for name, build in FILES.items():
        assert fixture(name) == build(), f"{name}: run python -m tests.bank_files"


def test_a_notification_matches_by_rf_bill_number_and_customer_code(container: Container) -> None:
    seed(container)
    result = bank_import(container, NOTIFICATION)
    rows = by_text(result)
    rf = next(row for text, row in rows.items() if text.startswith("RF"))
    assert (rf["customer_code"], rf["bill_number"], rf["rule"]) == ("C001", "B2026000101", "rf")
    bill = rows["PAGAMENTO BOLLETTA B2026000102"]
    assert (bill["customer_code"], bill["bill_number"], bill["rule"]) == ("C002", "B2026000102", "bill")
    code = rows["SALDO CLIENTE C003 FEBBRAIO"]
    assert (code["customer_code"], code["bill_number"], code["rule"]) == ("C003", None, "customer")
    assert result.accepted == 5  # RF, bill, customer code, partial, direct debit
    assert [p.amount for p in payments(container, "C001")] == [Decimal("100.00")]
    assert payments(container, "C001")[0].bill_number == "B2026000101"
    assert payments(container, "C001")[0].payment_id == f"BANCA-{rf['credit_id']}"


def test_a_partial_payment_is_a_payment_of_its_amount(container: Container) -> None:
    seed(container)
    bank_import(container, NOTIFICATION)
    [partial] = payments(container, "C005")
    assert (partial.amount, partial.bill_number) == (Decimal("50.00"), "B2026000105")
    position = container.positions.load("ACQ", "C005")
    assert position.balance() == Decimal("150.00")


def test_unmatched_and_ambiguous_credits_go_to_the_worklist_never_guessed(container: Container) -> None:
    seed(container)
    result = bank_import(container, NOTIFICATION)
    worklist = {row.remittance: row for row in container.bank_files().unmatched("ACQ")}
    assert set(worklist) == {"REGALO DI NATALE", "BOLLETTE B2026000106 B2026000107"}
    assert worklist["REGALO DI NATALE"].problem == "unmatched"
    ambiguous = worklist["BOLLETTE B2026000106 B2026000107"]
    assert ambiguous.problem == "ambiguous"
    assert "C006" in (ambiguous.reason or "") and "C007" in (ambiguous.reason or "")
    assert payments(container, "C006") == [] and payments(container, "C007") == []
    assert len(result.unmatched) == 2


@pytest.mark.parametrize("order", [(NOTIFICATION, STATEMENT), (STATEMENT, NOTIFICATION)])
def test_the_same_credit_in_two_files_is_recorded_once_in_either_order(
    container: Container, order: tuple[str, str]
) -> None:
    seed(container)
    first = bank_import(container, order[0])
    second = bank_import(container, order[1])
    # The seven credits of the notification are all in the statement: the second file adds none of them.
    assert first.duplicates == 0
    assert second.duplicates == 7
    recorded = all_payments(container)
    assert [amount for _, amount, _ in recorded["C001"]] == [Decimal("100.00")]
    assert [amount for _, amount, _ in recorded["C002"]] == [Decimal("80.00")]
    # C004's direct debit collected, then returned by the statement: a payment and its reversal.
    assert sorted(amount for _, amount, _ in recorded["C004"]) == [Decimal("-60.00"), Decimal("60.00")]
    assert len(container.bank_files().unmatched("ACQ")) == 2


def test_both_orders_end_in_the_same_positions_and_worklist(container: Container) -> None:
    seed(container, "ACQ")
    seed(container, "ACQ2")
    for name in (NOTIFICATION, STATEMENT):
        container.inbound_files().import_file("banca", "ACQ", name, fixture(name), by="test")
    for name in (STATEMENT, NOTIFICATION):
        container.inbound_files().import_file("banca", "ACQ2", name, fixture(name), by="test")

    def outcome(company: str) -> tuple[object, ...]:
        paid = {c: [(amount, bill) for _, amount, bill in rows] for c, rows in all_payments(container, company).items()}
        worklist = sorted((row.remittance, row.problem) for row in container.bank_files().unmatched(company))
        return paid, worklist

    assert outcome("ACQ") == outcome("ACQ2")
    assert outcome("ACQ")[0]["C004"] == [(Decimal("-60.00"), "B2026000104"), (Decimal("60.00"), "B2026000104")]


def test_importing_a_file_again_adds_nothing(container: Container) -> None:
    seed(container)
    bank_import(container, STATEMENT)
    before = all_payments(container)
    events = container.app.last_notification_id()
    again = bank_import(container, STATEMENT)
    assert again.accepted == 0 and again.unmatched == [] and again.duplicates == 9
    assert all_payments(container) == before
    assert container.app.last_notification_id() == events


def test_a_fee_is_reported_not_recorded_and_a_return_reverses_its_payment(container: Container) -> None:
    seed(container)
    result = bank_import(container, STATEMENT)
    [fee] = result.details["reported"]
    assert (fee["amount"], fee["movement"], fee["status"]) == ("2.50", "other", "reported")
    reversal = next(row for row in result.details["recorded"] if row["movement"] == "return")
    assert (reversal["customer_code"], reversal["bill_number"], reversal["rule"]) == ("C004", "B2026000104", "return")
    c004 = {p.amount: p for p in payments(container, "C004")}
    assert c004[Decimal("-60.00")].is_reversal and c004[Decimal("-60.00")].bill_number == "B2026000104"
    assert container.positions.load("ACQ", "C004").balance() == Decimal("60.00")  # owed again
    assert result.details["reversals"] == 1


def test_the_statement_balances_are_checked(container: Container) -> None:
    seed(container)
    good = bank_import(container, STATEMENT)
    assert good.details["balance_problems"] == []
    [balances] = good.details["balances"]
    assert (balances["opening"], balances["closing"], balances["balanced"]) == ("1000.00", "1540.50", True)
    bad = bank_import(container, "camt053_v08_non_quadra.xml")
    [problem] = bad.details["balance_problems"]
    assert "non quadrano" in problem and "differenza 10,00 €" in problem
    assert bad.accepted == 1  # the entries still go in: the mismatch is reported, not hidden


def test_the_debtor_iban_learned_from_a_match_matches_the_next_credit(container: Container) -> None:
    seed(container)
    bank_import(container, NOTIFICATION)
    result = bank_import(container, "camt054_v08_iban.xml")
    [row] = result.details["recorded"]
    assert (row["customer_code"], row["rule"], row["debtor_iban"]) == ("C001", "iban", DEBTOR_IBAN)
    assert sorted(p.amount for p in payments(container, "C001")) == [Decimal("20.00"), Decimal("100.00")]


def test_older_versions_are_read(container: Container) -> None:
    seed(container)
    v02 = bank_import(container, "camt053_v02_estratto.xml")
    assert v02.details["file"]["schema_validated"] is False
    assert [(r["customer_code"], r["rule"]) for r in v02.details["recorded"]] == [("C002", "bill")]
    assert v02.details["balance_problems"] == []
    v04 = bank_import(container, "camt054_v04_notifica.xml")
    assert [(r["customer_code"], r["bill_number"], r["rule"]) for r in v04.details["recorded"]] == [
        ("C003", "B2026000103", "rf")
    ]


def test_a_worklist_credit_is_allocated_by_hand_and_leaves_the_worklist(container: Container) -> None:
    seed(container)
    bank_import(container, NOTIFICATION)
    bank = container.bank_files()
    ambiguous = next(row for row in bank.unmatched("ACQ") if row.problem == "ambiguous")
    done = bank.allocate("ACQ", ambiguous.credit_id, "C006", "B2026000106", by="mario.rossi")
    assert (done.status, done.rule, done.by) == ("recorded", "manual", "mario.rossi")
    [payment] = payments(container, "C006")
    assert (payment.amount, payment.bill_number) == (Decimal("160.00"), "B2026000106")
    assert ambiguous.credit_id not in {row.credit_id for row in bank.unmatched("ACQ")}
    # The same allocation again changes nothing; another one is refused.
    assert bank.allocate("ACQ", ambiguous.credit_id, "C006", "B2026000106", by="mario.rossi").status == "recorded"
    with pytest.raises(Conflict):
        bank.allocate("ACQ", ambiguous.credit_id, "C007", by="mario.rossi")
    assert len(payments(container, "C006")) == 1


def test_an_allocation_the_position_refuses_leaves_the_credit_on_the_worklist(container: Container) -> None:
    seed(container)
    bank_import(container, NOTIFICATION)
    bank = container.bank_files()
    gift = next(row for row in bank.unmatched("ACQ") if row.problem == "unmatched")
    with pytest.raises(NotFound):
        bank.allocate("ACQ", gift.credit_id, "C999", by="test")
    with pytest.raises(InvalidCommand, match="B2026000101"):
        bank.allocate("ACQ", gift.credit_id, "C002", "B2026000101", by="test")  # C001's bill
    with pytest.raises(NotFound):
        bank.allocate("ACQ", "FFFFFFFFFFFF", "C002", by="test")
    assert gift.credit_id in {row.credit_id for row in bank.unmatched("ACQ")}
    assert [p.amount for p in payments(container, "C002")] == [Decimal("80.00")]  # its own payment only


def test_an_invalid_file_is_refused_whole(container: Container) -> None:
    seed(container)
    content = fixture(NOTIFICATION).replace(b"<Cd>BOOK</Cd>", b"<Cd>BOOK</Cd><Foo/>", 1)
    with pytest.raises(BankFileRefused, match=r"schema ISO 20022 camt\.054\.001\.08: riga \d+, elemento Foo"):
        container.inbound_files().import_file("banca", "ACQ", "bad.xml", content, by="test")
    assert all(rows == [] for rows in all_payments(container).values())
    assert container.bank_files().unmatched("ACQ") == []


def test_the_iuv_of_a_pagopa_notice_code_matches_a_bill_numbered_with_it(container: Container) -> None:
    seed(container)
    iuv = "01234567890123456"  # bills carry no IUV of their own: this billing system numbers them with it
    records = [BillRecord(iuv, "C006", "S006", date(2026, 1, 10), date(2026, 2, 10), Decimal("70.00"))]
    assert container.ingestor().ingest("ACQ", records, by="test").results[0].reason is None
    content = Writer("camt.054", "08").document(
        "NTF-PAGOPA",
        [Tx("70.00", bank_ref="BR0500", text=f"PAGAMENTO AVVISO PAGOPA 3{iuv}")],  # the notice code
    )
    result = container.inbound_files().import_file("banca", "ACQ", "pagopa.xml", content, by="test")
    [row] = result.details["recorded"]
    assert (row["customer_code"], row["bill_number"], row["rule"]) == ("C006", iuv, "iuv")
    assert [p.method for p in payments(container, "C006")] == ["PagoPA"]


def test_a_rebuild_of_the_read_models_keeps_the_bank_ledger(container: Container) -> None:
    seed(container)
    bank_import(container, NOTIFICATION)
    before = container.bank_files().unmatched("ACQ")
    container.projections.rebuild()
    assert container.bank_files().unmatched("ACQ") == before
    assert bank_import(container, NOTIFICATION).duplicates == 7


class StoppingIngestor:
    """The real ingestor, but the run stops (a crash) before the payments are recorded."""

    def ingest(self, company: str, records: object, *, by: str) -> object:
        raise RuntimeError("processo interrotto")


def test_an_import_stopped_before_its_payments_are_recorded_is_completed_by_the_next(container: Container) -> None:
    seed(container)
    container.projections.ensure_schema()
    ledger = SqlBankLedger(container.projections.engine, container.write_gate)
    bank = BankImporter(CamtReader(), ledger, container.loader, StoppingIngestor(), container.clock)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        bank.import_file("ACQ", NOTIFICATION, fixture(NOTIFICATION), by="test")
    assert all(rows == [] for rows in all_payments(container).values())
    again = bank_import(container, NOTIFICATION)  # a new importer, the real ingestor
    assert again.accepted == 5
    assert [p.amount for p in payments(container, "C001")] == [Decimal("100.00")]
    assert bank_import(container, STATEMENT).accepted == 1  # only the return is new
    assert [p.amount for p in payments(container, "C002")] == [Decimal("80.00")]
