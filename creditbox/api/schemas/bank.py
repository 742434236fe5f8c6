"""Bank files: the import's summary (as ``creditbox bank import --json``), the worklist rows, an allocation."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class BankTransactionOut(BaseModel):
    """A bank transaction as the ledger keeps it."""

    credit_id: str = Field(description="Id del movimento (da usare per l'abbinamento manuale)")
    direction: str = Field(description="accredito o addebito")
    movement: str = Field(description="payment (incasso), return (storno SDD), other (commissioni, addebiti)")
    movement_label: str
    amount: str = Field(description="Importo in euro, positivo (la direzione dice il segno)")
    currency: str
    booking_date: str | None
    value_date: str | None
    bank_ref: str | None = Field(description="Riferimento della banca (AcctSvcrRef)")
    end_to_end_id: str | None
    tx_id: str | None
    debtor_name: str | None
    debtor_iban: str | None
    remittance: str = Field(description="Causale e riferimenti strutturati")
    code: str = Field(description="Codice dell'operazione bancaria (BkTxCd)")
    file_name: str
    line: int
    status: str = Field(description="pending, recorded, to_match, reported")
    status_label: str
    problem: str | None = Field(description="Per gli incassi da abbinare: unmatched, ambiguous, refused")
    problem_label: str | None
    reason: str | None
    customer_code: str | None
    bill_number: str | None
    payment_id: str | None
    rule: str | None = Field(description="rf, bill, customer, iuv, iban, return, manual")
    rule_label: str | None


class BankImportOut(BaseModel):
    """What importing one bank file did (the ``banca`` kind of inbound file)."""

    kind: str
    filename: str
    company: str
    accepted: int = Field(description="Pagamenti e storni registrati ora sulle posizioni")
    duplicates: int = Field(description="Movimenti già letti da un altro file o da questo (nulla di nuovo)")
    unmatched: list[BankTransactionOut] = Field(description="Incassi messi ora tra quelli da abbinare")
    rejected: list[dict[str, Any]]
    details: dict[str, Any] = Field(
        description="file (tipo, versione, validazione), conteggi, movimenti registrati e riportati, saldi"
        " degli estratti e i loro problemi (balance_problems)"
    )


class AllocationIn(BaseModel):
    """An allocation by hand of a credit of the worklist."""

    model_config = _STRICT

    credit_id: str = Field(min_length=1, max_length=16, description="Id del movimento da abbinare")
    customer: str = Field(min_length=1, max_length=64, description="Codice cliente")
    bill: str | None = Field(None, min_length=1, max_length=64, description="Numero della bolletta (facoltativo)")
