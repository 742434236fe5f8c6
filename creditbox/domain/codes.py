"""Classification codes of the brochure (contract), with Italian labels for display.

Plain ``Enum`` (not ``IntEnum``/``StrEnum``) so that the event transcoder round-trips
them as their own type instead of silently turning them into numbers.
"""

from __future__ import annotations

import math
import unicodedata
from enum import Enum
from typing import TypeVar


class CodedEnum(Enum):
    """An enum whose value is the brochure code; ``label`` is the Italian label."""

    @property
    def code(self) -> int:
        return int(self.value)

    @property
    def label(self) -> str:
        return _LABELS[type(self).__name__][self.code]

    @classmethod
    def from_code(cls: type[E], code: int) -> E:
        return cls(int(code))

    @classmethod
    def parse(cls: type[E], raw: object) -> E:
        """Parse a code (``1``, ``"1"``, ``1.0``) or an Italian label (``"Domestico"``)."""
        if isinstance(raw, cls):
            return raw
        if isinstance(raw, bool):
            raise ValueError(f"valore non valido: {raw!r}")
        if isinstance(raw, int):
            return cls._from_int(raw)
        if isinstance(raw, float):
            if not math.isfinite(raw) or not raw.is_integer():
                raise ValueError(f"codice non intero: {raw!r}")
            return cls._from_int(int(raw))
        text = str(raw).strip()
        if not text:
            raise ValueError("valore mancante")
        if text.isascii() and text.isdigit():
            return cls._from_int(int(text))
        wanted = normalise_label(text)
        for member in cls:
            labels = (*_ALIASES[cls.__name__].get(member.code, ()), member.label)
            if any(normalise_label(label) == wanted for label in labels):
                return member
        allowed = ", ".join(f"{m.code} {m.label}" for m in cls)
        raise ValueError(f"valore sconosciuto {text!r} (ammessi: {allowed})")

    @classmethod
    def _from_int(cls: type[E], code: int) -> E:
        try:
            return cls(code)
        except ValueError:
            allowed = ", ".join(f"{m.code} {m.label}" for m in cls)
            raise ValueError(f"codice sconosciuto {code} (ammessi: {allowed})") from None


E = TypeVar("E", bound=CodedEnum)


def normalise_label(text: str) -> str:
    """Lower case, no accents, no spaces/underscores/dashes/dots: for matching labels and headers."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in plain.lower() if ch.isalnum())


class CustomerType(CodedEnum):
    DOMESTIC = 1
    NON_DOMESTIC = 2
    LARGE_ACCOUNT = 3
    PUBLIC_BODY = 4


class Service(CodedEnum):
    WATER = 1
    GAS = 2
    ELECTRICITY = 3
    TELEPHONE = 4


class SupplyStatus(CodedEnum):
    ACTIVE = 1
    SUSPENDED = 2
    TERMINATED = 3
    TO_BE_REACTIVATED = 4


class SupplyType(CodedEnum):
    SUSPENDABLE = 1
    NON_SUSPENDABLE = 2
    DEACTIVATABLE = 3
    PUBLIC_BODY = 4


class ActionCode(CodedEnum):
    SMS = 1
    EMAIL = 2
    FRIENDLY_REMINDER = 3
    REGISTERED_LETTER = 4
    PEC = 5
    COLLECTION_AGENCY = 6
    TECHNICAL_OFFICE = 7
    WRITE_OFF_REQUEST = 8
    REPAYMENT_PLAN = 9
    LITIGATION = 10


_LABELS: dict[str, dict[int, str]] = {
    "CustomerType": {1: "Domestico", 2: "Non domestico", 3: "Grande utente", 4: "Ente"},
    "Service": {1: "Acqua", 2: "Gas", 3: "Energia elettrica", 4: "Telefono"},
    "SupplyStatus": {1: "Attivo", 2: "Sospeso", 3: "Cessato", 4: "Da riattivare"},
    "SupplyType": {1: "Sospendibile", 2: "Non sospendibile", 3: "Disattivabile", 4: "Ente"},
    "ActionCode": {
        1: "Sollecito SMS",
        2: "Sollecito e-mail",
        3: "Sollecito bonario",
        4: "Sollecito A/R",
        5: "PEC",
        6: "Agenzia di recupero",
        7: "Richiesta Ufficio tecnico",
        8: "Richiesta stralcio",
        9: "Piano di rientro",
        10: "Contenzioso",
    },
}

# Other spellings the billing systems use (plural forms, brochure wording, English).
_ALIASES: dict[str, dict[int, tuple[str, ...]]] = {
    "CustomerType": {
        1: ("Domestici", "Residenziale", "Domestic"),
        2: ("Non domestici", "Business", "Non-domestic"),
        3: ("Grande Utenza", "Grandi utenti", "Large account"),
        4: ("Enti", "Ente pubblico", "Public body"),
    },
    "Service": {
        1: ("Water", "Idrico", "Servizio idrico"),
        2: ("Gas naturale",),
        3: ("Energia", "Elettricita", "Luce", "Electricity"),
        4: ("Telefonia", "Telephone"),
    },
    "SupplyStatus": {
        1: ("Attiva", "Active"),
        2: ("Sospesa", "Suspended"),
        3: ("Cessata", "Terminated"),
        4: ("Da riattivare", "To be reactivated"),
    },
    "SupplyType": {
        1: ("Sospendibili", "Suspendable"),
        2: ("Non sospendibili", "Non-suspendable"),
        3: ("Disattivabili", "Deactivatable"),
        4: ("Enti", "Public body"),
    },
    "ActionCode": {
        1: ("SMS",),
        2: ("Email", "E-mail"),
        3: ("Sollecito bonario (posta prioritaria)",),
        4: ("Raccomandata A/R", "A/R"),
        5: ("Sollecito PEC",),
        6: ("AdR", "Affidamento ad agenzia di recupero"),
        7: ("Ufficio tecnico", "Ric. Ufficio tecnico"),
        8: ("Stralcio",),
        9: ("Rateizzazione",),
        10: ("Passaggio a contenzioso",),
    },
}
