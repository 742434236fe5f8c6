"""SMS delivery reports (*esiti di consegna SMS*): from the gateway's callback or from polling, both
through one importer of kind ``esiti-sms`` (:class:`SmsReportsImporter`), like every inbound file.

The reports are JSON — an object with a ``reports`` list, or the list itself — each naming its message
by the client reference the adapter gave the gateway (the action key)::

    {"reports": [{"client_reference": "ACQ/C0001/S1/1/1", "status": "delivered",
                  "at": "2026-03-03T10:15:00+01:00", "reason": ""}]}

``delivered`` becomes the outcome *consegnato* of the action, ``not_delivered`` (also ``undelivered``,
``failed``, ``expired``, ``rejected``) *mancata consegna*, dated by ``at``; the intermediate statuses
(``accepted``, ``queued``, ``sent``, ``buffered``) are counted and left. A report of no action of the
company is kept as unmatched (for the worklist), a malformed one rejected with its row and field;
the same report again changes nothing.

The callback (``POST /channels/sms/{company}/reports``) is not called with a user's token: the gateway
signs the body with a secret shared per company (HMAC-SHA256, the channel's secret ``callback_secret``)
and :meth:`SmsDeliveryReports.callback` compares the signature in constant time before reading anything.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

from creditbox.application.channel_config import ChannelConfigService
from creditbox.application.channel_outcomes import ChannelOutcomes
from creditbox.application.inbound import InboundFiles, InboundResult
from creditbox.application.records import Rejection
from creditbox.clock import Clock
from creditbox.domain.errors import DomainError, NotAllowed
from creditbox.domain.workflow.outcomes import StepOutcome

KIND = "esiti-sms"
SHEET = "esiti"
SIGNATURE_HEADER = "X-Signature"
CALLBACK_SECRET = "callback_secret"
GATEWAY_USER = "gateway-sms"
_NO_SECRET = "\x00nessun-segreto"  # stands in for a missing secret; no signature can match it by chance

DELIVERED_WORDS = {"delivered", "consegnato"}
NOT_DELIVERED_WORDS = {"not_delivered", "undelivered", "failed", "expired", "rejected", "non_consegnato"}
INTERMEDIATE_WORDS = {"accepted", "queued", "sent", "buffered", "pending", "inviato"}


class SmsReportsImporter:
    """The ``esiti-sms`` inbound kind."""

    kind = KIND
    label = "Esiti di consegna SMS"

    def __init__(self, outcomes: ChannelOutcomes) -> None:
        self._outcomes = outcomes

    def import_file(self, company: str, filename: str, content: bytes, *, by: str) -> InboundResult:
        result = InboundResult(KIND, filename, company)
        try:
            data = json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            result.rejected.append(Rejection(SHEET, 0, None, f"documento JSON non valido: {error}"))
            return result
        reports = data.get("reports") if isinstance(data, dict) else data
        if not isinstance(reports, list):
            result.rejected.append(Rejection(SHEET, 0, "reports", "atteso un elenco di esiti"))
            return result
        intermediate = 0
        for row, report in enumerate(reports, start=1):
            parsed = _parse(report, row)
            if isinstance(parsed, Rejection):
                result.rejected.append(parsed)
                continue
            if parsed is None:
                intermediate += 1
                continue
            reference, outcome, when, reason = parsed
            try:
                recording = self._outcomes.record(company, reference, outcome, when, reason, by=by)
            except DomainError as error:
                result.rejected.append(Rejection(SHEET, row, "status", str(error)))
                continue
            if not recording.matched:
                result.unmatched.append(
                    {
                        "reference": reference,
                        "reason": "nessun SMS dell'azienda con questo riferimento",
                        "status": str(report.get("status")),
                        "at": str(report.get("at")),
                        "row": row,
                    }
                )
            elif recording.changed:
                result.accepted += 1
            else:
                result.duplicates += 1
        result.details["intermediate"] = intermediate
        result.details["reports"] = len(reports)
        return result


def _parse(report: Any, row: int) -> tuple[str, StepOutcome, date, str] | Rejection | None:
    if not isinstance(report, dict):
        return Rejection(SHEET, row, None, "atteso un oggetto con client_reference, status, at")
    reference = report.get("client_reference")
    if not isinstance(reference, str) or not reference.strip():
        return Rejection(SHEET, row, "client_reference", "riferimento mancante")
    status = str(report.get("status", "")).strip().lower()
    if status in INTERMEDIATE_WORDS:
        return None
    if status in DELIVERED_WORDS:
        outcome = StepOutcome.DELIVERED
    elif status in NOT_DELIVERED_WORDS:
        outcome = StepOutcome.NOT_DELIVERED
    else:
        known = ", ".join(sorted(DELIVERED_WORDS | NOT_DELIVERED_WORDS | INTERMEDIATE_WORDS))
        return Rejection(SHEET, row, "status", f"stato sconosciuto {status!r} (ammessi: {known})")
    when = _when(report.get("at"))
    if when is None:
        return Rejection(SHEET, row, "at", "data dell'esito mancante o non valida (AAAA-MM-GG o data e ora ISO 8601)")
    return reference.strip(), outcome, when, str(report.get("reason") or "")[:500]


def _when(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).date() if "T" in value or " " in value else date.fromisoformat(value)
    except ValueError:
        return None


def signature_of(secret: str, body: bytes) -> str:
    """What the gateway puts in ``X-Signature``: ``sha256=`` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


