"""Every PEC receipt fixture (real format: S/MIME ``multipart/signed``, ``daticert.xml`` inline or as an
attachment, ``postacert.eml`` in the delivery receipt) read into its type, time and zone, reference,
recipient and error; the Message-ID scheme both ways; files that are not receipts refused in Italian;
``daticert.xml`` read without resolving entities."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from creditbox.application.message_ids import action_key_from, domain_of, message_id_for
from creditbox.application.pec_receipts import ReceiptUnreadable
from creditbox.infrastructure.pec.receipts import parse_receipt
from creditbox.infrastructure.pec.smime import check_signature

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pec"
ITALY_WINTER = timezone(timedelta(hours=1))


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "kind", "reference", "at", "recipient", "error"),
    [
        ("accettazione.eml", "accettazione", "ACQ/E1/S-E1/1/1", (10, 10, 15, 2), "amministrazione.e1", None),
        ("avvenuta-consegna.eml", "avvenuta-consegna", "ACQ/E1/S-E1/1/1", (10, 10, 15, 9), "amministrazione.e1", None),
        ("presa-in-carico.eml", "presa-in-carico", "ACQ/E2/S-E2/1/1", (10, 10, 16, 40), "amministrazione.e2", None),
        (
            "errore-consegna.eml",
            "errore-consegna",
            "ACQ/E2/S-E2/1/1",
            (11, 10, 16, 45),
            "amministrazione.e2",
            "no-dest",
        ),
        ("non-accettazione.eml", "non-accettazione", "ACQ/E3/S-E3/1/1", (10, 10, 17, 3), "amministrazione.e3", "altro"),
        ("sconosciuta.eml", "avvenuta-consegna", "ACQ/NESSUNO/S-NESSUNO/1/1", (12, 9, 0, 0), "amministrazione.n", None),
    ],
)
def test_every_fixture_is_read(
    name: str, kind: str, reference: str, at: tuple[int, int, int, int], recipient: str, error: str | None
) -> None:
    receipt = parse_receipt(_read(name))

    assert receipt.kind == kind and receipt.header_kind == kind
    assert receipt.reference == f"<{reference}@pec.acque.example.it>"
    assert receipt.header_reference == receipt.reference and receipt.disagreement() is None
    assert action_key_from(receipt.reference) == reference
    day, hour, minute, second = at
    assert receipt.issued_at == datetime(2026, 2, day, hour, minute, second, tzinfo=ITALY_WINTER)
    assert receipt.zone == "+0100" and receipt.issued_at.date().day == day
    assert receipt.recipient is not None and receipt.recipient.startswith(recipient)
    assert receipt.error == error
    assert receipt.signed
    assert receipt.receipt_id is not None and receipt.receipt_id.startswith("<opec21.")
    assert receipt.provider == "Gestore PEC di prova S.p.A."


def test_the_delivery_receipt_carries_the_original_and_the_error_its_detail() -> None:
    delivered = parse_receipt(_read("avvenuta-consegna.eml"))
    failed = parse_receipt(_read("errore-consegna.eml"))

    assert delivered.has_original and delivered.delivery_type == "completa"
    assert failed.error_detail is not None and "5.1.1" in failed.error_detail
    assert not parse_receipt(_read("accettazione.eml")).has_original


def test_daticert_is_found_by_name_inline_or_as_attachment() -> None:
    inline = _read("accettazione.eml")
    attached = _read("avvenuta-consegna.eml")

    assert b'Content-Disposition: inline; filename="daticert.xml"' in inline
    assert b'Content-Disposition: attachment; filename="daticert.xml"' in attached
    assert parse_receipt(inline).kind == "accettazione"
    assert parse_receipt(attached).kind == "avvenuta-consegna"


def test_headers_that_disagree_with_daticert_are_told() -> None:
    content = _read("avvenuta-consegna.eml").replace(
        b"X-Riferimento-Message-ID: <ACQ/E1/S-E1/1/1@", b"X-Riferimento-Message-ID: <ACQ/E9/S-E9/1/1@"
    )

    receipt = parse_receipt(content)

    assert receipt.disagreement() is not None and "X-Riferimento-Message-ID" in str(receipt.disagreement())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "nessuna intestazione"),
        (b"From: a@b.it\r\nSubject: ciao\r\n\r\nnessuna ricevuta\r\n", "daticert.xml assente"),
    ],
)
def test_what_is_not_a_receipt_is_refused_in_italian(content: bytes, message: str) -> None:
    with pytest.raises(ReceiptUnreadable, match=message):
        parse_receipt(content)


def _with_daticert(xml: bytes) -> bytes:
    return (
        b"From: posta-certificata@pec.gestore.example\r\nX-Ricevuta: accettazione\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: application/xml\r\nContent-Disposition: inline; filename="daticert.xml"\r\n\r\n' + xml
    )


def test_entities_in_daticert_are_never_resolved() -> None:
    xml = (
        b'<?xml version="1.0"?>\n<!DOCTYPE postacert [<!ENTITY segreto SYSTEM "file:///etc/passwd">]>\n'
        b'<postacert tipo="accettazione" errore="nessuno"><dati>'
        b'<data zona="+0100"><giorno>10/02/2026</giorno><ora>10:15:02</ora></data>'
        b"<msgid>&lt;ACQ/E1/S-E1/1/1@pec.acque.example.it&gt;</msgid><identificativo>&segreto;</identificativo>"
        b"</dati></postacert>"
    )

    receipt = parse_receipt(_with_daticert(xml))

    assert receipt.kind == "accettazione"
    assert receipt.transport_id is None or "root:" not in receipt.transport_id


def test_a_daticert_of_an_unknown_type_is_refused() -> None:
    xml = b'<postacert tipo="cartolina" errore="nessuno"><dati><msgid>x@y</msgid></dati></postacert>'

    with pytest.raises(ReceiptUnreadable, match="tipo di ricevuta sconosciuto"):
        parse_receipt(_with_daticert(xml))


@pytest.mark.parametrize("key", ["ACQ/C0001/S1/1/2", "ACQ/Rossi.Mario/S 1/1/1", "ACQ/città/S.1./2/3", "ACQ/C~1/%/1/1"])
def test_message_ids_give_back_their_action_keys(key: str) -> None:
    message_id = message_id_for(key, domain_of("Solleciti@PEC.Acque.example.it"))

    local = message_id[1 : message_id.index("@")]
    assert ".." not in local and not local.endswith(".") and " " not in message_id
    assert message_id.endswith("@pec.acque.example.it>")
    assert action_key_from(message_id) == key


@pytest.mark.parametrize("message_id", ["<abc@provider.it>", "niente", "<@x.it>", "<%FF%FE/x@y.it>"])
def test_message_ids_not_ours_give_no_key(message_id: str) -> None:
    assert action_key_from(message_id) is None


@pytest.mark.parametrize("name", [p.name for p in sorted(FIXTURES.glob("*.eml"))])
def test_every_fixture_signature_is_intact(name: str) -> None:
    receipt = parse_receipt(_read(name))

    assert receipt.signature == "valida", receipt.signature_detail
    assert receipt.signature_detail == "firmata da posta-certificata@pec.gestore.example"


def test_a_receipt_saved_with_bare_line_feeds_still_verifies() -> None:
    content = _read("avvenuta-consegna.eml").replace(b"\r\n", b"\n")

    assert parse_receipt(content).signature == "valida"


def test_a_receipt_changed_after_signing_is_told_apart() -> None:
    content = _read("avvenuta-consegna.eml").replace(b"10:15:09 (+0100)", b"10:15:19 (+0100)", 1)

    receipt = parse_receipt(content)

    assert receipt.signature == "non valida" and "alterata" in receipt.signature_detail


def test_a_signature_whose_value_was_changed_does_not_verify() -> None:
    raw = _read("accettazione.eml")
    message = message_from_bytes(raw, policy=policy.default)
    part = next(p for p in message.walk() if p.get_content_type() == "application/x-pkcs7-signature")
    signature = bytearray(part.get_payload(decode=True))
    signature[-5] ^= 0x01

    check = check_signature(raw, bytes(signature))

    assert check.status == "non valida" and "certificato" in check.detail
    assert check_signature(raw, bytes(signature[:40])).status == "non valida"
    assert check_signature(b"Subject: x\r\n\r\nniente", bytes(signature)).status == "non verificabile"
