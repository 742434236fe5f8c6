"""Parsing cell values of the default profile: texts, codes, dates, amounts, fiscal codes.

Each parser takes a non-empty cell as python-calamine returns it (``str``, ``float``, ``int``,
``bool``, ``date``, ``datetime``) and returns the domain value, or raises ``ValueError`` with a
precise Italian reason.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.it import codicefiscale, iva

from creditbox.domain.business_dates import in_range, range_error
from creditbox.domain.codes import CodedEnum
from creditbox.domain.money import CENT

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


_CONTROL = re.compile(r"[\r\n\t]")


def code_text(cell: Cell) -> str:
    """A key (customer code, bill number...): text, no line breaks."""
    value = cell.strip() if type(cell) is str else text(cell)
    if _CONTROL.search(value):
        raise ValueError(f"codice non valido {value!r}: contiene a capo o tabulazioni")
    return value


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


_INF = float("inf")
_AMOUNT_CHARS = re.compile(r"^[+-]?[0-9.,]+$")
_THOUSANDS_DOTS = re.compile(r"^\d{1,3}(\.\d{3})+$")


def amount(cell: Cell) -> Decimal:
    """Euro with two decimals: a number cell (rounded to the cent: it is a binary float), or text
    in Italian (``1.234,56``) or plain (``1234.56``) form, with or without ``€``."""
    if type(cell) is float:
        if cell != cell or cell in (_INF, -_INF):
            raise ValueError("importo non valido")
        return Decimal(repr(cell)).quantize(CENT, rounding=ROUND_HALF_EVEN)
    if isinstance(cell, bool):
        raise ValueError(f"importo non valido: {cell!r}")
    if isinstance(cell, int):
        return Decimal(cell).quantize(CENT)
    if isinstance(cell, float):
        if cell != cell or cell in (float("inf"), float("-inf")):
            raise ValueError("importo non valido")
        return Decimal(repr(cell)).quantize(CENT, rounding=ROUND_HALF_EVEN)
    if not isinstance(cell, str):
        raise ValueError(f"importo non valido: {text(cell)!r} (atteso un numero in euro, es. 1.234,56)")
    raw = cell.strip()
    compact = raw.replace("€", "").replace("EUR", "").replace("eur", "").replace(" ", "").replace("\u00a0", "")
    sign = ""
    if compact[:1] in "+-" and compact:
        sign, compact = ("-" if compact[0] == "-" else ""), compact[1:]
    if compact[-1:] == "-":  # "12,00-" as some accounting exports write it
        sign, compact = "-", compact[:-1]
    if not compact or not _AMOUNT_CHARS.match(compact) or compact[0] in "+-":
        raise ValueError(f"importo non valido: {raw!r} (atteso un numero in euro, es. 1.234,56 o 1234.56)")
    if "," in compact and "." in compact:
        decimal_mark = "," if compact.rfind(",") > compact.rfind(".") else "."
    elif "," in compact:
        decimal_mark = ","
    elif compact.count(".") > 1:
        decimal_mark = ","  # 1.234.567: Italian thousands
    elif _THOUSANDS_DOTS.match(compact):
        raise ValueError(f"importo ambiguo: {raw!r} (scrivere 1.234,00 oppure 1234.00)")
    else:
        decimal_mark = "."
    thousands = "." if decimal_mark == "," else ","
    whole, _, cents = compact.partition(decimal_mark)
    if decimal_mark in cents:
        raise ValueError(f"importo non valido: {raw!r}")
    if thousands in whole and not re.match(rf"^\d{{1,3}}(\{thousands}\d{{3}})+$", whole):
        raise ValueError(f"importo non valido: {raw!r} (separatore delle migliaia fuori posto)")
    if len(cents) > 2:
        raise ValueError(f"importo con più di due decimali: {raw!r}")
    try:
        value = Decimal(sign + whole.replace(thousands, "") + ("." + cents if cents else ""))
    except InvalidOperation:
        raise ValueError(f"importo non valido: {raw!r}") from None
    return value.quantize(CENT)


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
    if not _EMAIL.match(value):
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
    value = text(cell)
    return value.upper() if re.match(r"^[A-Za-z]{2}$", value) else value
