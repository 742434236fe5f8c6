"""Shared field types: money as a decimal string with two places, strict ISO dates, codes."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from creditbox.domain import text_policy
from creditbox.domain.business_dates import RANGE_TEXT, in_range, range_error
from creditbox.domain.money import AMOUNT_PATTERN, CENT, amount_from_number, parse_amount

MONEY_PATTERN = AMOUNT_PATTERN


class JsonNumber(float):
    """A JSON number with fractional part or exponent as the request wrote it (``json_text``), so
    that ``1e2`` or ``100.000`` is refused like the string ``"1e2"``, not taken for ``100``."""

    json_text: str

    def __new__(cls, text: str) -> JsonNumber:
        number = super().__new__(cls, text)
        number.json_text = text
        return number


def parse_money(value: Any) -> Decimal:
    """An amount as the published pattern (``MONEY_PATTERN``) says: a decimal string (``"123.45"``)
    or a JSON number written the same way (``123.45``, ``-12``).

    ``1_000``, ``1E+2``, ``+5``, ``NaN``, digits of other scripts, spaces, more than two decimals
    or 13 integer digits are refused, never rounded or guessed."""
    if isinstance(value, bool):
        raise ValueError('importo non valido: atteso un numero decimale come stringa, ad es. "123.45"')
    if isinstance(value, Decimal):
        amount = amount_from_number(value)
        if amount != value:
            raise ValueError("importo con più di due decimali")
        return amount
    if isinstance(value, int):
        return parse_amount(str(value))
    if isinstance(value, float):
        return parse_amount(value.json_text if isinstance(value, JsonNumber) else repr(value))
    if isinstance(value, str):
        return parse_amount(value)
    raise ValueError('importo non valido: atteso un numero decimale come stringa, ad es. "123.45"')


def format_money(amount: Decimal) -> str:
    return f"{amount.quantize(CENT):f}"


Money = Annotated[
    Decimal,
    BeforeValidator(parse_money),
    PlainSerializer(format_money, return_type=str),
    WithJsonSchema({"type": "string", "pattern": MONEY_PATTERN, "examples": ["123.45"]}),
]


def parse_iso_date(value: Any) -> date:
    """Only ``YYYY-MM-DD`` (no timestamps, no other formats), within the business-date range."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return _in_range(value)
    message = f"data non valida: {value!r} (formato AAAA-MM-GG)"
    if not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        raise ValueError(message)
    try:
        parsed = date.fromisoformat(value)
    except ValueError:  # well-formed but impossible, e.g. 2026-02-30
        raise ValueError(message) from None
    return _in_range(parsed)


def _in_range(day: date) -> date:
    if not in_range(day):
        raise ValueError(range_error(day))
    return day


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

IsoDate = Annotated[
    date,
    BeforeValidator(parse_iso_date),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "examples": ["2026-03-02"],
            "description": f"Data AAAA-MM-GG, {RANGE_TEXT}",
        }
    ),
]

Code = Annotated[int, Field(ge=1, le=4)]
# Free text and keys follow the one text policy (``domain/text_policy.py``): a single-line text has
# its line breaks folded into a space and any other control or bidi character refused; a note keeps
# its line breaks; a key is printable characters only.
ShortText = Annotated[
    str, Field(min_length=1, max_length=text_policy.TEXT_MAX_LENGTH), AfterValidator(text_policy.clean_line)
]
OptionalText = (
    Annotated[str, Field(max_length=text_policy.TEXT_MAX_LENGTH), AfterValidator(text_policy.clean_line)] | None
)
NoteText = Annotated[str, Field(max_length=text_policy.NOTE_MAX_LENGTH), AfterValidator(text_policy.clean_note)]
# A natural key (customer, supply, bill, payment code): no surrounding spaces, no slash.
KEY_PATTERN = r"^[^\s/](?:[^/]*[^\s/])?$"
Key = Annotated[
    str,
    Field(min_length=1, max_length=text_policy.KEY_MAX_LENGTH, pattern=KEY_PATTERN),
    AfterValidator(text_policy.check_key),
]
