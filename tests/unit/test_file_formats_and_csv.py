"""Which files an import reads, and how CSV text is read: encoding, delimiter, decimal separator,
limits (no database)."""

from __future__ import annotations

import codecs
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from creditbox.application.file_formats import FileFormat, detect_format, has_supported_name
from creditbox.application.records import BillRecord, CustomerRecord, Sheet, UnreadableFile
from creditbox.domain.import_profile import ImportProfile
from creditbox.domain.import_profile_rules import InvalidImportProfile, parse_profile
from creditbox.infrastructure.excel.profile_reader import ProfileWorkbookParser, check_profile_value
from creditbox.infrastructure.excel.tables import (
    CsvOptions,
    CsvTables,
    guess_encoding,
    open_tables,
    sniff_delimiter,
    with_decimal,
)
from creditbox.infrastructure.excel.workbook_guard import WorkbookLimits, check_workbook
from creditbox.infrastructure.excel.workbook_reader import ExcelWorkbookParser
from creditbox.sample_data import SampleSpec, generate, workbook_bytes

BILLS = "Numero Bolletta;Codice Cliente;Codice Fornitura;Data Emissione;Data Scadenza;Importo\r\n"


def rows(content: bytes, name: str = "bollette.csv", options: CsvOptions | None = None) -> list[list[Any]]:
    tables = open_tables(content, name, options)
    return list(tables.rows(tables.names[0]))


class TestWhichFilesAreRead:
    def test_the_content_decides_and_the_name_only_for_text(self) -> None:
        assert detect_format(b"PK\x03\x04rest", "bollette.csv") is FileFormat.WORKBOOK
        assert detect_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "export.dat") is FileFormat.XLS
        assert detect_format(b"a;b\r\n1;2\r\n", "export.CSV") is FileFormat.CSV
        assert detect_format(b"a\tb\n", "export.txt") is FileFormat.CSV

    @pytest.mark.parametrize(
        ("content", "name", "reason"),
        [
            (b"%PDF-1.7", "fattura.pdf", "fattura.pdf: formato non supportato (formati accettati: cartelle di lavoro"),
            (b"a;b\n", "bollette.xlsx", "bollette.xlsx: non è una cartella di lavoro Excel o LibreOffice leggibile"),
            (b"a;b\x00\x01\n", "bollette.csv", "bollette.csv: non è un file di testo CSV (contiene dati binari"),
        ],
    )
    def test_anything_else_is_refused_naming_the_accepted_formats(self, content: bytes, name: str, reason: str) -> None:
        with pytest.raises(UnreadableFile) as refused:
            detect_format(content, name)
        assert str(refused.value).startswith(reason)
        assert ".xlsx, .xls, .ods e file di testo .csv" in str(refused.value)

    def test_the_inbox_tries_the_four_formats_by_name(self) -> None:
        assert [has_supported_name(n) for n in ("a.xlsx", "a.XLS", "a.ods", "a.csv", "a.pdf", "csv")] == [
            True,
            True,
            True,
            True,
            False,
            False,
        ]

    def test_the_guard_lets_csv_and_xls_through_and_bounds_the_size_of_an_xls(self) -> None:
        check_workbook(BILLS.encode(), "bollette.csv")
        xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000
        check_workbook(xls, "vecchio.xls")
        with pytest.raises(
            UnreadableFile, match=r"vecchio.xls: file rifiutato prima della lettura: file .xls di 2.008"
        ):
            check_workbook(xls, "vecchio.xls", WorkbookLimits(max_total_bytes=1000))


class TestEncoding:
    def test_valid_utf8_is_utf8_and_anything_else_windows_1252(self) -> None:
        assert guess_encoding("Società;Né\n".encode()) == "utf-8"
        assert guess_encoding(codecs.BOM_UTF8 + "Società\n".encode()) == "utf-8"
        assert guess_encoding("Società;Né;€\n".encode("windows-1252")) == "windows-1252"
        assert guess_encoding(b"plain ascii\n") == "utf-8"

    def test_each_is_read_back_as_written(self) -> None:
        text = "Codice;Nome\r\nC1;Società Idrica Né € 5\r\n"
        for content in (text.encode(), codecs.BOM_UTF8 + text.encode(), text.encode("windows-1252")):
            assert rows(content, "clienti.csv") == [["Codice", "Nome"], ["C1", "Società Idrica Né € 5"]]

    def test_a_profile_may_set_it(self) -> None:
        latin = "Codice;Nome\nC1;Società\n".encode("windows-1252")
        with pytest.raises(UnreadableFile, match=r"clienti\.csv: file di testo non leggibile con la codifica utf-8"):
            rows(latin, "clienti.csv", CsvOptions(encoding="utf-8"))


