"""The checks before any reader sees a workbook (``workbook_guard.check_workbook``): each class of
hostile file, in several variants, is refused with a reason naming what is too big; legitimate
workbooks (``.xlsx`` and ``.ods``) pass."""

from __future__ import annotations

import io
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from creditbox.application.records import UnreadableFile
from creditbox.infrastructure.excel.workbook_guard import WorkbookLimits, check_workbook
from tests import hostile_workbooks as hostile


def refusal(content: bytes, limits: WorkbookLimits | None = None) -> str:
    with pytest.raises(UnreadableFile) as caught:
        check_workbook(content, "ostile.xlsx", limits)
    message = str(caught.value)
    assert message.startswith("ostile.xlsx: file rifiutato prima della lettura: "), message
    return message


class TestLegitimateWorkbooks:
    def test_a_workbook_of_the_default_layout_passes(self) -> None:
        check_workbook(hostile.good_workbook(), "buono.xlsx")

    def test_a_small_ods_passes_and_is_what_the_reader_reads(self) -> None:
        content = hostile.ods(hostile.ods_customer("C1") + hostile.ods_customer("C2"))

        check_workbook(content, "buono.ods")

        rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
        assert [r[0] for r in rows[1:]] == ["C1", "C2"]

    def test_libreoffice_padding_of_empty_repeated_rows_and_cells_passes(self) -> None:
        padding = hostile.ods_row("<table:table-cell table:number-columns-repeated='1024'/>", repeat=1_048_000)

        check_workbook(hostile.ods(hostile.ods_customer() + padding), "buono.ods")

    def test_the_reproduction_passes_when_the_limits_allow_its_extent(self) -> None:
        # The checks measure; the limits decide.
        check_workbook(hostile.far_cell("XFD2"), "ampio.xlsx", WorkbookLimits(max_columns=16_384))


class TestTheFarCell:
    def test_the_reproduction_a_5_kb_file_with_one_cell_at_xfd1048576_is_refused(self) -> None:
        content = hostile.far_cell("XFD1048576")
        assert len(content) < 6_000

        message = refusal(content)

        assert "colonna 16.384 (limite 256 colonne)" in message

    @pytest.mark.parametrize(
        ("ref", "expected"),
        [
            ("A1048576", "area di 1.048.576 righe × 12 colonne"),  # 12: the header's last column
            ("IV900000", "area di 900.000 righe × 256 colonne"),
            ("ZZ10", "colonna 702"),
            ("A99999999", "riga 99.999.999"),
        ],
    )
    def test_any_far_cell_is_refused_by_its_row_column_or_area(self, ref: str, expected: str) -> None:
        assert expected in refusal(hostile.far_cell(ref), WorkbookLimits(max_cells=5_000_000))

    def test_deep_row_numbers_are_refused(self) -> None:
        assert "riga 5.000.000 (limite 1.100.000 righe)" in refusal(hostile.deep_row(5_000_000))

    def test_a_far_cell_written_with_a_namespace_prefix_is_found(self) -> None:
        content = hostile.add_cells(
            hostile.small_workbook(), '<x:row r="9"><x:c r="XFD9" xmlns:x="urn:x"><x:v>1</x:v></x:c></x:row>'
        )

        assert "colonna 16.384" in refusal(content)

    def test_a_huge_declared_dimension_is_refused(self) -> None:
        assert "dimensione dichiarata alla colonna 16.384" in refusal(hostile.declared_dimension("A1:XFD1048576"))

    def test_a_declared_dimension_that_is_no_reference_is_refused(self) -> None:
        assert "dimensione dichiarata non valida" in refusal(hostile.declared_dimension("A1:ZZZZZZZZZZZZ"))


