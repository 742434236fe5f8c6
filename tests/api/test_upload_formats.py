"""The API upload takes .xlsx, .xls, .ods and CSV files (made by LibreOffice, ``tests/fixtures/imports``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from creditbox.application.records import Sheet
from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, OWN, Api
from tests.fixtures.imports.make_fixtures import fixture_data
from tests.flat_exports import FLAT_PROFILE

pytestmark = pytest.mark.cli_or_api

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"
BILLS = fixture_data().count(Sheet.BILLS)


@pytest.mark.cli_or_api
def test_the_api_takes_an_ods_and_a_csv_whatever_media_type_the_browser_sent(api: Api) -> None:
    api.container.import_profiles().set(OWN, "piatto", FLAT_PROFILE, by="test")
    ods = api.as_(Role.FEED).post(
        f"{BASE}/imports",
        files={"file": ("standard.ods", (FIXTURES / "standard.ods").read_bytes(), "application/octet-stream")},
    )
    csv = api.as_(Role.FEED).post(
        f"{BASE}/imports?profile=piatto",
        files={"file": ("piatto.csv", (FIXTURES / "piatto.csv").read_bytes(), "application/vnd.ms-excel")},
    )

    assert ods.status_code == 200, ods.json()
    assert ods.json()["sheets"]["Bollette"] == {"accepted": BILLS, "unchanged": 0, "rejected": 0}
    assert csv.status_code == 200, csv.json()
    assert csv.json()["sheets"]["Bollette"] == {"accepted": 0, "unchanged": BILLS, "rejected": 0}
    assert (csv.json()["profile"], csv.json()["file_name"]) == ("piatto", "piatto.csv")
