"""The integrity of a receipt's S/MIME signature (``multipart/signed``, a detached PKCS#7 ``SignedData``).

What is checked, with the standard library alone (a small DER reader, ``hashlib`` and RSA's modular
exponentiation):

1. the signed part — the first part of the ``multipart/signed``, exactly as received, line ends made
   CRLF (the canonical form S/MIME signs) — hashed with the signer's digest algorithm equals the
   ``messageDigest`` attribute the signer signed;
2. the signature over the signed attributes verifies (RSA, PKCS#1 v1.5) with the public key of the
   certificate the signature names (issuer and serial number), carried in the signature itself.

So a receipt changed after the provider signed it — its ``daticert.xml``, its text — is told apart
from an intact one. What is *not* checked here is whether that certificate belongs to an accredited PEC
provider: that needs the official list of the providers' certificates, which an installation configures.
Algorithms other than RSA (ECDSA, RSA-PSS) are reported as not verifiable, never as valid.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

VALID = "valida"
INVALID = "non valida"
UNVERIFIABLE = "non verificabile"
ABSENT = "assente"

_SIGNED_DATA = "1.2.840.113549.1.7.2"
_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
_RSA = {"1.2.840.113549.1.1.1", "1.2.840.113549.1.1.5", "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12"}
_RSA |= {"1.2.840.113549.1.1.13", "1.2.840.113549.1.1.14"}
_DIGESTS = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "2.16.840.1.101.3.4.2.4": "sha224",
}
_BOUNDARY = re.compile(rb'boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))', re.IGNORECASE)


class _Malformed(ValueError):
    """The signature's structure is not what PKCS#7 says."""


@dataclass(frozen=True)
class SignatureCheck:
    status: str  # VALID, INVALID, UNVERIFIABLE, ABSENT
    detail: str = ""  # Italian: why, or who signed


@dataclass(frozen=True)
class _Node:
    tag: int
    data: bytes  # the whole buffer
    start: int  # where the content starts
    end: int  # where the content ends
    first: int  # where the tag is

    @property
    def content(self) -> bytes:
        return self.data[self.start : self.end]

    @property
    def encoded(self) -> bytes:
        return self.data[self.first : self.end]

    def children(self) -> list[_Node]:
        nodes, position = [], self.start
        while position < self.end:
            node = _read(self.data, position, self.end)
            if node.tag == 0 and node.start == node.end:  # end-of-contents of an indefinite length
                break
            nodes.append(node)
            position = _after(node)
        return nodes


def _read(data: bytes, position: int, limit: int) -> _Node:
    if position + 2 > limit:
        raise _Malformed("DER troncato")
    tag, length = data[position], data[position + 1]
    start = position + 2
    if tag & 0x1F == 0x1F:
        raise _Malformed("etichetta DER non supportata")
    if length == 0x80:  # indefinite length (BER): up to the end-of-contents
        node = _Node(tag, data, start, limit, position)
        end = start
        for child in node.children():
            end = _after(child)
        return _Node(tag, data, start, end, position)
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or start + count > limit:
            raise _Malformed("lunghezza DER non valida")
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    if start + length > limit:
        raise _Malformed("DER troncato")
    return _Node(tag, data, start, start + length, position)


def _after(node: _Node) -> int:
    indefinite = node.data[node.first + 1] == 0x80
    return node.end + 2 if indefinite else node.end


