"""The files the command line writes and the database file it creates, through the real command
line: the import template imports cleanly; ``--out``
and ``--report`` never overwrite the imported file nor end in a traceback on a folder; the SQLite
database file is owner-only."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from creditbox.bootstrap import bootstrap
from creditbox.domain.import_layout import LAYOUT, SHEETS
from creditbox.settings import Settings
from tests.integration.command_line import run

pytestmark = pytest.mark.cli_or_api


def one_line(text: str) -> str:
    return " ".join(text.split())


# ---- the template ---------------------------------------------------------------------------------


def test_the_template_has_every_sheet_header_and_a_legend(tmp_path: Path) -> None:
    target = tmp_path / "modello.xlsx"

    code, out, err = run("template", "--out", str(target))

    assert code == 0, err
    assert "Modello di importazione scritto in" in one_line(out)
    workbook = load_workbook(target)
    assert workbook.sheetnames == [*SHEETS, "Legenda"]
    for sheet in SHEETS:
        rows = list(workbook[sheet].iter_rows(values_only=True))
        assert list(rows[0]) == [c.label for c in LAYOUT[sheet]]
        assert len(rows) == 2 and rows[1][0]  # one example row, its key filled in
        assert workbook[sheet]["A1"].font.bold and workbook[sheet].freeze_panes == "A2"
    legend = list(workbook["Legenda"].iter_rows(values_only=True))
    assert legend[0] == ("Foglio", "Colonna", "Significato", "Obbligatoria", "Formato", "Codici ammessi")
    assert [(r[0], r[1]) for r in legend[1:]] == [(s, c.label) for s, cols in LAYOUT.items() for c in cols]
    by_column = {(r[0], r[1]): r for r in legend[1:]}
    assert by_column[("Clienti", "Tipologia Cliente")][3:] == (
        "sì",
        "codice numerico o etichetta italiana (maiuscole, spazi e accenti indifferenti)",
        "1 Domestico, 2 Non domestico, 3 Grande utente, 4 Ente",
    )
    assert by_column[("Pagamenti", "Numero Bolletta")][3] == "no"
    assert all(r[2] and r[4] for r in legend[1:])  # every column has a meaning and a format
    assert workbook["Bollette"]["F2"].number_format.startswith("#,##0.00")
    assert workbook["Bollette"]["D2"].number_format == "DD/MM/YYYY"


@pytest.mark.postgres_smoke
def test_the_template_imports_without_a_single_rejection(cli_db: str, tmp_path: Path) -> None:
    target = tmp_path / "modello.xlsx"
    assert run("template", "--out", str(target))[0] == 0

    code, out, err = run("import", str(target), "--company", "ACQ", "--json")

    assert code == 0, err
    summary = json.loads(out)
    assert summary["rejected"] == []
    assert {s: c["accepted"] for s, c in summary["sheets"].items()} == dict.fromkeys(SHEETS, 1)
    shown = json.loads(run("positions", "show", "C0001", "--company", "ACQ", "--json")[1])
    assert (shown["customer"]["name"], shown["balance"]) == ("Mario Rossi", "70.50")


def test_the_template_is_written_by_default_as_modello_xlsx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    code, _, err = run("template")

    assert code == 0, err
    assert load_workbook(tmp_path / "modello.xlsx").sheetnames[-1] == "Legenda"


# ---- --out and --report -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("template", "--out", "{folder}"),
        ("worklist", "--company", "ACQ", "--out", "{folder}"),
        ("ageing", "--company", "ACQ", "--out", "{folder}"),
        ("actions", "export", "--company", "ACQ", "--out", "{folder}"),
        ("import", "{input}", "--company", "ACQ", "--report", "{folder}"),
    ],
    ids=["template", "worklist", "ageing", "actions-export", "import-report"],
)
def test_an_output_naming_a_folder_is_a_clear_error_with_exit_2(
    cli_db: str, tmp_path: Path, command: tuple[str, ...]
) -> None:
    template = tmp_path / "modello.xlsx"
    assert run("template", "--out", str(template))[0] == 0
    folder = tmp_path / "uscite"
    folder.mkdir()
    args = [a.format(folder=folder, input=template) for a in command]

    code, out, err = run(*args)

    assert code == 2, out + err
    assert f"è una cartella: indicare il nome del file da scrivere (es. {folder / 'file.xlsx'})" in one_line(err)
    assert "Traceback" not in out + err and list(folder.iterdir()) == []
    assert run("positions", "show", "C0001", "--company", "ACQ")[0] != 0  # nothing was imported


@pytest.mark.parametrize("option", ["--out", "--report"])
def test_an_output_through_a_file_is_a_clear_error_and_a_missing_folder_is_created(
    cli_db: str, tmp_path: Path, option: str
) -> None:
    template = tmp_path / "modello.xlsx"
    assert run("template", "--out", str(template))[0] == 0
    (tmp_path / "un-file").write_text("non una cartella")

    def command(target: Path) -> list[str]:
        if option == "--report":
            return ["import", str(template), "--company", "ACQ", "--report", str(target)]
        return ["ageing", "--company", "ACQ", "--out", str(target)]

    through_a_file = run(*command(tmp_path / "un-file" / "file.xlsx"))
    in_a_new_folder = run(*command(tmp_path / "nuova" / "cartella" / "file.xlsx"))

    assert through_a_file[0] == 2
    assert f"{str(tmp_path / 'un-file')!r} è un file, non una cartella" in one_line(through_a_file[2])
    assert in_a_new_folder[0] == 0, in_a_new_folder[2]
    assert load_workbook(tmp_path / "nuova" / "cartella" / "file.xlsx").sheetnames


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink", "hardlink"])
def test_the_report_never_overwrites_the_imported_file(cli_db: str, tmp_path: Path, spelling: str) -> None:
    source = tmp_path / "dati" / "f.xlsx"
    source.parent.mkdir()
    assert run("template", "--out", str(source))[0] == 0
    before = source.read_bytes()
    report = {
        "same": source,
        "dotted": tmp_path / "dati" / ".." / "dati" / "f.xlsx",
        "symlink": tmp_path / "link.xlsx",
        "hardlink": tmp_path / "hard.xlsx",
    }[spelling]
    if spelling == "symlink":
        report.symlink_to(source)
    if spelling == "hardlink":
        os.link(source, report)

    code, out, err = run("import", str(source), "--company", "ACQ", "--report", str(report))

    assert code == 2, out + err
    assert "è il file da importare: il rapporto lo sovrascriverebbe" in one_line(err)
    assert source.read_bytes() == before
    assert run("positions", "show", "C0001", "--company", "ACQ")[0] != 0  # refused before anything was read


def test_a_report_next_to_the_input_is_written(cli_db: str, tmp_path: Path) -> None:
    source, report = tmp_path / "f.xlsx", tmp_path / "f-esito.xlsx"
    assert run("template", "--out", str(source))[0] == 0

    code, _, err = run("import", str(source), "--company", "ACQ", "--report", str(report))

    assert code == 0, err
    assert load_workbook(report).sheetnames[0] == "Riepilogo"
    assert load_workbook(source).sheetnames[0] == "Clienti"


# ---- the SQLite database file -------------------------------------------------------------------


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the usual default: new files world-readable
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
@pytest.mark.parametrize("path", ["creditbox.sqlite3", "nuova/cartella/creditbox.sqlite3"])
def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path, path: str) -> None:
    database = tmp_path / path
    url = f"sqlite:///{database}"

    with bootstrap(Settings(database_url=url)) as c:
        c.companies.register("ACQ", "Acque Spa", by="test")
        c.projections.after_command()
        files = [database.with_name(database.name + s) for s in ("", "-wal", "-shm", "-journal")]
        existing = [f for f in files if f.exists()]
        assert database in existing and [mode(f) for f in existing] == [0o600] * len(existing)

    assert mode(database) == 0o600


@pytest.mark.usefixtures("open_umask")
def test_an_existing_world_readable_database_is_made_private_and_so_are_its_companions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "creditbox.sqlite3"
    with bootstrap(Settings(database_url=f"sqlite:///{database}")) as c:
        c.companies.register("ACQ", "Acque Spa", by="test")
    os.chmod(database, 0o644)
    monkeypatch.setenv("CREDITBOX_DATABASE_URL", f"sqlite:///{database}")

    code, out, err = run("companies", "add", "GAS", "--name", "Gas Spa")

    assert code == 0, out + err
    assert mode(database) == 0o600
    os.chmod(database, 0o644)
    with bootstrap(Settings(database_url=f"sqlite:///{database}")) as c:
        c.companies.register("LUC", "Luce Spa", by="test")
        wal = database.with_name(database.name + "-wal")  # SQLite gives it the database file's mode
        assert wal.exists() and (mode(database), mode(wal)) == (0o600, 0o600)
