"""Parsing cell values of the default import profile: amounts, dates, codes, fiscal codes, headers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from creditbox.domain.codes import CustomerType, Service
from creditbox.infrastructure.excel import values
from creditbox.infrastructure.excel.headers import match_headers


class TestAmounts:
    @pytest.mark.parametrize(
        ("cell", "expected"),
        [
            (12.3, "12.30"),
            (0.1 + 0.2, "0.30"),  # a binary float becomes exact cents
            (1234.565, "1234.56"),
            (100, "100.00"),
            (-45.5, "-45.50"),
            ("1.234,56", "1234.56"),
            ("1234,56", "1234.56"),
            ("1234.56", "1234.56"),
            ("€ 1.234,56", "1234.56"),
            ("1.234,56 €", "1234.56"),
            ("-12,00", "-12.00"),
            ("12,00-", "-12.00"),
            ("1.234.567", "1234567.00"),
            ("1,234.56", "1234.56"),
            ("7", "7.00"),
        ],
    )
    def test_numbers_and_texts_become_exact_cents(self, cell: object, expected: str) -> None:
        amount = values.amount(cell)
        assert amount == Decimal(expected)
        assert amount.as_tuple().exponent == -2

    @pytest.mark.parametrize(
        ("cell", "message"),
        [
            ("dieci euro", "importo non valido"),
            ("12,345", "più di due decimali"),
            ("1.234", "ambiguo"),
            ("12.34.5", "importo non valido"),
            (True, "importo non valido"),
            (date(2026, 1, 1), "importo non valido"),
        ],
    )
    def test_bad_amounts_are_refused_with_a_reason(self, cell: object, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            values.amount(cell)


class TestDates:
    @pytest.mark.parametrize(
        "cell",
        [date(2026, 1, 31), datetime(2026, 1, 31, 0, 0), "31/01/2026", "2026-01-31", "31-01-2026", " 31/1/2026 "],
    )
    def test_date_cells_and_both_text_forms(self, cell: object) -> None:
        assert values.a_date(cell) == date(2026, 1, 31)

    @pytest.mark.parametrize(
        ("cell", "message"),
        [("31/02/2026", "inesistente"), ("domani", "data non valida"), (45000.0, "data non valida")],
    )
    def test_bad_dates_are_refused(self, cell: object, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            values.a_date(cell)


class TestCodesAndTexts:
    def test_codes_as_numbers_or_labels(self) -> None:
        assert values.coded(CustomerType, 1.0) is CustomerType.DOMESTIC
        assert values.coded(CustomerType, "Ente") is CustomerType.PUBLIC_BODY
        assert values.coded(Service, "energia elettrica") is Service.ELECTRICITY

    def test_unknown_code_lists_the_allowed_ones(self) -> None:
        with pytest.raises(ValueError, match="1 Acqua, 2 Gas"):
            values.coded(Service, 7)

    def test_numeric_keys_lose_the_excel_decimal(self) -> None:
        assert values.code_text(100234.0) == "100234"
        assert values.code_text("  C1 ") == "C1"

    def test_keys_with_line_breaks_are_refused(self) -> None:
        with pytest.raises(ValueError, match=r"U\+000A"):
            values.code_text("C1\nC2")

    def test_postcode_keeps_its_leading_zero(self) -> None:
        assert values.postcode(184.0) == "00184"
        with pytest.raises(ValueError, match="CAP"):
            values.postcode("1234")


class TestFiscalCodes:
    def test_a_personal_code_and_a_business_code(self) -> None:
        assert values.fiscal_code("rccmnl83s18d969h") == "RCCMNL83S18D969H"
        assert values.fiscal_code("00743110157") == "00743110157"
        assert values.fiscal_code(743110157.0) == "00743110157"

    @pytest.mark.parametrize(
        ("cell", "message"),
        [
            ("RCCMNL83S18D969A", "carattere di controllo"),
            ("RCCMNL83S18D96", "lunghezza"),
            ("00743110158", "non valido"),
        ],
    )
    def test_bad_fiscal_codes(self, cell: str, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            values.fiscal_code(cell)

    def test_vat_numbers(self) -> None:
        assert values.vat_number("IT00743110157") == "00743110157"
        with pytest.raises(ValueError, match="cifra di controllo"):
            values.vat_number("00743110158")
        with pytest.raises(ValueError, match="lunghezza"):
            values.vat_number("0074311015")


class TestHeaders:
    def test_case_spaces_underscores_and_accents_are_ignored(self) -> None:
        indexes, written, extra = match_headers(
            ["codice_cliente", "NOMINATIVO", "Tipologìa  Cliente", "Note interne"],
            ["Codice Cliente", "Nominativo", "Tipologia Cliente"],
        )
        assert indexes == {"Codice Cliente": 0, "Nominativo": 1, "Tipologia Cliente": 2}
        assert written["Codice Cliente"] == "codice_cliente"
        assert extra == ["Note interne"]
