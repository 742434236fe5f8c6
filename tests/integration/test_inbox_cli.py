"""``creditbox inbox run`` through the real command line (CliRunner; a real process for
Ctrl-C)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from creditbox.sample_data import SampleSpec, generate, with_bad_rows, workbook_bytes
from tests.integration.command_line import invoke
from tests.profile_workbooks import PROFILE, every_supply_active, other_layout_bytes

pytestmark = pytest.mark.cli_or_api


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "inbox"
    (path / "ACQ").mkdir(parents=True)
    return path


def drop(folder: Path, name: str, content: bytes, *, age: float = 60.0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def workbook(customers: int = 5, *, bad: bool = False, seed: int = 1) -> bytes:
    data = generate(SampleSpec(customers=customers, seed=seed))
    if bad:
        with_bad_rows(data)
    return workbook_bytes(data)


def test_one_pass_prints_a_line_per_file_and_a_summary(cli_db: str, root: Path) -> None:
    drop(root / "ACQ", "gennaio.xlsx", workbook(bad=True), age=120)
    drop(root / "ACQ", "clienti.csv", b"Codice Cliente\nC1\n")

    result = invoke("inbox", "run", "--root", str(root))

    assert result.exit_code == 0, result.output
    lines = result.stdout
    assert "importato ACQ/gennaio.xlsx → ACQ/done/gennaio.xlsx" in lines
    assert "scartate 12" in lines
    assert "non importato ACQ/clienti.csv → ACQ/failed/clienti.csv" in lines
    assert "importati 1, non importati 1, in attesa 0, errori 0" in lines
    assert sorted(p.name for p in (root / "ACQ" / "done").iterdir()) == [
        "gennaio.esito.json",
        "gennaio.scarti.xlsx",
        "gennaio.xlsx",
    ]


@pytest.mark.postgres_smoke
def test_json_summary_of_the_pass(cli_db: str, root: Path) -> None:
    drop(root / "ACQ", "gennaio.xlsx", workbook())

    result = invoke("inbox", "run", "--root", str(root), "--json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)  # the per-file lines go to stderr
    assert "importato ACQ/gennaio.xlsx" in result.stderr
    assert summary["counts"] == {"done": 1, "failed": 0, "waiting": 0, "error": 0}
    [file] = summary["files"]
    assert file["status"] == "done" and file["company"] == "ACQ" and file["events"] > 0
    assert file["moved_to"] == "ACQ/done/gennaio.xlsx"
    assert file["reports"] == ["ACQ/done/gennaio.esito.json", "ACQ/done/gennaio.scarti.xlsx"]
    assert file["totals"]["rejected"] == 0 and file["already_imported"] is False
    assert summary["unknown_folders"] == [] and summary["busy"] is False


def test_the_setting_names_the_root(cli_db: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDITBOX_INBOX_DIR", str(root))
    drop(root / "ACQ", "gennaio.xlsx", workbook())

    result = invoke("inbox", "run", "--company", "acq", "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["root"] == str(root)
    assert (root / "ACQ" / "done" / "gennaio.xlsx").exists()


def test_an_unknown_company_folder_is_reported_with_exit_1_and_its_files_left(cli_db: str, root: Path) -> None:
    drop(root / "XYZ", "x.xlsx", workbook())

    result = invoke("inbox", "run", "--root", str(root))

    assert result.exit_code == 1
    assert "Cartella XYZ" in result.stdout and "azienda sconosciuta" in result.stdout
    assert [p.name for p in (root / "XYZ").iterdir()] == ["x.xlsx"]


def test_refusals_before_any_pass(cli_db: str, root: Path, tmp_path: Path) -> None:
    missing = invoke("inbox", "run", "--root", str(tmp_path / "manca"))
    assert missing.exit_code == 1
    assert "inesistente" in missing.stderr

    unknown = invoke("inbox", "run", "--root", str(root), "--company", "NOPE")
    assert unknown.exit_code == 1
    assert "azienda sconosciuta" in unknown.stderr

    looping = invoke("inbox", "run", "--root", str(tmp_path / "manca"), "--every", "1")
    assert looping.exit_code == 1
    assert "inesistente" in looping.stderr


def test_every_runs_pass_after_pass_and_picks_up_new_files(cli_db: str, root: Path) -> None:
    drop(root / "ACQ", "gennaio.xlsx", workbook(seed=1))

    result = invoke("inbox", "run", "--root", str(root), "--every", "0", "--passes", "2", "--json")

    assert result.exit_code == 0, result.output
    passes = [json.loads(line) for line in result.stdout.splitlines()]  # one JSON document per line
    assert [p["counts"]["done"] for p in passes] == [1, 0]
    assert "Inbox fermata." in result.stderr


def test_the_timer_warns_of_an_unknown_folder_once_not_every_pass(cli_db: str, root: Path) -> None:
    drop(root / "XYZ", "x.xlsx", workbook())

    result = invoke("inbox", "run", "--root", str(root), "--every", "0", "--passes", "3")

    assert result.exit_code == 0, result.output
    assert result.stdout.count("Cartella XYZ") == 1
    assert "Passaggio delle" not in result.stdout  # passes that saw no file print nothing


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_stops_the_timer_cleanly(cli_db: str, root: Path, signum: int) -> None:
    drop(root / "ACQ", "gennaio.xlsx", workbook())
    env = {**os.environ, "CREDITBOX_DATABASE_URL": cli_db, "CREDITBOX_INBOX_DIR": str(root)}
    command = [sys.executable, "-m", "creditbox.cli.main", "inbox", "run", "--every", "0.2"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (root / "ACQ" / "done" / "gennaio.xlsx").exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the first pass did not file the workbook"
            time.sleep(0.1)
        process.send_signal(signum)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "importato ACQ/gennaio.xlsx" in out
    assert "Inbox fermata." in out
    assert "Traceback" not in err


def test_a_profile_folder_names_its_profile_and_version_in_the_line_and_the_json(
    cli_db: str, root: Path, tmp_path: Path
) -> None:
    profile = tmp_path / "nord.json"
    profile.write_text(json.dumps(PROFILE), "utf-8")
    assert invoke("profiles", "set", str(profile), "--company", "ACQ", "--name", "nord").exit_code == 0
    data = every_supply_active(generate(SampleSpec(customers=5)))
    drop(root / "ACQ" / "nord", "gennaio.xlsx", other_layout_bytes(data))
    drop(root / "ACQ", "febbraio.xlsx", workbook(seed=2))

    result = invoke("inbox", "run", "--root", str(root), "--json")

    assert result.exit_code == 0, result.output
    assert (
        "importato ACQ/nord/gennaio.xlsx (profilo nord, versione 1) → ACQ/nord/done/gennaio.xlsx: accettate"
        in result.stderr
    )
    assert "importato ACQ/febbraio.xlsx → ACQ/done/febbraio.xlsx" in result.stderr
    files = {f["folder"]: f for f in json.loads(result.stdout)["files"]}
    assert (files["ACQ/nord"]["profile"], files["ACQ/nord"]["profile_version"]) == ("nord", 1)
    assert files["ACQ/nord"]["moved_to"] == "ACQ/nord/done/gennaio.xlsx" and files["ACQ/nord"]["status"] == "done"
    assert (files["ACQ"]["profile"], files["ACQ"]["profile_version"]) == ("default", None)


def test_a_subfolder_naming_no_profile_is_reported_with_exit_1_and_its_files_left(cli_db: str, root: Path) -> None:
    drop(root / "ACQ" / "sud", "x.xlsx", workbook())

    result = invoke("inbox", "run", "--root", str(root), "--json")

    assert result.exit_code == 1
    assert "Cartella ACQ/sud:" in result.stderr
    assert "profilo di importazione 'sud' sconosciuto per l'azienda ACQ" in result.stderr
    [unknown] = json.loads(result.stdout)["unknown_folders"]
    assert (unknown["folder"], unknown["files"]) == ("ACQ/sud", 1)
    assert [p.name for p in (root / "ACQ" / "sud").iterdir()] == ["x.xlsx"]
