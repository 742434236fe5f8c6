"""``creditbox profiles …`` and ``creditbox import --profile`` through the real command line."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from creditbox.sample_data import SampleSpec, generate, with_bad_rows
from tests.integration.command_line import run, use_database
from tests.profile_workbooks import PROFILE, every_supply_active, other_layout_bytes, their_location

pytestmark = pytest.mark.cli_or_api


@pytest.fixture
def cli_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    return use_database(database_url, monkeypatch, company="NRD", name="Acque Nord Spa")


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_set_show_list_and_history(cli_db: str, tmp_path: Path) -> None:
    path = write_json(tmp_path / "nord.json", PROFILE)
    code, out, _ = run(
        "--by", "mario", "profiles", "set", str(path), "--company", "nrd", "--name", "Nord", "--note", "primo"
    )
    assert code == 0
    assert "Profilo 'nord' di NRD: salvata la versione 1" in out

    code, out, _ = run("profiles", "set", str(path), "--company", "NRD", "--name", "nord")
    assert code == 0 and "nessuna modifica (resta la versione 1)" in out

    changed = copy.deepcopy(PROFILE)
    changed["sheets"]["Clienti"]["header_row"] = 4
    code, out, _ = run(
        "profiles",
        "set",
        str(write_json(tmp_path / "v2.json", changed)),
        "--company",
        "NRD",
        "--name",
        "nord",
        "--note",
        "intestazione alla riga 4",
    )
    assert code == 0 and "salvata la versione 2" in out

    code, out, _ = run("profiles", "show", "nord", "--company", "NRD", "--version", "1", "--json")
    shown = json.loads(out)
    assert (shown["version"], shown["note"], shown["source"], shown["by"]) == (1, "primo", "json:nord.json", "mario")
    assert shown["profile"]["sheets"]["Clienti"]["header_row"] == 3
    assert shown["profile"]["sheets"]["Forniture"]["columns"]["Stato"] == {"default": "Attivo"}

    code, out, _ = run("profiles", "show", "nord", "--company", "NRD")
    assert code == 0 and "versione 2" in out and "Anagrafica" in out and "intestazione alla riga 4" in out
    assert "RES → 1" in out

    code, out, _ = run("profiles", "list", "--company", "NRD", "--json")
    assert [(p["name"], p["version"]) for p in json.loads(out)] == [("nord", 2)]

    code, out, _ = run("profiles", "history", "nord", "--company", "NRD", "--json")
    assert [(v["version"], v["note"]) for v in json.loads(out)] == [(1, "primo"), (2, "intestazione alla riga 4")]
    code, out, _ = run("profiles", "history", "nord", "--company", "NRD")
    assert code == 0 and "json:v2.json" in out


def test_an_invalid_profile_lists_every_problem_and_saves_nothing(cli_db: str, tmp_path: Path) -> None:
    bad = copy.deepcopy(PROFILE)
    bad["sheets"]["Contratti"] = {}
    bad["sheets"]["Clienti"]["columns"]["Tipologia Cliente"]["values"]["RES"] = 7
    bad["sheets"]["Bollette"]["columns"]["Data Emissione"] = {"header": "Emessa il", "format": "%m.%Y"}
    del bad["sheets"]["Pagamenti"]["columns"]["Importo"]

    code, _, err = run("profiles", "set", str(write_json(tmp_path / "p.json", bad)), "--company", "NRD", "--name", "n")

    assert code == 1
    assert "profilo di importazione non valido, 4 problemi. Nulla è stato salvato." in err
    assert "foglio sconosciuto 'Contratti'" in err
    assert "'values': 'RES' → 7: codice sconosciuto 7" in err
    assert "formato data non valido '%m.%Y'" in err
    assert "foglio «Pagamenti», colonna «Importo»: colonna obbligatoria" in err
    code, out, _ = run("profiles", "list", "--company", "NRD")
    assert code == 0 and "Nessun profilo" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [('{"sheets": ', "non è un JSON valido (riga 1"), (None, "impossibile leggere")],
)
def test_a_file_that_is_not_json_exits_2(cli_db: str, tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "p.json"
    if content is not None:
        path.write_text(content)
    code, _, err = run("profiles", "set", str(path), "--company", "NRD", "--name", "n")
    assert code == 2 and message in err


def test_unknown_company_profile_or_version_exit_1(cli_db: str, tmp_path: Path) -> None:
    path = write_json(tmp_path / "nord.json", PROFILE)
    assert run("profiles", "set", str(path), "--company", "NRD", "--name", "nord")[0] == 0
    for args, message in (
        (("profiles", "set", str(path), "--company", "ZZZ", "--name", "nord"), "azienda sconosciuta: 'ZZZ'"),
        (("profiles", "list", "--company", "ZZZ"), "azienda sconosciuta"),
        (("profiles", "show", "sud", "--company", "NRD"), "profilo di importazione 'sud' sconosciuto"),
        (("profiles", "show", "nord", "--company", "NRD", "--version", "2"), "versione 2 del profilo"),
        (("profiles", "history", "sud", "--company", "NRD"), "sconosciuto"),
        (("profiles", "set", str(path), "--company", "NRD", "--name", "default"), "riservato al profilo standard"),
    ):
        code, _, err = run(*args)
        assert code == 1, args
        assert message in err, (args, err)


@pytest.mark.postgres_smoke
def test_import_with_a_profile_reports_their_rows_and_the_version(cli_db: str, tmp_path: Path) -> None:
    data = every_supply_active(generate(SampleSpec(customers=10)))
    bad = with_bad_rows(data)
    assert (
        run("profiles", "set", str(write_json(tmp_path / "p.json", PROFILE)), "--company", "NRD", "--name", "nord")[0]
        == 0
    )
    workbook = tmp_path / "estrazione.xlsx"
    workbook.write_bytes(other_layout_bytes(data))

    code, out, _ = run("import", str(workbook), "--company", "NRD", "--profile", "NORD", "--json")

    assert code == 0
    summary = json.loads(out)
    assert (summary["profile"], summary["profile_version"]) == ("nord", 1)
    assert {(r["sheet"], r["row"], r["column"]) for r in summary["rejected"]} == {their_location(b) for b in bad}
    assert summary["sheets"]["Clienti"]["accepted"] == 10
    code, out, _ = run("import", str(workbook), "--company", "NRD", "--profile", "nord")
    assert code == 0 and "Anagrafica" in out and "Categoria" in out  # the rejected rows, in their words


def test_import_with_an_unknown_profile_imports_nothing(cli_db: str, tmp_path: Path) -> None:
    workbook = tmp_path / "estrazione.xlsx"
    workbook.write_bytes(other_layout_bytes(every_supply_active(generate(SampleSpec(customers=3)))))

    code, out, err = run("import", str(workbook), "--company", "NRD", "--profile", "nord", "--json")

    assert code == 1 and out == ""
    assert "profilo di importazione 'nord' sconosciuto per l'azienda NRD" in err
    code, out, _ = run("positions", "show", "C000001", "--company", "NRD")
    assert code != 0
    # Without a profile the same file is not ours: refused as unreadable, as before.
    code, _, err = run("import", str(workbook), "--company", "NRD")
    assert code == 2 and "nessun foglio riconosciuto" in err
