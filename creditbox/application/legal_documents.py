"""The documents attached to the milestones of the legal proceedings (*documenti del contenzioso*).

A document is accepted by its name's suffix and by what its first bytes say it is (a PDF that does not
start like one is refused), up to a size limit; its bytes are kept content-addressed outside the event
(``DocumentStore``), which holds its name, SHA-256 and media type (``LegalDocument``). Whoever needs the
bytes back — the evidence dossier, the API — reads them by company and SHA-256 with
:meth:`LegalDocuments.read`, which checks that they still are what was recorded.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from creditbox.application.ports import DocumentStore
from creditbox.domain.errors import DomainError, Field, InvalidCommand, NotFound
from creditbox.domain.ids import normalise_company_code
from creditbox.domain.workflow.legal import LegalDocument

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
NAME_LENGTH = 255
MAX_DOCUMENTS = 20  # per milestone

_ZIP = (b"PK\x03\x04",)
_DER_OR_BASE64 = (b"\x30", b"MI", b"-----BEGIN")


@dataclass(frozen=True)
class DocumentType:
    suffixes: tuple[str, ...]
    media_type: str
    label: str
    starts: tuple[bytes, ...] = ()  # what the first bytes must be (one of); empty: not checked


DOCUMENT_TYPES: tuple[DocumentType, ...] = (
    DocumentType((".pdf",), "application/pdf", "PDF", (b"%PDF-",)),
    DocumentType((".png",), "image/png", "immagine PNG", (b"\x89PNG\r\n\x1a\n",)),
    DocumentType((".jpg", ".jpeg"), "image/jpeg", "immagine JPEG", (b"\xff\xd8\xff",)),
    DocumentType((".tif", ".tiff"), "image/tiff", "immagine TIFF", (b"II*\x00", b"MM\x00*")),
    DocumentType((".eml",), "message/rfc822", "messaggio e-mail o PEC (.eml)"),
    DocumentType((".p7m",), "application/pkcs7-mime", "documento firmato (.p7m)", _DER_OR_BASE64),
    DocumentType(
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "documento Word (.docx)",
        _ZIP,
    ),
    DocumentType(
        (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "foglio Excel (.xlsx)", _ZIP
    ),
)
SUFFIXES = tuple(s for t in DOCUMENT_TYPES for s in t.suffixes)
_SHA256 = re.compile(r"[0-9a-f]{64}")


class DocumentRefused(InvalidCommand):
    """An attachment refused: its type, its content, its size or its name."""


class DocumentDamaged(DomainError):
    """The bytes stored under a digest are not the ones recorded (changed by hand on the disk)."""


@dataclass(frozen=True)
class Attachment:
    """A file to attach to a milestone, as given: its name and its bytes."""

    name: str
    content: bytes


class LegalDocuments:
    """Checks, keeps and reads back the documents of the legal proceedings."""

    def __init__(self, store: DocumentStore, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._store = store
        self._max_bytes = max_bytes

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    def check(self, attachment: Attachment) -> LegalDocument:
        """What the event will hold of ``attachment`` (nothing stored yet); ``DocumentRefused`` naming
        the file and the reason when it is not an accepted document."""
        name = _plain_name(attachment.name)
        content = attachment.content
        kind = next((t for t in DOCUMENT_TYPES if name.lower().endswith(t.suffixes)), None)
        if kind is None:
            raise DocumentRefused(
                f"{name!r}: tipo di documento non ammesso (ammessi: {', '.join(SUFFIXES)})", field=Field.ATTACHMENTS
            )
        if not content:
            raise DocumentRefused(f"{name!r} è vuoto", field=Field.ATTACHMENTS)
        if len(content) > self._max_bytes:
            raise DocumentRefused(
                f"{name!r}: {_size(len(content))}, oltre il limite di {_size(self._max_bytes)}",
                field=Field.ATTACHMENTS,
            )
        if kind.starts and not content.startswith(kind.starts):
            raise DocumentRefused(
                f"{name!r} non è un {kind.label} (il contenuto non corrisponde)", field=Field.ATTACHMENTS
            )
        return LegalDocument(name, hashlib.sha256(content).hexdigest(), kind.media_type)

    def check_all(self, attachments: tuple[Attachment, ...]) -> tuple[LegalDocument, ...]:
        if len(attachments) > MAX_DOCUMENTS:
            raise DocumentRefused(
                f"{len(attachments)} documenti: al più {MAX_DOCUMENTS} per fase", field=Field.ATTACHMENTS
            )
        return tuple(self.check(a) for a in attachments)

    def keep(self, company: str, content: bytes) -> str:
        """Store the bytes (once); returns their SHA-256."""
        return self._store.keep(normalise_company_code(company), content)

    def read(self, company: str, sha256: str) -> bytes:
        """The bytes of the document ``sha256`` of ``company``, checked against their digest:
        ``NotFound`` when none are kept, ``DocumentDamaged`` when they were changed."""
        digest = sha256.strip().lower()
        if not _SHA256.fullmatch(digest):
            raise InvalidCommand(f"impronta SHA-256 non valida: {sha256[:80]!r}")
        company = normalise_company_code(company)
        try:
            content = self._store.read(company, digest)
        except FileNotFoundError:
            raise NotFound(f"documento {digest} sconosciuto per l'azienda {company!r}") from None
        if hashlib.sha256(content).hexdigest() != digest:
            raise DocumentDamaged(f"documento {digest} dell'azienda {company!r} alterato: l'impronta non corrisponde")
        return content


def media_type_of(name: str) -> str | None:
    """The media type of an accepted document name, or None."""
    lowered = name.lower()
    return next((t.media_type for t in DOCUMENT_TYPES if lowered.endswith(t.suffixes)), None)


def _plain_name(name: str) -> str:
    """The file name alone (no folders, as sent by any system), refused when empty or too long."""
    plain = PureWindowsPath(PurePosixPath(name.strip()).name).name.strip()
    if not plain or plain in (".", ".."):
        raise DocumentRefused("documento senza nome", field=Field.ATTACHMENTS)
    if len(plain) > NAME_LENGTH or any(ord(c) < 32 for c in plain):
        raise DocumentRefused(f"nome del documento non valido: {plain[:80]!r}", field=Field.ATTACHMENTS)
    return plain


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MiB".replace(".", ",")
    return f"{count / 1024:.0f} KiB"
