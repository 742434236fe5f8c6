"""The bank files through the API: upload, the worklist, an allocation by hand; refusals as problems."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, Api
from tests.bank_company import payments, seed
from tests.bank_files import fixture
from tests.hostile_xml import BILLION_LAUGHS

pytestmark = pytest.mark.cli_or_api

NOTIFICATION = "camt054_v08_notifica.xml"


def upload(api: Api, name: str, content: bytes | None = None, role: Role = Role.FEED) -> Any:
    data = fixture(name) if content is None else content
    return api.as_(role).post(f"{BASE}/bank-files", files={"file": (name, data, "application/xml")})


@pytest.mark.postgres_smoke
def test_an_upload_records_the_matched_credits_and_twice_adds_nothing(api: Api) -> None:
    seed(api.container, "ACQ", register=False)
    first = upload(api, NOTIFICATION)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["kind"], body["accepted"], body["duplicates"], len(body["unmatched"])) == ("banca", 5, 0, 2)
    assert body["details"]["file"]["schema_validated"] is True
    again = upload(api, NOTIFICATION)
    assert (again.json()["accepted"], again.json()["duplicates"], again.json()["unmatched"]) == (0, 7, [])
    assert [p.amount for p in payments(api.container, "C002")] == [Decimal("80.00")]


@pytest.mark.postgres_smoke
def test_the_worklist_is_read_and_a_credit_allocated_by_an_operator(api: Api) -> None:
    seed(api.container, "ACQ", register=False)
    upload(api, NOTIFICATION)
    listed = api.as_(Role.AUDITOR).get(f"{BASE}/bank-files/unmatched")
    assert listed.status_code == 200
    rows = {row["remittance"]: row for row in listed.json()}
    assert set(rows) == {"REGALO DI NATALE", "BOLLETTE B2026000106 B2026000107"}
    credit_id = rows["BOLLETTE B2026000106 B2026000107"]["credit_id"]
    body = {"credit_id": credit_id, "customer": "C007", "bill": "B2026000107"}
    refused = api.as_(Role.AUDITOR).post(f"{BASE}/bank-files/allocations", json=body)
    assert refused.status_code == 403
    done = api.as_(Role.OPERATOR).post(f"{BASE}/bank-files/allocations", json=body)
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["rule"], done.json()["customer_code"]) == ("recorded", "manual", "C007")
    assert [p.amount for p in payments(api.container, "C007")] == [Decimal("160.00")]
    left = api.as_(Role.OPERATOR).get(f"{BASE}/bank-files/unmatched").json()
    assert [row["remittance"] for row in left] == ["REGALO DI NATALE"]
    other = api.as_(Role.OPERATOR).post(f"{BASE}/bank-files/allocations", json={**body, "customer": "C006"})
    assert other.status_code == 409
    assert other.headers["content-type"].startswith("application/problem+json")


def test_an_allocation_to_an_unknown_customer_or_credit_is_a_404(api: Api) -> None:
    seed(api.container, "ACQ", register=False)
    upload(api, NOTIFICATION)
    [gift] = [
        r for r in api.as_(Role.OPERATOR).get(f"{BASE}/bank-files/unmatched").json() if r["problem"] == "unmatched"
    ]
    unknown = api.as_(Role.OPERATOR).post(
        f"{BASE}/bank-files/allocations", json={"credit_id": gift["credit_id"], "customer": "C999"}
    )
    assert unknown.status_code == 404
    missing = api.as_(Role.OPERATOR).post(
        f"{BASE}/bank-files/allocations", json={"credit_id": "FFFFFFFFFFFF", "customer": "C001"}
    )
    assert missing.status_code == 404
    wrong_bill = api.as_(Role.OPERATOR).post(
        f"{BASE}/bank-files/allocations",
        json={"credit_id": gift["credit_id"], "customer": "C002", "bill": "B2026000101"},
    )
    assert wrong_bill.status_code == 422


def test_a_hostile_or_invalid_file_is_refused_with_422_and_nothing_recorded(api: Api) -> None:
    seed(api.container, "ACQ", register=False)
    hostile = upload(api, "bombe.xml", BILLION_LAUGHS)
    assert hostile.status_code == 422
    assert "DOCTYPE" in hostile.json()["detail"]
    invalid = upload(api, "rotto.xml", fixture(NOTIFICATION).replace(b"<CdtDbtInd>CRDT</CdtDbtInd>", b"", 1))
    assert invalid.status_code == 422
    assert "schema ISO 20022" in invalid.json()["detail"] and "riga" in invalid.json()["detail"]
    assert api.as_(Role.OPERATOR).get(f"{BASE}/bank-files/unmatched").json() == []
    assert payments(api.container, "C001") == []


def test_another_companys_token_sees_no_worklist(api: Api) -> None:
    seed(api.container, "ACQ", register=False)
    upload(api, NOTIFICATION)
    assert api.as_(Role.OPERATOR, "other").get(f"{BASE}/bank-files/unmatched").status_code == 404
