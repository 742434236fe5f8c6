"""The PDF of each letter, opened and read back: the customer and the address for the window, the
bills with their residuals, the total in euro, the deadline, how to pay, the action key; the
registered-mail fields on the registered letters only; the same message, the same bytes."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from creditbox.application.letters import LetterKind, letter_kind
from creditbox.application.notices import NoticeBill, PostalAddress
from creditbox.infrastructure.letters.pdf import LetterError, render_letter
from tests.letter_messages import LETTERHEAD, letter, pages, pdf_text, with_notice


def test_a_registered_letter_shows_the_customer_the_bills_the_total_and_how_to_pay() -> None:
    rendered = render_letter(letter(kind="raccomandata"))
    text = pdf_text(rendered.content)
    assert rendered.kind is LetterKind.REGISTERED and rendered.pages == pages(rendered.content) == 1
    for expected in (
        "Acque del Lazio S.p.A.",  # the letterhead
        "P. IVA 01234567890",
        "Mario Rossi",  # the recipient, for the window
        "Via dei Glicini 12",
        "00184 Roma (RM)",
        "Roma, 02/03/2026",  # place and date
        "Oggetto: Sollecito di pagamento",
        "Codice cliente C1",
        "dai nostri archivi risultano non pagate",  # the body
        "2026/000123 02/01/2026 31/01/2026 1.234,50 € 1.000,00 €",  # each bill: number, dates, amount, residual
        "2026/000456 02/02/2026 28/02/2026 88,20 € 88,20 €",
        "Totale da pagare 1.088,20 €",
        "entro il 17/03/2026",  # the deadline
        "IBAN IT60X0542811101000000123456",
        "PagoPA",  # the company's own instructions
        "Riferimento: ACQ/C1/S1/1/2",  # the reference line the outcomes correlate by
    ):
        assert expected in text, expected
    # The registered-mail fields: the box for the number, the return card's sender and recipient
    assert "RACCOMANDATA A/R" in text and "N. raccomandata" in text
    card = text[text.index("Dati per l'avviso di ricevimento (A/R)") :]
    assert "Mittente" in card and "Acque del Lazio S.p.A." in card and "Piazza Garibaldi 3" in card
    assert "Destinatario" in card and "Mario Rossi" in card and "00184 Roma (RM)" in card
    assert "Riferimento: ACQ/C1/S1/1/2" in card


def test_a_friendly_reminder_has_no_registered_mail_fields() -> None:
    rendered = render_letter(letter("ACQ/C1/S1/1/1", kind="bonario", subject="Sollecito bonario"))
    text = pdf_text(rendered.content)
    assert rendered.kind is LetterKind.FRIENDLY_REMINDER
    assert "Mario Rossi" in text and "Totale da pagare 1.088,20 €" in text and "Riferimento: ACQ/C1/S1/1/1" in text
    assert "RACCOMANDATA" not in text and "avviso di ricevimento" not in text and "N. raccomandata" not in text


def test_the_suspension_notice_is_a_registered_letter_that_says_so() -> None:
    rendered = render_letter(letter(kind="preavviso", subject="Costituzione in mora"))
    text = pdf_text(rendered.content)
    assert rendered.kind is LetterKind.SUSPENSION_NOTICE
    assert "PREAVVISO DI SOSPENSIONE" in text and "la fornitura potrà essere sospesa" in text
    assert "Dati per l'avviso di ricevimento (A/R)" in text


@pytest.mark.parametrize(
    ("channel", "code", "description", "parameters", "kind"),
    [
        ("lettera", "3", "Sollecito bonario (posta prioritaria)", {}, LetterKind.FRIENDLY_REMINDER),
        ("raccomandata", "4", "Sollecito A/R", {}, LetterKind.REGISTERED),
        ("raccomandata", 4, "Preavviso di sospensione A/R", {}, LetterKind.SUSPENSION_NOTICE),
        ("raccomandata", "4", "Costituzione in mora A/R", {"lettera": "Sospensione"}, LetterKind.SUSPENSION_NOTICE),
        ("raccomandata", "4", "Risoluzione contrattuale e distacco A/R", {}, LetterKind.REGISTERED),
    ],
)
def test_the_kind_of_letter_comes_from_the_actions_table(
    channel: str, code: str | int, description: str, parameters: dict[str, str], kind: LetterKind
) -> None:
    assert letter_kind(channel, code, description, parameters) is kind


def test_an_action_that_is_not_a_letter_is_refused() -> None:
    with pytest.raises(ValueError, match="non è una lettera"):
        letter_kind("sms", "1", "Avviso SMS", {})


def test_the_same_letter_renders_to_the_same_bytes() -> None:
    first, second = render_letter(letter()), render_letter(letter())
    assert first.content == second.content
    assert hashlib.sha256(first.content).digest() == hashlib.sha256(second.content).digest()
    # the creation date is the action's business date, not the time of rendering
    info = PdfReader(io.BytesIO(first.content)).metadata
    assert info is not None and str(info["/CreationDate"]).startswith("D:20260302")
    # another business date, another letter
    assert render_letter(letter(business_date=date(2026, 3, 3))).content != first.content


def test_a_long_body_and_many_bills_flow_over_pages_and_keep_every_bill() -> None:
    bills = tuple(
        NoticeBill(f"2025/{n:06d}", date(2025, 1, 1), date(2025, 1, 31), Decimal("10.00") * n, Decimal("5.00") * n)
        for n in range(1, 61)
    )
    body = "\n\n".join(["Testo della lettera con àèéìòù e il simbolo €. " * 12] * 8)
    message = letter(bills=bills, text=body, name="Società Agricola Sant'Antonio di Pàdova & Figli S.n.c.")
    foreign = render_letter(letter(name="Łukasz Wiśniewski, Ştefan Ţăranu, Δημήτρης Οικονόμου, Иван Петров"))
    rendered = render_letter(message)
    text = pdf_text(rendered.content)
    assert rendered.pages >= 3
    for n in range(1, 61):
        assert f"2025/{n:06d}" in text
    assert "Totale da pagare 9.150,00 €" in text  # 5 × (1 + … + 60)
    assert "Società Agricola Sant'Antonio di Pàdova & Figli S.n.c." in text
    for name in ("Łukasz Wiśniewski", "Ştefan Ţăranu", "Δημήτρης Οικονόμου", "Иван Петров"):  # beyond Latin-1
        assert name in " ".join(pdf_text(foreign.content).split())
    assert text.count("Riferimento: ACQ/C1/S1/1/2") >= rendered.pages  # on every page
    assert f"Pagina {rendered.pages} di {rendered.pages}" in text


def test_a_letter_without_a_postal_address_or_without_its_notice_is_not_made() -> None:
    with pytest.raises(LetterError, match="indirizzo postale"):
        render_letter(with_notice(letter(), address=PostalAddress("", "", "")))
    with pytest.raises(LetterError, match="non porta i dati"):
        render_letter(replace(letter(), notice=None))


def test_a_long_letterhead_and_a_letter_without_bills_or_iban_still_make_a_letter() -> None:
    head = replace(
        LETTERHEAD,
        name="Azienda Speciale Consortile per i Servizi Idrici Integrati della Provincia",
        address=("Direzione Amministrativa", "Ufficio Recupero Crediti", "Via Lunga 1", "00100 Roma (RM)"),
        iban="",
        payment_instructions="",
    )
    message = replace(with_notice(letter(), bills=(), total=Decimal("0.00"), deadline=None), letterhead=head)
    text = pdf_text(render_letter(message).content)
    assert "Ufficio Recupero Crediti" in text and "N. raccomandata" in text and "Mario Rossi" in text
    assert "Bollette non pagate" not in text and "IBAN" not in text and "Termine di pagamento" not in text
    assert "Roma, 02/03/2026" in text


def test_a_name_too_long_for_the_return_card_is_cut_there_and_whole_in_the_window() -> None:
    name = "Condominio Residenziale Parco dei Pini Via delle Magnolie Scala B Amministrazione Rossi"
    text = pdf_text(render_letter(letter(name=name)).content)
    card = text[text.index("Dati per l'avviso di ricevimento (A/R)") :]
    assert "Condominio Residenziale" in card and "…" in card
    assert name in " ".join(text[: text.index("Roma, 02/03/2026")].split())  # the window wraps, never cuts
