"""The four formats through the command line and the inbox (files made by LibreOffice,
``tests/fixtures/imports``; the API upload: ``tests/api/test_upload_formats.py``)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from creditbox.application.inbox_results import FileStatus
from creditbox.application.records import Sheet
from creditbox.bootstrap import Container
from tests.conftest import AFTER_THE_SAMPLE_DATA
from tests.fixtures.imports.make_fixtures import ACCENTED_NAME, fixture_data
from tests.flat_exports import FLAT_PROFILE
from tests.integration.command_line import run
from tests.integration.test_import_profiles import snapshot

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"
BILLS = fixture_data().count(Sheet.BILLS)


def write_profile(tmp_path: Path) -> Path:
    path = tmp_path / "piatto.json"
    path.write_text(json.dumps(FLAT_PROFILE), encoding="utf-8")
    return path


@pytest.mark.cli_or_api
@pytest.mark.postgres_smoke
def test_the_command_line_imports_xls_ods_and_a_flat_csv(cli_db: str, tmp_path: Path) -> None:
    assert run("profiles", "set", str(write_profile(tmp_path)), "--company", "ACQ", "--name", "piatto").code == 0
    for name, options in (("standard.xls", []), ("standard.ods", []), ("piatto.csv", ["--profile", "piatto"])):
        code, out, err = run("import", str(FIXTURES / name), "--company", "ACQ", "--json", *options)
        assert code == 0, err
        summary = json.loads(out)
        assert summary["rejected"] == [], name
        accepted = summary["sheets"]["Bollette"]["accepted"] + summary["sheets"]["Bollette"]["unchanged"]
        assert accepted == BILLS, name
    # The first file put the bills in; the others, the same content, found them unchanged.
    assert summary["sheets"]["Bollette"] == {"accepted": 0, "unchanged": BILLS, "rejected": 0}
    code, out, _ = run("positions", "show", fixture_data().rows[Sheet.CUSTOMERS][0][0], "--company", "ACQ", "--json")
    assert code == 0 and ACCENTED_NAME in out


@pytest.mark.use_case
@pytest.mark.today(AFTER_THE_SAMPLE_DATA)
def test_the_inbox_imports_an_xls_and_a_flat_csv_in_its_profile_folder(container: Container, tmp_path: Path) -> None:
    for company in ("XLS", "CSV"):
        container.companies.register(company, f"Azienda {company}", by="test")
    container.import_profiles().set("CSV", "piatto", FLAT_PROFILE, by="test")
    root = tmp_path / "inbox"
    for source, folder in (("standard.xls", root / "XLS"), ("piatto.csv", root / "CSV" / "piatto")):
        folder.mkdir(parents=True)
        target = folder / source
        shutil.copy(FIXTURES / source, target)
        then = time.time() - 60
        os.utime(target, (then, then))

    files = {f.file_name: f for f in container.inbox(str(root)).run_pass().files}

    assert files["standard.xls"].status is FileStatus.DONE, files["standard.xls"].reason
    assert files["piatto.csv"].status is FileStatus.DONE, files["piatto.csv"].reason
    assert files["piatto.csv"].moved_to == "CSV/piatto/done/piatto.csv"
    assert (root / "CSV" / "piatto" / "done" / "piatto.scarti.xlsx").exists()
    for row in fixture_data().rows[Sheet.CUSTOMERS]:
        assert snapshot(container.positions.load("CSV", row[0])) == snapshot(container.positions.load("XLS", row[0]))
