"""The inbox (``Inbox.run_pass`` over real folders), on the in-memory event store (``container``).

Files are dropped with a modification time in the past (settled) unless a test is about a file
still being written.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from creditbox.application.file_formats import ACCEPTED
from creditbox.application.inbox import Inbox
from creditbox.application.inbox_results import FileStatus
from creditbox.application.ports import InboxEntry, InboxUnavailable
from creditbox.application.records import Sheet
from creditbox.bootstrap import Container
from creditbox.domain.errors import NotFound
from creditbox.domain.ids import import_id
from creditbox.domain.imports import Import
from creditbox.infrastructure import inbox_folder
from creditbox.infrastructure.inbox_folder import LocalInboxFolder
from creditbox.sample_data import SampleData, SampleSpec, generate, with_bad_rows, workbook_bytes
from tests.conftest import AFTER_THE_SAMPLE_DATA

pytestmark = [pytest.mark.use_case, pytest.mark.today(AFTER_THE_SAMPLE_DATA)]

SPEC = SampleSpec(customers=8)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "inbox"
    (path / "ACQ").mkdir(parents=True)
    return path


@pytest.fixture
def company(container: Container) -> str:
    container.companies.register("ACQ", "Acque S.p.A.", by="test")
    return "ACQ"


def drop(folder: Path, name: str, content: bytes, *, age: float = 60.0) -> Path:
    """A file that has not changed for ``age`` seconds."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def inbox(container: Container, root: Path, **options: float) -> Inbox:
    return container.inbox(str(root), **options)


def events(container: Container) -> int:
    return int(container.app.recorder.max_notification_id() or 0)


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


class TestAGoodFile:
    def test_it_is_imported_and_filed_in_done_with_its_reports(
        self, container: Container, company: str, root: Path
    ) -> None:
        data = generate(SPEC)
        content = workbook_bytes(data)
        drop(root / "ACQ", "gennaio.xlsx", content)

        outcome = inbox(container, root).run_pass()

        [file] = outcome.files
        assert file.status is FileStatus.DONE
        assert file.moved_to == "ACQ/done/gennaio.xlsx"
        assert file.reports == ["ACQ/done/gennaio.esito.json", "ACQ/done/gennaio.scarti.xlsx"]
        assert names(root / "ACQ") == {"done"}
        assert names(root / "ACQ" / "done") == {"gennaio.xlsx", "gennaio.esito.json", "gennaio.scarti.xlsx"}
        assert (root / "ACQ" / "done" / "gennaio.xlsx").read_bytes() == content
        summary = json.loads((root / "ACQ" / "done" / "gennaio.esito.json").read_text("utf-8"))
        assert file.result is not None
        assert summary == json.loads(json.dumps(file.result.as_json(), default=str))
        assert summary["sheets"]["Clienti"] == {"accepted": 8, "unchanged": 0, "rejected": 0}
        assert load_workbook(root / "ACQ" / "done" / "gennaio.scarti.xlsx").sheetnames == ["Riepilogo", "Scarti"]
        customer = data.rows[Sheet.CUSTOMERS][0]
        assert container.positions.load(company, customer[0]).details.name == customer[1]
        recorded = container.app.get_or_none(file.result.import_id)
        assert isinstance(recorded, Import)
        assert recorded.file_name == "gennaio.xlsx"

    def test_files_are_imported_oldest_first(self, container: Container, company: str, root: Path) -> None:
        drop(root / "ACQ", "b-vecchio.xlsx", workbook_bytes(generate(SampleSpec(customers=3, seed=1))), age=300)
        drop(root / "ACQ", "a-nuovo.xlsx", workbook_bytes(generate(SampleSpec(customers=3, seed=2))), age=60)

        outcome = inbox(container, root).run_pass()

        assert [f.file_name for f in outcome.files] == ["b-vecchio.xlsx", "a-nuovo.xlsx"]
        assert all(f.status is FileStatus.DONE for f in outcome.files)


