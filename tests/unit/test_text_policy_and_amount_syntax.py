"""The one text policy and the one amount syntax of the domain, on their own."""

from __future__ import annotations

from decimal import Decimal

import pytest

from creditbox.domain import text_policy
from creditbox.domain.money import amount_from_number, parse_amount, parse_spreadsheet_amount


@pytest.mark.parametrize(
    ("key", "named"),
    [
        ("C\x00", "U+0000"),
        ("C\x01", "U+0001"),
        ("C\n1", "U+000A"),
        ("C\u202e1", "U+202E"),
        ("C\u20691", "U+2069"),
        ("C\u200b1", "U+200B"),
        ("C\u200d1", "U+200D"),
        ("C\u00a01", "U+00A0"),
        ("C\u20281", "U+2028"),
        ("C\ud8001", "U+D800"),
        ("C\ue0001", "U+E000"),
        (" C1", "spazi"),
        ("K" * 65, "troppo lungo"),
        ("", "vuoto"),
    ],
)
def test_a_key_is_printable_characters_only(key: str, named: str) -> None:
    with pytest.raises(text_policy.TextRefused, match=named.replace("+", r"\+")):
        text_policy.check_key(key)


@pytest.mark.parametrize("key", ["C1", "2026/001", "ÀÈ-ñ_1", "C 1", "123"])
def test_printable_keys_pass_as_they_are(key: str) -> None:
    assert text_policy.check_key(key) == key


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Rossi\x00", "U+0000"),
        ("Ros\x01si", "U+0001"),
        ("\x1b[31m", "U+001B"),
        ("Rossi\x7f", "U+007F"),
        ("Rossi\x9b", "U+009B"),
        ("Rossi\u202e", "U+202E"),
        ("Ro\u2066ssi", "U+2066"),
        ("Ro\u200essi", "U+200E"),
        ("Ros\ud800si", "U+D800"),
        ("x\uffff", "U+FFFF"),
        ("x" * 201, "troppo lungo"),
    ],
)
def test_single_line_text_refuses_control_and_bidi_characters(text: str, named: str) -> None:
    with pytest.raises(text_policy.TextRefused, match=named.replace("+", r"\+")):
        text_policy.clean_line(text)


def test_single_line_text_folds_line_breaks_and_notes_keep_them() -> None:
    assert text_policy.clean_line(" Via Roma 1\r\n\t Piano 2\u2028Int. 3 ") == "Via Roma 1 Piano 2 Int. 3"
    assert text_policy.clean_line("Mario Rossi 😀 ä\u200d") == "Mario Rossi 😀 ä\u200d"
    assert text_policy.clean_note(" riga 1\n\triga 2 ") == "riga 1\n\triga 2"
    with pytest.raises(text_policy.TextRefused, match=r"U\+0007"):
        text_policy.clean_note("nota\x07")
    with pytest.raises(text_policy.TextRefused, match="troppo lungo"):
        text_policy.clean_note("x" * 501)


@pytest.mark.parametrize(
    "text", ["1_000", "\u0661\u0662", "\uff11", "1E+2", "1e2", "+5", "NaN", "Infinity", "1 000", " 5", "5\n", "12.345"]
)
def test_the_published_pattern_refuses_what_decimal_would_take(text: str) -> None:
    with pytest.raises(ValueError, match="importo"):
        parse_amount(text)


@pytest.mark.parametrize(("text", "expected"), [("1234.56", "1234.56"), ("-12", "-12.00"), ("0.1", "0.10")])
def test_the_published_pattern_takes_plain_decimals(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["1_000", "\u0661\u0662", "1E+2", "+5", "NaN", "Infinity", "1 000,00", "1.000 ,00", "-5-", "12,00--", "€"]
)
def test_the_spreadsheet_form_refuses_the_same_class(text: str) -> None:
    with pytest.raises(ValueError, match="importo"):
        parse_spreadsheet_amount(text)


@pytest.mark.parametrize("number", [float("nan"), float("inf"), -float("inf"), 1e13, 10**20, Decimal("NaN")])
def test_numbers_must_be_finite_and_at_most_13_integer_digits(number: float | int | Decimal) -> None:
    with pytest.raises(ValueError, match="importo"):
        amount_from_number(number)


def test_a_file_name_is_cleaned_never_refused() -> None:
    assert text_policy.safe_file_name("cli\x01enti\u202e.xlsx") == "cli_enti_.xlsx"
    assert text_policy.safe_file_name("a\nb\x00.xlsx") == "a_b_.xlsx"
    assert text_policy.safe_file_name("\x00") == "_"
    assert text_policy.safe_file_name("  ") == "senza-nome"
    assert len(text_policy.safe_file_name("x" * 300)) == 200
