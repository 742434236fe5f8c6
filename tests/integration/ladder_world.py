"""The company, the customers and the outside world of the test that runs every ladder of the standard
table through the real channels (``test_ladders_through_channels.py``).

One customer per ladder, classified so that its overdue bill opens a case on that ladder; the
company's channel configuration sends SMS to an HTTP gateway, e-mail and PEC to an SMTP server, letters
through ``posta``, requests through ``ufficio-tecnico`` and hand-overs through ``agenzia``. The outside
world answers only with files: the gateway's delivery reports, the PEC provider's receipts for the
messages the SMTP server received, the postal provider's A/R outcomes for the day's batch, the technical
office's list filled in, the agency's outcome file — each imported through ``InboundFiles``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes, policy
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from creditbox.application.inbound import InboundResult
from creditbox.application.message_ids import action_key_from
from creditbox.application.records import BillRecord, CustomerRecord, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.domain.codes import ActionCode, CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.documents import SupplyDetails
from creditbox.domain.workflow.outcomes import StepOutcome
from tests.builders import details
from tests.fixtures.pec.make_receipts import Receipt, receipt_message
from tests.integration.offices import workbook_bytes
from tests.integration.sms_gateway import SmsGateway
from tests.integration.smtp_server import CERTIFICATE, PASSWORD, USER, Mailbox

COMPANY = "ACQ"
DUE = date(2026, 1, 31)
ISSUED = date(2026, 1, 1)
TABLE = Path(__file__).resolve().parents[2] / "creditbox" / "data" / "standard-actions-table.csv"
PEC_SENDER = "solleciti@pec.acque.example.it"
MAIL_SENDER = "solleciti@acque.example.it"


@dataclass(frozen=True)
class Customer:
    """One customer and the ladder its classification puts its overdue bill on."""

    ladder: str
    code: str
    customer_type: CustomerType
    service: Service
    supply_type: SupplyType
    status: SupplyStatus
    amount: Decimal

    @property
    def supply_code(self) -> str:
        return f"S-{self.code}"

    def records(self) -> list[CustomerRecord | SupplyRecord | BillRecord]:
        lower = self.code.lower()
        contacts = details(
            f"Cliente {self.code}",
            self.customer_type,
            mobile="3331234567",
            email=f"{lower}@example.it",
            pec=f"{lower}@pec.example.it",
            address="Via Roma 1",
            postcode="00184",
            city="Roma",
            province="RM",
        )
        supply = SupplyDetails(
            self.supply_code,
            self.service,
            self.supply_type,
            status=self.status,
            meter=f"MT-{self.code}",
            address="Via Roma 1, Roma",
        )
        return [
            CustomerRecord(self.code, contacts),
            SupplyRecord(self.code, supply),
            BillRecord(f"B-{self.code}", self.code, self.supply_code, ISSUED, DUE, self.amount),
        ]


# Amounts on both sides of the 1,000 EUR band, so both endings (litigation, write-off request) are run.
CUSTOMERS = [
    Customer(
        "ENTI",
        "E1",
        CustomerType.PUBLIC_BODY,
        Service.WATER,
        SupplyType.SUSPENDABLE,
        SupplyStatus.ACTIVE,
        Decimal("1500.00"),
    ),
    Customer(
        "ENTI-FORNITURA",
        "F1",
        CustomerType.NON_DOMESTIC,
        Service.WATER,
        SupplyType.PUBLIC_BODY,
        SupplyStatus.ACTIVE,
        Decimal("800.00"),
    ),
    Customer(
        "ACQUA-DOMESTICI",
        "A1",
        CustomerType.DOMESTIC,
        Service.WATER,
        SupplyType.SUSPENDABLE,
        SupplyStatus.ACTIVE,
        Decimal("1200.00"),
    ),
    Customer(
        "SOSPENDIBILI",
        "G1",
        CustomerType.DOMESTIC,
        Service.GAS,
        SupplyType.SUSPENDABLE,
        SupplyStatus.ACTIVE,
        Decimal("400.00"),
    ),
    Customer(
        "TELEFONO",
        "T1",
        CustomerType.NON_DOMESTIC,
        Service.TELEPHONE,
        SupplyType.DEACTIVATABLE,
        SupplyStatus.ACTIVE,
        Decimal("600.00"),
    ),
    Customer(
        "NON-SOSPENDIBILI",
        "N1",
        CustomerType.DOMESTIC,
        Service.ELECTRICITY,
        SupplyType.NON_SUSPENDABLE,
        SupplyStatus.ACTIVE,
        Decimal("2000.00"),
    ),
    Customer(
        "CESSATI",
        "X1",
        CustomerType.DOMESTIC,
        Service.GAS,
        SupplyType.SUSPENDABLE,
        SupplyStatus.TERMINATED,
        Decimal("300.00"),
    ),
]


def table_ladders() -> list[str]:
    """The ladders of the standard table, in table order."""
    with TABLE.open(encoding="utf-8") as handle:
        return list(dict.fromkeys(row["ladder"] for row in csv.DictReader(handle)))


@dataclass(frozen=True)
class Row:
    """A row of the standard table, as much of it as the test checks."""

    seq: int
    action_code: ActionCode
    approval_level: int
    start_point: str
    wait_before_days: int


def expected_steps(customer: Customer) -> list[Row]:
    """The rows of the customer's ladder whose amount band holds its overdue amount, in order: the
    steps the case must execute, the last one last."""
    steps: list[Row] = []
    with TABLE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["ladder"] != customer.ladder:
                continue
            low = Decimal(row["amount_min"] or "0")
            high = Decimal(row["amount_max"]) if row["amount_max"] else None
            if low <= customer.amount and (high is None or customer.amount < high):
                code = ActionCode(int(row["action_code"]))
                wait = int(row["wait_before_days"])
                steps.append(Row(int(row["seq"]), code, int(row["approval_level"]), row["start_point"], wait))
    return steps


# ---- the company's channel configuration ---------------------------------------------------------


def configure_channels(c: Container, gateway: SmsGateway, smtp_port: int, secrets: Path) -> None:
    """The company's channels as ``creditbox channels config set`` saves them; secrets in files."""
    secrets.mkdir(parents=True, exist_ok=True)
    (secrets / "sms-token").write_text("token-di-prova\n", encoding="utf-8")
    (secrets / "smtp-password").write_text(PASSWORD + "\n", encoding="utf-8")
    mail = {
        "host": "localhost",
        "port": smtp_port,
        "security": "starttls",
        "username": USER,
        "timeout": 10,
        "ca_file": str(CERTIFICATE),
    }
    password = {"password": f"file:{secrets / 'smtp-password'}"}
    document: dict[str, Any] = {
        "channels": {
            "sms": {
                "adapter": "sms-http",
                "sender": "ACQUE",
                "options": gateway.options(),
                "secrets": {"token": f"file:{secrets / 'sms-token'}"},
            },
            "email": {"adapter": "smtp", "sender": MAIL_SENDER, "options": mail, "secrets": password},
            "pec": {"adapter": "pec", "sender": PEC_SENDER, "options": mail, "secrets": password},
            "lettera": {"adapter": "posta"},
            "raccomandata": {"adapter": "posta"},
            "ufficio_tecnico": {
                "adapter": "ufficio-tecnico",
                "options": {"office": "UT", "office_name": "Ufficio tecnico"},
            },
            "agenzia": {"adapter": "agenzia", "options": {"agency": "ADR1", "agency_name": "Recuperi Srl"}},
        },
        "letterhead": {
            "name": "Acque S.p.A.",
            "address": ["Corso Italia 1", "20122 Milano (MI)"],
            "vat_number": "01234567890",
            "iban": "IT60X0542811101000000123456",
            "phone": "02 1234567",
            "email": "crediti@acque.example.it",
            "pec": PEC_SENDER,
        },
    }
    c.channel_config().change(COMPANY, document, by="amministratore", note="canali reali", source="test")


