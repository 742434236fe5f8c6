"""The codes a generated customer carries, each with its check character computed as the real one is:
codice fiscale (from surname, name, birth date, sex and the birthplace's cadastral code), partita IVA
(Luhn check digit), POD and PDR supply codes, Italian IBAN (ISO 13616 check digits) and ISO 11649
creditor references (RF)."""

from __future__ import annotations

from datetime import date

from stdnum import luhn
from stdnum.it import codicefiscale

MONTH_LETTERS = "ABCDEHLMPRST"
VOWELS = "AEIOU"


def _letters(text: str) -> tuple[list[str], list[str]]:
    plain = [c for c in text.upper() if "A" <= c <= "Z"]
    return [c for c in plain if c not in VOWELS], [c for c in plain if c in VOWELS]


def surname_part(surname: str) -> str:
    consonants, vowels = _letters(surname)
    return "".join([*consonants, *vowels, "X", "X", "X"][:3])


def name_part(name: str) -> str:
    consonants, vowels = _letters(name)
    if len(consonants) >= 4:
        consonants = [consonants[0], consonants[2], consonants[3]]
    return "".join([*consonants, *vowels, "X", "X", "X"][:3])


def fiscal_code(surname: str, name: str, born: date, female: bool, cadastral: str) -> str:
    """The 16-character codice fiscale of a person (no omocodia), check character included."""
    day = born.day + (40 if female else 0)
    body = f"{surname_part(surname)}{name_part(name)}{born.year % 100:02d}{MONTH_LETTERS[born.month - 1]}{day:02d}"
    body += cadastral
    return body + codicefiscale.calc_check_digit(body)


def vat_number(serial: int, office: int) -> str:
    """An 11-digit partita IVA: 7-digit serial, 3-digit provincial office code (001–100, 120, 121,
    888, 999), Luhn check digit."""
    body = f"{serial % 10**7:07d}{office:03d}"
    return body + luhn.calc_check_digit(body)


def pod(serial: int) -> str:
    """An electricity POD shaped like the distributor's: IT, the distributor number (001), E, 8 digits."""
    return f"IT001E{serial % 10**8:08d}"


def pdr(serial: int) -> str:
    """A gas PDR: 14 digits."""
    return f"{serial % 10**14:014d}"


def _mod97(text: str) -> int:
    return int("".join(str(int(ch, 36)) for ch in text)) % 97


def iban(abi: str, cab: str, account: str) -> str:
    """An Italian IBAN: the CIN letter of the BBAN and the ISO 13616 check digits."""
    bban_rest = f"{abi}{cab}{account:0>12}"
    bban = _cin(bban_rest) + bban_rest
    check = 98 - _mod97(f"{bban}IT00")
    return f"IT{check:02d}{bban}"


_ODD = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23)


def _cin(bban_rest: str) -> str:
    """The CIN (control letter) of an Italian BBAN: ABI + CAB + account, with the codice fiscale's tables."""
    total = 0
    for position, ch in enumerate(bban_rest.upper()):
        index = int(ch) if ch.isdigit() else ord(ch) - ord("A")
        total += _ODD[index] if position % 2 == 0 else index
    return chr(ord("A") + total % 26)


def iban_is_valid(code: str) -> bool:
    return len(code) == 27 and code.startswith("IT") and _mod97(code[4:] + code[:4]) == 1


def rf_reference(body: str) -> str:
    """An ISO 11649 creditor reference for ``body`` (letters and digits), check digits computed."""
    check = 98 - _mod97(f"{body}RF00")
    return f"RF{check:02d}{body}"
