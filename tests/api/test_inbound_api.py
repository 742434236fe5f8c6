"""``POST /companies/{company}/inbound/{kind}`` and ``GET /companies/{company}/inbound/unmatched``: a PEC
receipt uploaded becomes the outcome of its notice, the same upload again changes nothing, a receipt of
no notice lands on the unmatched worklist, an unreadable file is a 422 problem, an unknown kind a 404,
and only the operator's role or above may upload (the read is for every reading role)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from creditbox.domain.tokens import Role
from creditbox.domain.workflow.outcomes import StepOutcome
from tests.api.conftest import BASE, Api
from tests.integration.test_pec_receipts import FIXTURES, given_public_bodies_with_a_pec_notice

pytestmark = pytest.mark.cli_or_api

RECEIPTS = f"{BASE}/inbound/ricevute"


@pytest.fixture(autouse=True)
def evidence_folder(api: Api, tmp_path: Path) -> Path:
    folder = tmp_path / "prove"
    api.container.settings.evidence_dir = str(folder)
    given_public_bodies_with_a_pec_notice(api.container)
    return folder


def _upload(api: Api, name: str, role: Role = Role.OPERATOR, content: bytes | None = None) -> Any:
    body = content if content is not None else (FIXTURES / name).read_bytes()
    return api.as_(role).post(RECEIPTS, files={"file": (name, body, "message/rfc822")})


@pytest.mark.postgres_smoke
def test_an_uploaded_receipt_is_the_outcome_of_its_notice_and_again_changes_nothing(
    api: Api, evidence_folder: Path
) -> None:
    first = _upload(api, "avvenuta-consegna.eml")
    again = _upload(api, "avvenuta-consegna.eml", Role.SUPERVISOR)

    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["kind"], body["accepted"], body["duplicates"]) == ("ricevute", 1, 0)
    assert body["details"]["outcome"] == "delivered" and body["details"]["receipt"]["type"] == "avvenuta-consegna"
    assert again.json()["duplicates"] == 1
    case = api.container.positions.load("ACQ", "E1").dunning.cases["S-E1/1"]
    assert case.steps[0].outcomes == [(StepOutcome.DELIVERED, date(2026, 2, 10))]
    assert len(list(evidence_folder.glob("ACQ/*/*.eml"))) == 1


@pytest.mark.app_role
def test_a_receipt_of_no_notice_is_on_the_unmatched_worklist(api: Api) -> None:
    response = _upload(api, "sconosciuta.eml")

    assert response.status_code == 200 and len(response.json()["unmatched"]) == 1
    listed = api.as_(Role.AUDITOR).get(f"{BASE}/inbound/unmatched", params={"kind": "ricevute"})
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert item["reference"] == "<ACQ/NESSUNO/S-NESSUNO/1/1@pec.acque.example.it>"
    assert item["kind_label"] == "Ricevute PEC" and item["filename"] == "sconosciuta.eml"
    other = api.as_(Role.AUDITOR, "other").get(f"{BASE}/inbound/unmatched")
    assert other.status_code == 404  # another company's token never sees it


def test_an_unreadable_file_is_a_422_problem(api: Api) -> None:
    response = _upload(api, "nota.eml", content=b"Subject: ciao\r\n\r\nniente\r\n")

    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "daticert.xml assente" in problem["detail"]


def test_an_unknown_kind_is_a_404_problem(api: Api) -> None:
    response = api.as_(Role.OPERATOR).post(f"{BASE}/inbound/cartoline", files={"file": ("a.csv", b"x", "text/csv")})

    assert response.status_code == 404
    assert "tipo di file in arrivo sconosciuto" in response.json()["detail"]


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.FEED, Role.ADMIN, Role.LEGAL])
def test_only_operators_and_supervisors_upload(api: Api, role: Role) -> None:
    response = _upload(api, "accettazione.eml", role)

    assert response.status_code == 403
    case = api.container.positions.load("ACQ", "E1").dunning.cases["S-E1/1"]
    assert case.steps[0].outcomes == []