def given_customers(c: Container) -> None:
    c.companies.register(COMPANY, "Acque S.p.A.", by="test")
    records: list[CustomerRecord | SupplyRecord | BillRecord] = []
    for customer in CUSTOMERS:
        records += customer.records()
    c.ingestor().ingest(COMPANY, records, by="test")
    c.projections.catch_up()


# ---- the files that come back --------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptFor(Receipt):
    """A receipt of the PEC provider for a message the SMTP server received (its own Message-ID)."""

    reference: str = ""
    to: str = ""

    @property
    def message_id(self) -> str:
        return self.reference

    @property
    def recipient(self) -> str:
        return self.to


def sms_reports(keys: list[str], on: date) -> bytes:
    reports = [
        {"client_reference": key, "status": "delivered", "at": f"{on.isoformat()}T10:15:00+01:00"} for key in keys
    ]
    return json.dumps({"reports": reports}).encode("utf-8")


def pec_receipt(received: bytes, kind: str, on: date, serial: int) -> bytes:
    """The provider's receipt of ``kind`` for the message the server received, signed like a provider's."""
    message = message_from_bytes(received, policy=policy.default)
    stamp = f"{on:%Y%m%d}101509.{serial:05d}.{kind[:4]}"
    receipt = ReceiptFor(
        file="",
        kind=kind,
        customer="",
        day=f"{on:%d/%m/%Y}",
        time="10:15:09",
        receipt_id=f"<opec21.{stamp}.02.1.18@pec.example.it>",
        transport_id=f"opec21.{stamp}.01.1.17@pec.gestore.example",
        complete=False,
        reference=str(message["Message-ID"]),
        to=str(message["To"]),
    )
    return receipt_message(receipt)


