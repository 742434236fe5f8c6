"""How many SMS a text takes (*parti*), by the rules of the GSM networks.

A text written entirely in the GSM 7-bit alphabet (GSM 03.38: the Italian accented letters à è é ì ò ù
are in it) takes 160 characters in one SMS, 153 per part when it is split (the rest carries the
concatenation header); the extension characters (``€ [ ] { } ~ ^ \\ |``) count twice. A text with any
other character is sent in UCS-2: 70 characters in one SMS, 67 per part. Gateways bill per part, and
a template whose SMS takes more than the configured maximum is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or characters (UCS-2)
    parts: int

    def describe(self) -> str:
        """Italian: ``2 SMS (210 caratteri GSM-7)``."""
        return f"{self.parts} SMS ({self.units} caratteri {self.encoding})"


def sms_length(text: str) -> SmsLength:
    if all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text):
        units = sum(2 if ch in GSM_EXTENSION else 1 for ch in text)
        single, part, encoding = GSM_SINGLE, GSM_PART, "GSM-7"
    else:
        # UTF-16 code units: a character outside the basic plane (an emoji) takes two.
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = UCS2_SINGLE, UCS2_PART, "UCS-2"
    parts = 0 if units == 0 else 1 if units <= single else -(-units // part)
    return SmsLength(encoding, units, parts)
