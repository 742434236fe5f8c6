"""The inbox's file-system adapter on its own (no database): listing, names, filing away."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from creditbox.application.ports import InboxUnavailable
from creditbox.clock import ROME
from creditbox.infrastructure import inbox_folder
from creditbox.infrastructure.inbox_folder import LocalInboxFolder, is_temporary

AT = datetime(2026, 3, 2, 9, 15, 30, tzinfo=ROME)
NOW = 1_800_000_000.0
REPORTS = {".esito.json": b"{}", ".scarti.xlsx": b"PK"}


def drop(folder: Path, name: str, modified: float, content: bytes = b"PK\x03\x04") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    os.utime(path, (modified, modified))
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "inbox"


def test_entries_are_oldest_first_and_settled_after_the_minimum_age(root: Path) -> None:
    drop(root / "ACQ", "nuovo.xlsx", NOW - 2)
    drop(root / "ACQ", "vecchio.xlsx", NOW - 100)
    drop(root / "ACQ", "~$vecchio.xlsx", NOW - 100)
    (root / "ACQ" / "done").mkdir()
    folder = LocalInboxFolder(root, min_age=5, now=lambda: NOW)

    entries = folder.entries("ACQ")

    assert [(e.name, e.settled) for e in entries] == [("vecchio.xlsx", True), ("nuovo.xlsx", False)]
    assert folder.company_folders() == ["ACQ"]


@pytest.mark.parametrize(
    ("name", "temporary"),
    [
        ("~$gennaio.xlsx", True),
        (".~lock.gennaio.xlsx#", True),
        ("gennaio.xlsx.TMP", True),
        ("gennaio.xlsx.part", True),
        ("gennaio.xlsx.crdownload", True),
        ("gennaio.xlsx", False),
        ("clienti.csv", False),
    ],
)
def test_temporary_names(name: str, temporary: bool) -> None:
    assert is_temporary(name) is temporary


def test_a_name_taken_by_a_report_of_another_file_is_not_reused(root: Path) -> None:
    # done/ already holds a file *named* like gennaio.xlsx's report: nothing may overwrite it.
    drop(root / "ACQ" / "done", "gennaio.scarti.xlsx", NOW, b"the older file")
    entry = drop(root / "ACQ", "gennaio.xlsx", NOW - 100)
    folder = LocalInboxFolder(root, now=lambda: NOW)
    [listed] = folder.entries("ACQ")

    paths = folder.file_away(listed, "done", REPORTS, AT)

    assert paths == [
        "ACQ/done/gennaio.20260302-091530.xlsx",
        "ACQ/done/gennaio.20260302-091530.esito.json",
        "ACQ/done/gennaio.20260302-091530.scarti.xlsx",
    ]
    assert (root / "ACQ" / "done" / "gennaio.scarti.xlsx").read_bytes() == b"the older file"
    assert not entry.exists()


def test_a_failure_while_filing_away_leaves_the_file_in_place_and_no_report(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop(root / "ACQ", "gennaio.xlsx", NOW - 100)
    folder = LocalInboxFolder(root, now=lambda: NOW)
    [entry] = folder.entries("ACQ")
    real_replace = os.replace

    def replace_failing_on_the_excel_report(source: str | Path, target: str | Path, **dir_fds: int) -> None:
        if str(target).endswith(".scarti.xlsx"):
            raise OSError(28, "disco pieno")
        real_replace(source, target, **dir_fds)

    monkeypatch.setattr(inbox_folder.os, "replace", replace_failing_on_the_excel_report)

    with pytest.raises(OSError, match="disco pieno"):
        folder.file_away(entry, "failed", REPORTS, AT)

    assert sorted(p.name for p in (root / "ACQ").iterdir()) == ["failed", "gennaio.xlsx"]
    assert list((root / "ACQ" / "failed").iterdir()) == []  # no report, no temporary file


def test_a_missing_root_is_unavailable(tmp_path: Path) -> None:
    folder = LocalInboxFolder(tmp_path / "manca")
    with pytest.raises(InboxUnavailable, match="CREDITBOX_INBOX_DIR"):
        folder.company_folders()
    with pytest.raises(InboxUnavailable), folder.exclusive():
        pass


def test_profile_folders_are_listed_and_filed_like_company_folders(root: Path) -> None:
    drop(root / "ACQ" / "nord", "gennaio.xlsx", NOW - 100)
    drop(root / "ACQ" / "nord", "~$gennaio.xlsx", NOW - 100)
    (root / "ACQ" / ".nascosta").mkdir()
    (root / "ACQ" / "done").mkdir()
    drop(root / "ACQ", "febbraio.xlsx", NOW - 100)
    folder = LocalInboxFolder(root, now=lambda: NOW)

    assert folder.subfolders("ACQ") == ["done", "nord"]  # files and hidden folders are not listed
    assert folder.subfolders("ACQ/nord") == []
    [entry] = folder.entries("ACQ/nord")
    assert (entry.folder, entry.name, entry.settled) == ("ACQ/nord", "gennaio.xlsx", True)
    assert folder.read(entry) == b"PK\x03\x04"

    paths = folder.file_away(entry, "done", REPORTS, AT)

    assert paths == [
        "ACQ/nord/done/gennaio.xlsx",
        "ACQ/nord/done/gennaio.esito.json",
        "ACQ/nord/done/gennaio.scarti.xlsx",
    ]
    assert sorted(p.name for p in (root / "ACQ" / "nord").iterdir()) == ["done", "~$gennaio.xlsx"]


def test_a_lock_file_that_is_a_link_is_never_opened_through(root: Path, tmp_path: Path) -> None:
    root.mkdir()
    target = tmp_path / "altrove.lock"
    os.symlink(target, root / inbox_folder.LOCK_NAME)
    folder = LocalInboxFolder(root, now=lambda: NOW)

    with pytest.raises(OSError), folder.exclusive():
        pass

    assert not target.exists()


def test_links_are_listed_as_links_and_never_read(root: Path, tmp_path: Path) -> None:
    secret = drop(tmp_path / "altrove", "segreto.xlsx", NOW - 100, b"PK\x03\x04 segreto")
    drop(root / "ACQ", "vero.xlsx", NOW - 100)
    os.symlink(secret, root / "ACQ" / "x.xlsx")
    os.symlink(tmp_path / "altrove", root / "ACQ" / "nord")
    os.symlink(root / "ACQ", root / "GAS")
    folder = LocalInboxFolder(root, now=lambda: NOW)

    entries = {e.name: e for e in folder.entries("ACQ")}

    assert {name for name, e in entries.items() if e.link} == {"x.xlsx", "nord"}
    assert not entries["vero.xlsx"].link
    assert folder.subfolders("ACQ") == []
    assert folder.company_folders() == ["ACQ"] and folder.links() == ["GAS"]
    with pytest.raises(OSError, match="collegamento simbolico"):
        folder.read(entries["x.xlsx"])
    with pytest.raises(OSError, match="collegamento simbolico"):
        folder.entries("GAS")