def postal_outcomes(keys: list[str], outcome: str, on: date) -> bytes:
    """The postal provider's CSV: the ``outcome`` of each registered letter named, on ``on``."""
    lines = ["Chiave azione;Esito;Data esito;Numero raccomandata"]
    lines += [f"{key};{outcome};{on:%d/%m/%Y};RR{n:09d}IT" for n, key in enumerate(keys, 1)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def technical_answers(sent_list: bytes, on: date) -> bytes:
    """The office's list as it sent it back: every request done on ``on``."""
    sheet = load_workbook(BytesIO(sent_list)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    outcome, when = header.index("Esito"), header.index("Data esito")
    for row in rows[1:]:
        row[outcome], row[when] = "eseguito", datetime(on.year, on.month, on.day)
    return workbook_bytes(sheet.title, rows)


def agency_outcomes(keys: list[str], on: date) -> bytes:
    """The agency's CSV: each assignment closed without success on ``on`` (the ladder goes on)."""
    out = StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Riferimento affidamento", "Tipo esito", "Data", "Importo", "Riferimento pagamento", "Note"])
    for key in keys:
        writer.writerow([key, "chiusura negativa", f"{on:%d/%m/%Y}", "", "", "debitore insolvibile"])
    return out.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class Answer:
    """A file that comes back on ``on``: the outcome it records for each action it names."""

    on: date
    kind: str
    filename: str
    content: bytes
    keys: tuple[str, ...]
    outcome: StepOutcome
    outcome_on: date


@dataclass
class OutsideWorld:
    """What answers, and when: files planned for later days, imported on their day."""

    c: Container
    mailbox: Mailbox
    planned: list[Answer] = field(default_factory=list)
    imported: list[tuple[Answer, InboundResult]] = field(default_factory=list)
    expected: dict[str, list[tuple[StepOutcome, date]]] = field(default_factory=dict)  # by action key
    heard: set[str] = field(default_factory=set)
    receipts: int = 0

    def plan(
        self,
        on: date,
        kind: str,
        filename: str,
        content: bytes,
        keys: list[str],
        outcome: StepOutcome,
        outcome_on: date | None = None,
    ) -> None:
        """A file to import on ``on``, and the outcome (dated ``outcome_on``, default ``on``) it must
        record for each of ``keys``."""
        self.planned.append(Answer(on, kind, filename, content, tuple(keys), outcome, outcome_on or on))
        for key in keys:
            self.expected.setdefault(key, []).append((outcome, outcome_on or on))

    def answer(self, day: date) -> None:
        """Import the files due today, through the one entry point of the CLI, the API and the inbox."""
        today = [a for a in self.planned if a.on <= day]
        self.planned = [a for a in self.planned if a.on > day]
        for answer in today:
            result = self.c.inbound_files().import_file(
                answer.kind, COMPANY, answer.filename, answer.content, by=answer.kind
            )
            self.imported.append((answer, result))

    def received_by_smtp(self) -> dict[str, bytes]:
        """The messages the SMTP server accepted, by the action key their Message-ID names."""
        found: dict[str, bytes] = {}
        for envelope in self.mailbox.envelopes:
            content = envelope.original_content
            assert isinstance(content, bytes)
            message_id = str(message_from_bytes(content, policy=policy.default)["Message-ID"])
            key = action_key_from(message_id)
            assert key is not None and key not in found, message_id  # each action once
            found[key] = content
        return found

    def hear_sent(self, day: date, sent: list[tuple[str, str]]) -> None:
        """The SMS and PEC messages sent today (``(channel, action key)``): reports and receipts planned."""
        sms = [key for channel, key in sent if channel == "sms" and key not in self.heard]
        if sms:
            on = day + timedelta(days=1)
            content = sms_reports(sms, on)
            self.plan(on, "esiti-sms", f"esiti-sms-{day:%Y%m%d}.json", content, sms, StepOutcome.DELIVERED)
        pec = [key for channel, key in sent if channel == "pec" and key not in self.heard]
        received = self.received_by_smtp()
        for key in pec:  # the provider's acceptance the same day, the delivery receipt the day after
            on = day + timedelta(days=1)
            self.receipts += 1
            accepted = pec_receipt(received[key], "accettazione", day, self.receipts)
            self.plan(on, "ricevute", f"accettazione-{self.receipts}.eml", accepted, [key], StepOutcome.SENT, day)
            delivered = pec_receipt(received[key], "avvenuta-consegna", on, self.receipts)
            self.plan(on, "ricevute", f"consegna-{self.receipts}.eml", delivered, [key], StepOutcome.DELIVERED)
        self.heard.update(key for _, key in sent)
