import pytest

from creditbox.domain.phone_numbers import InvalidMobileNumber, international_mobile


@pytest.mark.parametrize(
    ("written", "international"),
    [
        ("3331234567", "+393331234567"),
        ("333 123 4567", "+393331234567"),
        ("333-123.4567", "+393331234567"),
        ("+39 333 1234567", "+393331234567"),
        ("0039 3331234567", "+393331234567"),
        ("+41 79 123 45 67", "+41791234567"),
        ("(333) 1234567", "+393331234567"),
    ],
)
def test_numbers_as_written_become_international(written: str, international: str) -> None:
    assert international_mobile(written) == international


@pytest.mark.parametrize("written", ["", "+", "12345", "333 12A 4567", "+39" + "1" * 14, "++393331234567"])
def test_what_is_no_number_is_refused(written: str) -> None:
    with pytest.raises(InvalidMobileNumber):
        international_mobile(written)
