"""Letters as the channels get them: a ``ChannelMessage`` with its ``Notice`` and the company's
``Letterhead``, built in a few lines (the composer fills the same fields from the position)."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from pypdf import PdfReader

from creditbox.application.notices import Letterhead, Notice, NoticeBill, NoticeSupply, PostalAddress
from creditbox.application.ports import ChannelMessage

LETTERHEAD = Letterhead(
    name="Acque del Lazio S.p.A.",
    address=("Piazza Garibaldi 3", "00153 Roma (RM)"),
    vat_number="01234567890",
    iban="IT60X0542811101000000123456",
    phone="06 1234567",
    email="crediti@acquelazio.it",
    pec="crediti@pec.acquelazio.it",
    website="www.acquelazio.it",
    payment_instructions="Può pagare anche con PagoPA presso tabaccherie e uffici postali.",
)

BODY = (
    "Gentile cliente,\n"
    "dai nostri archivi risultano non pagate le bollette sotto indicate. La invitiamo a regolarizzare "
    "entro il termine indicato.\n\nDistinti saluti."
)

# What each kind of letter is, as the actions table says (channel, action code, step description, parameters).
KINDS: dict[str, tuple[str, str, str, dict[str, str]]] = {
    "bonario": ("lettera", "3", "Sollecito bonario (posta prioritaria)", {}),
    "raccomandata": ("raccomandata", "4", "Sollecito A/R", {}),
    "preavviso": ("raccomandata", "4", "Costituzione in mora A/R con preavviso di sospensione", {}),
}


def letter(
    key: str = "ACQ/C1/S1/1/2",
    *,
    kind: str = "raccomandata",
    customer: str = "C1",
    name: str = "Mario Rossi",
    address: PostalAddress | None = None,
    bills: tuple[NoticeBill, ...] | None = None,
    business_date: date = date(2026, 3, 2),
    text: str = BODY,
    subject: str = "Sollecito di pagamento",
) -> ChannelMessage:
    channel, code, description, parameters = KINDS[kind]
    bills = (
        bills
        if bills is not None
        else (
            NoticeBill(
                "2026/000123", date(2026, 1, 2), date(2026, 1, 31), Decimal("1234.50"), Decimal("1000.00"), "S1"
            ),
            NoticeBill("2026/000456", date(2026, 2, 2), date(2026, 2, 28), Decimal("88.20"), Decimal("88.20"), "S1"),
        )
    )
    notice = Notice(
        company=key.split("/", 1)[0],
        action_key=key,
        action_code=code,
        action_label=description,
        case_id=f"{customer}/S1/1",
        business_date=business_date,
        customer_code=customer,
        customer_name=name,
        tax_code="RSSMRA80A01H501U",
        address=address or PostalAddress("Via dei Glicini 12", "00184", "Roma", "RM"),
        supplies=(NoticeSupply("S1", "Acqua", "Via dei Glicini 12, Roma"),),
        bills=bills,
        total=sum((b.residual for b in bills), Decimal("0.00")),
        deadline=business_date + timedelta(days=15),
        parameters=dict(parameters),
    )
    return ChannelMessage(
        action_key=key,
        company=notice.company,
        channel=channel,
        recipient=", ".join(notice.address.lines()) if notice.address else None,
        subject=subject,
        text=text,
        notice=notice,
        letterhead=LETTERHEAD,
    )


def with_notice(message: ChannelMessage, **changes: object) -> ChannelMessage:
    assert message.notice is not None
    return replace(message, notice=replace(message.notice, **changes))  # type: ignore[arg-type]


def pdf_text(content: bytes) -> str:
    """The text of every page of a PDF, as a reader extracts it, with runs of spaces made one."""
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(re.sub(" +", " ", page.extract_text()) for page in reader.pages)


def pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)