class TestRejectedRows:
    def test_a_file_with_bad_rows_is_done_and_its_scarti_sheet_lists_exactly_them(
        self, container: Container, company: str, root: Path
    ) -> None:
        data = generate(SPEC)
        bad = with_bad_rows(data)
        drop(root / "ACQ", "errori.xlsx", workbook_bytes(data))

        [file] = inbox(container, root).run_pass().files

        assert file.status is FileStatus.DONE
        assert file.result is not None and file.result.totals.rejected == len(bad)
        book = load_workbook(root / "ACQ" / "done" / "errori.scarti.xlsx")
        scarti = book["Scarti"]
        assert [c.value for c in scarti[1]] == ["Foglio", "Riga", "Colonna", "Motivo"]
        lines = list(scarti.iter_rows(min_row=2, values_only=True))
        assert sorted((s, r, c) for s, r, c, _ in lines) == sorted((b.sheet, b.row, b.column) for b in bad)
        assert all(reason for *_, reason in lines)
        assert scarti.freeze_panes == "A2"
        assert scarti.auto_filter.ref == f"A1:D{len(bad) + 1}"
        riepilogo = book["Riepilogo"]
        assert riepilogo.freeze_panes == "A2"
        assert riepilogo.auto_filter.ref == "A1:I6"
        totale = list(riepilogo.iter_rows(values_only=True))[-1]
        assert totale[4:] == ("importato con scarti", "Totale", file.result.totals.accepted, 0, len(bad))


class TestFailedFiles:
    def test_an_unreadable_workbook_goes_to_failed_with_the_reason(
        self, container: Container, company: str, root: Path
    ) -> None:
        drop(root / "ACQ", "rotto.xlsx", b"PK\x03\x04 non un vero zip")
        before = events(container)

        [file] = inbox(container, root).run_pass().files

        assert file.status is FileStatus.FAILED
        assert file.reason is not None and "rotto.xlsx: file Excel illeggibile" in file.reason
        assert names(root / "ACQ" / "failed") == {"rotto.xlsx", "rotto.esito.json", "rotto.scarti.xlsx"}
        summary = json.loads((root / "ACQ" / "failed" / "rotto.esito.json").read_text("utf-8"))
        assert summary["status"] == "failed" and summary["reason"] == file.reason
        assert summary["company"] == "ACQ" and summary["file_name"] == "rotto.xlsx"
        scarti = load_workbook(root / "ACQ" / "failed" / "rotto.scarti.xlsx")["Scarti"]
        assert list(scarti.iter_rows(min_row=2, values_only=True)) == [(None, None, None, file.reason)]
        assert events(container) == before

    def test_a_workbook_without_known_sheets_goes_to_failed(
        self, container: Container, company: str, root: Path
    ) -> None:
        book = Workbook()
        book.active.title = "Foglio1"
        buffer = io.BytesIO()
        book.save(buffer)
        drop(root / "ACQ", "altro.xlsx", buffer.getvalue())

        [file] = inbox(container, root).run_pass().files

        assert file.status is FileStatus.FAILED
        assert file.reason is not None and "nessun foglio riconosciuto" in file.reason

    def test_a_file_of_another_format_goes_to_failed_without_being_read(
        self, container: Container, company: str, root: Path
    ) -> None:
        drop(root / "ACQ", "clienti.pdf", b"%PDF-1.7")

        [file] = inbox(container, root).run_pass().files

        assert file.status is FileStatus.FAILED
        assert file.reason == f"clienti.pdf: formato non supportato ({ACCEPTED})"
        assert names(root / "ACQ" / "failed") == {"clienti.pdf", "clienti.esito.json", "clienti.scarti.xlsx"}


class TestIdempotency:
    def test_the_same_file_dropped_twice_records_no_event_the_second_time(
        self, container: Container, company: str, root: Path
    ) -> None:
        content = workbook_bytes(generate(SPEC))
        drop(root / "ACQ", "gennaio.xlsx", content)
        inbox(container, root).run_pass()
        before = events(container)
        drop(root / "ACQ", "gennaio.xlsx", content)

        [file] = inbox(container, root).run_pass().files

        assert events(container) == before
        assert file.status is FileStatus.DONE
        assert file.result is not None and file.result.already_imported and file.result.events == 0
        # The second copy gets a name of its own (the clock's time), its reports beside it.
        assert file.moved_to == "ACQ/done/gennaio.20261102-090000.xlsx"
        assert names(root / "ACQ" / "done") == {
            "gennaio.xlsx",
            "gennaio.esito.json",
            "gennaio.scarti.xlsx",
            "gennaio.20261102-090000.xlsx",
            "gennaio.20261102-090000.esito.json",
            "gennaio.20261102-090000.scarti.xlsx",
        }
        riepilogo = load_workbook(root / "ACQ" / "done" / "gennaio.20261102-090000.scarti.xlsx")["Riepilogo"]
        assert list(riepilogo.iter_rows(values_only=True))[-1][4] == "già importato: nessuna modifica"

    def test_a_third_copy_in_the_same_second_gets_a_sequence(
        self, container: Container, company: str, root: Path
    ) -> None:
        content = workbook_bytes(generate(SPEC))
        for _ in range(3):
            drop(root / "ACQ", "gennaio.xlsx", content)
            inbox(container, root).run_pass()

        assert {n for n in names(root / "ACQ" / "done") if n.endswith(".xlsx") and "scarti" not in n} == {
            "gennaio.xlsx",
            "gennaio.20261102-090000.xlsx",
            "gennaio.20261102-090000-2.xlsx",
        }


