"""Workbooks built to exhaust the reader, through the inbox (on SQLite and PostgreSQL) and the
command line: the inbox files each in ``failed/`` with its report and imports the next file; the CLI
exits 2 with an Italian message. With the checks on (the default) and with them turned off, so
that the reader itself fails in its child process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from creditbox.application.inbox_results import FileStatus
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.sample_data import SampleSpec, generate, workbook_bytes
from creditbox.settings import Settings
from tests import hostile_workbooks as hostile
from tests.integration.command_line import run
from tests.integration.test_inbox import drop, events, names

# The checks turned off and 1 GiB for the reading process: the reader meets the file.
NO_CHECKS = {
    "import_max_rows": 10**9,
    "import_max_columns": 10**9,
    "import_max_cells": 10**18,
    "import_reader_memory_mb": 1024,
}
HOSTILE = {
    "far-cell": lambda: hostile.far_cell("XFD1048576"),
    "whitespace": lambda: hostile.whitespace_sheet(rows=3, columns=1_000),
    "dimension": lambda: hostile.declared_dimension("A1:XFD1048576"),
    "zip-bomb": lambda: hostile.bomb_member(32),
    "lying-size": lambda: hostile.lying_size(+4_000),
    "long-string": lambda: hostile.long_shared_string(300_000),
}


@pytest.fixture
def unchecked(database_url: str, clock: FixedClock) -> Iterator[Container]:
    with bootstrap(Settings(database_url=database_url, **NO_CHECKS), clock=clock) as container:
        yield container


def dropped(root: Path, content: bytes) -> None:
    drop(root / "ACQ", "ostile.xlsx", content, age=300)  # the older: imported first
    drop(root / "ACQ", "buono.xlsx", workbook_bytes(generate(SampleSpec(customers=3))), age=60)


def check_pass(container: Container, root: Path, reason: str) -> None:
    container.companies.register("ACQ", "Acque S.p.A.", by="test")

    outcome = container.inbox(str(root)).run_pass()

    assert [(f.file_name, f.status) for f in outcome.files] == [
        ("ostile.xlsx", FileStatus.FAILED),
        ("buono.xlsx", FileStatus.DONE),
    ]
    failed = outcome.files[0]
    assert failed.reason is not None and reason in failed.reason
    assert names(root / "ACQ" / "failed") == {"ostile.xlsx", "ostile.esito.json", "ostile.scarti.xlsx"}
    summary = json.loads((root / "ACQ" / "failed" / "ostile.esito.json").read_text("utf-8"))
    assert summary["status"] == "failed" and summary["reason"] == failed.reason
    assert names(root / "ACQ" / "done") >= {"buono.xlsx", "buono.esito.json"}
    assert names(root / "ACQ") == {"done", "failed"}


class TestTheInbox:
    @pytest.mark.parametrize("kind", list(HOSTILE))
    def test_a_hostile_file_goes_to_failed_with_its_report_and_the_next_file_is_imported(
        self, container: Container, tmp_path: Path, kind: str
    ) -> None:
        root = tmp_path / "inbox"
        dropped(root, HOSTILE[kind]())

        check_pass(container, root, "file rifiutato prima della lettura")

    def test_a_reader_that_aborts_is_a_failed_file_too_and_the_next_file_is_imported(
        self, unchecked: Container, tmp_path: Path
    ) -> None:
        root = tmp_path / "inbox"
        dropped(root, hostile.far_cell("XFD1048576"))

        check_pass(unchecked, root, "lettura interrotta")

    def test_the_failed_file_is_not_tried_again(self, container: Container, tmp_path: Path) -> None:
        root = tmp_path / "inbox"
        dropped(root, hostile.far_cell("XFD1048576"))
        check_pass(container, root, "colonna 16.384")
        before = events(container)

        again = container.inbox(str(root)).run_pass()

        assert again.files == [] and events(container) == before


@pytest.mark.cli_or_api
class TestTheCommandLine:
    @pytest.fixture
    def cli_db(self, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
        monkeypatch.setenv("CREDITBOX_DATABASE_URL", database_url)
        code, out, err = run("companies", "add", "ACQ", "--name", "Acque Spa")
        assert code == 0, out + err
        return database_url

    @pytest.mark.parametrize("kind", ["far-cell", "zip-bomb", "long-string"])
    def test_a_hostile_file_exits_2_with_an_italian_message(self, cli_db: str, tmp_path: Path, kind: str) -> None:
        path = tmp_path / "ostile.xlsx"
        path.write_bytes(HOSTILE[kind]())

        code, out, err = run("import", str(path), "--company", "ACQ")

        assert code == 2, out + err
        assert "ostile.xlsx: file rifiutato prima della lettura" in err
        assert "Traceback" not in out + err

    def test_a_reader_that_aborts_exits_2_and_the_next_import_works(
        self, cli_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for name, value in NO_CHECKS.items():
            monkeypatch.setenv(f"CREDITBOX_{name.upper()}", str(value))
        bad, good = tmp_path / "ostile.xlsx", tmp_path / "buono.xlsx"
        bad.write_bytes(hostile.far_cell("XFD1048576"))
        good.write_bytes(workbook_bytes(generate(SampleSpec(customers=3))))

        code, out, err = run("import", str(bad), "--company", "ACQ")
        then, *_ = run("import", str(good), "--company", "ACQ")

        assert code == 2, out + err
        assert "ostile.xlsx: lettura interrotta" in err
        assert "Traceback" not in out + err
        assert then == 0
