"""The inbox never follows a symbolic link (on the in-memory event store): a link
as a file, as a profile folder, as ``done/`` or ``failed/``, as a company folder, to another
company's files or outside the root. Nothing is read through a link, nothing is written outside
the company's folder; the files around the link are imported as usual."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from creditbox.application.inbox_results import FileStatus
from creditbox.bootstrap import Container
from creditbox.domain.errors import NotFound
from creditbox.sample_data import SampleSpec, generate, workbook_bytes
from tests.integration.test_inbox import drop, events, inbox, names

pytestmark = pytest.mark.use_case

THEIRS = SampleSpec(customers=4, seed=7, company_prefix="OTH")
OURS = SampleSpec(customers=3, seed=8)
LINK = "collegamento simbolico: non letto né importato"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "inbox"
    (path / "TST").mkdir(parents=True)
    (path / "OTH" / "done").mkdir(parents=True)
    return path


@pytest.fixture
def companies(container: Container) -> None:
    container.companies.register("TST", "Test S.p.A.", by="test")
    container.companies.register("OTH", "Altra S.p.A.", by="test")


@pytest.fixture
def their_file(root: Path) -> Path:
    """Another company's imported file, in its ``done/``."""
    return drop(root / "OTH" / "done", "their-file.xlsx", workbook_bytes(generate(THEIRS)))


def their_customer() -> str:
    return str(generate(THEIRS).rows["Clienti"][0][0])


def customer_of_tst(container: Container, code: str) -> bool:
    try:
        container.positions.load("TST", code)
    except NotFound:
        return False
    return True


def link(path: Path, target: str | Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)
    return path


def report(path: Path) -> dict[str, object]:
    return dict(json.loads(path.read_text("utf-8")))


class TestALinkAsAFile:
    def test_a_link_to_another_companys_file_is_filed_in_failed_unread_and_the_next_file_is_imported(
        self, container: Container, companies: None, root: Path, their_file: Path
    ) -> None:
        link(root / "TST" / "x.xlsx", "../OTH/done/their-file.xlsx")
        drop(root / "TST", "nostro.xlsx", workbook_bytes(generate(OURS)), age=30)
        before = their_file.read_bytes()

        outcome = inbox(container, root).run_pass()

        by_name = {f.file_name: f for f in outcome.files}
        assert by_name["x.xlsx"].status is FileStatus.FAILED
        assert by_name["x.xlsx"].reason == f"x.xlsx: {LINK} (la inbox non segue i collegamenti)"
        assert by_name["nostro.xlsx"].status is FileStatus.DONE
        assert not customer_of_tst(container, their_customer())
        moved = root / "TST" / "failed" / "x.xlsx"
        assert moved.is_symlink() and os.readlink(moved) == "../OTH/done/their-file.xlsx"
        assert report(root / "TST" / "failed" / "x.esito.json")["reason"] == by_name["x.xlsx"].reason
        assert their_file.read_bytes() == before
        assert names(root / "OTH" / "done") == {"their-file.xlsx"}

    @pytest.mark.parametrize("kind", ["absolute", "dangling", "to-a-folder", "chain"])
    def test_any_link_is_never_read(
        self, container: Container, companies: None, root: Path, their_file: Path, tmp_path: Path, kind: str
    ) -> None:
        target: str | Path = {
            "absolute": their_file,
            "dangling": tmp_path / "manca.xlsx",
            "to-a-folder": root / "OTH",
            "chain": link(root / "TST" / ".hop.xlsx", their_file),
        }[kind]
        link(root / "TST" / "x.xlsx", target)
        before = events(container)

        [file] = inbox(container, root).run_pass().files

        assert file.status is FileStatus.FAILED and LINK in (file.reason or "")
        assert (root / "TST" / "failed" / "x.xlsx").is_symlink()
        assert events(container) == before
        assert not customer_of_tst(container, their_customer())

    def test_a_fifo_is_not_listed_and_the_pass_does_not_hang(
        self, container: Container, companies: None, root: Path
    ) -> None:
        os.mkfifo(root / "TST" / "tubo.xlsx")
        drop(root / "TST", "nostro.xlsx", workbook_bytes(generate(OURS)))

        outcome = inbox(container, root).run_pass()

        assert [(f.file_name, f.status) for f in outcome.files] == [("nostro.xlsx", FileStatus.DONE)]
        assert (root / "TST" / "tubo.xlsx").exists()


