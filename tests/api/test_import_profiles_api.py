"""Excel uploads with a company's import profile (``?profile=``)."""

from __future__ import annotations

import pytest

from creditbox.domain.tokens import Role
from creditbox.sample_data import SampleSpec, generate, with_bad_rows
from tests.api.conftest import BASE, OWN, Api
from tests.api.test_imports_and_actions_table import upload, workbook
from tests.conftest import AFTER_THE_SAMPLE_DATA
from tests.profile_workbooks import PROFILE, every_supply_active, other_layout_bytes, their_location

pytestmark = [pytest.mark.cli_or_api, pytest.mark.today(AFTER_THE_SAMPLE_DATA)]


@pytest.mark.postgres_smoke
def test_an_upload_with_a_profile_reads_their_layout_and_names_their_rows(api: Api) -> None:
    api.container.import_profiles().set(OWN, "nord", PROFILE, by="test")
    data = every_supply_active(generate(SampleSpec(customers=5)))
    bad = with_bad_rows(data)
    content = other_layout_bytes(data)

    response = api.as_(Role.FEED).post(
        f"{BASE}/imports", params={"profile": "nord"}, files={"file": ("nord.xlsx", content, "application/zip")}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["profile"], body["profile_version"]) == ("nord", 1)
    assert body["sheets"]["Clienti"]["accepted"] == 5
    assert {(r["sheet"], r["row"], r["column"]) for r in body["rejected"]} == {their_location(b) for b in bad}
    record = api.as_(Role.AUDITOR).get(f"{BASE}/imports/{body['import_id']}").json()
    assert (record["profile"], record["profile_version"]) == ("nord", 1)
    assert api.container.positions.load(OWN, "C000001").details.name == data.rows["Clienti"][0][1]


def test_an_unknown_profile_is_404_and_nothing_is_imported(api: Api) -> None:
    content = other_layout_bytes(every_supply_active(generate(SampleSpec(customers=2))))
    before = api.container.app.recorder.max_notification_id()

    response = api.as_(Role.FEED).post(
        f"{BASE}/imports", params={"profile": "sud"}, files={"file": ("sud.xlsx", content, "application/zip")}
    )

    assert response.status_code == 404
    assert "profilo di importazione 'sud' sconosciuto" in response.json()["detail"]
    assert api.container.app.recorder.max_notification_id() == before


def test_without_a_profile_the_default_layout_is_used_and_says_so(api: Api) -> None:
    body = upload(api, workbook()).json()
    assert (body["profile"], body["profile_version"]) == ("default", None)
    default = api.as_(Role.FEED).post(
        f"{BASE}/imports", params={"profile": "default"}, files={"file": ("x.xlsx", workbook(), "application/zip")}
    )
    assert default.status_code == 200 and default.json()["profile"] == "default"