class TestManyCells:
    def test_a_sheet_full_of_whitespace_cells_is_refused(self) -> None:
        # Cells without references: each takes the next column.
        message = refusal(hostile.whitespace_sheet(rows=4, columns=2_000))

        assert "ultima cella alla colonna" in message

    def test_many_tiny_cells_are_refused_by_their_number(self) -> None:
        message = refusal(hostile.many_cells(2_000), WorkbookLimits(max_cells=1_000))

        assert "2.0" in message and "celle (limite 1.000)" in message

    def test_many_tiny_cells_within_the_limit_pass(self) -> None:
        check_workbook(hostile.many_cells(2_000), "ok.xlsx", WorkbookLimits(max_cells=10_000))

    def test_an_ods_row_with_content_repeated_past_the_limit_is_refused(self) -> None:
        content = hostile.ods(hostile.ods_row(hostile.ods_cell("x"), repeat=2_000_000))

        assert "riga 2.000.001" in refusal(content)

    def test_an_ods_cell_with_content_repeated_across_the_sheet_is_refused(self) -> None:
        content = hostile.ods(hostile.ods_row(hostile.ods_cell(" x ", repeat=16_384)))

        assert "colonna 16.384" in refusal(content)

    def test_an_ods_repeated_row_of_repeated_cells_is_refused_by_its_cells(self) -> None:
        content = hostile.ods(hostile.ods_row(hostile.ods_cell(1, repeat=200), repeat=500_000))

        assert "oltre 20.000.000 celle" in refusal(content)

    def test_an_ods_wide_row_and_a_far_row_are_refused_by_their_area(self) -> None:
        wide = hostile.ods_row(hostile.ods_cell(1, repeat=200))
        empty = hostile.ods_row("<table:table-cell/>", repeat=499_998)

        content = hostile.ods(wide + empty + hostile.ods_customer())

        assert "area di 500.001 righe × 200 colonne" in refusal(content)


class TestTheZip:
    def test_a_zip_bomb_member_is_refused_by_its_ratio(self) -> None:
        message = refusal(hostile.bomb_member(64))

        assert "'xl/media/image1.bin' è compresso" in message and "bomba zip" in message

    def test_a_member_declaring_more_than_it_holds_is_refused(self) -> None:
        message = refusal(hostile.lying_size(+5_000))

        assert "sheet1.xml' dichiara" in message and "ma ne contiene" in message

    def test_a_member_declaring_less_than_it_holds_is_refused(self) -> None:
        # The reader would stop at the declared size or trust it: either way it is refused here.
        message = refusal(hostile.lying_size(-1_000))

        assert "archivio danneggiato" in message

    def test_too_much_data_in_all_is_refused_by_the_declared_total(self) -> None:
        message = refusal(hostile.good_workbook(), WorkbookLimits(max_total_bytes=20_000))

        assert "byte decompressi in tutto (limite 20.000)" in message

    def test_one_member_too_big_is_refused_by_its_declared_size(self) -> None:
        message = refusal(hostile.good_workbook(), WorkbookLimits(max_member_bytes=5_000))

        assert "byte decompressi (limite 5.000)" in message

    def test_too_many_members_are_refused(self) -> None:
        assert "elementi nell'archivio (limite 5)" in refusal(hostile.good_workbook(), WorkbookLimits(max_members=5))

    def test_a_binary_workbook_is_refused(self) -> None:
        assert "non è una cartella di lavoro .xlsx o .ods" in refusal(hostile.xlsb())

    def test_a_zip_that_is_no_workbook_is_refused(self) -> None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            target.writestr("readme.txt", "ciao")

        assert "non è una cartella di lavoro" in refusal(out.getvalue())


class TestText:
    def test_a_very_long_shared_string_is_refused(self) -> None:
        message = refusal(hostile.long_shared_string(300_000))

        assert "'xl/sharedStrings.xml' un testo (o uno spazio vuoto) supera 262.144 byte" in message

    def test_a_very_long_inline_string_is_refused(self) -> None:
        text = "ab" * 150_000
        content = hostile.add_cells(
            hostile.small_workbook(), f'<row r="3"><c r="A3" t="inlineStr"><is><t>{text}</t></is></c></row>'
        )

        assert "supera 262.144 byte" in refusal(content)

    def test_whitespace_padding_between_tags_is_refused(self) -> None:
        content = hostile.add_cells(hostile.small_workbook(), " " * 400_000)

        assert "un testo (o uno spazio vuoto) supera" in refusal(content)

    def test_an_ods_declaring_entities_is_refused(self) -> None:
        content = hostile.ods(
            hostile.ods_customer(), doctype='<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        )

        assert "DOCTYPE" in refusal(content)
