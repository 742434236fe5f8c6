"""Money is ``Decimal`` euro with two places, never float.

The one syntax of an amount written as text (``parse_amount``, the pattern the API publishes,
``AMOUNT_PATTERN``) and its spreadsheet form (``parse_spreadsheet_amount``: also the Italian
``1.234,56`` and the other forms a back office types in a cell) are defined here, and every reader
uses them: the API, the Excel and profile readers, the *tabella azioni* in CSV. Neither relies on
``Decimal()`` or ``int()`` alone, which take ``1_000``, ``1E+2``, ``+5``, ``NaN``, ``Infinity`` and
digits of other scripts (``١٢٣``).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MAX_INTEGER_DIGITS = 13
# The published pattern (OpenAPI ``pattern`` of every amount): ASCII digits, an optional leading
# minus, at most 13 integer digits and two decimals, a point as the decimal mark. Nothing else.
AMOUNT_PATTERN = r"^-?[0-9]{1,13}(\.[0-9]{1,2})?$"
_CANONICAL = re.compile(r"-?[0-9]{1,13}(?:\.[0-9]{1,2})?")
_LIMIT = Decimal(10) ** MAX_INTEGER_DIGITS


def money(value: Decimal | int | str) -> Decimal:
    """Quantise to cents. Refuses floats: they cannot represent euro amounts exactly."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"importo non valido: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"importo non valido: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def format_euro(amount: Decimal) -> str:
    """Italian display form: ``1.234,56 €``."""
    sign = "-" if amount < 0 else ""
    whole, _, cents = f"{abs(money(amount)):.2f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{'.'.join(groups)},{cents} €"


def parse_amount(text: str) -> Decimal:
    """An amount written exactly as ``AMOUNT_PATTERN`` says (``"1234.56"``, ``"-12"``), in cents."""
    if _CANONICAL.fullmatch(text):
        return Decimal(text).quantize(CENT)
    raise ValueError(_problem(text, 'atteso ad es. "1234.56": cifre ASCII, punto decimale, segno solo "-"'))


def parse_spreadsheet_amount(text: str) -> Decimal:
    """An amount typed in a spreadsheet cell or a CSV field: ``1.234,56``, ``1234,56``,
    ``1234.56``, ``1,234.56``, ``1.234.567``, with ``€`` or ``EUR`` before or after, a minus
    before or after (``12,00-``). Only ASCII digits, no ``+``, no space inside the number, at
    most 13 integer digits and two decimals; ``1.234`` is refused as ambiguous."""
    raw = text.strip()
    compact = _strip_currency(raw)
    match = _SPREADSHEET.fullmatch(compact)
    if match is None or (match["lead"] and match["trail"]):
        raise ValueError(_problem(raw, "atteso un numero in euro, es. 1.234,56 o 1234.56"))
    sign = "-" if match["lead"] or match["trail"] else ""
    number = match["number"]
    if "," in number and "." in number:
        decimal_mark = "," if number.rfind(",") > number.rfind(".") else "."
    elif "," in number:
        decimal_mark = ","
    elif number.count(".") > 1:
        decimal_mark = ","  # 1.234.567: Italian thousands
    elif _THOUSANDS_DOTS.fullmatch(number):
        raise ValueError(f"importo ambiguo: {raw!r} (scrivere 1.234,00 oppure 1234.00)")
    else:
        decimal_mark = "."
    thousands = "." if decimal_mark == "," else ","
    whole, _, cents = number.partition(decimal_mark)
    if decimal_mark in cents or thousands in cents or not whole:
        raise ValueError(f"importo non valido: {raw!r}")
    if thousands in whole and not re.fullmatch(rf"[1-9][0-9]{{0,2}}(?:\{thousands}[0-9]{{3}})+", whole):
        raise ValueError(f"importo non valido: {raw!r} (separatore delle migliaia fuori posto)")
    if len(cents) > 2:
        raise ValueError(f"importo con più di due decimali: {raw!r}")
    digits = whole.replace(thousands, "")
    if len(digits.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"importo troppo grande: {raw!r} (massimo {MAX_INTEGER_DIGITS} cifre intere)")
    return Decimal(sign + digits + ("." + cents if cents else "")).quantize(CENT)


def amount_from_number(value: int | float | Decimal) -> Decimal:
    """A number (a spreadsheet's number cell, a JSON number already checked): finite, at most 13
    integer digits; a binary float is rounded to the cent (it cannot hold cents exactly)."""
    if isinstance(value, bool):
        raise ValueError(f"importo non valido: {value!r}")
    if isinstance(value, float):
        if value != value or value in (_INF, -_INF):
            raise ValueError("importo non valido: non è un numero finito")
        amount = Decimal(repr(value))
    else:
        amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError("importo non valido: non è un numero finito")
    if abs(amount) >= _LIMIT:
        raise ValueError(f"importo troppo grande (massimo {MAX_INTEGER_DIGITS} cifre intere)")
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


_INF = float("inf")
_SPREADSHEET = re.compile(r"(?P<lead>-)?(?P<number>[0-9][0-9.,]*)(?P<trail>-)?")
_THOUSANDS_DOTS = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+")
_CURRENCY = ("€", "EUR", "eur", "Eur")


def _strip_currency(raw: str) -> str:
    for symbol in _CURRENCY:
        if raw.startswith(symbol):
            return raw[len(symbol) :].lstrip(" \u00a0")
        if raw.endswith(symbol):
            return raw[: -len(symbol)].rstrip(" \u00a0")
    return raw


def _problem(raw: str, hint: str) -> str:
    """The reason a text is not an amount, as precise as it can be said."""
    if any(ch.isdigit() and not ch.isascii() for ch in raw):
        return f"importo non valido: {raw!r} (solo cifre 0-9)"
    if raw.strip().startswith("+"):
        return f"importo non valido: {raw!r} (il segno + non è ammesso)"
    if re.fullmatch(r"-?[0-9]+\.[0-9]{3,}", raw):
        return f"importo con più di due decimali: {raw!r}"
    if re.fullmatch(r"-?[0-9]{14,}(?:\.[0-9]*)?", raw):
        return f"importo troppo grande: {raw!r} (massimo {MAX_INTEGER_DIGITS} cifre intere)"
    return f"importo non valido: {raw!r} ({hint})"
