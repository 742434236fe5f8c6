"""``GET /companies/{company}/positions/{customer}/dossier``: the evidence dossier as a ZIP, for the roles
that read histories (auditor, legal team, supervisor, operator), company-scoped, RFC 9457 problems."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from creditbox.application.dossier_check import check_dossier
from creditbox.application.dossier_format import MANIFEST
from creditbox.domain.tokens import Role
from creditbox.infrastructure.dossier.archive import read_archive
from tests.api.conftest import BASE, Api, bill, payment, seed_customer

pytestmark = pytest.mark.cli_or_api
URL = f"{BASE}/positions/C1/dossier"


def seed(api: Api) -> None:
    seed_customer(api)
    feed = api.as_(Role.FEED)
    assert feed.post(f"{BASE}/bills", json=bill()).status_code in (200, 201)
    assert feed.post(f"{BASE}/payments", json=payment()).status_code in (200, 201)


def test_the_auditor_downloads_the_dossier_and_it_checks_against_the_store(api: Api) -> None:
    seed(api)
    response = api.as_(Role.AUDITOR).get(URL)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert 'filename="fascicolo-ACQ-C1.zip"' in response.headers["content-disposition"]
    contents = read_archive(response.content)
    manifest = json.loads(contents[MANIFEST])
    assert (manifest["company"], manifest["customer_code"]) == ("ACQ", "C1")
    assert manifest["chain_head"]["version"] == manifest["events"] >= 4
    assert {"estratto_conto/estratto_conto.pdf", "storia/cronologia.pdf", "bollette/bollette.json"} <= set(contents)
    check = check_dossier(contents, api.container.chain_records())
    assert check.clean, check.findings
    assert zipfile.ZipFile(io.BytesIO(response.content)).testzip() is None
    assert api.as_(Role.LEGAL).get(URL).status_code == 200


def test_roles_scope_and_problems(api: Api) -> None:
    seed(api)
    assert api.as_(Role.FEED).get(URL).status_code == 403
    assert api.as_(Role.ADMIN).get(URL).status_code == 403
    assert api.as_(Role.AUDITOR, "other").get(URL).status_code == 404
    assert api.client.get(URL).status_code == 401
    unknown = api.as_(Role.AUDITOR).get(f"{BASE}/positions/C9/dossier")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert "C9" in unknown.json()["detail"]
