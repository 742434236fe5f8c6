"""Reading in a child process (``IsolatedParser``): the same records as reading in process, and
every way the reader can fail — a refusal of the checks, an abort, a kill, the time or the memory
running out — reaches the caller as ``UnreadableFile`` with an Italian reason."""

from __future__ import annotations

import os
import signal
import subprocess
from typing import Any

import pytest

from creditbox.application.records import ParsedWorkbook, UnreadableFile
from creditbox.infrastructure.excel import isolated_parser
from creditbox.infrastructure.excel.isolated_parser import IsolatedParser, ReaderLimits
from creditbox.infrastructure.excel.profile_reader import ProfileWorkbookParser
from creditbox.infrastructure.excel.workbook_guard import WorkbookLimits
from creditbox.infrastructure.excel.workbook_reader import ExcelWorkbookParser
from creditbox.sample_data import SampleSpec, generate, with_bad_rows, workbook_bytes
from tests import hostile_workbooks as hostile
from tests.profile_workbooks import PROFILE, every_supply_active, other_layout_bytes
from tests.unit.test_profile_reader import version

# The checks turned off: the reader itself meets the file.
NO_CHECKS = WorkbookLimits(max_rows=10**9, max_columns=10**9, max_cells=10**18)


def refusal(parser: IsolatedParser, content: bytes, name: str = "ostile.xlsx") -> str:
    with pytest.raises(UnreadableFile) as caught:
        parser.parse(content, name)
    return str(caught.value)


def same(a: ParsedWorkbook, b: ParsedWorkbook) -> None:
    assert (a.warnings, a.profile, a.profile_version) == (b.warnings, b.profile, b.profile_version)
    assert list(a.sheets) == list(b.sheets)
    for name, sheet in a.sheets.items():
        other = b.sheets[name]
        assert sheet.records == other.records
        assert sheet.rejections == other.rejections
        assert sheet.rejected_rows == other.rejected_rows
        assert (sheet.headers, sheet.source) == (other.headers, other.source)


class TestTheSameResult:
    @pytest.mark.parametrize("chunk", [7, isolated_parser.CHUNK_RECORDS])
    def test_the_default_layout_gives_the_records_and_rejections_of_reading_in_process(self, chunk: int) -> None:
        # Chunks of 7 records: every sheet crosses several chunks.
        data = generate(SampleSpec(customers=25))
        with_bad_rows(data)
        content = workbook_bytes(data)

        isolated = IsolatedParser(chunk_records=chunk).parse(content, "gennaio.xlsx")

        same(isolated, ExcelWorkbookParser().parse(content, "gennaio.xlsx"))
        assert sum(len(s.records) for s in isolated.sheets.values()) > 100
        assert any(s.rejections for s in isolated.sheets.values())

    def test_a_profile_version_gives_the_records_of_reading_in_process(self) -> None:
        content = other_layout_bytes(every_supply_active(generate(SampleSpec(customers=10))))
        profile = version(PROFILE)

        isolated = IsolatedParser(profile, chunk_records=5).parse(content, "loro.xlsx")

        same(isolated, ProfileWorkbookParser(profile).parse(content, "loro.xlsx"))
        assert (isolated.profile, isolated.profile_version) == ("nord", 1)

    def test_a_file_the_reader_refuses_is_refused_with_its_own_reason(self) -> None:
        assert "nessun foglio riconosciuto" in refusal(
            IsolatedParser(),
            hostile.edit_member(
                hostile.small_workbook(), "xl/workbook.xml", lambda d: d.replace(b'name="Clienti"', b'name="Altro"')
            ),
        )


class TestEveryFailureIsARefusal:
    def test_the_checks_refuse_the_reproduction_before_any_reader_sees_it(self) -> None:
        message = refusal(IsolatedParser(), hostile.far_cell("XFD1048576"))

        assert message == (
            "ostile.xlsx: file rifiutato prima della lettura: nel foglio 'xl/worksheets/sheet1.xml'"
            " ultima cella alla colonna 16.384 (limite 256 colonne)"
        )

    @pytest.mark.parametrize("ref", ["XFD1048576", "AAA500000"])
    def test_a_reader_that_aborts_on_a_far_cell_is_a_refusal(self, ref: str) -> None:
        parser = IsolatedParser(limits=ReaderLimits(memory_bytes=1 << 30, workbook=NO_CHECKS))

        message = refusal(parser, hostile.far_cell(ref))

        assert message.startswith("ostile.xlsx: lettura interrotta")
        assert "SIGABRT" in message or "memoria esaurita" in message
        assert "1.024 MB" in message

    def test_a_sheet_of_whitespace_past_the_memory_is_a_refusal(self) -> None:
        parser = IsolatedParser(limits=ReaderLimits(memory_bytes=1 << 30, workbook=NO_CHECKS))
        content = hostile.add_cells(
            hostile.small_workbook(), '<row r="2000000"><c r="ZZZ2000000" t="inlineStr"><is><t> </t></is></c></row>'
        )

        assert refusal(parser, content).startswith("ostile.xlsx: lettura interrotta")

    def test_running_out_of_time_is_a_refusal(self) -> None:
        parser = IsolatedParser(limits=ReaderLimits(seconds=0.05))

        message = refusal(parser, hostile.good_workbook())

        assert message == "ostile.xlsx: lettura interrotta: ha superato il tempo massimo di 0.05 s"

    def test_a_reader_killed_from_outside_is_a_refusal(self, monkeypatch: pytest.MonkeyPatch) -> None:
        class KilledAtOnce(subprocess.Popen[Any]):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                os.kill(self.pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would

        monkeypatch.setattr(isolated_parser.subprocess, "Popen", KilledAtOnce)

        message = refusal(IsolatedParser(), hostile.good_workbook())

        assert message.startswith("ostile.xlsx: lettura interrotta (SIGKILL)")

    def test_a_reader_that_cannot_even_start_is_a_refusal(self) -> None:
        # 1 MB of address space, less than the interpreter already holds: nothing more can be loaded.
        message = refusal(IsolatedParser(limits=ReaderLimits(memory_bytes=1 << 20)), hostile.good_workbook())

        assert message.startswith("ostile.xlsx: lettura interrotta")

    def test_the_next_file_is_read_after_a_failure(self) -> None:
        parser = IsolatedParser(limits=ReaderLimits(memory_bytes=1 << 30, workbook=NO_CHECKS))
        refusal(parser, hostile.far_cell("XFD1048576"))

        workbook = parser.parse(hostile.good_workbook(), "buono.xlsx")

        assert len(workbook.sheets["Clienti"].records) == 6
