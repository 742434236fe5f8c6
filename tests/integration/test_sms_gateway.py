"""The ``sms-http`` adapter against a real HTTP gateway started by the test: the request it sends, a
timeout, a gateway that answers 500 and then succeeds (sent once), a duplicate answered 409, a
refusal, the status asked by client reference, the token read from a secret reference."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from creditbox.application.ports import AdapterSpec, ChannelError, ChannelMessage
from creditbox.domain.sms_length import sms_length
from creditbox.infrastructure.channels.sms_http import SmsHttpChannel
from creditbox.infrastructure.secrets import SecretUnavailable, read_secret
from tests.integration.sms_gateway import SmsGateway, running_gateway

KEY = "ACQ/C1/S1/1/1"


@pytest.fixture
def gateway() -> Iterator[SmsGateway]:
    with running_gateway() as running:
        yield running


def _message(key: str = KEY, to: str | None = "+393331234567") -> ChannelMessage:
    return ChannelMessage(key, "ACQ", "sms", to, "Sollecito SMS", "Acque: bollette scadute per 310,40 €.")


def _adapter(gateway: SmsGateway, **options: object) -> SmsHttpChannel:
    secrets = {"token": "env:TEST_SMS_TOKEN"}
    spec = AdapterSpec(
        "ACQ",
        "sms",
        "sms-http",
        {**gateway.options(), "sender": "ACQUE", **options},
        lambda name: read_secret(secrets[name], {"TEST_SMS_TOKEN": "tok-123"}),
    )
    return SmsHttpChannel.from_spec(spec)


def test_a_message_is_posted_as_json_with_the_action_key_as_client_reference(gateway: SmsGateway) -> None:
    receipt = _adapter(gateway).send(_message())
    assert receipt.reference == "gw-1" and not receipt.duplicate
    assert gateway.state.accepted[KEY] == {
        "to": "+393331234567",
        "text": "Acque: bollette scadute per 310,40 €.",
        "sender": "ACQUE",
        "client_reference": KEY,
    }
    assert gateway.state.headers[0]["Authorization"] == "Bearer tok-123"
    assert gateway.state.headers[0]["Content-Type"].startswith("application/json")


def test_a_gateway_that_answers_500_and_then_succeeds_gets_the_message_once(gateway: SmsGateway) -> None:
    gateway.state.failures = [500, 503]
    receipt = _adapter(gateway, retries=2).send(_message())
    assert not receipt.duplicate
    assert gateway.state.posts == 3 and list(gateway.state.accepted) == [KEY]  # tried 3 times, sent once


def test_a_retry_of_a_message_the_gateway_has_is_a_duplicate_not_a_second_sms(gateway: SmsGateway) -> None:
    adapter = _adapter(gateway)
    adapter.send(_message())
    again = adapter.send(_message())  # the outbox tries again after a crash
    assert again.duplicate and len(gateway.state.accepted) == 1


def test_a_gateway_that_does_not_answer_in_time_is_a_channel_error_after_the_quick_retries(
    gateway: SmsGateway,
) -> None:
    gateway.state.delay_seconds = 1.0
    adapter = _adapter(gateway, timeout_seconds=0.2, retries=1)
    started = time.monotonic()
    with pytest.raises(ChannelError, match=r"nessuna risposta entro 0\.2 s dopo 2 tentativi"):
        adapter.send(_message())
    assert time.monotonic() - started < 1.5  # two short waits, not the gateway's second
    assert gateway.state.posts == 2


def test_a_gateway_down_for_every_retry_is_a_channel_error(gateway: SmsGateway) -> None:
    gateway.state.failures = [500, 500, 500]
    with pytest.raises(ChannelError, match="HTTP 500 dopo 3 tentativi"):
        _adapter(gateway).send(_message())
    assert gateway.state.accepted == {}


def test_a_refusal_is_not_retried(gateway: SmsGateway) -> None:
    gateway.state.failures = [400]
    with pytest.raises(ChannelError, match="rifiutato \\(HTTP 400\\)"):
        _adapter(gateway).send(_message())
    assert gateway.state.posts == 1


def test_a_message_without_a_mobile_number_is_never_posted(gateway: SmsGateway) -> None:
    with pytest.raises(ChannelError, match="cellulare mancante"):
        _adapter(gateway).send(_message(to=None))
    assert gateway.state.posts == 0


def test_the_status_is_asked_by_client_reference_and_unknown_without_a_status_url(gateway: SmsGateway) -> None:
    adapter = _adapter(gateway)
    assert adapter.status(KEY) == "unknown"
    adapter.send(_message())
    assert adapter.status(KEY) == "sent"
    assert _adapter(gateway, status_url="").status(KEY) == "unknown"


def test_secrets_are_read_from_the_environment_or_a_file_and_never_shown(tmp_path: object) -> None:
    from pathlib import Path

    secret_file = Path(str(tmp_path)) / "token"
    secret_file.write_text("dal-file\n", encoding="utf-8")
    assert read_secret(f"file:{secret_file}") == "dal-file"
    assert read_secret("env:X_TOKEN", {"X_TOKEN": "dall-ambiente"}) == "dall-ambiente"
    with pytest.raises(SecretUnavailable, match="variabile d'ambiente X_TOKEN non impostata"):
        read_secret("env:X_TOKEN", {})
    with pytest.raises(SecretUnavailable, match="non valido"):
        read_secret("s3cr3t")


@pytest.mark.parametrize(
    ("text", "parts", "encoding"),
    [
        ("a" * 160, 1, "GSM-7"),
        ("a" * 161, 2, "GSM-7"),
        ("è" * 306, 2, "GSM-7"),
        ("€" * 80, 1, "GSM-7"),  # an extension character counts twice
        ("€" * 81, 2, "GSM-7"),
        ("ć" * 70, 1, "UCS-2"),
        ("ć" * 71, 2, "UCS-2"),
        ("ć" * 135, 3, "UCS-2"),
    ],
)
def test_the_parts_of_an_sms(text: str, parts: int, encoding: str) -> None:
    length = sms_length(text)
    assert (length.parts, length.encoding) == (parts, encoding)