class TestDelimiter:
    @pytest.mark.parametrize(
        ("header", "delimiter"),
        [
            ("Codice;Nome;Importo", ";"),
            ("Codice,Nome,Importo", ","),
            ("Codice\tNome\tImporto", "\t"),
            ('"Codice;cliente",Nome,Importo', ","),  # a ; inside quotes does not count
            ("Codice", ";"),
        ],
    )
    def test_sniffed_on_the_header_line(self, header: str, delimiter: str) -> None:
        assert sniff_delimiter(header) == delimiter

    def test_quoted_fields_keep_their_delimiters_and_line_breaks(self) -> None:
        content = b'Codice;Indirizzo\r\nC1;"Via Roma 1; scala B\r\npiano 2"\r\nC2;"Via ""Nuova"""\r\n'
        assert rows(content, "clienti.csv") == [
            ["Codice", "Indirizzo"],
            ["C1", "Via Roma 1; scala B\r\npiano 2"],
            ["C2", 'Via "Nuova"'],
        ]


class TestDecimalSeparator:
    def test_detected_per_column_from_the_amounts(self) -> None:
        content = b'A,B,C\n1,"12,50",12.50\n2,"1.234,00",7\n'
        tables = CsvTables(content, "x.csv", CsvOptions(), WorkbookLimits())
        assert (tables.decimal("x.csv", 1), tables.decimal("x.csv", 2)) == (",", ".")

    def test_else_the_habit_of_the_file(self) -> None:
        semicolons = CsvTables(b"A;B\n1;1.234\n", "x.csv", CsvOptions(), WorkbookLimits())
        commas = CsvTables(b'A,B\n1,"1,234"\n', "x.csv", CsvOptions(), WorkbookLimits())
        tabs = CsvTables(b"A\tB\n1\t1.234\n", "x.csv", CsvOptions(), WorkbookLimits())
        assert (semicolons.decimal("x.csv", 1), commas.decimal("x.csv", 1), tabs.decimal("x.csv", 1)) == (
            ",",
            ".",
            None,
        )

    def test_a_profile_may_set_it(self) -> None:
        tables = CsvTables(b"A;B\n1;12.50\n", "x.csv", CsvOptions(decimal=","), WorkbookLimits())
        assert tables.decimal("x.csv", 1) == ","

    @pytest.mark.parametrize(
        ("cell", "decimal", "read"),
        [
            ("1.234", ",", "1234"),
            ("1.234.567", ",", "1234567"),
            ("€ 1.234", ",", "€ 1234"),
            ("1,234", ".", "1234"),
            ("1.234", ".", "1.234"),  # a point column: left to the amount parser
            ("12,5", ",", "12,5"),
            ("1.234", None, "1.234"),
        ],
    )
    def test_it_makes_thousands_unambiguous(self, cell: str, decimal: str | None, read: str) -> None:
        assert with_decimal(cell, decimal) == read


class TestLimits:
    def test_rows_and_columns_are_checked_as_the_file_streams(self) -> None:
        limits = WorkbookLimits(max_rows=3, max_columns=4)
        with pytest.raises(UnreadableFile, match=r"x.csv: file rifiutato: oltre 3 righe"):
            list(CsvTables(b"a\n1\n2\n3\n", "x.csv", CsvOptions(), limits).rows("x.csv"))
        with pytest.raises(UnreadableFile, match=r"x.csv: file rifiutato: la riga 2 ha 5 colonne \(limite 4\)"):
            list(CsvTables(b"a;b\n1;2;3;4;5\n", "x.csv", CsvOptions(), limits).rows("x.csv"))


