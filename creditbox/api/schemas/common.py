"""Shared field types: money as a decimal string with two places, strict ISO dates, codes."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

from creditbox.domain.business_dates import RANGE_TEXT, in_range, range_error
from creditbox.domain.money import CENT

MAX_INTEGER_DIGITS = 13
MONEY_PATTERN = r"^-?[0-9]{1,13}(\.[0-9]{1,2})?$"


def parse_money(value: Any) -> Decimal:
    """A decimal string (``"123.45"``), an integer or a number with at most two decimals.

    Anything with more precision than a cent is refused, never rounded silently.
    """
    if isinstance(value, bool):
        raise ValueError('importo non valido: atteso un numero decimale come stringa, ad es. "123.45"')
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f'importo non valido: {value!r} (usare il punto decimale, ad es. "123.45")') from None
    else:
        raise ValueError('importo non valido: atteso un numero decimale come stringa, ad es. "123.45"')
    if not amount.is_finite():
        raise ValueError("importo non valido: deve essere un numero finito")
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -2 and amount != amount.quantize(CENT):
        raise ValueError("importo con più di due decimali")
    if amount.adjusted() >= MAX_INTEGER_DIGITS:
        raise ValueError(f"importo troppo grande (massimo {MAX_INTEGER_DIGITS} cifre intere)")
    return amount.quantize(CENT)


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
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
OptionalText = Annotated[str, Field(max_length=200)] | None
# A natural key (customer, supply, bill, payment code): no surrounding spaces, no slash.
KEY_PATTERN = r"^[^\s/](?:[^/]*[^\s/])?$"
Key = Annotated[str, Field(min_length=1, max_length=64, pattern=KEY_PATTERN)]
