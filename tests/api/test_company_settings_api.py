"""The company settings through the API: versions, history, admin-only changes,
optimistic concurrency, every problem named by field, other companies invisible."""

from __future__ import annotations

from datetime import date

import pytest

from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, OTHER, Api, bill, seed_customer

pytestmark = pytest.mark.cli_or_api

SETTINGS = f"{BASE}/settings"


def test_an_admin_changes_some_settings_and_the_history_shows_who_and_why(api: Api) -> None:
    admin = api.as_(Role.ADMIN)
    standard = admin.get(SETTINGS).json()

    changed = admin.put(
        SETTINGS,
        json={
            "settings": {
                "grace_period_days": 20,
                "suspension_forbidden_weekdays": ["venerdì", "sabato", 6],
                "company_days": [{"date": "06-24", "label": "San Giovanni Battista"}],
            },
            "note": "delibera 7/2026",
            "expected_version": 1,
        },
    )
    same = admin.put(SETTINGS, json={"settings": {"grace_period_days": 20}})

    assert standard["version"] == 1 and standard["source"] == "registrazione"
    assert standard["settings"]["grace_period_days"] == 10
    assert standard["settings"]["write_off_ceilings"] == {"1": "1000.00", "2": "10000.00", "3": "1000000.00"}
    assert changed.status_code == 200, changed.json()
    body = changed.json()
    assert (body["changed"], body["version"]) == (True, 2)
    assert body["fields"] == ["grace_period_days", "suspension_forbidden_weekdays", "company_days"]
    assert body["current"]["by"] == api.name(Role.ADMIN) and body["current"]["source"] == "api"
    assert body["current"]["settings"]["suspension_forbidden_weekdays"] == [4, 5, 6]
    assert body["current"]["settings"]["write_off_ceilings"]["2"] == "10000.00"  # untouched fields stay
    assert (same.json()["changed"], same.json()["version"], same.json()["fields"]) == (False, 2, [])

    history = api.as_(Role.AUDITOR).get(f"{SETTINGS}/history").json()
    assert [(h["version"], h["by"], h["note"]) for h in history] == [
        (1, "test", None),
        (2, api.name(Role.ADMIN), "delibera 7/2026"),
    ]
    assert history[1]["changed"] == ["grace_period_days", "suspension_forbidden_weekdays", "company_days"]
    v1 = api.as_(Role.OPERATOR).get(f"{SETTINGS}/versions/1").json()
    assert v1["settings"] == standard["settings"]
    assert api.as_(Role.OPERATOR).get(f"{SETTINGS}/versions/3").status_code == 404


def test_the_new_grace_period_decides_when_the_next_tick_opens_a_case(api: Api) -> None:
    # Given a bill due 31/01 and the grace period lengthened to 20 days through the API
    seed_customer(api)
    api.as_(Role.FEED).post(f"{BASE}/bills", json=bill(due="2026-01-31"))
    api.as_(Role.ADMIN).put(SETTINGS, json={"settings": {"grace_period_days": "20"}})
    dunning = api.container.dunning()

    # Then nothing opens on 10/02 (the standard 10 days), the case opens on 20/02
    assert dunning.run_due("ACQ", date(2026, 2, 10)).event_count == 0
    assert dunning.run_due("ACQ", date(2026, 2, 20)).events["DunningCaseOpened"] == 1


@pytest.mark.postgres_smoke
@pytest.mark.app_role
def test_only_an_admin_changes_settings_and_another_company_is_404(api: Api) -> None:
    change = {"settings": {"grace_period_days": 1}}
    for role in (Role.OPERATOR, Role.SUPERVISOR, Role.AUDITOR, Role.LEGAL, Role.FEED):
        assert api.as_(role).put(SETTINGS, json=change).status_code == 403, role
    assert api.as_(Role.FEED).get(SETTINGS).status_code == 403
    # a token of another company: the same 404 as an unknown company, for reading and for writing
    for path in (SETTINGS, f"{SETTINGS}/history", f"{SETTINGS}/versions/1"):
        assert api.as_(Role.ADMIN, "other").get(path).status_code == 404
    refused = api.as_(Role.ADMIN, "other").put(SETTINGS, json=change)
    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    # nothing changed, in either company
    assert api.as_(Role.ADMIN).get(SETTINGS).json()["version"] == 1
    other = api.as_(Role.ADMIN, "group").get(f"/api/v1/companies/{OTHER}/settings").json()
    assert other["version"] == 1
    assert api.client.get(SETTINGS).status_code == 401


def test_an_invalid_document_is_refused_naming_every_wrong_field(api: Api) -> None:
    refused = api.as_(Role.ADMIN).put(
        SETTINGS,
        json={
            "settings": {
                "grace_period_days": "dieci",
                "suspension_forbidden_weekdays": [0, 1, 2, 3, 4, 5, 6],
                "suspension_forbidden_on_holidays": "forse",
                "company_days": [{"date": "2026-02-30", "label": "x"}, {"date": "24/06", "label": ""}],
                "write_off_ceilings": {"1": "-5", "12": "100.00"},
                "instalment_tolerance_days": 400,
                "instalment_tolerance_amount": "1E+2",
                "litigation_approval_level": True,
                "patrono": "24/06",
            }
        },
    )

    assert refused.status_code == 422
    problem = refused.json()
    assert refused.headers["content-type"] == "application/problem+json"
    assert problem["detail"] == "impostazioni non valide (11 problemi)"
    assert [e["field"] for e in problem["errors"]] == [
        "settings.patrono",
        "settings.grace_period_days",
        "settings.suspension_forbidden_weekdays",
        "settings.suspension_forbidden_on_holidays",
        "settings.company_days.0.date",
        "settings.company_days.1.label",
        "settings.write_off_ceilings.1",
        "settings.write_off_ceilings.12",
        "settings.instalment_tolerance_days",
        "settings.instalment_tolerance_amount",
        "settings.litigation_approval_level",
    ]
    assert all(e["location"] == "body" for e in problem["errors"])
    assert "tutti i giorni esclusi" in problem["errors"][2]["message"]
    assert api.as_(Role.ADMIN).get(SETTINGS).json()["version"] == 1

    not_an_object = api.as_(Role.ADMIN).put(SETTINGS, json={"settings": [1, 2]})
    assert not_an_object.status_code == 422
    unknown_top = api.as_(Role.ADMIN).put(SETTINGS, json={"settings": {}, "colour": "blue"})
    assert unknown_top.status_code == 422
    assert [e["field"] for e in unknown_top.json()["errors"]] == ["colour"]


@pytest.mark.postgres_smoke
def test_a_change_based_on_a_stale_version_is_409(api: Api) -> None:
    admin = api.as_(Role.ADMIN)
    assert admin.put(SETTINGS, json={"settings": {"grace_period_days": 12}, "expected_version": 1}).status_code == 200

    stale = admin.put(SETTINGS, json={"settings": {"grace_period_days": 14}, "expected_version": 1})

    assert stale.status_code == 409
    assert "versione 2, non 1" in stale.json()["detail"]
    assert admin.get(SETTINGS).json()["settings"]["grace_period_days"] == 12