class TestTheDefaultLayoutInCsv:
    def test_an_italian_csv_reads_without_settings(self) -> None:
        content = (
            BILLS + "B1;C1;S1;05/02/2026;05/03/2026;1.234,56\r\nB2;C1;S1;05/03/2026;05/04/2026;1.234\r\n"
        ).encode("windows-1252")
        parsed = ExcelWorkbookParser().parse(content, "Bollette marzo.csv")
        records = [s.record for s in parsed.sheets[Sheet.BILLS].records]
        assert records == [
            BillRecord("B1", "C1", "S1", date(2026, 2, 5), date(2026, 3, 5), Decimal("1234.56")),
            BillRecord("B2", "C1", "S1", date(2026, 3, 5), date(2026, 4, 5), Decimal("1234.00")),
        ]

    def test_rejections_name_the_file_as_their_sheet(self) -> None:
        content = (BILLS + "B1;C1;S1;31/02/2026;05/03/2026;10,00\r\n").encode()
        parsed = ExcelWorkbookParser().parse(content, "bollette.csv")
        sheet = parsed.sheets[Sheet.BILLS]
        assert sheet.source == "bollette.csv"
        assert [(r.sheet, r.row, r.column) for r in sheet.rejections] == [("Bollette", 2, "Data Emissione")]
        assert "data inesistente" in sheet.rejections[0].reason

    def test_the_file_name_must_say_which_sheet_it_holds(self) -> None:
        with pytest.raises(UnreadableFile, match=r"export\.csv: il nome del file CSV deve dire quale foglio contiene"):
            ExcelWorkbookParser().parse(BILLS.encode(), "export.csv")


class TestProfilesAndCsv:
    def test_a_profile_sets_encoding_delimiter_and_decimal(self) -> None:
        document = parse_profile(
            {
                "csv": {"encoding": "cp1252", "delimiter": "tab", "decimal": "."},
                "sheets": {
                    "Clienti": {"columns": {"Codice Cliente": "Cod", "Nominativo": "Nome", "Tipologia Cliente": "Tipo"}}
                },
            },
            check_profile_value,
        )
        assert document.csv is not None
        assert document.as_data()["csv"] == {"encoding": "windows-1252", "delimiter": "\t", "decimal": "."}
        version = ImportProfile.define("ACQ", "tab", document, by="test", at=datetime(2026, 3, 2)).current
        content = "Cod\tNome\tTipo\nC1\tSocietà; Né\t1\n".encode("windows-1252")
        parsed = ProfileWorkbookParser(version).parse(content, "anagrafica.txt")
        [customer] = [s.record for s in parsed.sheets[Sheet.CUSTOMERS].records]
        assert isinstance(customer, CustomerRecord)
        assert customer.details.name == "Società; Né"

    def test_wrong_csv_settings_are_listed(self) -> None:
        with pytest.raises(InvalidImportProfile) as refused:
            parse_profile(
                {
                    "csv": {"encoding": "latin9", "delimiter": "|", "separatore": ","},
                    "sheets": {
                        "Clienti": {"columns": {"Codice Cliente": "C", "Nominativo": "N", "Tipologia Cliente": "T"}}
                    },
                }
            )
        problems = [str(p) for p in refused.value.problems]
        assert any("'csv': valore non ammesso 'latin9' per 'encoding'" in p for p in problems), problems
        assert any("'csv': valore non ammesso '|' per 'delimiter'" in p for p in problems), problems
        assert any("chiave sconosciuta 'separatore'" in p for p in problems), problems


class TestReadingProgress:
    def test_a_csv_reports_its_bytes_and_ends_at_its_size(self) -> None:
        lines = "".join(f"B{i};C1;S1;05/02/2026;05/03/2026;10,00\r\n" for i in range(10_000))
        content = (BILLS + lines).encode()
        seen: list[tuple[int, int]] = []
        parsed = ExcelWorkbookParser().parse(content, "bollette.csv", lambda done, total: seen.append((done, total)))
        assert len(parsed.sheets[Sheet.BILLS].records) == 10_000
        assert len(seen) >= 3 and {total for _, total in seen} == {len(content)}
        assert [done for done, _ in seen] == sorted(done for done, _ in seen)
        assert seen[-1] == (len(content), len(content))

    def test_a_workbook_reports_its_rows(self) -> None:
        data = generate(SampleSpec(customers=400))
        seen: list[tuple[int, int]] = []
        ExcelWorkbookParser().parse(workbook_bytes(data), "x.xlsx", lambda done, total: seen.append((done, total)))
        rows = sum(data.count(s) + 1 for s in Sheet.ALL)  # each sheet's header too
        assert seen[-1] == (rows, rows)