@runtime_checkable
class ReportSource(Protocol):
    """An adapter that can be polled for its delivery reports (``sms-http``)."""

    def fetch_reports(self) -> bytes: ...


class BadSignature(NotAllowed):
    """The callback's signature is missing or wrong (or the company has no callback secret)."""


class SmsDeliveryReports:
    """The callback and the polling, both into the ``esiti-sms`` importer."""

    def __init__(
        self,
        inbound: InboundFiles,
        configuration: ChannelConfigService,
        adapter: Callable[[str, str], object],
        secret: Callable[[str], str],
        clock: Clock,
    ) -> None:
        self._inbound = inbound
        self._configuration = configuration
        self._adapter = adapter
        self._secret = secret
        self._clock = clock

    def verify(self, company: str, body: bytes, signature: str | None) -> str:
        """The company's code when ``signature`` is the body's, else :class:`BadSignature` (the same
        refusal for an unknown company, a company without a callback secret and a wrong signature)."""
        refused = BadSignature("firma dell'esito SMS mancante o non valida")
        given = (signature or "").strip()
        if given and not given.startswith("sha256="):
            given = "sha256=" + given
        try:
            config = self._configuration.effective(company)
            secret: str | None = config.adapter_spec("sms", self._secret).secret(CALLBACK_SECRET)
        except (DomainError, LookupError):
            config, secret = None, None
        # The same work whatever the reason of a refusal: the time taken tells nothing about the company.
        expected = signature_of(secret if secret is not None else _NO_SECRET, body)
        matches = hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8", "replace"))
        if config is None or secret is None or not given or not matches:
            raise refused
        return config.company

    def callback(self, company: str, body: bytes, signature: str | None) -> InboundResult:
        code = self.verify(company, body, signature)
        name = f"callback-{self._clock.now():%Y%m%dT%H%M%S}.json"
        return self._inbound.import_file(KIND, code, name, body, by=GATEWAY_USER)

    def poll(self, company: str, *, by: str) -> InboundResult:
        """Ask the company's SMS gateway for its reports and import them."""
        adapter = self._adapter(company, "sms")
        if not isinstance(adapter, ReportSource):
            raise NotAllowed(f"il canale SMS di {company} non ha un gateway da interrogare (adattatore sms-http)")
        content = adapter.fetch_reports()
        name = f"poll-{self._clock.now():%Y%m%dT%H%M%S}.json"
        return self._inbound.import_file(KIND, self._configuration.effective(company).company, name, content, by=by)
