"""The bank files the tests import, and the company they are about.

``python -m tests.bank_files`` writes the committed fixtures under ``tests/fixtures/bank/``: ISO 20022
``camt.054`` notifications and ``camt.053`` statements in versions 001.08 (valid against the official
schemas), 001.04 and 001.02 (written to those versions' structure: ``Sts`` as text, the debtor's
``Nm`` directly under ``Dbtr``, the transaction's amount only in ``AmtDtls`` for 001.02). The tests
check that the committed files are what this module writes, so the two cannot drift apart.

The company (``seed``): customers C001…C007, each with one bill; what each file carries is described
next to its builder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from lxml import etree

FIXTURES = Path(__file__).parent / "fixtures" / "bank"
COMPANY = "ACQ"
ACCOUNT = "IT60X0542811101000000123456"
DEBTOR_IBAN = "IT02A0301503200000003517230"  # C001's account: learned from the RF match
BILLS = {  # customer -> (bill number, amount)
    "C001": ("B2026000101", "100.00"),
    "C002": ("B2026000102", "80.00"),
    "C003": ("B2026000103", "120.00"),
    "C004": ("B2026000104", "60.00"),
    "C005": ("B2026000105", "200.00"),
    "C006": ("B2026000106", "70.00"),
    "C007": ("B2026000107", "90.00"),
}


def rf_reference(body: str) -> str:
    """An ISO 11649 creditor reference for ``body`` (check digits computed)."""
    digits = "".join(str(int(ch, 36)) for ch in body + "RF00")
    check = 98 - int(digits) % 97
    return f"RF{check:02d}{body}"


@dataclass(frozen=True)
class Tx:
    """One entry of a file (one transaction each)."""

    amount: str
    credit: bool = True
    bank_ref: str | None = None
    end_to_end: str | None = "NOTPROVIDED"
    tx_id: str | None = None
    text: str | None = None
    rf: str | None = None
    debtor: str | None = "Mario Rossi"
    debtor_iban: str | None = None
    family: tuple[str, str, str] = ("PMNT", "RCDT", "ESCT")
    return_reason: str | None = None
    reversal: bool = False
    booked: date = date(2026, 2, 16)


# ---- the transactions --------------------------------------------------------------------------------

RF_C001 = Tx(
    "100.00",
    bank_ref="BR0001",
    end_to_end="E2E-0001",
    tx_id="TX0001",
    rf=rf_reference("B2026000101"),
    debtor_iban=DEBTOR_IBAN,
)
BILL_C002 = Tx("80.00", bank_ref="BR0002", tx_id="TX0002", text="PAGAMENTO BOLLETTA B2026000102")
CODE_C003 = Tx("120.00", bank_ref="BR0003", end_to_end="E2E-0003", text="SALDO CLIENTE C003 FEBBRAIO")
PARTIAL_C005 = Tx("50.00", bank_ref="BR0005", end_to_end="E2E-0005", text="ACCONTO BOLLETTA B2026000105")
UNMATCHED = Tx("33.00", bank_ref="BR0006", end_to_end="E2E-0006", text="REGALO DI NATALE", debtor="Anna Bianchi")
AMBIGUOUS = Tx("160.00", bank_ref="BR0007", end_to_end="E2E-0007", text="BOLLETTE B2026000106 B2026000107")
SDD_C004 = Tx(
    "60.00",
    bank_ref="BR0004",
    end_to_end="SDD-C004-0226",
    tx_id="TX0004",
    text="ADDEBITO SDD BOLLETTA B2026000104",
    family=("PMNT", "IDDT", "ESDD"),
)
FEE = Tx(
    "2.50",
    credit=False,
    bank_ref="BR0090",
    text="COMMISSIONI TENUTA CONTO",
    debtor=None,
    family=("ACMT", "MDOP", "CHRG"),
)
RETURN_C004 = Tx(
    "60.00",
    credit=False,
    bank_ref="BR0091",
    end_to_end="SDD-C004-0226",
    tx_id="TX0004",
    text="INSOLUTO SDD B2026000104",
    family=("PMNT", "IDDT", "UPDD"),
    return_reason="AM04",
    booked=date(2026, 2, 20),
)
BY_IBAN_C001 = Tx("20.00", bank_ref="BR0010", end_to_end="E2E-0010", text="VERSAMENTO", debtor_iban=DEBTOR_IBAN)

NOTIFICATION = [RF_C001, BILL_C002, CODE_C003, PARTIAL_C005, UNMATCHED, AMBIGUOUS, SDD_C004]
# The statement carries the same credits, some with an identifier the notification lacked (the first
# one's transaction id NOTPROVIDED there), plus the fee and the returned direct debit.
STATEMENT = [
    Tx(**{**RF_C001.__dict__, "tx_id": "NOTPROVIDED"}),
    BILL_C002,
    CODE_C003,
    PARTIAL_C005,
    UNMATCHED,
    AMBIGUOUS,
    SDD_C004,
    FEE,
    RETURN_C004,
]
OPENING = Decimal("1000.00")


def total(txs: Sequence[Tx], credit: bool) -> Decimal:
    return sum((Decimal(t.amount) for t in txs if t.credit == credit), start=Decimal("0.00"))


# ---- writing -----------------------------------------------------------------------------------------


class Writer:
    """The XML of one version (``"02"``, ``"04"``, ``"08"``) of camt.053 / camt.054."""

    def __init__(self, message: str, version: str) -> None:
        self.message = message
        self.version = version
        self.ns = f"urn:iso:std:iso:20022:tech:xsd:{message}.001.{version}"

    def el(self, parent: etree._Element | None, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        name = f"{{{self.ns}}}{tag}"
        node = etree.Element(name, nsmap={None: self.ns}) if parent is None else etree.SubElement(parent, name)
        for key, value in attrs.items():
            node.set(key, value)
        if text is not None:
            node.text = text
        return node

    def path(self, parent: etree._Element, path: str, text: str | None = None, **attrs: str) -> etree._Element:
        node = parent
        parts = path.split("/")
        for part in parts[:-1]:
            node = self.el(node, part)
        return self.el(node, parts[-1], text, **attrs)

    def document(
        self,
        msg_id: str,
        txs: Sequence[Tx],
        *,
        opening: Decimal | None = None,
        closing: Decimal | None = None,
    ) -> bytes:
        root = self.el(None, "Document")
        statement = self.message == "camt.053"
        body = self.el(root, "BkToCstmrStmt" if statement else "BkToCstmrDbtCdtNtfctn")
        header = self.el(body, "GrpHdr")
        self.el(header, "MsgId", msg_id)
        self.el(header, "CreDtTm", "2026-02-20T18:00:00")
        report = self.el(body, "Stmt" if statement else "Ntfctn")
        self.el(report, "Id", f"{msg_id}-1")
        self.el(report, "CreDtTm", "2026-02-20T18:00:00")
        self.path(report, "Acct/Id/IBAN", ACCOUNT)
        if statement:
            assert opening is not None
            if closing is None:
                closing = opening + total(txs, True) - total(txs, False)
            self.balance(report, "OPBD", opening, date(2026, 2, 15))
            self.balance(report, "CLBD", closing, date(2026, 2, 20))
        for tx in txs:
            self.entry(report, tx)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def balance(self, report: etree._Element, kind: str, amount: Decimal, day: date) -> None:
        bal = self.el(report, "Bal")
        self.path(bal, "Tp/CdOrPrtry/Cd", kind)
        self.el(bal, "Amt", f"{abs(amount):.2f}", Ccy="EUR")
        self.el(bal, "CdtDbtInd", "CRDT" if amount >= 0 else "DBIT")
        self.path(bal, "Dt/Dt", day.isoformat())

    def entry(self, report: etree._Element, tx: Tx) -> None:
        ntry = self.el(report, "Ntry")
        self.el(ntry, "Amt", tx.amount, Ccy="EUR")
        self.el(ntry, "CdtDbtInd", "CRDT" if tx.credit else "DBIT")
        if tx.reversal:
            self.el(ntry, "RvslInd", "true")
        if self.version == "08":
            self.path(ntry, "Sts/Cd", "BOOK")
        else:
            self.el(ntry, "Sts", "BOOK")
        self.path(ntry, "BookgDt/Dt", tx.booked.isoformat())
        self.path(ntry, "ValDt/Dt", tx.booked.isoformat())
        if tx.bank_ref:
            self.el(ntry, "AcctSvcrRef", tx.bank_ref)
        self.code(ntry, tx)
        detail = self.path(ntry, "NtryDtls/TxDtls")
        refs = self.el(detail, "Refs")
        if tx.bank_ref:
            self.el(refs, "AcctSvcrRef", tx.bank_ref)
        if tx.end_to_end:
            self.el(refs, "EndToEndId", tx.end_to_end)
        if tx.tx_id:
            self.el(refs, "TxId", tx.tx_id)
        if self.version == "02":
            self.path(detail, "AmtDtls/TxAmt/Amt", tx.amount, Ccy="EUR")
        else:
            self.el(detail, "Amt", tx.amount, Ccy="EUR")
            self.el(detail, "CdtDbtInd", "CRDT" if tx.credit else "DBIT")
        if tx.debtor or tx.debtor_iban:
            parties = self.el(detail, "RltdPties")
            if tx.debtor:
                self.path(parties, "Dbtr/Pty/Nm" if self.version == "08" else "Dbtr/Nm", tx.debtor)
            if tx.debtor_iban:
                self.path(parties, "DbtrAcct/Id/IBAN", tx.debtor_iban)
        if tx.text or tx.rf:
            remittance = self.el(detail, "RmtInf")
            if tx.text:
                self.el(remittance, "Ustrd", tx.text)
            if tx.rf:
                reference = self.path(remittance, "Strd/CdtrRefInf")
                self.path(reference, "Tp/CdOrPrtry/Cd", "SCOR")
                self.el(reference, "Ref", tx.rf)
        if tx.return_reason:
            self.path(detail, "RtrInf/Rsn/Cd", tx.return_reason)

    def code(self, ntry: etree._Element, tx: Tx) -> None:
        code = self.el(ntry, "BkTxCd")
        domain = self.el(code, "Domn")
        self.el(domain, "Cd", tx.family[0])
        family = self.el(domain, "Fmly")
        self.el(family, "Cd", tx.family[1])
        self.el(family, "SubFmlyCd", tx.family[2])


def notification_v08() -> bytes:
    """camt.054.001.08: the day's credits, before the statement (RF, bill number, customer code,
    partial, unmatched, ambiguous, a direct debit collected)."""
    return Writer("camt.054", "08").document("NTF-20260216", NOTIFICATION)


def statement_v08() -> bytes:
    """camt.053.001.08: the same credits again (one with an id NOTPROVIDED), a fee, a returned
    direct debit; balances that add up."""
    return Writer("camt.053", "08").document("STM-20260220", STATEMENT, opening=OPENING)


def iban_v08() -> bytes:
    """camt.054.001.08: a credit with no reference from the IBAN the RF payment came from."""
    return Writer("camt.054", "08").document("NTF-20260221", [BY_IBAN_C001])


def unbalanced_v08() -> bytes:
    """camt.053.001.08: a statement whose closing balance is 10.00 off its entries."""
    txs = [Tx("45.00", bank_ref="BR0200", end_to_end="E2E-0200", text="BOLLETTA B2026000106")]
    return Writer("camt.053", "08").document("STM-20260227", txs, opening=Decimal("500.00"), closing=Decimal("555.00"))


def statement_v02() -> bytes:
    """camt.053.001.02: a payment of C002's bill by bill number, a fee; balances that add up."""
    txs = [
        Tx("80.00", bank_ref="BR0300", end_to_end="E2E-0300", text="BOLLETTA B2026000102"),
        Tx("1.20", credit=False, bank_ref="BR0301", debtor=None, text="SPESE", family=("ACMT", "MDOP", "CHRG")),
    ]
    return Writer("camt.053", "02").document("STM-V02", txs, opening=Decimal("200.00"))


def notification_v04() -> bytes:
    """camt.054.001.04: a payment of C003's bill by RF reference."""
    txs = [Tx("120.00", bank_ref="BR0400", end_to_end="E2E-0400", rf=rf_reference("B2026000103"))]
    return Writer("camt.054", "04").document("NTF-V04", txs)


FILES = {
    "camt054_v08_notifica.xml": notification_v08,
    "camt053_v08_estratto.xml": statement_v08,
    "camt054_v08_iban.xml": iban_v08,
    "camt053_v08_non_quadra.xml": unbalanced_v08,
    "camt053_v02_estratto.xml": statement_v02,
    "camt054_v04_notifica.xml": notification_v04,
}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def main() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, build in FILES.items():
        (FIXTURES / name).write_bytes(build())


if __name__ == "__main__":
    main()
