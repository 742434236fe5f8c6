"""Mobile numbers in the international form SMS gateways expect (E.164: ``+`` and country code).

The billing system writes numbers as people do — ``333 123 4567``, ``333-1234567``, ``0039 333…``,
``+39 333…``. A number without a country code is Italian (``+39``): CreditBox serves Italian
companies, and a foreign number is written with its prefix.
"""

from __future__ import annotations

import re

ITALY = "+39"
_SEPARATORS = re.compile(r"[\s.\-/()]")


class InvalidMobileNumber(ValueError):
    """A number that cannot be turned into an international one."""


def international_mobile(number: str, country_prefix: str = ITALY) -> str:
    """``number`` as ``+<country code><subscriber>``; refuses what is not 8–15 digits with the country code."""
    compact = _SEPARATORS.sub("", number.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not compact.startswith("+"):
        compact = country_prefix + compact
    digits = compact[1:]
    if not digits.isdigit() or not 8 <= len(digits) <= 15:
        raise InvalidMobileNumber(f"numero di cellulare non valido: {number!r}")
    return compact
