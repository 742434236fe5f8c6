"""Answers that matched nothing (*risposte non abbinate*): what an inbound file named that is no action
of its company, kept for a person to look at — never dropped.

An importer puts each such answer in ``InboundResult.unmatched`` (a dict: ``reference``, ``reason`` in
Italian, and whatever identifies it); ``InboundFiles.import_file`` keeps them here
(``infrastructure/unmatched_store.py``), once per company, kind, reference and digest (the answer's own
digest when the importer gives one, as a PEC receipt does, else the file's): importing the same file
again adds nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

REFERENCE_WIDTH = 500  # a reference is kept this long at most


@dataclass(frozen=True)
class UnmatchedAnswer:
    company: str
    kind: str
    reference: str
    filename: str
    digest: str
    received_at: datetime
    reason: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "company": self.company,
            "kind": self.kind,
            "reference": self.reference,
            "filename": self.filename,
            "digest": self.digest,
            "received_at": self.received_at.isoformat(),
            "reason": self.reason,
            "details": dict(self.details),
        }


class UnmatchedAnswers(Protocol):
    """The table of unmatched answers."""

    def keep(self, answers: Sequence[UnmatchedAnswer]) -> int:
        """Keep the answers not kept yet; returns how many were new."""
        ...

    def list(self, company: str, *, kind: str | None = None, limit: int | None = None) -> list[UnmatchedAnswer]:
        """The company's unmatched answers, the latest first."""
        ...


def answers_of(
    company: str, kind: str, filename: str, content: bytes, items: Sequence[Mapping[str, Any]], at: datetime
) -> list[UnmatchedAnswer]:
    """The rows of the unmatched answers an importer reported for one file."""
    file_digest = hashlib.sha256(content).hexdigest()
    answers = []
    for item in items:
        details = {k: v for k, v in item.items() if k not in ("reference", "reason", "digest")}
        answers.append(
            UnmatchedAnswer(
                company=company,
                kind=kind,
                reference=str(item.get("reference") or "")[:REFERENCE_WIDTH],
                filename=filename,
                digest=str(item.get("digest") or file_digest),
                received_at=at,
                reason=str(item.get("reason") or "risposta non abbinata"),
                details=details,
            )
        )
    return answers
