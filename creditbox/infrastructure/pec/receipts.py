"""Reading a PEC receipt (``.eml``): its headers, its S/MIME structure and its ``daticert.xml``.

The message is parsed with the standard ``email`` package (default policy). The receipt is usually
S/MIME ``multipart/signed`` (``application/pkcs7-signature`` or ``x-pkcs7-signature``) around a
``multipart/mixed``; ``daticert.xml`` is found by its file name wherever it is — an attachment, or
inline with a name — but never inside the copy of our original message (``postacert.eml``, a
``message/rfc822`` part, which is not descended into).

``daticert.xml`` comes from outside: it is parsed with no DTD loaded, no entity resolved, no network,
and at most ``MAX_DATICERT_BYTES`` (real ones carry a ``DOCTYPE`` naming ``Postacert.dtd``, which is
never fetched). Its time is the provider's local time with the zone written beside it (``+0100``).

The signature's integrity is checked (``smime.py``): the signed part against the signed digest, the
signature against the certificate it carries. Whether that certificate is an accredited provider's
needs the official list of PEC providers' certificates, which an installation configures.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser

from lxml import etree

from creditbox.application.pec_receipts import RECEIPT_TYPES, PecReceipt, ReceiptUnreadable
from creditbox.infrastructure.pec.smime import ABSENT, SignatureCheck, check_signature

DATICERT = "daticert.xml"
MAX_RECEIPT_BYTES = 50 << 20  # a delivery receipt *completa* carries our whole message
MAX_DATICERT_BYTES = 1 << 20
SIGNATURE_TYPES = ("application/pkcs7-signature", "application/x-pkcs7-signature")
_ZONE = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_pis=True,
    remove_comments=True,
)


def parse_receipt(content: bytes) -> PecReceipt:
    """The receipt in ``content``; ``ReceiptUnreadable`` (Italian) when it is not one that can be read."""
    if len(content) > MAX_RECEIPT_BYTES:
        raise ReceiptUnreadable(f"messaggio troppo grande ({len(content)} byte, al massimo {MAX_RECEIPT_BYTES})")
    message = BytesParser(policy=policy.default).parsebytes(content)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise ReceiptUnreadable("non è un messaggio di posta (.eml): nessuna intestazione")
    header_kind = _header(message, "X-Ricevuta")
    parts = [_Part(part) for part in _parts(message)]  # each part's headers parsed once
    xml = _daticert(parts)
    if xml is None:
        what = f"ricevuta «{header_kind}»" if header_kind else "messaggio senza intestazione X-Ricevuta"
        raise ReceiptUnreadable(f"{what}: daticert.xml assente, non è una ricevuta PEC leggibile", DATICERT)
    fields = _read_daticert(xml)
    signature = _signature(parts, content)
    return PecReceipt(
        kind=fields.kind,
        reference=fields.msgid,
        issued_at=fields.issued_at,
        zone=fields.zone,
        header_kind=header_kind.lower() if header_kind else None,
        header_reference=_header(message, "X-Riferimento-Message-ID"),
        receipt_id=_header(message, "Message-ID"),
        recipient=fields.recipient,
        error=fields.error,
        error_detail=fields.error_detail,
        provider=fields.provider,
        transport_id=fields.transport_id,
        subject=fields.subject,
        delivery_type=fields.delivery_type or _lower(_header(message, "X-TipoRicevuta")),
        signed=signature.status != ABSENT,
        signature=signature.status,
        signature_detail=signature.detail,
        has_original=any(part.filename == "postacert.eml" for part in parts),
    )


class _Daticert:
    """The fields of ``daticert.xml`` that matter."""

    def __init__(self, root: etree._Element) -> None:
        if etree.QName(root).localname != "postacert":
            raise ReceiptUnreadable(f"daticert.xml: elemento radice «{etree.QName(root).localname}», atteso postacert")
        self.kind = (root.get("tipo") or "").strip().lower()
        if self.kind not in RECEIPT_TYPES:
            raise ReceiptUnreadable(f"daticert.xml: tipo di ricevuta sconosciuto «{self.kind}»", DATICERT)
        error = (root.get("errore") or "nessuno").strip().lower()
        self.error = None if error == "nessuno" else error
        msgid = _text(root, "dati/msgid")
        if not msgid:
            raise ReceiptUnreadable("daticert.xml: msgid assente (il messaggio a cui risponde)", DATICERT)
        self.msgid = msgid if msgid.startswith("<") else f"<{msgid}>"
        self.issued_at, self.zone = _time(root)
        self.recipient = _text(root, "dati/consegna") or _text(root, "intestazione/destinatari")
        self.error_detail = _text(root, "dati/errore-esteso")
        self.provider = _text(root, "dati/gestore-emittente")
        self.transport_id = _text(root, "dati/identificativo")
        self.subject = _text(root, "intestazione/oggetto")
        receipt = root.find("dati/ricevuta")
        self.delivery_type = None
        if receipt is not None:
            self.delivery_type = (receipt.get("tipo") or "").strip().lower() or None


def _read_daticert(xml: bytes) -> _Daticert:
    if len(xml) > MAX_DATICERT_BYTES:
        raise ReceiptUnreadable(f"daticert.xml troppo grande ({len(xml)} byte)", DATICERT)
    try:
        root = etree.fromstring(xml, parser=_PARSER)
    except etree.XMLSyntaxError as error:
        raise ReceiptUnreadable(f"daticert.xml non è XML valido: {error}", DATICERT) from None
    return _Daticert(root)


def _time(root: etree._Element) -> tuple[datetime, str]:
    data = root.find("dati/data")
    if data is None:
        raise ReceiptUnreadable("daticert.xml: data della ricevuta assente", DATICERT)
    zone = (data.get("zona") or "").strip()
    day, hour = _text(data, "giorno"), _text(data, "ora")
    match = _ZONE.match(zone)
    if match is None or not day or not hour:
        raise ReceiptUnreadable(f"daticert.xml: data non leggibile ({day} {hour} zona {zone!r})", DATICERT)
    sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes)) * (-1 if sign == "-" else 1)
    try:
        local = datetime.strptime(f"{day} {hour}", "%d/%m/%Y %H:%M:%S")
    except ValueError:
        raise ReceiptUnreadable(f"daticert.xml: data non valida «{day} {hour}»", DATICERT) from None
    return local.replace(tzinfo=timezone(offset)), zone


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find(path)
    if found is None:
        return None
    text = "".join(found.itertext()).strip()
    return text or None


def _parts(message: Message) -> Iterator[Message]:
    """Every part of ``message``, depth first, without entering an attached message (``postacert.eml``)."""
    yield message
    if message.get_content_type() == "message/rfc822":
        return
    if message.is_multipart():
        payload = message.get_payload()
        if isinstance(payload, list):
            for part in payload:
                if isinstance(part, Message):
                    yield from _parts(part)


class _Part:
    """A part with its content type and file name read once (the default policy parses headers on
    every access, which is most of the time spent reading a receipt)."""

    def __init__(self, message: Message) -> None:
        self.message = message
        self.content_type = message.get_content_type()
        name = message.get_filename()
        self.filename = name.strip().lower() if name is not None else None


def _daticert(parts: list[_Part]) -> bytes | None:
    for part in parts:
        if part.filename == DATICERT and not part.message.is_multipart():
            payload = part.message.get_payload(decode=True)
            if isinstance(payload, bytes) and payload.strip():
                return payload
    return None


def _signature(parts: list[_Part], content: bytes) -> SignatureCheck:
    """The integrity of the S/MIME signature around the receipt (``smime.py``)."""
    if parts[0].content_type != "multipart/signed":
        return SignatureCheck(ABSENT, "messaggio non firmato")
    for part in parts:
        if part.content_type in SIGNATURE_TYPES:
            payload = part.message.get_payload(decode=True)
            if isinstance(payload, bytes) and payload:
                return check_signature(content, payload)
    return SignatureCheck(ABSENT, "parte della firma assente o vuota")


def _header(message: Message, name: str) -> str | None:
    value = message.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _lower(value: str | None) -> str | None:
    return value.lower() if value is not None else None