class TestALinkAsAFolder:
    def test_a_profile_folder_that_is_a_link_is_not_entered_and_is_filed_in_failed(
        self, container: Container, companies: None, root: Path, their_file: Path
    ) -> None:
        link(root / "TST" / "nord", "../OTH/done")

        [file] = inbox(container, root).run_pass().files

        assert file.file_name == "nord" and file.status is FileStatus.FAILED
        assert (root / "TST" / "failed" / "nord").is_symlink()
        assert not customer_of_tst(container, their_customer())
        assert names(root / "OTH" / "done") == {"their-file.xlsx"}

    def test_a_failed_that_is_a_link_is_never_written_through(
        self, container: Container, companies: None, root: Path, tmp_path: Path
    ) -> None:
        outside = tmp_path / "fuori"
        outside.mkdir()
        link(root / "TST" / "failed", outside)
        drop(root / "TST", "gennaio.xlsx", b"non un file excel")

        outcome = inbox(container, root).run_pass()

        # The link itself (listed first: links have no time) and the file: neither can be filed.
        assert [(f.file_name, f.status) for f in outcome.files] == [
            ("failed", FileStatus.ERROR),
            ("gennaio.xlsx", FileStatus.ERROR),
        ]
        assert all("collegamento simbolico" in (f.reason or "") for f in outcome.files)
        assert list(outside.iterdir()) == []
        assert (root / "TST" / "gennaio.xlsx").exists() and (root / "TST" / "failed").is_symlink()

    def test_a_done_that_is_a_link_is_itself_filed_in_failed_and_the_file_goes_to_a_real_done(
        self, container: Container, companies: None, root: Path, tmp_path: Path
    ) -> None:
        outside = tmp_path / "fuori"
        outside.mkdir()
        link(root / "TST" / "done", outside)
        drop(root / "TST", "gennaio.xlsx", workbook_bytes(generate(OURS)))

        outcome = inbox(container, root).run_pass()

        assert [(f.file_name, f.status) for f in outcome.files] == [
            ("done", FileStatus.FAILED),
            ("gennaio.xlsx", FileStatus.DONE),
        ]
        assert (root / "TST" / "failed" / "done").is_symlink()
        assert (root / "TST" / "done").is_dir() and not (root / "TST" / "done").is_symlink()
        assert "gennaio.xlsx" in names(root / "TST" / "done")
        assert list(outside.iterdir()) == []

    def test_a_link_inside_done_is_never_overwritten_through(
        self, container: Container, companies: None, root: Path, tmp_path: Path
    ) -> None:
        victim = tmp_path / "vittima.json"
        victim.write_text("intatto")
        link(root / "TST" / "done" / "gennaio.esito.json", victim)
        drop(root / "TST", "gennaio.xlsx", workbook_bytes(generate(OURS)))

        [file] = inbox(container, root).run_pass().files

        assert file.status is FileStatus.DONE
        assert file.reports[0] != "TST/done/gennaio.esito.json"  # the name is taken: another one
        assert victim.read_text() == "intatto"

    def test_a_company_folder_that_is_a_link_is_reported_and_never_entered(
        self, container: Container, companies: None, root: Path, their_file: Path
    ) -> None:
        (root / "TST").rmdir()
        link(root / "TST", "OTH/done")
        drop(root / "OTH", "loro.xlsx", workbook_bytes(generate(SampleSpec(customers=2, seed=9))))

        outcome = inbox(container, root).run_pass()

        [reported] = outcome.unknown_folders
        assert reported.folder == "TST" and LINK in reported.reason
        assert [(f.company, f.file_name, f.status) for f in outcome.files] == [("OTH", "loro.xlsx", FileStatus.DONE)]
        assert not customer_of_tst(container, their_customer())
        assert names(root / "OTH" / "done") >= {"their-file.xlsx", "loro.xlsx"}

    def test_a_company_folder_link_is_reported_when_that_company_is_asked_for(
        self, container: Container, companies: None, root: Path, their_file: Path
    ) -> None:
        (root / "TST").rmdir()
        link(root / "TST", "OTH")

        outcome = inbox(container, root).run_pass("TST")

        assert [u.folder for u in outcome.unknown_folders] == ["TST"]
        assert outcome.files == []
        assert not customer_of_tst(container, their_customer())
