"""The ``sms-http`` adapter: SMS through a generic HTTP gateway.

``send`` POSTs a JSON document — ``to``, ``text``, ``sender``, ``client_reference`` (the action key) —
to the configured ``url``, with the token read from the channel's secret ``token`` as a bearer
(when configured). The gateway is expected to treat the client reference as its idempotency key: a
message it already has is answered ``409`` (or a body saying ``"duplicate": true``), which counts as
sent. Within one attempt the adapter tries a few times more, quickly (``retries``, ``retry_delay_seconds``),
on a timeout, a connection error, ``429`` or a ``5xx``; then it raises ``ChannelError`` and the outbox
tries again later with back-off. Any other ``4xx`` is a refusal, raised at once.

``status`` asks the gateway by client reference when a ``status_url`` is configured
(``GET status_url?client_reference=…``: 200 → sent, 404 → unknown); without one it answers unknown
(the outbox's reconciliation then leaves the entry for a person). ``fetch_reports`` reads the delivery
reports from ``reports_url`` for polling (the same JSON the callback receives).

Options: ``url`` (required), ``status_url``, ``reports_url``, ``sender``, ``timeout_seconds`` (10),
``retries`` (2), ``retry_delay_seconds`` (0.5), ``auth`` (``bearer``, or ``none`` for a gateway without
a token). Secrets: ``token`` (the bearer token), ``callback_secret`` (the callback's HMAC key, used by
the callback endpoint, not here).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from creditbox.application.ports import (
    CHANNEL_SENT,
    CHANNEL_UNKNOWN,
    AdapterSpec,
    ChannelError,
    ChannelMessage,
    Receipt,
)
from creditbox.clock import Clock
from creditbox.domain.phone_numbers import InvalidMobileNumber, international_mobile

ADAPTER = "sms-http"
USER_AGENT = "CreditBox/1 (sms-http)"


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes


class SmsHttpChannel:
    def __init__(
        self,
        url: str,
        *,
        sender: str = "",
        token: Callable[[], str] | None = None,
        status_url: str | None = None,
        reports_url: str | None = None,
        timeout_seconds: float = 10.0,
        retries: int = 2,
        retry_delay_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"gateway SMS: indirizzo non valido {url!r} (atteso http:// o https://)")
        self._url = url
        self._sender = sender
        self._token = token
        self._status_url = status_url
        self._reports_url = reports_url
        self._timeout = timeout_seconds
        self._retries = max(0, retries)
        self._delay = retry_delay_seconds
        self._sleep = sleep

    @classmethod
    def from_spec(cls, spec: AdapterSpec, clock: Clock | None = None, root: str | None = None) -> SmsHttpChannel:
        """Built from the company's configuration (``clock`` and ``root`` unused: the gateway keeps time)."""
        options = spec.options
        url = options.get("url")
        if not isinstance(url, str) or not url:
            raise ChannelError(f"canale {spec.channel} di {spec.company}: manca l'opzione url del gateway SMS")
        token: Callable[[], str] | None = None
        if options.get("auth", "bearer") != "none":

            def token() -> str:
                return spec.secret("token")  # read at each call: a rotated secret is used at once

        return cls(
            url,
            sender=str(options.get("sender", "")),
            token=token,
            status_url=_text(options.get("status_url")),
            reports_url=_text(options.get("reports_url")),
            timeout_seconds=float(options.get("timeout_seconds", 10.0)),
            retries=int(options.get("retries", 2)),
            retry_delay_seconds=float(options.get("retry_delay_seconds", 0.5)),
        )

    # ---- Channel ----------------------------------------------------------------------------

    def send(self, message: ChannelMessage) -> Receipt:
        if not message.recipient:
            raise ChannelError(f"{message.action_key}: numero di cellulare mancante")
        try:
            recipient = international_mobile(message.recipient)
        except InvalidMobileNumber as error:
            raise ChannelError(f"{message.action_key}: {error}") from error
        body = {
            "to": recipient,
            "text": message.text,
            "sender": self._sender,
            "client_reference": message.action_key,
        }
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        answer = self._call("POST", self._url, data)
        if answer.status == 409:
            return Receipt(message.action_key, duplicate=True)
        if 200 <= answer.status < 300:
            payload = _json(answer.body)
            reference = str(payload.get("id") or payload.get("message_id") or message.action_key)
            return Receipt(reference, duplicate=bool(payload.get("duplicate")))
        raise ChannelError(f"gateway SMS: messaggio rifiutato (HTTP {answer.status}): {_short(answer.body)}")

    def status(self, action_key: str) -> str:
        if not self._status_url:
            return CHANNEL_UNKNOWN
        separator = "&" if "?" in self._status_url else "?"
        url = f"{self._status_url}{separator}{urlencode({'client_reference': action_key})}"
        try:
            answer = self._call("GET", url, None)
        except ChannelError:
            return CHANNEL_UNKNOWN
        return CHANNEL_SENT if 200 <= answer.status < 300 else CHANNEL_UNKNOWN

    def fetch_reports(self) -> bytes:
        """The delivery reports the gateway holds (polling): its JSON answer, as bytes."""
        if not self._reports_url:
            raise ChannelError("gateway SMS: nessun indirizzo per gli esiti (opzione reports_url)")
        answer = self._call("GET", self._reports_url, None)
        if not 200 <= answer.status < 300:
            raise ChannelError(f"gateway SMS: esiti non disponibili (HTTP {answer.status})")
        return answer.body

    # ---- HTTP -------------------------------------------------------------------------------

    def _call(self, method: str, url: str, data: bytes | None) -> _Answer:
        """One call, tried ``1 + retries`` times on a timeout, a connection error, 429 or 5xx."""
        last = ""
        for attempt in range(1 + self._retries):
            if attempt:
                self._sleep(self._delay * attempt)
            try:
                answer = self._once(method, url, data)
            except TimeoutError:
                last = f"nessuna risposta entro {self._timeout:g} s"
                continue
            except urllib.error.URLError as error:
                last = f"gateway non raggiungibile ({error.reason})"
                continue
            except OSError as error:
                last = f"errore di rete ({type(error).__name__})"
                continue
            if answer.status == 429 or answer.status >= 500:
                last = f"HTTP {answer.status}"
                continue
            return answer
        raise ChannelError(f"gateway SMS: {last} dopo {1 + self._retries} tentativi")

    def _once(self, method: str, url: str, data: bytes | None) -> _Answer:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token()}"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return _Answer(response.status, response.read())
        except urllib.error.HTTPError as error:
            with error:
                return _Answer(error.code, error.read())


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8")) if body.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def _short(body: bytes) -> str:
    return body[:200].decode("utf-8", "replace")


def _text(value: Any) -> str | None:
    return str(value) if value else None
