"""``creditbox profiles check``: how a file would be read and every problem, with nothing imported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from creditbox.application.records import Sheet
from creditbox.bootstrap import bootstrap
from creditbox.sample_data import SampleSpec, generate
from creditbox.settings import Settings
from tests.flat_exports import FLAT_HEADERS, FLAT_PROFILE, billed_only, flat_csv_bytes, flat_rows
from tests.integration.command_line import run
from tests.profile_workbooks import every_supply_active

pytestmark = pytest.mark.cli_or_api


def events(database_url: str) -> int:
    with bootstrap(Settings(database_url=database_url)) as c:
        return int(c.app.recorder.max_notification_id() or 0)


@pytest.fixture
def flat(cli_db: str, tmp_path: Path) -> Path:
    profile = tmp_path / "piatto.json"
    profile.write_text(json.dumps(FLAT_PROFILE), encoding="utf-8")
    assert run("profiles", "set", str(profile), "--company", "ACQ", "--name", "piatto").code == 0
    return tmp_path


@pytest.mark.postgres_smoke
def test_it_shows_the_first_rows_and_every_problem_and_imports_nothing(cli_db: str, flat: Path) -> None:
    data = billed_only(every_supply_active(generate(SampleSpec(customers=4))))
    rows = flat_rows(data)
    customer = rows[0][0]
    later = next(i for i, r in enumerate(rows) if i > 0 and r[0] == customer)
    rows[later][1] = "Altro Nome"
    rows[3][FLAT_HEADERS.index("Totale Documento")] = "dieci euro"
    path = flat / "estrazione.csv"
    path.write_bytes(flat_csv_bytes(data, rows))
    before = events(cli_db)

    code, out, err = run(
        "profiles", "check", str(path), "--profile", "piatto", "--company", "ACQ", "--json", "--rows", "2"
    )

    assert code == 1, err
    assert events(cli_db) == before  # the store is unchanged: nothing was imported
    result = json.loads(out)
    assert (result["imported"], result["profile"], result["profile_version"]) == (False, "piatto", 1)
    bills = result["sheets"]["Bollette"]
    assert [r["row"] for r in bills["rows"]] == [2, 3]
    assert bills["rows"][0]["values"]["Numero Bolletta"] == rows[0][FLAT_HEADERS.index("N. Documento")]
    assert bills["rows"][0]["values"]["Importo"].endswith("€")
    assert bills["headers"]["Importo"] == "Totale Documento"
    customers = result["sheets"]["Clienti"]
    assert customers["records"] == len(rows) and customers["repeated"] == len(rows) - data.count(Sheet.CUSTOMERS) - 1
    problems = {(p["sheet"], p["row"], p["column"]): p["reason"] for p in result["rejected"]}
    assert problems[("estrazione.csv", later + 2, "Ragione Sociale")].startswith(
        f"il cliente {customer!r} è ripetuto con dati diversi dalla riga 2: Ragione Sociale"
    )
    assert problems[("estrazione.csv", 5, "Totale Documento")].startswith("importo non valido: 'dieci euro'")

    code, out, _ = run("profiles", "check", str(path), "--profile", "piatto", "--company", "ACQ")
    assert code == 1
    assert "nulla è stato importato" in out and "Bollette ← estrazione.csv" in out and "Problemi (2)" in out
    assert events(cli_db) == before


def test_a_clean_file_exits_zero_and_an_unreadable_one_two(cli_db: str, flat: Path) -> None:
    path = flat / "estrazione.csv"
    path.write_bytes(flat_csv_bytes(billed_only(every_supply_active(generate(SampleSpec(customers=3))))))
    code, out, _ = run("profiles", "check", str(path), "--profile", "piatto", "--company", "ACQ")
    assert code == 0 and "Nessun problema trovato nel file." in out

    other = flat / "estrazione.pdf"
    other.write_bytes(b"%PDF-1.7")
    code, _, err = run("profiles", "check", str(other), "--profile", "piatto", "--company", "ACQ")
    assert code == 2 and "formato non supportato" in err

    code, _, err = run("profiles", "check", str(path), "--profile", "sud", "--company", "ACQ")
    assert code == 1 and "profilo di importazione 'sud' sconosciuto" in err
