"""The channels over HTTP: the configuration and the templates of a company (versions, history,
422 naming the field, 409 on a stale version, roles), the preview on a real position, and the SMS
gateway's signed delivery reports (a good and a bad signature, a report again, an unknown reference)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from creditbox.application.records import BillRecord, CustomerRecord, SupplyRecord
from creditbox.application.sms_reports import signature_of
from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, Api
from tests.builders import details, supply

pytestmark = pytest.mark.cli_or_api

CONFIG = f"{BASE}/channels/config"
TEMPLATES = f"{BASE}/channels/templates"
CALLBACK = "/channels/sms/ACQ/reports"
FIRST_SMS = "ACQ/C7/S7/1/1"


def _an_sms_sent(api: Api) -> None:
    c = api.container
    records = [
        CustomerRecord("C7", details(name="Lucia Verdi", mobile="3339876543")),
        SupplyRecord("C7", supply("S7")),
        BillRecord("B-7", "C7", "S7", date(2026, 1, 1), date(2026, 1, 31), Decimal("88.20")),
    ]
    c.ingestor().ingest("ACQ", records, by="test")
    c.dunning().run_due("ACQ", date(2026, 2, 10))
    c.projections.catch_up()
    assert c.outbox().send(FIRST_SMS).result == "sent"


@pytest.mark.postgres_smoke
def test_the_configuration_is_changed_by_an_admin_versioned_and_refused_when_wrong(api: Api) -> None:
    admin, auditor = api.as_(Role.ADMIN), api.as_(Role.AUDITOR)
    empty = auditor.get(CONFIG).json()
    assert empty["version"] == 0 and empty["effective"]["channels"]["sms"]["adapter"] == "file"
    document = {"channels": {"sms": {"sender": "ACQUE", "secrets": {"token": "env:ACQ_SMS_TOKEN"}}}, "payment_days": 20}
    saved = admin.put(CONFIG, json={"document": document, "note": "avvio SMS", "expected_version": 0})
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 1 and saved.json()["current"]["by"] == "own-admin"
    assert saved.json()["fields"] == ["channels", "payment_days"]
    shown = auditor.get(CONFIG).json()
    assert shown["document"] == document and shown["effective"]["payment_days"] == 20
    stale = admin.put(CONFIG, json={"document": {}, "expected_version": 0})
    assert stale.status_code == 409
    wrong = admin.put(CONFIG, json={"document": {"channels": {"sms": {"secrets": {"token": "abc-segreto"}}}}})
    assert wrong.status_code == 422
    assert [e["field"] for e in wrong.json()["errors"]] == ["document.channels.sms.secrets.token"]
    assert "abc-segreto" not in wrong.text
    history = auditor.get(f"{CONFIG}/history").json()
    assert [(h["version"], h["note"], h["source"]) for h in history] == [(1, "avvio SMS", "api")]
    assert api.as_(Role.OPERATOR).put(CONFIG, json={"document": {}}).status_code == 403


def test_a_template_is_checked_when_saved_and_previewed_on_a_real_position(api: Api) -> None:
    admin = api.as_(Role.ADMIN)
    listed = admin.get(TEMPLATES).json()
    assert {"action": "sollecito-sms", "part": "text", "origin": "predefinito"}.items() <= listed[0].items()
    unknown = admin.put(f"{TEMPLATES}/sollecito-sms/text", json={"source": "Saldo {{ saldo }}"})
    assert unknown.status_code == 422 and "variabile sconosciuta 'saldo'" in unknown.text
    assert unknown.json()["errors"][0]["field"] == "source"
    syntax = admin.put(f"{TEMPLATES}/sollecito-sms/text", json={"source": "Uno\n{{ totale }"})
    assert syntax.status_code == 422 and "alla riga 2" in syntax.text
    text = (
        "{{ cliente.nome }}: {% for b in bollette %}{{ b.numero }} {{ b.residuo }} {% endfor %}entro il {{ scadenza }}"
    )
    saved = admin.put(f"{TEMPLATES}/1/testo", json={"source": text, "note": "più corto"})
    assert saved.status_code == 200 and saved.json()["fields"] == ["sollecito-sms"]
    assert admin.get(f"{TEMPLATES}/sollecito-sms/text").json()["origin"] == "azienda"
    assert admin.get(f"{TEMPLATES}/history").json()[0]["note"] == "più corto"
    assert admin.get(f"{TEMPLATES}/sollecito-sms/oggetto").status_code == 404  # an SMS has no subject
    _an_sms_sent(api)
    preview = api.as_(Role.OPERATOR).post(
        f"{TEMPLATES}/sollecito-sms/preview", json={"customer_code": "C7", "date": "2026-02-10"}
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["text"] == "Lucia Verdi: B-7 88,20 € entro il 25/02/2026"
    assert preview.json()["recipient"] == "3339876543"


def test_the_gateway_reports_are_recorded_only_with_a_good_signature(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_ACQ_SMS_CALLBACK", "condiviso-123")
    document = {"channels": {"sms": {"secrets": {"callback_secret": "env:TEST_ACQ_SMS_CALLBACK"}}}}
    assert api.as_(Role.ADMIN).put(CONFIG, json={"document": document}).status_code == 200
    _an_sms_sent(api)
    body = json.dumps(
        {
            "reports": [
                {"client_reference": FIRST_SMS, "status": "delivered", "at": "2026-02-10T11:00:00+01:00"},
                {"client_reference": "ACQ/NESSUNO/S1/1/1", "status": "delivered", "at": "2026-02-10T11:00:00+01:00"},
                {"client_reference": FIRST_SMS, "status": "accepted"},
            ]
        }
    ).encode()
    headers = {"Content-Type": "application/json", "X-Signature": signature_of("condiviso-123", body)}

    bad = api.client.post(CALLBACK, content=body, headers={**headers, "X-Signature": signature_of("altro", body)})
    assert bad.status_code == 401 and bad.headers["content-type"] == "application/problem+json"
    missing = api.client.post(CALLBACK, content=body, headers={"Content-Type": "application/json"})
    assert missing.status_code == 401
    other_company = api.client.post("/channels/sms/GAS/reports", content=body, headers=headers)
    assert other_company.status_code == 401  # GAS has no secret: the same answer as a wrong signature
    step = api.container.positions.load("ACQ", "C7").case("S7/1").steps[0]
    assert step.outcome is None  # nothing recorded by the refused calls

    good = api.client.post(CALLBACK, content=body, headers=headers)
    assert good.status_code == 200, good.text
    result = good.json()
    assert (result["accepted"], result["duplicates"], result["details"]["intermediate"]) == (1, 0, 1)
    assert [u["reference"] for u in result["unmatched"]] == ["ACQ/NESSUNO/S1/1/1"]
    step = api.container.positions.load("ACQ", "C7").case("S7/1").steps[0]
    assert step.outcome is not None and step.outcome.value == "delivered" and step.delivered_on == date(2026, 2, 10)
    again = api.client.post(CALLBACK, content=body, headers=headers).json()
    assert (again["accepted"], again["duplicates"]) == (0, 1)
