"""Excel uploads and the actions table through the API."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook

from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, Api

pytestmark = pytest.mark.cli_or_api

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(bad_bill: bool = False) -> bytes:
    book = Workbook()
    customers = book.active
    customers.title = "Clienti"
    customers.append(["Codice Cliente", "Nominativo", "Tipologia Cliente"])
    customers.append(["C1", "Mario Rossi", 1])
    supplies = book.create_sheet("Forniture")
    supplies.append(["Codice Cliente", "Codice Fornitura", "Tipologia Servizio", "Tipologia Fornitura", "Stato"])
    supplies.append(["C1", "S1", 1, 1, 1])
    bills = book.create_sheet("Bollette")
    bills.append(
        ["Numero Bolletta", "Codice Cliente", "Codice Fornitura", "Data Emissione", "Data Scadenza", "Importo"]
    )
    bills.append(["B1", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), 120.5])
    if bad_bill:
        bills.append(["B2", "C1", "S1", date(2026, 1, 1), "31/02/2026", 10])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(api: Api, content: bytes, name: str = "clienti.xlsx", media: str = XLSX, role: Role = Role.FEED) -> Any:
    return api.as_(role).post(f"{BASE}/imports", files={"file": (name, content, media)})


@pytest.mark.postgres_smoke
@pytest.mark.app_role
def test_an_upload_imports_the_good_rows_reports_the_bad_ones_and_twice_adds_nothing(api: Api) -> None:
    content = workbook(bad_bill=True)  # built once: openpyxl stamps the creation time into the file
    first = upload(api, content)
    second = upload(api, content)

    assert first.status_code == 200
    body = first.json()
    assert body["sheets"]["Bollette"] == {"accepted": 1, "unchanged": 0, "rejected": 1}
    assert body["totals"]["accepted"] == 3
    assert body["rejected"][0]["sheet"] == "Bollette" and body["rejected"][0]["row"] == 3
    assert body["rejected"][0]["column"] == "Data Scadenza"
    again = second.json()
    assert again["already_imported"] is True and again["totals"]["accepted"] == 0 and again["events"] == 0
    assert again["import_id"] == body["import_id"]
    position = api.container.positions.load("ACQ", "C1")
    assert list(position.bills) == ["B1"]

    record = api.as_(Role.AUDITOR).get(f"{BASE}/imports/{body['import_id']}")
    assert record.status_code == 200
    assert record.json()["file_sha256"] == body["file_sha256"]
    assert record.json()["sheets"]["Bollette"]["rejected"] == 1
    events = api.as_(Role.AUDITOR).get(f"{BASE}/positions/C1/history").json()["events"]
    assert {e["by"] for e in events} == {f"import:{body['import_id']}"}


def test_an_upload_that_is_not_a_workbook_is_415_and_too_large_is_413(api: Api) -> None:
    api.client.app.state.limits["upload"] = 1024  # type: ignore[attr-defined]

    text = upload(api, b"%PDF-1.7 Codice Cliente;Nominativo", name="clienti.pdf", media="application/pdf")
    not_multipart = api.as_(Role.FEED).post(f"{BASE}/imports", json={"file": "x"})
    large = upload(api, b"PK\x03\x04" + b"0" * 4096)

    assert text.status_code == 415 and text.json()["errors"][0]["field"] == "file"
    assert text.json()["detail"].startswith("clienti.pdf: formato non supportato (formati accettati:")
    assert not_multipart.status_code == 415
    assert large.status_code == 413


@pytest.mark.postgres_smoke
@pytest.mark.app_role
def test_an_unknown_import_is_404_and_another_companys_import_is_not_visible(api: Api) -> None:
    imported = upload(api, workbook()).json()

    unknown = api.as_(Role.AUDITOR).get(f"{BASE}/imports/00000000-0000-0000-0000-000000000000")
    other = api.as_(Role.AUDITOR, "other").get(f"{BASE}/imports/{imported['import_id']}")
    via_other_company = api.as_(Role.AUDITOR, "group").get(f"/api/v1/companies/GAS/imports/{imported['import_id']}")

    assert unknown.status_code == 404
    assert other.status_code == 404
    assert via_other_company.status_code == 404


def row(seq: int, code: int, mode: str = "auto", level: int = 0, start: str = "opened", **extra: Any) -> dict[str, Any]:
    return {
        "ladder": "PROVA",
        "seq": seq,
        "action_code": code,
        "description": f"passo {seq}",
        "wait_before_days": 0,
        "start_point": start,
        "wait_after_days": 10,
        "amount_min": "0",
        "amount_max": None,
        "threshold": "10",
        "approval_level": level,
        "mode": mode,
        "customer_types": [],
        "services": [],
        "supply_types": [],
        "supply_statuses": [],
        "parameters": [],
        **extra,
    }


@pytest.mark.postgres_smoke
def test_the_actions_table_is_versioned_and_a_put_is_validated_like_the_excel_import(api: Api) -> None:
    admin = api.as_(Role.ADMIN)
    standard = admin.get(f"{BASE}/actions-table").json()

    revised = admin.put(f"{BASE}/actions-table", json={"rows": [row(1, 3, "proposal")], "note": "prova"})
    same = admin.put(f"{BASE}/actions-table", json={"rows": [row(1, 3, "proposal")]})
    stale = admin.put(f"{BASE}/actions-table", json={"rows": [row(1, 4)], "expected_version": 1})
    invalid = admin.put(
        f"{BASE}/actions-table", json={"rows": [row(1, 3), row(2, 99), row(1, 4, ladder="ALTRA", wait_before_days=-1)]}
    )
    by_operator = api.as_(Role.OPERATOR).put(f"{BASE}/actions-table", json={"rows": [row(1, 4)]})

    assert standard["version"] == 1 and standard["rows"][0]["key"]
    assert revised.status_code == 200
    assert (revised.json()["changed"], revised.json()["version"]) == (True, 2)
    assert revised.json()["table"]["by"] == api.name(Role.ADMIN)
    assert (same.json()["changed"], same.json()["version"]) == (False, 2)
    assert stale.status_code == 409
    assert invalid.status_code == 422
    fields = [e["field"] for e in invalid.json()["errors"]]
    assert fields == ["rows.1.action_code", "rows.2"]
    assert by_operator.status_code == 403
    v1 = api.as_(Role.AUDITOR).get(f"{BASE}/actions-table/versions/1").json()
    assert v1["rows"] == standard["rows"]
    assert api.as_(Role.AUDITOR).get(f"{BASE}/actions-table/versions/9").status_code == 404
    assert api.as_(Role.OPERATOR).get(f"{BASE}/actions-table").json()["version"] == 2
