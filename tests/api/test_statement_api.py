"""``GET /companies/{company}/positions/{customer}/statement``: the statement of account as JSON, Excel
or PDF, for the roles that read positions (operator, auditor...), RFC 9457 problems otherwise.

The customer (domestic, water): bill B1 120,50 € due 31/01/2026, 20,00 € paid on 10/02/2026;
statement on 02/03/2026 at the legal rate 1,6% (2026):
  01/02–10/02/2026: 10 days on 120,50: 120,5 × 1,6 × 10 / 36500 = 1928 / 36500 = 0,0528… → 0,05
  11/02–02/03/2026: 20 days on 100,50: 100,5 × 1,6 × 20 / 36500 = 3216 / 36500 = 0,0881… → 0,09
interest 0,14; principal 100,50; total 100,64.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, Api, bill, payment, seed_customer

pytestmark = pytest.mark.cli_or_api
URL = f"{BASE}/positions/C1/statement"


def seed(api: Api) -> None:
    seed_customer(api)
    feed = api.as_(Role.FEED)
    assert feed.post(f"{BASE}/bills", json=bill()).status_code in (200, 201)
    assert feed.post(f"{BASE}/payments", json=payment()).status_code in (200, 201)


@pytest.mark.postgres_smoke
def test_statement_as_json_excel_and_pdf(api: Api) -> None:
    seed(api)
    response = api.as_(Role.AUDITOR).get(URL, params={"as_of": "2026-03-02"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["totals"]["principal"] == "100.50"
    assert body["totals"]["interest"] == "0.14" and body["totals"]["total"] == "100.64"
    assert [i["amount"] for i in body["interest"]] == ["0.05", "0.09"]
    assert body["customer_name"] == "Mario Rossi" and body["company_name"] == "Acque Spa"

    excel = api.as_(Role.OPERATOR).get(URL, params={"as_of": "2026-03-02", "format": "xlsx"})
    assert excel.status_code == 200
    assert excel.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert 'filename="estratto-conto-ACQ-C1-2026-03-02.xlsx"' in excel.headers["content-disposition"]
    book = load_workbook(io.BytesIO(excel.content))
    assert book["Movimenti"]["C2"].value == "B1"

    pdf = api.as_(Role.LEGAL).get(URL, params={"as_of": "2026-03-02", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Estratto conto al 02/03/2026" in text and "100,64 €" in text


def test_default_date_is_today_and_problems(api: Api) -> None:
    seed(api)
    today = api.as_(Role.OPERATOR).get(URL)
    assert today.status_code == 200 and today.json()["as_of"] == api.container.clock.today().isoformat()
    unknown = api.as_(Role.AUDITOR).get(f"{BASE}/positions/C9/statement")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert "C9" in unknown.json()["detail"]
    bad_format = api.as_(Role.AUDITOR).get(URL, params={"format": "doc"})
    assert bad_format.status_code == 422 and bad_format.headers["content-type"].startswith("application/problem+json")
    bad_date = api.as_(Role.AUDITOR).get(URL, params={"as_of": "31/02/2026"})
    assert bad_date.status_code == 422
    assert api.as_(Role.FEED).get(URL).status_code == 403
    assert api.as_(Role.AUDITOR, "other").get(URL).status_code == 404
    assert api.client.get(URL).status_code == 401


def test_the_ageing_route_counts_the_prescrivibili(api: Api) -> None:
    seed_customer(api)  # domestic, water
    feed = api.as_(Role.FEED)
    old = bill("B0", issue="2023-01-01", due="2023-01-15", amount="75.00")  # + 2 years: 15/01/2025
    assert feed.post(f"{BASE}/bills", json=old).status_code in (200, 201)
    assert feed.post(f"{BASE}/bills", json=bill()).status_code in (200, 201)
    ageing = api.as_(Role.AUDITOR).get(f"{BASE}/ageing")
    assert ageing.status_code == 200, ageing.text
    body = ageing.json()
    assert (body["past_limit"], body["time_barred"], body["time_barred_count"]) == ("75.00", "75.00", 1)
