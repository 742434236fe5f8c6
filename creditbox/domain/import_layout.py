"""Our import layout (``docs/excel-import.md``) as the import profiles see it: sheets, columns, kinds.

A profile (*convertitore*) describes another company's layout in terms of this one, so its
validation needs to know, for each of our sheets, which columns exist, which are required and
what kind of value each holds. The Excel reader of the default layout
(``infrastructure/excel/profile.py``) declares the same sheets and columns with their parsers;
a unit test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from creditbox.domain.codes import CodedEnum, CustomerType, Service, SupplyStatus, SupplyType, normalise_label


class Kind(Enum):
    """What a column holds, as far as a profile is concerned."""

    KEY = "key"  # a code identifying a record (customer, supply, bill, payment): never a constant
    PERSONAL = "personal"  # a datum of one customer (fiscal code, VAT number, contacts): never a constant
    CODE = "code"  # a classification code of the brochure (number or Italian label)
    TEXT = "text"  # free text (name, address, city, meter, payment method)
    DATE = "date"
    AMOUNT = "amount"


@dataclass(frozen=True)
class LayoutColumn:
    label: str
    required: bool
    kind: Kind
    codes: type[CodedEnum] | None = None

    @property
    def takes_default(self) -> bool:
        """A constant for every row makes sense for codes and free text only."""
        return self.kind in (Kind.CODE, Kind.TEXT)

    @property
    def takes_values(self) -> bool:
        """A map of their values onto ours makes sense for codes and free text only."""
        return self.kind in (Kind.CODE, Kind.TEXT)


def _c(label: str, required: bool, kind: Kind, codes: type[CodedEnum] | None = None) -> LayoutColumn:
    return LayoutColumn(label, required, kind, codes)


CUSTOMERS, SUPPLIES, BILLS, PAYMENTS = "Clienti", "Forniture", "Bollette", "Pagamenti"
SHEETS = (CUSTOMERS, SUPPLIES, BILLS, PAYMENTS)

LAYOUT: dict[str, tuple[LayoutColumn, ...]] = {
    CUSTOMERS: (
        _c("Codice Cliente", True, Kind.KEY),
        _c("Nominativo", True, Kind.TEXT),
        _c("Tipologia Cliente", True, Kind.CODE, CustomerType),
        _c("Codice Fiscale", False, Kind.PERSONAL),
        _c("Partita IVA", False, Kind.PERSONAL),
        _c("Email", False, Kind.PERSONAL),
        _c("PEC", False, Kind.PERSONAL),
        _c("Cellulare", False, Kind.PERSONAL),
        _c("Indirizzo", False, Kind.TEXT),
        _c("CAP", False, Kind.TEXT),
        _c("Comune", False, Kind.TEXT),
        _c("Provincia", False, Kind.TEXT),
    ),
    SUPPLIES: (
        _c("Codice Fornitura", True, Kind.KEY),
        _c("Codice Cliente", True, Kind.KEY),
        _c("Tipologia Servizio", True, Kind.CODE, Service),
        _c("Tipologia Fornitura", True, Kind.CODE, SupplyType),
        _c("Stato", False, Kind.CODE, SupplyStatus),
        _c("Matricola Contatore", False, Kind.TEXT),
        _c("Indirizzo Fornitura", False, Kind.TEXT),
    ),
    BILLS: (
        _c("Numero Bolletta", True, Kind.KEY),
        _c("Codice Cliente", True, Kind.KEY),
        _c("Codice Fornitura", True, Kind.KEY),
        _c("Data Emissione", True, Kind.DATE),
        _c("Data Scadenza", True, Kind.DATE),
        _c("Importo", True, Kind.AMOUNT),
    ),
    PAYMENTS: (
        _c("Id Pagamento", True, Kind.KEY),
        _c("Codice Cliente", True, Kind.KEY),
        _c("Numero Bolletta", False, Kind.KEY),
        _c("Data Pagamento", True, Kind.DATE),
        _c("Importo", True, Kind.AMOUNT),
        _c("Mezzo", False, Kind.TEXT),
    ),
}


def find_sheet(name: str) -> str | None:
    """Our sheet named ``name`` (case, spaces, underscores and accents ignored), or None."""
    key = normalise_label(name)
    return next((sheet for sheet in SHEETS if normalise_label(sheet) == key), None)


def find_column(sheet: str, name: str) -> LayoutColumn | None:
    key = normalise_label(name)
    return next((column for column in LAYOUT[sheet] if normalise_label(column.label) == key), None)
