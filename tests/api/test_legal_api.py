"""The legal proceedings through the API: a milestone recorded with its documents (multipart), listed
back, the *contenzioso* by next deadline; refusals as problem documents; who may record."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, Api, Caller
from tests.api.test_cases import CASE, open_case
from tests.api.test_imports_and_actions_table import row
from tests.integration.legal_world import PDF

pytestmark = pytest.mark.cli_or_api

MILESTONES = f"{CASE}/legal-milestones"


@pytest.fixture
def in_litigation(api: Api, tmp_path: Path) -> Api:
    api.container.settings.legal_documents_dir = str(tmp_path / "documenti-legali")
    open_case(api, [row(1, 3)])
    assert api.as_(Role.SUPERVISOR).post(f"{CASE}/litigation", json={}).status_code == 200
    return api


def form(**fields: str) -> dict[str, str]:
    return {"kind": "injunction_filed", "occurred_on": "2026-03-02", **fields}


def record(caller: Caller, fields: dict[str, str], *documents: tuple[str, bytes, str], path: str = MILESTONES) -> Any:
    """POST the milestone as ``multipart/form-data`` (also without documents), as the API asks."""
    parts: list[tuple[str, Any]] = [(name, (None, value)) for name, value in fields.items()]
    parts += [("documents", document) for document in documents]
    return caller.post(path, files=parts)


def milestones(api: Api) -> list[dict[str, Any]]:
    answer = api.as_(Role.AUDITOR).get(f"{BASE}/positions/C1/legal-milestones")
    assert answer.status_code == 200, answer.text
    (case,) = answer.json()["cases"]
    return list(case["milestones"])


@pytest.mark.postgres_smoke
def test_the_legal_team_records_milestones_with_documents_and_the_contenzioso_shows_the_deadline(
    in_litigation: Api,
) -> None:
    api = in_litigation
    legal = api.as_(Role.LEGAL)
    filed = record(legal, form(court="Tribunale di Roma", docket="RG 55/2026"))
    granted = record(
        legal,
        form(kind="injunction_granted", amount="120.50", next_deadline="2026-04-11", note="esecutivo"),
        ("decreto.pdf", PDF, "application/pdf"),
    )
    again = record(legal, form(court="Tribunale di Roma", docket="RG 55/2026"))

    assert filed.status_code == 200 and filed.json()["events"] == ["LegalMilestoneRecorded"]
    assert granted.status_code == 200 and granted.json()["changed"] is True
    assert again.status_code == 200 and again.json()["changed"] is False
    listed = milestones(api)
    assert [m["kind"] for m in listed] == ["injunction_filed", "injunction_granted"]
    assert listed[1]["amount"] == "120.50" and listed[1]["next_deadline"] == "2026-04-11"
    assert listed[1]["recorded_by"] == api.name(Role.LEGAL)
    assert listed[1]["documents"] == [
        {"name": "decreto.pdf", "sha256": hashlib.sha256(PDF).hexdigest(), "media_type": "application/pdf"}
    ]
    assert api.container.legal_documents().read("ACQ", hashlib.sha256(PDF).hexdigest()) == PDF

    api.container.projections.catch_up()
    contenzioso = api.as_(Role.OPERATOR).get(f"{BASE}/litigation")
    assert contenzioso.status_code == 200
    (item,) = contenzioso.json()["items"]
    assert (item["case_id"], item["legal_milestone"], item["legal_milestone_label"]) == (
        "S1/1",
        "injunction_granted",
        "decreto ingiuntivo emesso",
    )
    assert (item["court"], item["docket"], item["next_deadline"]) == ("Tribunale di Roma", "RG 55/2026", "2026-04-11")
    assert contenzioso.json()["total"] == 1


def test_refusals_are_problem_documents_naming_the_field(in_litigation: Api) -> None:
    api = in_litigation
    legal = api.as_(Role.LEGAL)
    today = api.container.clock.today()

    future = record(legal, form(occurred_on=str(today + timedelta(days=5))))
    out_of_order = record(legal, form(kind="injunction_served"))
    negative = record(legal, form(kind="judgment", amount="-1.00"))
    not_a_pdf = record(legal, form(kind="judgment"), ("sentenza.pdf", b"<html>", "application/pdf"))
    wrong_type = record(legal, form(kind="judgment"), ("x.exe", b"MZ", "application/octet-stream"))
    unknown_kind = record(legal, form(kind="appeal"))
    as_json = legal.post(MILESTONES, json=form())
    unknown_case = record(legal, form(), path=f"{BASE}/positions/C1/cases/S1/9/legal-milestones")

    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "occurred_on"
    assert out_of_order.status_code == 409, out_of_order.text
    assert "decreto ingiuntivo emesso" in out_of_order.json()["detail"]
    assert negative.status_code == 422
    assert not_a_pdf.status_code == 422 and "non è un PDF" in not_a_pdf.json()["detail"]
    assert not_a_pdf.json()["errors"][0]["field"] == "attachments"
    assert wrong_type.status_code == 422 and "non ammesso" in wrong_type.json()["detail"]
    assert unknown_kind.status_code == 422
    assert as_json.status_code == 415
    assert unknown_case.status_code == 404
    assert all(r.headers["content-type"] == "application/problem+json" for r in (future, out_of_order, as_json))
    assert milestones(api) == []


def test_only_the_legal_team_and_supervisors_record_milestones(in_litigation: Api) -> None:
    api = in_litigation
    refused = {role: record(api.as_(role), form()).status_code for role in (Role.OPERATOR, Role.AUDITOR)}
    other_company = record(api.as_(Role.LEGAL, "other"), form())
    by_supervisor = record(api.as_(Role.SUPERVISOR), form())

    assert refused == {Role.OPERATOR: 403, Role.AUDITOR: 403}
    assert other_company.status_code == 404
    assert by_supervisor.status_code == 200 and by_supervisor.json()["changed"] is True
    assert [m["recorded_by"] for m in milestones(api)] == [api.name(Role.SUPERVISOR)]


def test_a_case_not_in_litigation_has_no_milestone(api: Api) -> None:
    open_case(api, [row(1, 3)])
    refused = record(api.as_(Role.LEGAL), form())
    assert refused.status_code == 409 and "non è in contenzioso" in refused.json()["detail"]
    listed = api.as_(Role.AUDITOR).get(f"{BASE}/positions/C1/legal-milestones")
    assert listed.status_code == 200 and listed.json()["cases"] == []
