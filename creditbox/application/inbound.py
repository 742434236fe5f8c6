"""Files that come back from the channels (``InboundFiles``): PEC receipts, SMS delivery reports,
postal A/R outcomes, the technical office's plans and outcomes, the agency's outcomes, bank files.

Each kind of file has one importer (:class:`InboundImporter`), and the CLI, the API and the inbox
all go through :meth:`InboundFiles.import_file`, so a file is read the same way wherever it comes
from. An importer:

- rejects a bad row with its sheet, row, column and reason (:class:`~creditbox.application.records.Rejection`),
  like the billing import, and goes on with the others;
- keeps what matches nothing (a receipt of no message we sent, an outcome of an unknown action) as
  *unmatched*, for a worklist — never drops it silently;
- is idempotent: importing the same file again changes nothing (``duplicates`` counts what was
  already there).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from creditbox.application.records import Rejection
from creditbox.application.unmatched import UnmatchedAnswer, UnmatchedAnswers, answers_of
from creditbox.clock import Clock
from creditbox.domain.errors import NotFound


@dataclass
class InboundResult:
    """What importing one file did."""

    kind: str
    filename: str
    company: str
    accepted: int = 0  # answers recorded now
    duplicates: int = 0  # answers that were already recorded (a file imported again)
    unmatched: list[dict[str, Any]] = field(default_factory=list)  # kept for the worklist
    rejected: list[Rejection] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)  # the importer's own figures

    @property
    def ok(self) -> bool:
        return not self.rejected

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "filename": self.filename,
            "company": self.company,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "unmatched": list(self.unmatched),
            "rejected": [rejection.as_json() for rejection in self.rejected],
            "details": dict(self.details),
        }


class InboundImporter(Protocol):
    """One kind of inbound file."""

    kind: str  # the code: "ricevute", "esiti-postali", "ufficio-tecnico", "agenzia", "banca", ...
    label: str  # Italian, for people

    def import_file(self, company: str, filename: str, content: bytes, *, by: str) -> InboundResult: ...


class InboundFiles:
    """The importers by kind; the one entry point of the CLI, the API and the inbox. With ``unmatched``
    (and the ``clock`` that dates them), the answers each file leaves unmatched are kept there, for the
    worklist of unmatched answers (``details["unmatched_new"]``: how many were not kept yet)."""

    def __init__(
        self,
        importers: Iterable[InboundImporter] = (),
        *,
        unmatched: UnmatchedAnswers | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._importers: dict[str, InboundImporter] = {}
        self._unmatched = unmatched
        self._clock = clock
        for importer in importers:
            self.register(importer)

    def register(self, importer: InboundImporter) -> None:
        self._importers[importer.kind] = importer

    def kinds(self) -> list[InboundImporter]:
        return [self._importers[kind] for kind in sorted(self._importers)]

    def importer(self, kind: str) -> InboundImporter:
        try:
            return self._importers[kind]
        except KeyError:
            known = ", ".join(sorted(self._importers)) or "nessuno"
            raise NotFound(f"tipo di file in arrivo sconosciuto: {kind} (tipi: {known})") from None

    def import_file(self, kind: str, company: str, filename: str, content: bytes, *, by: str) -> InboundResult:
        result = self.importer(kind).import_file(company, filename, content, by=by)
        if self._unmatched is not None and self._clock is not None and result.unmatched:
            answers = answers_of(company, kind, filename, content, result.unmatched, self._clock.now())
            result.details["unmatched_new"] = self._unmatched.keep(answers)
        return result

    def unmatched(self, company: str, *, kind: str | None = None, limit: int | None = None) -> list[UnmatchedAnswer]:
        """The company's unmatched answers (of one kind when given), the latest first."""
        if kind is not None:
            self.importer(kind)  # NotFound for a kind nobody imports
        if self._unmatched is None:
            return []
        return self._unmatched.list(company, kind=kind, limit=limit)
