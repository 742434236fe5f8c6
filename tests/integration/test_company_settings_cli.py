"""``creditbox companies settings`` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from creditbox.cli.context import cli_user
from tests.integration.command_line import run

pytestmark = pytest.mark.cli_or_api


def test_set_show_and_history_with_italian_weekdays_company_days_and_ceilings(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # When an administrator changes some settings, with Italian weekday names
    registered_by = cli_user()  # the fixture registered the company as whoever runs the tests
    monkeypatch.setenv("CREDITBOX_USER", "admin.gruppo")
    code, out, err = run(
        "companies", "settings", "set", "--company", "acq",
        "--grace-days", "15",
        "--forbidden-day", "venerdì", "--forbidden-day", "sab", "--forbidden-day", "6",
        "--add-day", "24/06=San Giovanni Battista (patrono)",
        "--add-day", "07/12/2026=Chiusura straordinaria",
        "--ceiling", "2=5000.00",
        "--instalment-amount", "1.50",
        "--note", "delibera del CdA",
    )  # fmt: skip
    assert code == 0, err
    assert "salvata la versione 2" in out and "periodo di tolleranza" in out

    # Then show prints them in Italian, and --json as the document
    code, out, _ = run("companies", "settings", "show", "--company", "ACQ")
    assert code == 0
    assert "venerdì, sabato, domenica" in out
    assert "24/06 San Giovanni Battista (patrono) (ogni anno)" in out
    assert "07/12/2026 Chiusura straordinaria (una volta)" in out
    assert "livello 2 5.000,00 €" in out
    code, out, _ = run("companies", "settings", "show", "--company", "ACQ", "--json")
    shown = json.loads(out)
    assert shown["version"] == 2 and shown["by"] == "admin.gruppo" and shown["note"] == "delibera del CdA"
    assert shown["settings"]["suspension_forbidden_weekdays"] == [4, 5, 6]
    assert shown["settings"]["company_days"] == [
        {"date": "06-24", "label": "San Giovanni Battista (patrono)"},
        {"date": "2026-12-07", "label": "Chiusura straordinaria"},
    ]
    assert shown["settings"]["write_off_ceilings"] == {"1": "1000.00", "2": "5000.00", "3": "1000000.00"}

    # And a further change removes a day; the history lists the three versions with who and why
    code, out, _ = run("companies", "settings", "set", "--company", "ACQ", "--remove-day", "07/12/2026",
                       "--no-holiday-eves", "--note", "riapertura")  # fmt: skip
    assert code == 0 and "versione 3" in out
    code, out, _ = run("companies", "settings", "history", "--company", "ACQ", "--json")
    history = json.loads(out)
    assert [(h["version"], h["by"], h["note"], h["source"]) for h in history] == [
        (1, registered_by, None, "registrazione"),
        (2, "admin.gruppo", "delibera del CdA", "cli"),
        (3, "admin.gruppo", "riapertura", "cli"),
    ]
    assert history[2]["changed"] == ["suspension_forbidden_on_holiday_eves", "company_days"]
    code, out, _ = run("companies", "settings", "history", "--company", "ACQ")
    assert code == 0 and "riapertura" in out and "impostazioni iniziali" in out
    code, out, _ = run("companies", "settings", "show", "--company", "ACQ", "--version", "1", "--json")
    assert json.loads(out)["settings"]["grace_period_days"] == 10


def test_an_invalid_set_lists_every_problem_in_italian_exits_2_and_saves_nothing(cli_db: str) -> None:
    code, _, err = run(
        "companies", "settings", "set", "--company", "ACQ",
        "--grace-days", "dieci", "--forbidden-day", "festa", "--add-day", "31/02=Mai",
        "--ceiling", "3=10", "--litigation-level", "0",
    )  # fmt: skip
    assert code == 2
    assert "impostazioni non valide, 5 problemi. Nulla è stato salvato." in err
    assert "periodo di tolleranza (giorni) [grace_period_days]: atteso un numero intero da 0 a 365" in err
    assert "giorno della settimana sconosciuto 'festa'" in err
    assert "[company_days.0.date]: data non valida '31/02'" in err
    assert "il massimale del livello 3 (10,00 €) è inferiore a quello del livello 2 (10.000,00 €)" in err
    assert "livello per il contenzioso [litigation_approval_level]" in err
    code, out, _ = run("companies", "settings", "history", "--company", "ACQ", "--json")
    assert len(json.loads(out)) == 1

    code, _, err = run("companies", "settings", "set", "--company", "ACQ", "--add-day", "24/06")
    assert code == 2 and "usare DATA=DESCRIZIONE" in err
    code, _, err = run("companies", "settings", "set", "--company", "ACQ")
    assert code == 2 and "nessuna modifica indicata" in err


@pytest.mark.postgres_smoke
def test_import_a_json_file_exported_by_show_then_an_unchanged_import(cli_db: str, tmp_path: Path) -> None:
    # Given the settings exported as JSON and edited
    _, out, _ = run("companies", "settings", "show", "--company", "ACQ", "--json")
    exported = json.loads(out)
    exported["settings"]["grace_period_days"] = 20
    exported["settings"]["company_days"] = [{"date": "01-20", "label": "San Sebastiano"}]
    target = tmp_path / "impostazioni.json"
    target.write_text(json.dumps(exported), encoding="utf-8")

    # When imported twice
    code, out, err = run("companies", "settings", "import", str(target), "--company", "ACQ", "--note", "da file")
    assert code == 0, err
    assert "salvata la versione 2" in out
    code, out, _ = run("companies", "settings", "import", str(target), "--company", "ACQ")
    assert code == 0 and "nessuna modifica (resta la versione 2)" in out

    # Then the history names the file; a partial document changes only its fields
    _, out, _ = run("companies", "settings", "history", "--company", "ACQ", "--json")
    assert json.loads(out)[1]["source"] == "file:impostazioni.json"
    partial = tmp_path / "parziale.json"
    partial.write_text('{"litigation_approval_level": 3}', encoding="utf-8")
    code, out, _ = run("companies", "settings", "import", str(partial), "--company", "ACQ", "--json")
    answer = json.loads(out)
    assert answer["version"] == 3 and answer["fields"] == ["litigation_approval_level"]
    assert answer["settings"]["grace_period_days"] == 20


def test_an_invalid_json_file_and_a_stale_version_are_refused(cli_db: str, tmp_path: Path) -> None:
    broken = tmp_path / "rotto.json"
    broken.write_text("{grace: 3", encoding="utf-8")
    code, _, err = run("companies", "settings", "import", str(broken), "--company", "ACQ")
    assert code == 2 and "rotto.json: file JSON non valido" in err

    wrong = tmp_path / "lista.json"
    wrong.write_text("[1, 2]", encoding="utf-8")
    code, _, err = run("companies", "settings", "import", str(wrong), "--company", "ACQ")
    assert code == 2 and "atteso un oggetto con i campi delle impostazioni" in err

    run("companies", "settings", "set", "--company", "ACQ", "--grace-days", "12")
    code, _, err = run("companies", "settings", "set", "--company", "ACQ", "--grace-days", "14",
                       "--expected-version", "1")  # fmt: skip
    assert code != 0 and "alla versione 2, non 1" in err

    code, _, err = run("companies", "settings", "show", "--company", "NOPE")
    assert code != 0 and "azienda sconosciuta" in err