def _oid(node: _Node) -> str:
    if node.tag != 0x06 or not node.content:
        raise _Malformed("OID atteso")
    raw = node.content
    parts = [raw[0] // 40, raw[0] % 40]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


def _octets(node: _Node) -> bytes:
    """An OCTET STRING, also in its constructed (BER) form."""
    if node.tag == 0x04:
        return node.content
    if node.tag == 0x24:
        return b"".join(_octets(child) for child in node.children())
    raise _Malformed("OCTET STRING atteso")


def _integer(node: _Node) -> int:
    if node.tag != 0x02:
        raise _Malformed("INTEGER atteso")
    return int.from_bytes(node.content, "big", signed=False)


def check_signature(raw: bytes, signature: bytes) -> SignatureCheck:
    """The integrity of the ``multipart/signed`` message ``raw`` and its detached ``signature`` (DER)."""
    signed = signed_part(raw)
    if signed is None:
        return SignatureCheck(UNVERIFIABLE, "parte firmata non individuabile nel messaggio")
    try:
        return _verify(signed, signature)
    except (_Malformed, IndexError, ValueError, StopIteration, OverflowError) as error:
        return SignatureCheck(INVALID, f"firma PKCS#7 illeggibile: {error}")


def signed_part(raw: bytes) -> bytes | None:
    """The first part of the top-level ``multipart/signed``, byte for byte, in canonical CRLF form."""
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        head, separator, body = raw.partition(b"\n\n")
    match = _BOUNDARY.search(re.sub(rb"\r?\n[ \t]+", b" ", head))
    if not separator or match is None:
        return None
    delimiter = b"--" + (match.group(1) or match.group(2))
    first = body.find(delimiter)
    if first < 0:
        return None
    start = body.find(b"\n", first) + 1
    end = body.find(b"\n" + delimiter, start)
    if start <= 0 or end < 0:
        return None
    part = body[start:end]
    if part.endswith(b"\r"):
        part = part[:-1]  # the line break before the delimiter belongs to the delimiter
    return re.sub(rb"(?<!\r)\n", b"\r\n", part)


def _verify(signed: bytes, signature: bytes) -> SignatureCheck:
    info = _read(signature, 0, len(signature))
    content_type, wrapped = info.children()[:2]
    if _oid(content_type) != _SIGNED_DATA or wrapped.tag != 0xA0:
        return SignatureCheck(INVALID, "non è una firma PKCS#7 SignedData")
    signed_data = wrapped.children()[0].children()
    certificates = next((n.children() for n in signed_data if n.tag == 0xA0), [])
    signer_infos = signed_data[-1].children()
    if not signer_infos:
        return SignatureCheck(INVALID, "nessun firmatario")
    signer = signer_infos[0].children()
    sid, digest_algorithm = signer[1], _oid(signer[2].children()[0])
    attributes = next((n for n in signer if n.tag == 0xA0), None)
    algorithm = _oid(next(n for n in signer[3:] if n.tag == 0x30).children()[0])
    value = next(n for n in signer if n.tag == 0x04)
    digest_name = _DIGESTS.get(digest_algorithm)
    if digest_name is None:
        return SignatureCheck(UNVERIFIABLE, f"algoritmo di impronta non supportato ({digest_algorithm})")
    if attributes is None:
        return SignatureCheck(UNVERIFIABLE, "firma senza attributi firmati")
    expected = _message_digest(attributes)
    if expected is None or hashlib.new(digest_name, signed).digest() != expected:
        return SignatureCheck(INVALID, "il contenuto non corrisponde all'impronta firmata: ricevuta alterata")
    if algorithm not in _RSA:
        return SignatureCheck(UNVERIFIABLE, f"algoritmo di firma non supportato ({algorithm})")
    certificate = _certificate_of(certificates, sid)
    if certificate is None:
        return SignatureCheck(UNVERIFIABLE, "certificato del firmatario assente dalla firma")
    modulus, exponent, subject = certificate
    # The signed attributes are signed as a DER SET (their [0] IMPLICIT tag replaced by SET's).
    to_sign = b"\x31" + attributes.encoded[1:]
    if not _rsa_verifies(
        modulus, exponent, _octets(value), digest_algorithm, hashlib.new(digest_name, to_sign).digest()
    ):
        return SignatureCheck(INVALID, "firma non valida per il certificato del firmatario")
    return SignatureCheck(VALID, f"firmata da {subject}")


def _message_digest(attributes: _Node) -> bytes | None:
    for attribute in attributes.children():
        kind, values = attribute.children()[:2]
        if _oid(kind) == _MESSAGE_DIGEST:
            return _octets(values.children()[0])
    return None


def _certificate_of(certificates: list[_Node], sid: _Node) -> tuple[int, int, str] | None:
    """(modulus, exponent, subject) of the RSA certificate ``sid`` names (issuer and serial number)."""
    if sid.tag != 0x30:
        return None  # a subject key identifier: not matched here
    issuer, serial = sid.children()[:2]
    for certificate in certificates:
        if certificate.tag != 0x30:
            continue
        tbs = certificate.children()[0].children()
        fields = tbs[1:] if tbs[0].tag == 0xA0 else tbs  # [0] version
        if _integer(fields[0]) != _integer(serial) or fields[2].encoded != issuer.encoded:
            continue
        key_info = fields[5].children()
        if _oid(key_info[0].children()[0]) != "1.2.840.113549.1.1.1":
            return None
        bits = key_info[1]
        key = _read(bits.content, 1, len(bits.content))  # after the unused-bits byte
        modulus, exponent = (_integer(n) for n in key.children()[:2])
        return modulus, exponent, _common_name(fields[4])
    return None


def _common_name(name: _Node) -> str:
    for rdn in name.children():
        for attribute in rdn.children():
            kind, value = attribute.children()[:2]
            if _oid(kind) == "2.5.4.3":
                return value.content.decode("utf-8", "replace")
    return "firmatario senza nome"


def _rsa_verifies(modulus: int, exponent: int, signature: bytes, digest_oid: str, value: bytes) -> bool:
    """RSASSA-PKCS1-v1_5: the signature, raised to the exponent, is the padded DigestInfo."""
    size = (modulus.bit_length() + 7) // 8
    if len(signature) != size:
        return False
    message = pow(int.from_bytes(signature, "big"), exponent, modulus).to_bytes(size, "big")
    oid = _encode_oid(digest_oid)
    candidates = []
    for algorithm in (b"\x30" + bytes([len(oid) + 2]) + oid + b"\x05\x00", b"\x30" + bytes([len(oid)]) + oid):
        digest_info = b"\x30" + bytes([len(algorithm) + len(value) + 2]) + algorithm + b"\x04" + bytes([len(value)])
        digest_info += value
        candidates.append(b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info)
    return message in candidates


def _encode_oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray([parts[0] * 40 + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.append(0x80 | (part & 0x7F))
            part >>= 7
        body.extend(reversed(chunk))
    return b"\x06" + bytes([len(body)]) + bytes(body)
