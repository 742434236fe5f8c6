"""The identifiers and references of a bank transaction: NOTPROVIDED, same transaction, RF, IUV."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from creditbox.domain.bank import (
    BankTransaction,
    TransactionIds,
    creditor_references,
    invalid_references,
    pagopa_iuvs,
    remittance_words,
    transaction_key,
)


def tx(remittance: tuple[str, ...] = (), references: tuple[str, ...] = (), **ids: str) -> BankTransaction:
    return BankTransaction(
        line=1,
        credit=True,
        amount=Decimal("10.00"),
        currency="EUR",
        booking_date=date(2026, 2, 16),
        value_date=None,
        ids=TransactionIds(**ids),
        remittance=remittance,
        references=references,
    )


def test_notprovided_in_any_case_is_no_id() -> None:
    ids = TransactionIds("NOTPROVIDED", " notprovided ", "NotProvided")
    assert (ids.bank_ref, ids.end_to_end, ids.tx_id, ids.any) == (None, None, None, False)


def test_two_readings_are_the_same_transaction_when_the_ids_they_share_agree() -> None:
    notification = TransactionIds("BR1", "E1", "T1")
    assert notification.same_as(TransactionIds("BR1", None, None))
    assert notification.same_as(TransactionIds(None, "E1", "NOTPROVIDED"))
    assert not notification.same_as(TransactionIds("BR1", "E2", None))  # an id that differs
    assert not notification.same_as(TransactionIds(None, None, None))  # nothing shared
    assert not TransactionIds("NOTPROVIDED", "NOTPROVIDED").same_as(TransactionIds("NOTPROVIDED", "NOTPROVIDED"))


def test_the_key_does_not_depend_on_which_file_lacked_an_id() -> None:
    full = transaction_key("ACQ", tx(bank_ref="BR1", end_to_end="E1", tx_id="T1"))
    assert transaction_key("ACQ", tx(bank_ref="BR1", end_to_end="NOTPROVIDED")) == full
    assert transaction_key("GAS", tx(bank_ref="BR1")) != full
    # Without any id: the content, and the n-th time it occurs in the file.
    assert transaction_key("ACQ", tx(("X",)), 0) != transaction_key("ACQ", tx(("X",)), 1)


def test_rf_references_are_checked_with_their_digits() -> None:
    good = tx(references=("RF55B2026000101",), remittance=("vedi RF18 5390 0754 7034",))
    assert creditor_references(good) == ["B2026000101", "539007547034"]
    bad = tx(references=("RF56B2026000101",))
    assert creditor_references(bad) == [] and invalid_references(bad) == ["RF56B2026000101"]


def test_pagopa_iuvs_and_remittance_words() -> None:
    assert pagopa_iuvs(tx(("/RFB/012345678901234567/80.00/TXT/BOLLETTA",))) == ["012345678901234567"]
    assert pagopa_iuvs(tx(("AVVISO 301234567890123456",))) == ["01234567890123456"]
    assert remittance_words(tx(("FATT. 2026/0012 CLIENTE C003",))) == [
        "FATT",
        "2026/0012",
        "2026",
        "0012",
        "CLIENTE",
        "C003",
    ]
