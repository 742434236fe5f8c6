"""What each column of our import layout means, its format, and an example row per sheet: the text
of the ``Legenda`` sheet of ``creditbox template`` and of ``docs/excel-import.md``.

The example rows form one consistent customer (a customer, its supply, a bill on that supply, a
payment of that bill) that imports without a single rejection; the dates are taken from the day
the template is written, so that they are always within the accepted range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from creditbox.domain.import_layout import BILLS, CUSTOMERS, LAYOUT, PAYMENTS, SUPPLIES, Kind, LayoutColumn

LEGEND_SHEET = "Legenda"

FORMATS: dict[Kind, str] = {
    Kind.KEY: "testo (un numero è letto come testo: 100234 → '100234'); senza a capo né tabulazioni",
    Kind.PERSONAL: "testo",
    Kind.CODE: "codice numerico o etichetta italiana (maiuscole, spazi e accenti indifferenti)",
    Kind.TEXT: "testo libero",
    Kind.DATE: "data: cella data di Excel, oppure testo GG/MM/AAAA o AAAA-MM-GG",
    Kind.AMOUNT: "importo in euro con al più 2 decimali: cella numero, oppure testo 1.234,56 o 1234.56 (€ facoltativo)",
}

# (sheet, column) → (meaning, format when more precise than the kind's).
MEANINGS: dict[tuple[str, str], tuple[str, str | None]] = {
    (CUSTOMERS, "Codice Cliente"): ("codice del cliente nel gestionale; unico per azienda", None),
    (CUSTOMERS, "Nominativo"): ("nome e cognome o ragione sociale", None),
    (CUSTOMERS, "Tipologia Cliente"): ("tipologia del cliente (decide la scala di solleciti)", None),
    (CUSTOMERS, "Codice Fiscale"): (
        "codice fiscale, controllato",
        "16 caratteri (carattere di controllo e data verificati) o 11 cifre per un'impresa",
    ),
    (CUSTOMERS, "Partita IVA"): (
        "partita IVA, controllata",
        "11 cifre, prefisso IT ammesso; cifra di controllo verificata",
    ),
    (CUSTOMERS, "Email"): ("indirizzo e-mail per i solleciti e-mail", "un solo @ e un dominio con un punto"),
    (CUSTOMERS, "PEC"): ("indirizzo PEC per i solleciti PEC", "un solo @ e un dominio con un punto"),
    (CUSTOMERS, "Cellulare"): ("numero di cellulare per i solleciti SMS", "6–15 cifre, + iniziale facoltativo"),
    (CUSTOMERS, "Indirizzo"): ("via e numero civico per le lettere (sollecito bonario, A/R)", None),
    (CUSTOMERS, "CAP"): ("codice di avviamento postale", "5 cifre (una cella numero 184 diventa 00184)"),
    (CUSTOMERS, "Comune"): ("comune dell'indirizzo postale", None),
    (CUSTOMERS, "Provincia"): ("sigla della provincia", "due lettere (scritte in maiuscolo)"),
    (SUPPLIES, "Codice Fornitura"): ("POD, PDR o codice del punto di fornitura; unico per azienda", None),
    (SUPPLIES, "Codice Cliente"): ("cliente intestatario: nello stesso file o già registrato", None),
    (SUPPLIES, "Tipologia Servizio"): ("servizio fornito", None),
    (SUPPLIES, "Tipologia Fornitura"): ("se la fornitura può essere sospesa o disattivata", None),
    (SUPPLIES, "Stato"): ("stato della fornitura (vuoto: Attivo)", None),
    (SUPPLIES, "Matricola Contatore"): ("matricola del contatore", None),
    (SUPPLIES, "Indirizzo Fornitura"): ("indirizzo del punto di fornitura", None),
    (BILLS, "Numero Bolletta"): ("numero della bolletta; unico per azienda", None),
    (BILLS, "Codice Cliente"): ("cliente della bolletta", None),
    (BILLS, "Codice Fornitura"): ("fornitura della bolletta: deve appartenere a quel cliente", None),
    (BILLS, "Data Emissione"): ("data di emissione", None),
    (BILLS, "Data Scadenza"): ("data di scadenza: non precedente alla data di emissione", None),
    (BILLS, "Importo"): ("importo della bolletta; negativo: nota di credito; zero non ammesso", None),
    (PAYMENTS, "Id Pagamento"): ("identificativo del pagamento; unico per azienda", None),
    (PAYMENTS, "Codice Cliente"): ("cliente che ha pagato", None),
    (PAYMENTS, "Numero Bolletta"): ("bolletta pagata; vuoto: imputato alle bollette aperte più vecchie", None),
    (PAYMENTS, "Data Pagamento"): ("data del pagamento", None),
    (PAYMENTS, "Importo"): ("importo pagato; negativo: storno (es. RID insoluto); zero non ammesso", None),
    (PAYMENTS, "Mezzo"): ("mezzo di pagamento (bollettino, SDD, bonifico, PagoPA, …)", None),
}


@dataclass(frozen=True)
class LegendRow:
    sheet: str
    column: str
    meaning: str
    required: bool
    format: str
    codes: str  # "1 Domestico, 2 Non domestico, …" or ""


def legend() -> list[LegendRow]:
    """One row per column of every sheet, in the layout's order."""
    return [_legend_row(sheet, column) for sheet, columns in LAYOUT.items() for column in columns]


def _legend_row(sheet: str, column: LayoutColumn) -> LegendRow:
    meaning, precise = MEANINGS[(sheet, column.label)]
    codes = ", ".join(f"{m.code} {m.label}" for m in column.codes) if column.codes else ""
    return LegendRow(sheet, column.label, meaning, column.required, precise or FORMATS[column.kind], codes)


def example_rows(today: date) -> dict[str, dict[str, object]]:
    """One consistent example per sheet, by column label; dates relative to ``today``."""
    issued = today - timedelta(days=45)
    return {
        CUSTOMERS: {
            "Codice Cliente": "C0001",
            "Nominativo": "Mario Rossi",
            "Tipologia Cliente": "Domestico",
            "Codice Fiscale": "RSSMRA80A01H501U",
            "Partita IVA": None,
            "Email": "mario.rossi@example.it",
            "PEC": None,
            "Cellulare": "3331234567",
            "Indirizzo": "Via Roma 1",
            "CAP": "00184",
            "Comune": "Roma",
            "Provincia": "RM",
        },
        SUPPLIES: {
            "Codice Fornitura": "F0001",
            "Codice Cliente": "C0001",
            "Tipologia Servizio": "Acqua",
            "Tipologia Fornitura": "Sospendibile",
            "Stato": "Attivo",
            "Matricola Contatore": "M-0001",
            "Indirizzo Fornitura": "Via Roma 1, Roma",
        },
        BILLS: {
            "Numero Bolletta": "B0001",
            "Codice Cliente": "C0001",
            "Codice Fornitura": "F0001",
            "Data Emissione": issued,
            "Data Scadenza": issued + timedelta(days=30),
            "Importo": Decimal("120.50"),
        },
        PAYMENTS: {
            "Id Pagamento": "P0001",
            "Codice Cliente": "C0001",
            "Numero Bolletta": "B0001",
            "Data Pagamento": today - timedelta(days=5),
            "Importo": Decimal("50.00"),
            "Mezzo": "bonifico",
        },
    }