class TestCrashSafety:
    def test_a_move_that_fails_after_the_import_leaves_the_file_and_the_next_pass_files_it_without_events(
        self, container: Container, company: str, root: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        content = workbook_bytes(generate(SPEC))
        drop(root / "ACQ", "gennaio.xlsx", content)
        real_rename = os.rename
        calls: list[str] = []

        def rename_failing_once(source: str | Path, target: str | Path, **dir_fds: int) -> None:
            calls.append(str(target))
            if len(calls) == 1:
                raise OSError(5, "errore di I/O simulato")
            real_rename(source, target, **dir_fds)

        monkeypatch.setattr(inbox_folder.os, "rename", rename_failing_once)

        [first] = inbox(container, root).run_pass().files

        assert first.status is FileStatus.ERROR
        assert first.reason is not None and "errore di I/O simulato" in first.reason
        assert names(root / "ACQ") == {"gennaio.xlsx", "done"}
        assert names(root / "ACQ" / "done") == set()  # the reports written before the move are removed
        imported = container.app.get_or_none(import_id("ACQ", _sha256(content)))
        assert isinstance(imported, Import)  # the import itself went in
        after_import = events(container)

        [second] = inbox(container, root).run_pass().files

        assert second.status is FileStatus.DONE
        assert second.result is not None and second.result.already_imported and second.result.events == 0
        assert events(container) == after_import
        assert names(root / "ACQ") == {"done"}
        assert names(root / "ACQ" / "done") == {"gennaio.xlsx", "gennaio.esito.json", "gennaio.scarti.xlsx"}

    def test_a_file_imported_by_hand_before_the_pass_is_filed_without_events(
        self, container: Container, company: str, root: Path
    ) -> None:
        content = workbook_bytes(generate(SPEC))
        container.importer().run(content, "gennaio.xlsx", company, by="test")
        before = events(container)
        drop(root / "ACQ", "gennaio.xlsx", content)

        [file] = inbox(container, root).run_pass().files

        assert file.status is FileStatus.DONE and file.result is not None and file.result.events == 0
        assert events(container) == before


class TestFolders:
    def test_each_company_folder_imports_into_its_company(self, container: Container, root: Path) -> None:
        container.companies.register("ACQ", "Acque S.p.A.", by="test")
        container.companies.register("GAS", "Gas S.p.A.", by="test")
        acq, gas = generate(SampleSpec(customers=3, seed=1)), generate(SampleSpec(customers=4, seed=2))
        drop(root / "ACQ", "acq.xlsx", workbook_bytes(acq))
        drop(root / "gas", "gas.xlsx", workbook_bytes(gas))  # folder names are matched like codes

        outcome = inbox(container, root).run_pass()

        assert {(f.company, f.file_name, f.status) for f in outcome.files} == {
            ("ACQ", "acq.xlsx", FileStatus.DONE),
            ("GAS", "gas.xlsx", FileStatus.DONE),
        }
        assert names(root / "gas" / "done") == {"gas.xlsx", "gas.esito.json", "gas.scarti.xlsx"}
        _assert_customers(container, "ACQ", acq)
        _assert_customers(container, "GAS", gas)

    def test_company_option_limits_the_pass_to_one_folder(self, container: Container, root: Path) -> None:
        container.companies.register("ACQ", "Acque S.p.A.", by="test")
        container.companies.register("GAS", "Gas S.p.A.", by="test")
        drop(root / "ACQ", "acq.xlsx", workbook_bytes(generate(SampleSpec(customers=2))))
        drop(root / "GAS", "gas.xlsx", workbook_bytes(generate(SampleSpec(customers=2))))

        outcome = inbox(container, root).run_pass("gas")

        assert [(f.company, f.file_name) for f in outcome.files] == [("GAS", "gas.xlsx")]
        assert names(root / "ACQ") == {"acq.xlsx"}
        with pytest.raises(NotFound):
            inbox(container, root).run_pass("NOPE")

    def test_a_company_asked_for_without_a_folder_is_reported(self, container: Container, root: Path) -> None:
        container.companies.register("ELE", "Elettricità S.p.A.", by="test")

        outcome = inbox(container, root).run_pass("ELE")

        assert outcome.missing_folders == ["ELE"] and outcome.needs_attention

    def test_an_unknown_company_folder_is_reported_and_its_files_left_until_the_company_exists(
        self, container: Container, company: str, root: Path
    ) -> None:
        drop(root / "XYZ", "x.xlsx", workbook_bytes(generate(SampleSpec(customers=2))))
        drop(root / "ACQ", "a.xlsx", workbook_bytes(generate(SampleSpec(customers=2))))

        outcome = inbox(container, root).run_pass()

        assert [f.file_name for f in outcome.files] == ["a.xlsx"]
        [unknown] = outcome.unknown_folders
        assert (unknown.folder, unknown.files) == ("XYZ", 1)
        assert "azienda sconosciuta" in unknown.reason
        assert outcome.needs_attention
        assert names(root / "XYZ") == {"x.xlsx"}

        container.companies.register("XYZ", "Nuova S.p.A.", by="test")
        later = inbox(container, root).run_pass()

        assert [(f.company, f.status) for f in later.files] == [("XYZ", FileStatus.DONE)]
        assert later.unknown_folders == [] and not later.needs_attention

    def test_a_missing_root_is_refused(self, container: Container, company: str, tmp_path: Path) -> None:
        with pytest.raises(InboxUnavailable, match="inesistente"):
            inbox(container, tmp_path / "nessuna").run_pass()

    def test_a_second_process_on_the_same_root_skips_its_pass(
        self, container: Container, company: str, root: Path
    ) -> None:
        drop(root / "ACQ", "a.xlsx", workbook_bytes(generate(SampleSpec(customers=2))))
        other = LocalInboxFolder(root)
        # The lock is per open file description: another opener is refused while it is held.
        with other.exclusive() as mine:
            assert mine
            outcome = inbox(container, root).run_pass()
        assert outcome.busy and outcome.files == []
        assert names(root / "ACQ") == {"a.xlsx"}


class TestFilesBeingWritten:
    def test_a_file_changed_within_the_minimum_age_waits_for_a_later_pass(
        self, container: Container, company: str, root: Path
    ) -> None:
        drop(root / "ACQ", "in-copia.xlsx", workbook_bytes(generate(SPEC)), age=1)

        outcome = inbox(container, root, min_age=30).run_pass()

        [file] = outcome.files
        assert file.status is FileStatus.WAITING and not outcome.needs_attention
        assert names(root / "ACQ") == {"in-copia.xlsx"}
        later = inbox(container, root, min_age=0).run_pass()
        assert [f.status for f in later.files] == [FileStatus.DONE]

    def test_temporary_and_hidden_names_are_not_even_listed(
        self, container: Container, company: str, root: Path
    ) -> None:
        for name in ("~$gennaio.xlsx", "gennaio.xlsx.tmp", ".~lock.gennaio.xlsx#", "copia.part", ".nascosto.xlsx"):
            drop(root / "ACQ", name, b"PK\x03\x04...")

        outcome = inbox(container, root).run_pass()

        assert outcome.files == [] and not outcome.needs_attention
        assert len(names(root / "ACQ")) == 5

    def test_a_file_that_changes_while_it_is_read_waits(self, container: Container, company: str, root: Path) -> None:
        path = drop(root / "ACQ", "gennaio.xlsx", workbook_bytes(generate(SPEC)))

        class GrowingWhileRead(LocalInboxFolder):
            def read(self, entry: InboxEntry) -> bytes | None:
                with path.open("ab") as more:
                    more.write(b"...")
                return super().read(entry)

        folder = GrowingWhileRead(root)
        outcome = container.inbox(folder=folder).run_pass()

        assert [f.status for f in outcome.files] == [FileStatus.WAITING]
        assert names(root / "ACQ") == {"gennaio.xlsx"}


class TestStopping:
    def test_a_stop_request_ends_the_pass_before_the_next_file(
        self, container: Container, company: str, root: Path
    ) -> None:
        drop(root / "ACQ", "a.xlsx", workbook_bytes(generate(SampleSpec(customers=2, seed=1))), age=300)
        drop(root / "ACQ", "b.xlsx", workbook_bytes(generate(SampleSpec(customers=2, seed=2))), age=60)
        seen: list[str] = []

        outcome = inbox(container, root).run_pass(
            on_file=lambda f: seen.append(f.file_name), should_stop=lambda: bool(seen)
        )

        assert seen == ["a.xlsx"] and outcome.stopped
        assert names(root / "ACQ") == {"b.xlsx", "done"}


def _assert_customers(container: Container, company: str, data: SampleData) -> None:
    for row in data.rows[Sheet.CUSTOMERS]:
        assert container.positions.load(company, row[0]).details.name == row[1]


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
