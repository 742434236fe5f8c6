"""The evidence of the PEC receipts: each raw receipt kept unchanged, content-addressed, and indexed.

- ``FileEvidenceStore`` (``EvidenceStore``): the bytes of a receipt under
  ``<evidence dir>/<COMPANY>/<aa>/<sha256>.eml`` (``aa``: the digest's first two hex digits, so no folder
  grows beyond a few thousand files). Written through a temporary file in the same folder, flushed and
  synced, then linked into place: a reader never sees half a receipt, and the same bytes stored twice
  are one file. The name is the digest: anyone can check that the file is what was received.
- ``SqlReceiptIndex`` (``ReceiptIndex``): one ``receipt_evidence`` row per receipt (company, digest,
  type, our Message-ID, action key, time with its zone, outcome recorded) — what the litigation dossier
  reads to find the receipts of a notice.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Row, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from creditbox.application.pec_receipts import ReceiptRecord
from creditbox.infrastructure.channels.files import folder_name
from creditbox.infrastructure.outbox_store import utc
from creditbox.infrastructure.write_gate import WriteGate
from creditbox.projections.database import WRITE
from creditbox.projections.schema import receipt_evidence

SUFFIX = ".eml"
_DIGEST = re.compile(r"[0-9a-f]{64}")


class FileEvidenceStore:
    """Bytes kept content-addressed under ``root`` (``DocumentStore``): the PEC receipts (suffix
    ``.eml``) and the documents of the legal proceedings (any kind of file: no suffix)."""

    def __init__(self, root: str | os.PathLike[str], suffix: str = SUFFIX) -> None:
        self._root = Path(root)
        self._suffix = suffix

    def path_of(self, company: str, digest: str) -> Path:
        if not _DIGEST.fullmatch(digest):
            raise ValueError(f"impronta SHA-256 non valida: {digest[:80]!r}")
        return self._root / folder_name(company) / digest[:2] / f"{digest}{self._suffix}"

    def keep(self, company: str, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        target = self.path_of(company, digest)
        if target.is_file():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # stored meanwhile: the same bytes
                os.link(temporary, target)
        finally:
            os.unlink(temporary)
        _sync_folder(target.parent)
        return digest

    def read(self, company: str, digest: str) -> bytes:
        return self.path_of(company, digest).read_bytes()


class SqlReceiptIndex:
    def __init__(self, engine: Engine, gate: WriteGate) -> None:
        self._engine = engine
        self._gate = gate

    def known(self, company: str, digest: str, receipt_id: str | None) -> bool:
        t = receipt_evidence
        same = t.c.digest == digest
        if receipt_id is not None:
            same = or_(same, t.c.receipt_id == receipt_id[:255])
        with self._engine.connect() as conn:
            return conn.execute(select(t.c.digest).where(t.c.company == company, same).limit(1)).first() is not None

    def outcomes_of(self, company: str, action_key: str) -> list[str]:
        t = receipt_evidence
        query = select(t.c.outcome).where(
            t.c.company == company, t.c.action_key == action_key, t.c.outcome.is_not(None)
        )
        with self._engine.connect() as conn:
            return [str(value) for value in conn.scalars(query)]

    def add(self, record: ReceiptRecord) -> bool:
        row = {
            "company": record.company,
            "digest": record.digest,
            "kind": record.kind,
            "reference": record.reference,
            "action_key": record.action_key,
            "receipt_id": record.receipt_id[:255] if record.receipt_id else None,
            "issued_at": utc(record.issued_at),
            "zone": record.zone,
            "recipient": record.recipient,
            "error": record.error[:64] if record.error else None,
            "outcome": record.outcome,
            "filename": record.filename,
            "stored_at": utc(record.stored_at),
        }
        with self._gate.hold(), self._engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            statement = (
                dialect.insert(receipt_evidence)
                .values(row)
                .on_conflict_do_nothing(index_elements=["company", "digest"])
                .returning(receipt_evidence.c.digest)
            )
            return conn.execute(statement).first() is not None

    def of_action(self, company: str, action_key: str) -> list[ReceiptRecord]:
        t = receipt_evidence
        query = select(t).where(t.c.company == company, t.c.action_key == action_key).order_by(t.c.issued_at)
        with self._engine.connect() as conn:
            return [_record(row) for row in conn.execute(query)]

    def of_company(self, company: str) -> list[ReceiptRecord]:
        t = receipt_evidence
        query = select(t).where(t.c.company == company).order_by(t.c.issued_at, t.c.digest)
        with self._engine.connect() as conn:
            return [_record(row) for row in conn.execute(query)]


def _record(row: Row[Any]) -> ReceiptRecord:
    m = row._mapping
    return ReceiptRecord(
        company=m["company"],
        digest=m["digest"],
        kind=m["kind"],
        reference=m["reference"],
        action_key=m["action_key"],
        receipt_id=m["receipt_id"],
        issued_at=_in_zone(utc(m["issued_at"]), m["zone"]),
        zone=m["zone"],
        recipient=m["recipient"],
        error=m["error"],
        outcome=m["outcome"],
        filename=m["filename"],
        stored_at=utc(m["stored_at"]),
    )


def _in_zone(moment: datetime, zone: str) -> datetime:
    """The stored UTC moment back in the receipt's own zone (``+0100``)."""
    try:
        sign = -1 if zone.startswith("-") else 1
        digits = zone.lstrip("+-").replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])) * sign
    except ValueError:
        return moment
    return moment.astimezone(timezone(offset))


def _sync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
