"""Imports from the console over HTTP: the upload runs the API's importer (feed role only), the
report shows each rejected row's sheet, row, column and reason, the rejects download as Excel,
and the same file twice adds nothing."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from creditbox.domain.errors import NotFound
from tests.console.conftest import OWN, Console, billing_workbook
from tests.console.test_console_security import csrf_of

pytestmark = pytest.mark.cli_or_api

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.postgres_smoke
@pytest.mark.app_role
def test_an_uploaded_workbook_is_imported_and_its_report_names_the_rejected_rows(
    console: Console, tmp_path: Path
) -> None:
    content = billing_workbook(tmp_path / "fatturazione.xlsx").read_bytes()
    client = console.sign_in("carla.bianchi")
    form = client.get(f"/console/{OWN}/importazioni")
    files = {"file": ("fatturazione.xlsx", content, XLSX)}

    report = client.post(f"/console/{OWN}/importazioni", data={"csrf": csrf_of(form.text)}, files=files)

    assert report.status_code == 200 and "File &#39;fatturazione.xlsx&#39; importato" in report.text
    assert re.search(r'id="accettate">3<', report.text) and re.search(r'id="scartate">1<', report.text)
    row = re.search(r'<table class="data" id="scarti">.*?<tbody><tr>(.*?)</tr>', report.text, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    assert cells[:3] == ["Bollette", "3", "Data Scadenza"] and cells[3]
    assert list(console.container.positions.load(OWN, "C9").bills) == ["B91"]

    link = re.search(r'href="([^"]+/scarti)"', report.text)
    assert link is not None
    rejects = client.get(link.group(1))
    sheet = load_workbook(BytesIO(rejects.content)).active
    assert sheet is not None
    assert list(sheet.iter_rows(values_only=True))[1][:3] == ("Bollette", 3, "Data Scadenza")

    again = client.post(f"/console/{OWN}/importazioni", data={"csrf": csrf_of(report.text)}, files=files)
    assert re.search(r'id="accettate">3<', again.text)  # the same import, nothing added
    assert len(console.container.positions.load(OWN, "C9").bills) == 1


def test_only_the_feed_role_uploads_and_a_form_without_its_token_is_refused(console: Console, tmp_path: Path) -> None:
    content = billing_workbook(tmp_path / "f.xlsx").read_bytes()
    files = {"file": ("f.xlsx", content, XLSX)}
    client = console.sign_in("mario.rossi")
    page = client.get(f"/console/{OWN}/importazioni")
    assert page.status_code == 200 and 'id="carica"' not in page.text

    refused = client.post(f"/console/{OWN}/importazioni", data={"csrf": csrf_of(page.text)}, files=files)
    assert refused.status_code == 403

    client = console.sign_in("carla.bianchi")
    no_token = client.post(f"/console/{OWN}/importazioni", files=files)
    assert no_token.status_code == 403
    with pytest.raises(NotFound):
        console.container.positions.load(OWN, "C9")


def test_a_file_that_is_not_a_workbook_is_refused_with_a_message(console: Console) -> None:
    client = console.sign_in("carla.bianchi")
    page = client.get(f"/console/{OWN}/importazioni")
    answer = client.post(
        f"/console/{OWN}/importazioni",
        data={"csrf": csrf_of(page.text)},
        files={"file": ("note.xlsx", b"not a zip", XLSX)},
    )
    assert answer.status_code == 200 and "non è una cartella di lavoro .xlsx" in answer.text
