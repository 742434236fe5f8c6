"""Parsing cell values of the default profile: texts, codes, dates, amounts, fiscal codes.

Each parser takes a non-empty cell as python-calamine returns it (``str``, ``float``, ``int``,
``bool``, ``date``, ``datetime``) and returns the domain value, or raises ``ValueError`` with a
precise Italian reason.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.it import codicefiscale, iva

from creditbox.domain.business_dates import in_range, range_error
from creditbox.domain.codes import CodedEnum
from creditbox.domain.money import amount_from_number, parse_spreadsheet_amount
from creditbox.domain.text_policy import KEY_MAX_LENGTH, clean_line, key_problem

Cell = object


def is_empty(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def text(cell: Cell) -> str:
    """A code or free text. Numeric cells lose the ``.0`` Excel gives integers."""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        raise ValueError(f"valore non valido: {cell!r}")
    if isinstance(cell, float):
        if cell.is_integer():
            return str(int(cell))
        return repr(cell)
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time(0) else cell.isoformat(sep=" ")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


def code_text(cell: Cell) -> str:
    """A key (customer code, bill number...) as the text policy wants it: printable characters
    only (a cell holding ``_x0001_`` arrives here as U+0001 and is refused)."""
    value = cell.strip() if type(cell) is str else text(cell)
    if value.isprintable() and len(value) <= KEY_MAX_LENGTH:
        return value
    raise ValueError(f"{key_problem(value)}: {value!r}")


def free_text(cell: Cell) -> str:
    """Single-line free text (a name, an address): line breaks folded into a space, any other
    control character or bidi control refused (``domain/text_policy.py``)."""
    return clean_line(text(cell))


def coded(enum_type: type[CodedEnum], cell: Cell) -> CodedEnum:
    try:
        return enum_type.parse(cell)
    except ValueError as error:
        raise ValueError(str(error)) from None


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ITALIAN = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def a_date(cell: Cell) -> date:
    """An Excel date cell, or text ``dd/mm/yyyy`` or ``yyyy-mm-dd``, within the business-date range."""
    return in_business_range(_any_date(cell))


def in_business_range(day: date) -> date:
    """``day``, or ``ValueError`` (a row rejection) when it lies outside the business-date range."""
    if not in_range(day):
        raise ValueError(range_error(day))
    return day


def _any_date(cell: Cell) -> date:
    if type(cell) is date:
        return cell
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, timedelta | time) or not isinstance(cell, str):
        raise ValueError(f"data non valida: {text(cell)!r} (usare una cella data, GG/MM/AAAA o AAAA-MM-GG)")
    raw = cell.strip()
    # "2026-01-31 00:00:00" as text: keep the date part.
    candidate = raw.split(" ", 1)[0] if " " in raw else raw
    match = _ISO.match(candidate)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _ITALIAN.match(candidate)
        if not match:
            raise ValueError(f"data non valida: {raw!r} (usare GG/MM/AAAA o AAAA-MM-GG)")
        day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"data inesistente: {raw!r}") from None


def amount(cell: Cell) -> Decimal:
    """Euro with two decimals: a number cell (rounded to the cent: it is a binary float), or text
    in the spreadsheet form of the one amount syntax (``domain/money.py``): Italian
    (``1.234,56``) or plain (``1234.56``), with or without ``€``."""
    if isinstance(cell, bool):
        raise ValueError(f"importo non valido: {cell!r}")
    if isinstance(cell, int | float):
        return amount_from_number(cell)
    if not isinstance(cell, str):
        raise ValueError(f"importo non valido: {text(cell)!r} (atteso un numero in euro, es. 1.234,56)")
    return parse_spreadsheet_amount(cell)


def fiscal_code(cell: Cell) -> str:
    """*Codice fiscale*: 16 characters for a person, or 11 digits for a business; check character verified."""
    raw = text(cell)
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        raw = raw.zfill(11)
    try:
        return str(codicefiscale.validate(raw))
    except InvalidChecksum:
        raise ValueError(f"codice fiscale {raw!r} non valido: carattere di controllo errato") from None
    except InvalidLength:
        length = len(codicefiscale.compact(raw))
        raise ValueError(
            f"codice fiscale {raw!r} di lunghezza errata ({length} caratteri; attesi 16, o 11 cifre per un'impresa)"
        ) from None
    except (InvalidFormat, InvalidComponent):
        raise ValueError(f"codice fiscale {raw!r} non valido: formato errato") from None
    except ValidationError:
        raise ValueError(f"codice fiscale {raw!r} non valido") from None


def vat_number(cell: Cell) -> str:
    """*Partita IVA*: 11 digits, check digit verified (an ``IT`` prefix is accepted)."""
    raw = text(cell)
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        raw = raw.zfill(11)
    try:
        return str(iva.validate(raw))
    except InvalidChecksum:
        raise ValueError(f"partita IVA {raw!r} non valida: cifra di controllo errata") from None
    except InvalidLength:
        raise ValueError(f"partita IVA {raw!r} di lunghezza errata (attese 11 cifre)") from None
    except (InvalidFormat, InvalidComponent):
        raise ValueError(f"partita IVA {raw!r} non valida: formato errato (attese 11 cifre)") from None
    except ValidationError:
        raise ValueError(f"partita IVA {raw!r} non valida") from None


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(cell: Cell) -> str:
    value = text(cell)
    if not _EMAIL.match(value) or not value.isprintable():
        raise ValueError(f"indirizzo e-mail non valido: {value!r}")
    return value


def mobile(cell: Cell) -> str:
    value = text(cell)
    digits = re.sub(r"[\s./()-]", "", value)
    if not re.match(r"^\+?\d{6,15}$", digits):
        raise ValueError(f"numero di cellulare non valido: {value!r}")
    return digits


def postcode(cell: Cell) -> str:
    value = text(cell)
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        value = value.zfill(5)
    if not re.match(r"^\d{5}$", value):
        raise ValueError(f"CAP non valido: {value!r} (attese 5 cifre)")
    return value


def province(cell: Cell) -> str:
    """The two-letter *sigla* upper-cased; anything else (a full name) is kept as written."""
    value = free_text(cell)
    return value.upper() if re.match(r"^[A-Za-z]{2}$", value) else value
