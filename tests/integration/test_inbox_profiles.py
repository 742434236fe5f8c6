"""The inbox's profile folders (``inbox/NRD/nord/``: files in the layout of NRD's import profile
``nord``), on the in-memory event store (``container``), over real folders.

The other layout and its profile come from ``tests/profile_workbooks.py``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from creditbox.application.file_formats import ACCEPTED
from creditbox.application.inbox import Inbox
from creditbox.application.inbox_results import FileStatus
from creditbox.application.records import Sheet
from creditbox.bootstrap import Container
from creditbox.domain.ids import import_id
from creditbox.domain.imports import Import
from creditbox.domain.position import Position
from creditbox.infrastructure import inbox_folder
from creditbox.sample_data import SampleSpec, generate, with_bad_rows, workbook_bytes
from tests.conftest import AFTER_THE_SAMPLE_DATA
from tests.integration.test_inbox import drop, events, names
from tests.profile_workbooks import PROFILE, every_supply_active, other_layout_bytes, their_location

pytestmark = [pytest.mark.use_case, pytest.mark.today(AFTER_THE_SAMPLE_DATA)]

OURS, THEIRS = "ACQ", "NRD"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "inbox"
    path.mkdir()
    return path


@pytest.fixture
def companies(container: Container) -> None:
    container.companies.register(OURS, "Acque S.p.A.", by="test")
    container.companies.register(THEIRS, "Acque Nord S.p.A.", by="test")


@pytest.fixture
def nord(container: Container, companies: None) -> None:
    container.import_profiles().set(THEIRS, "nord", PROFILE, by="test")


def inbox(container: Container, root: Path) -> Inbox:
    return container.inbox(str(root))


def theirs(customers: int = 4, seed: int = 1) -> bytes:
    return other_layout_bytes(every_supply_active(generate(SampleSpec(customers=customers, seed=seed))))


def snapshot(position: Position) -> tuple[Any, ...]:
    return (position.details, position.supplies, position.bills, position.payments, position.balance())


class TestAProfileFolder:
    def test_their_layout_lands_in_the_positions_of_ours_and_its_reports_name_their_sheets_rows_headers(
        self, container: Container, nord: None, root: Path
    ) -> None:
        data = every_supply_active(generate(SampleSpec(customers=12)))
        bad = with_bad_rows(data)
        drop(root / OURS, "gennaio.xlsx", workbook_bytes(data))
        drop(root / THEIRS / "nord", "gennaio.xlsx", other_layout_bytes(data))

        outcome = inbox(container, root).run_pass()

        ours, their = sorted(outcome.files, key=lambda f: f.company)
        assert (ours.folder, ours.status, ours.profile, ours.profile_version) == (
            "ACQ",
            FileStatus.DONE,
            "default",
            None,
        )
        assert (their.folder, their.status, their.profile, their.profile_version) == (
            "NRD/nord",
            FileStatus.DONE,
            "nord",
            1,
        )
        assert their.moved_to == "NRD/nord/done/gennaio.xlsx"
        assert their.reports == ["NRD/nord/done/gennaio.esito.json", "NRD/nord/done/gennaio.scarti.xlsx"]
        assert names(root / THEIRS) == {"nord"}
        assert names(root / THEIRS / "nord") == {"done"}
        assert ours.result is not None and their.result is not None
        assert {n: c.as_json() for n, c in their.result.sheets.items()} == {
            n: c.as_json() for n, c in ours.result.sheets.items()
        }
        assert ours.result.sheets[Sheet.BILLS].accepted > 20
        for row in data.rows[Sheet.CUSTOMERS]:
            if row and not str(row[0]).startswith("XBAD"):
                mine = snapshot(container.positions.load(OURS, row[0]))
                assert snapshot(container.positions.load(THEIRS, row[0])) == mine
        # The reports: their sheet, their row, their header, for exactly the bad rows.
        done = root / THEIRS / "nord" / "done"
        esito = json.loads((done / "gennaio.esito.json").read_text("utf-8"))
        assert (esito["profile"], esito["profile_version"]) == ("nord", 1)
        assert {(r["sheet"], r["row"], r["column"]) for r in esito["rejected"]} == {their_location(b) for b in bad}
        book = load_workbook(done / "gennaio.scarti.xlsx")
        lines = list(book["Scarti"].iter_rows(min_row=2, values_only=True))
        assert {(s, r, c) for s, r, c, _ in lines} == {their_location(b) for b in bad}
        assert len(lines) == len(bad)
        summary = list(book["Riepilogo"].iter_rows(values_only=True))
        assert summary[0][3] == "Profilo" and summary[-1][3] == "nord (versione 1)"
        # The pass's JSON says which profile and version each file was read with.
        assert their.as_json()["profile"] == "nord" and their.as_json()["profile_version"] == 1
        assert ours.as_json()["profile"] == "default" and ours.as_json()["profile_version"] is None
        recorded = container.app.get_or_none(their.result.import_id)
        assert isinstance(recorded, Import) and (recorded.profile, recorded.profile_version) == ("nord", 1)

    def test_the_profile_version_current_at_the_pass_is_used(
        self, container: Container, nord: None, root: Path
    ) -> None:
        drop(root / THEIRS / "nord", "gennaio.xlsx", theirs(seed=1))
        inbox(container, root).run_pass()
        revised = copy.deepcopy(PROFILE)
        revised["description"] = "seconda versione"
        container.import_profiles().set(THEIRS, "nord", revised, by="test")
        drop(root / THEIRS / "nord", "febbraio.xlsx", theirs(seed=2))

        [file] = inbox(container, root).run_pass().files

        assert (file.file_name, file.status, file.profile_version) == ("febbraio.xlsx", FileStatus.DONE, 2)
        assert file.result is not None and file.result.profile_version == 2

    def test_folder_names_match_profiles_ignoring_case(self, container: Container, nord: None, root: Path) -> None:
        drop(root / "nrd" / "NORD", "gennaio.xlsx", theirs())

        [file] = inbox(container, root).run_pass().files

        assert (file.company, file.folder, file.profile, file.status) == (THEIRS, "nrd/NORD", "nord", FileStatus.DONE)
        assert names(root / "nrd" / "NORD" / "done") == {"gennaio.xlsx", "gennaio.esito.json", "gennaio.scarti.xlsx"}

    def test_a_default_folder_reads_our_layout_as_profile_default_does(
        self, container: Container, companies: None, root: Path
    ) -> None:
        drop(root / OURS / "default", "gennaio.xlsx", workbook_bytes(generate(SampleSpec(customers=3))))

        outcome = inbox(container, root).run_pass()

        [file] = outcome.files
        assert (file.folder, file.status, file.profile, file.profile_version) == (
            "ACQ/default",
            FileStatus.DONE,
            "default",
            None,
        )
        assert outcome.unknown_folders == []

    def test_the_company_option_covers_its_profile_folders(self, container: Container, nord: None, root: Path) -> None:
        drop(root / THEIRS / "nord", "n.xlsx", theirs())
        drop(root / OURS, "a.xlsx", workbook_bytes(generate(SampleSpec(customers=2))))

        outcome = inbox(container, root).run_pass("nrd")

        assert [(f.folder, f.status) for f in outcome.files] == [("NRD/nord", FileStatus.DONE)]
        assert names(root / OURS) == {"a.xlsx"}


class TestTheWrongLayout:
    def test_our_layout_in_a_profile_folder_is_unreadable_for_the_profile_and_goes_to_its_failed(
        self, container: Container, nord: None, root: Path
    ) -> None:
        drop(root / THEIRS / "nord", "nostro.xlsx", workbook_bytes(generate(SampleSpec(customers=3))))
        before = events(container)

        [file] = inbox(container, root).run_pass().files

        # None of the profile's sheets (Anagrafica, Contratti, …) is in our workbook (Clienti, …):
        # nothing can be read, so the file is refused as a whole, not imported with every row rejected.
        assert (file.status, file.profile, file.profile_version) == (FileStatus.FAILED, "nord", 1)
        assert file.reason is not None and "nostro.xlsx: nessun foglio del profilo 'nord'" in file.reason
        assert "presenti: 'Clienti', 'Forniture', 'Bollette', 'Pagamenti'" in file.reason
        assert file.moved_to == "NRD/nord/failed/nostro.xlsx"
        failed = root / THEIRS / "nord" / "failed"
        assert names(failed) == {"nostro.xlsx", "nostro.esito.json", "nostro.scarti.xlsx"}
        esito = json.loads((failed / "nostro.esito.json").read_text("utf-8"))
        assert (esito["status"], esito["profile"], esito["profile_version"]) == ("failed", "nord", 1)
        assert esito["reason"] == file.reason
        summary = list(load_workbook(failed / "nostro.scarti.xlsx")["Riepilogo"].iter_rows(values_only=True))
        assert summary[0][3] == "Profilo" and summary[1][3] == "nord (versione 1)"
        assert events(container) == before

    def test_their_layout_in_the_company_folder_is_unreadable_for_ours(
        self, container: Container, nord: None, root: Path
    ) -> None:
        drop(root / THEIRS, "loro.xlsx", theirs())

        [file] = inbox(container, root).run_pass().files

        assert (file.status, file.profile, file.moved_to) == (FileStatus.FAILED, "default", "NRD/failed/loro.xlsx")
        assert file.reason is not None and "nessun foglio riconosciuto" in file.reason

    def test_a_file_of_another_format_goes_to_the_profile_folders_failed(
        self, container: Container, nord: None, root: Path
    ) -> None:
        drop(root / THEIRS / "nord", "clienti.json", b'{"Cod. Cliente": "C1"}')

        [file] = inbox(container, root).run_pass().files

        assert (file.status, file.moved_to) == (FileStatus.FAILED, "NRD/nord/failed/clienti.json")
        assert file.reason == f"clienti.json: formato non supportato ({ACCEPTED})"


class TestUnknownProfileFolders:
    def test_a_subfolder_naming_no_profile_is_reported_left_and_imported_once_the_profile_exists(
        self, container: Container, companies: None, root: Path
    ) -> None:
        left = theirs(seed=1)
        drop(root / THEIRS / "Nord", "gennaio.xlsx", left)
        drop(root / THEIRS / "Nord", "febbraio.xlsx", theirs(seed=2))
        drop(root / THEIRS, "nostro.xlsx", workbook_bytes(generate(SampleSpec(customers=2))))

        outcome = inbox(container, root).run_pass()

        assert [(f.folder, f.status) for f in outcome.files] == [("NRD", FileStatus.DONE)]
        [unknown] = outcome.unknown_folders
        assert (unknown.folder, unknown.files) == ("NRD/Nord", 2)
        assert "profilo di importazione 'nord' sconosciuto per l'azienda NRD" in unknown.reason
        assert unknown.reason.endswith(": 2 file lasciati nella cartella")
        assert outcome.needs_attention
        assert names(root / THEIRS / "Nord") == {"gennaio.xlsx", "febbraio.xlsx"}
        assert container.app.get_or_none(import_id(THEIRS, hashlib.sha256(left).hexdigest())) is None

        container.import_profiles().set(THEIRS, "nord", PROFILE, by="test")
        later = inbox(container, root).run_pass()

        assert sorted((f.folder, f.file_name, f.status, f.profile_version) for f in later.files) == [
            ("NRD/Nord", "febbraio.xlsx", FileStatus.DONE, 1),
            ("NRD/Nord", "gennaio.xlsx", FileStatus.DONE, 1),
        ]
        assert later.unknown_folders == [] and not later.needs_attention
        assert names(root / THEIRS / "Nord") == {"done"}

    def test_it_is_reported_once_per_pass_even_when_empty_and_other_folders_go_on(
        self, container: Container, nord: None, root: Path
    ) -> None:
        (root / THEIRS / "archivio").mkdir(parents=True)
        drop(root / THEIRS / "nord", "gennaio.xlsx", theirs())

        outcome = inbox(container, root).run_pass()

        assert [u.as_json()["folder"] for u in outcome.unknown_folders] == ["NRD/archivio"]
        assert outcome.unknown_folders[0].reason.endswith(": 0 file lasciati nella cartella")
        assert [f.status for f in outcome.files] == [FileStatus.DONE]

    def test_done_and_failed_are_never_profile_folders_nor_read(
        self, container: Container, nord: None, root: Path
    ) -> None:
        drop(root / THEIRS / "done", "vecchio.xlsx", theirs(seed=1))
        drop(root / THEIRS / "nord" / "failed", "rotto.xlsx", b"PK rotto")
        drop(root / THEIRS / "Failed", "x.xlsx", b"PK rotto")  # profile names ignore case: reserved too
        drop(root / THEIRS / "nord" / "sotto", "y.xlsx", theirs(seed=2))  # only one level of profile folders

        outcome = inbox(container, root).run_pass()

        assert outcome.files == [] and outcome.unknown_folders == [] and not outcome.needs_attention

    def test_an_unknown_companys_profile_folders_are_left_and_their_files_counted(
        self, container: Container, companies: None, root: Path
    ) -> None:
        drop(root / "XYZ", "a.xlsx", b"PK")
        drop(root / "XYZ" / "nord", "b.xlsx", b"PK")
        drop(root / "XYZ" / "done", "c.xlsx", b"PK")

        outcome = inbox(container, root).run_pass()

        [unknown] = outcome.unknown_folders
        assert (unknown.folder, unknown.files) == ("XYZ", 2)
        assert "azienda sconosciuta" in unknown.reason and "2 file lasciati" in unknown.reason
        assert names(root / "XYZ" / "nord") == {"b.xlsx"}


class TestTheInboxRulesHoldInProfileFolders:
    def test_a_move_failing_after_the_import_leaves_the_file_and_the_next_pass_files_it_without_events(
        self, container: Container, nord: None, root: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        content = theirs()
        drop(root / THEIRS / "nord", "gennaio.xlsx", content)
        real_rename = os.rename
        calls: list[str] = []

        def rename_failing_once(source: str | Path, target: str | Path, **dir_fds: int) -> None:
            calls.append(str(target))
            if len(calls) == 1:
                raise OSError(5, "errore di I/O simulato")
            real_rename(source, target, **dir_fds)

        monkeypatch.setattr(inbox_folder.os, "rename", rename_failing_once)

        [first] = inbox(container, root).run_pass().files

        assert first.status is FileStatus.ERROR and first.profile == "nord"
        assert names(root / THEIRS / "nord") == {"gennaio.xlsx", "done"}
        assert names(root / THEIRS / "nord" / "done") == set()
        imported = container.app.get_or_none(import_id(THEIRS, hashlib.sha256(content).hexdigest()))
        assert isinstance(imported, Import) and imported.profile == "nord"
        after_import = events(container)

        [second] = inbox(container, root).run_pass().files

        assert second.status is FileStatus.DONE
        assert second.result is not None and second.result.already_imported and second.result.events == 0
        assert events(container) == after_import
        assert names(root / THEIRS / "nord" / "done") == {"gennaio.xlsx", "gennaio.esito.json", "gennaio.scarti.xlsx"}

    def test_the_same_file_twice_gets_a_name_of_its_own_in_the_profile_folders_done(
        self, container: Container, nord: None, root: Path
    ) -> None:
        content = theirs()
        drop(root / THEIRS / "nord", "gennaio.xlsx", content)
        inbox(container, root).run_pass()
        before = events(container)
        drop(root / THEIRS / "nord", "gennaio.xlsx", content)

        [file] = inbox(container, root).run_pass().files

        assert file.moved_to == "NRD/nord/done/gennaio.20261102-090000.xlsx"
        assert file.result is not None and file.result.already_imported and events(container) == before

    def test_a_file_still_being_written_waits(self, container: Container, nord: None, root: Path) -> None:
        drop(root / THEIRS / "nord", "in-copia.xlsx", theirs(), age=1)

        outcome = container.inbox(str(root), min_age=30).run_pass()

        assert [(f.status, f.profile) for f in outcome.files] == [(FileStatus.WAITING, "nord")]
        assert not outcome.needs_attention
        assert names(root / THEIRS / "nord") == {"in-copia.xlsx"}
