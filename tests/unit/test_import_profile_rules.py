"""Import profiles without a database: validation (every problem, in Italian), names, the aggregate's versions."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.utils import get_topic

from creditbox.domain.errors import InvalidCommand, NotFound
from creditbox.domain.import_layout import LAYOUT, SHEETS, Kind
from creditbox.domain.import_profile import IMPORT_PROFILE_DEFINED, IMPORT_PROFILE_REVISED, ImportProfile
from creditbox.domain.import_profile_rules import (
    InvalidImportProfile,
    ProfileDocument,
    check_date_format,
    check_profile_name,
    parse_profile,
)
from creditbox.domain.imports import Import
from creditbox.infrastructure.excel.profile import DEFAULT_PROFILE
from creditbox.infrastructure.excel.profile_reader import check_profile_value
from tests.profile_workbooks import PROFILE

AT = datetime(2026, 3, 2, 9, 30)


def problems_of(data: Any) -> list[str]:
    with pytest.raises(InvalidImportProfile) as refused:
        parse_profile(data, check_profile_value)
    return [str(p) for p in refused.value.problems]


class TestAValidProfile:
    def test_our_names_are_matched_loosely_and_kept_in_canonical_form(self) -> None:
        document = parse_profile(
            {
                "sheets": {
                    "clienti": {
                        "sheet": " Anagrafica ",
                        "header_row": 3,
                        "columns": {"codice_cliente": "Cod", "NOMINATIVO": "Nome", "Tipologia cliente": {"default": 1}},
                    }
                }
            },
            check_profile_value,
        )
        assert document.as_data() == {
            "sheets": {
                "Clienti": {
                    "sheet": "Anagrafica",
                    "header_row": 3,
                    "columns": {"Codice Cliente": "Cod", "Nominativo": "Nome", "Tipologia Cliente": {"default": 1}},
                }
            }
        }

    def test_the_canonical_form_reads_back_to_the_same_document(self) -> None:
        document = parse_profile(PROFILE, check_profile_value)
        assert ProfileDocument.from_data(document.as_data()) == document
        assert [s.sheet for s in document.sheets] == list(SHEETS)
        customers = document.sheet("Clienti")
        assert customers is not None and customers.source == "Anagrafica" and customers.header_row == 3

    def test_a_sheet_and_header_row_default_to_ours_and_1(self) -> None:
        document = parse_profile(
            {
                "sheets": {
                    "Pagamenti": {
                        "columns": {
                            "Id Pagamento": "Id",
                            "Codice Cliente": "Cliente",
                            "Data Pagamento": "Data",
                            "Importo": "Euro",
                        }
                    }
                }
            }
        )
        sheet = document.sheet("Pagamenti")
        assert sheet is not None and (sheet.source, sheet.header_row) == ("Pagamenti", 1)


class TestAnInvalidProfile:
    def test_every_problem_is_listed_with_its_sheet_and_column(self) -> None:
        bad = {
            "sheets": {
                "Contratti": {},
                "Clienti": {
                    "sheet": "Anagrafica",
                    "header_row": 0,
                    "colonne": {},
                    "columns": {
                        "Codice Clienti": "Cod",
                        "Nominativo": "Nome",
                        "Tipologia Cliente": {"header": "Cat", "values": {"RES": 9, "BUS": "Azienda", "res ": 1}},
                        "Email": {"default": "info@esempio.it"},
                        "CAP": {"default": "184"},
                    },
                },
                "Bollette": {
                    "columns": {
                        "Numero Bolletta": "N",
                        "Codice Cliente": "Cliente",
                        "Codice Fornitura": {"default": "S1"},
                        "Data Emissione": {"header": "Emessa", "format": "%m/%Y"},
                        "Data Scadenza": {"header": "Scade", "format": "%Q"},
                        "Importo": {"header": "N", "values": {"x": 1}},
                    }
                },
            },
            "date_fromat": "%d.%m.%Y",
        }
        problems = problems_of(bad)
        expected = [
            "profilo: chiave sconosciuta 'date_fromat' (ammesse: description, date_format, csv, sheets)",
            "profilo: foglio sconosciuto 'Contratti' (fogli di CreditBox: Clienti, Forniture, Bollette, Pagamenti)",
            "foglio «Clienti»: chiave sconosciuta 'colonne'",
            "foglio «Clienti»: 'header_row' deve essere un numero di riga da 1 a 1000 (trovato 0)",
            "foglio «Clienti»: colonna sconosciuta 'Codice Clienti' (colonne di «Clienti»: Codice Cliente, Nominativo",
            "foglio «Clienti», colonna «Tipologia Cliente»: 'values': 'RES' → 9: codice sconosciuto 9 (ammessi: 1 Dom",
            "foglio «Clienti», colonna «Tipologia Cliente»: 'values': 'BUS' → 'Azienda': valore sconosciuto 'Azienda'",
            "foglio «Clienti», colonna «Tipologia Cliente»: 'values': 'res ' e 'RES' sono lo stesso valore",
            "foglio «Clienti», colonna «Email»: un valore predefinito non è ammesso per un dato personale del cliente",
            "foglio «Clienti», colonna «CAP»: valore predefinito '184': CAP non valido: '184' (attese 5 cifre)",
            "foglio «Clienti», colonna «Codice Cliente»: colonna obbligatoria non mappata",
            "foglio «Bollette», colonna «Codice Fornitura»: un valore predefinito non è ammesso per una colonna chiave",
            "foglio «Bollette», colonna «Data Emissione»: formato data non valido '%m/%Y': deve indicare giorno, mese",
            "foglio «Bollette», colonna «Data Scadenza»: formato data non valido '%Q'",
            "foglio «Bollette», colonna «Importo»: 'values' non è ammesso per un importo",
            "foglio «Bollette», colonna «Importo»: intestazione 'N' già usata per la colonna «Numero Bolletta»",
        ]
        for start in expected:
            assert any(p.startswith(start) for p in problems), (start, problems)
        assert len(problems) == len(expected), problems

    def test_a_required_column_neither_mapped_nor_defaulted(self) -> None:
        problems = problems_of(
            {"sheets": {"Forniture": {"columns": {"Codice Fornitura": "POD", "Codice Cliente": "C"}}}}
        )
        assert problems == [
            "foglio «Forniture», colonna «Tipologia Servizio»: colonna obbligatoria né mappata ('header') né con"
            " valore predefinito ('default')",
            "foglio «Forniture», colonna «Tipologia Fornitura»: colonna obbligatoria né mappata ('header') né con"
            " valore predefinito ('default')",
        ]

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ([], "profilo: il profilo deve essere un oggetto JSON"),
            ({}, "profilo: 'sheets' mancante o vuoto"),
            ({"sheets": {"Clienti": "Anagrafica"}}, "foglio «Clienti»: atteso un oggetto"),
            ({"sheets": {"Clienti": {"sheet": ""}}}, "foglio «Clienti»: 'sheet' (il nome del foglio nel vostro file)"),
            ({"sheets": {"Clienti": {"columns": {}}}}, "foglio «Clienti»: 'columns' mancante o vuoto"),
            (
                {"sheets": {"Clienti": {"columns": {"Nominativo": {}}}}},
                "foglio «Clienti», colonna «Nominativo»: indicare",
            ),
            ({"sheets": {"Clienti": {"columns": {"Nominativo": 3}}}}, "foglio «Clienti», colonna «Nominativo»: atteso"),
            (
                {"sheets": {"Clienti": {"columns": {"Nominativo": {"header": " "}}}}},
                "foglio «Clienti», colonna «Nominativo»: 'header'",
            ),
            (
                {"sheets": {"Clienti": {"columns": {"Nominativo": {"default": True}}}}},
                "valore predefinito True: atteso un testo",
            ),
            (
                {"sheets": {"Clienti": {"columns": {"Nominativo": {"header": "N", "values": []}}}}},
                "'values' deve essere un oggetto",
            ),
            ({"sheets": {"Clienti": {"header_row": "3", "columns": {}}}}, "'header_row' deve essere un numero di riga"),
            ({"sheets": {"Clienti": {}, "clienti": {}}}, "foglio «Clienti»: foglio indicato due volte"),
            (
                {"sheets": {"Clienti": {"columns": {"CAP": "a", "cap": "b"}}}},
                "colonna «CAP»: colonna indicata due volte",
            ),
            ({"description": 3, "sheets": {}}, "profilo: 'description' deve essere un testo"),
        ],
    )
    def test_each_rule(self, data: Any, message: str) -> None:
        assert any(p.startswith(message) or message in p for p in problems_of(data)), problems_of(data)

    def test_the_error_says_how_many_problems_and_lists_them(self) -> None:
        with pytest.raises(InvalidImportProfile) as refused:
            parse_profile({"sheets": {"Vento": {}, "Sole": {}}})
        assert isinstance(refused.value, InvalidCommand)
        assert str(refused.value).startswith("profilo di importazione non valido (2 problemi): ")
        assert refused.value.problems[0].as_data()["message"].startswith("foglio sconosciuto 'Vento'")


class TestDateFormats:
    @pytest.mark.parametrize("fmt", ["%d.%m.%Y", "%Y%m%d", "%m/%d/%Y", "%d-%b-%y", "%d/%m/%Y %H:%M"])
    def test_formats_naming_day_month_and_year_are_accepted(self, fmt: str) -> None:
        assert check_date_format(fmt) is None

    @pytest.mark.parametrize("fmt", ["%m.%Y", "%d.%m", "data", "", "%Q", 7])
    def test_other_formats_are_refused_in_italian(self, fmt: object) -> None:
        reason = check_date_format(fmt)
        assert reason is not None and ("formato data" in reason)


class TestNames:
    def test_names_are_case_insensitive(self) -> None:
        assert check_profile_name(" SAP-Nord ") == "sap-nord"

    @pytest.mark.parametrize("name", ["default", "DEFAULT", "", "con spazi", "-x", "a" * 41, "nord/sud"])
    def test_reserved_or_malformed_names_are_refused(self, name: str) -> None:
        with pytest.raises(InvalidCommand):
            check_profile_name(name)


class TestTheAggregate:
    def test_versions_carry_the_full_content_and_an_identical_revision_records_nothing(self) -> None:
        first = parse_profile(PROFILE)
        profile = ImportProfile.define("acq", "Nord", first, by="mario", at=AT, note=" prima ", source="json:nord.json")
        changed = copy.deepcopy(PROFILE)
        changed["sheets"]["Clienti"]["header_row"] = 4

        assert profile.revise(first, by="luigi", at=AT) is False
        assert profile.revise(parse_profile(changed), by="luigi", at=AT, note="riga 4") is True

        events = profile.collect_events()
        assert [get_topic(type(e)) for e in events] == [IMPORT_PROFILE_DEFINED, IMPORT_PROFILE_REVISED]
        assert (profile.company, profile.name) == ("ACQ", "nord")
        v1, v2 = profile.get_version(1), profile.get_version(2)
        assert (v1.version, v1.by, v1.note, v1.source) == (1, "mario", "prima", "json:nord.json")
        assert v1.content == first.as_data() and v2.content["sheets"]["Clienti"]["header_row"] == 4
        assert profile.current == v2 and v2.by == "luigi"
        with pytest.raises(NotFound, match=r"versione 3 .* inesistente"):
            profile.get_version(3)


def test_our_layout_matches_the_default_excel_profile() -> None:
    """The domain's view of our layout and the default reader's columns name the same things."""
    assert [spec.name for spec in DEFAULT_PROFILE] == list(SHEETS)
    for spec in DEFAULT_PROFILE:
        layout = {c.label: c for c in LAYOUT[spec.name]}
        assert [c.label for c in spec.columns] == list(layout)
        for column in spec.columns:
            assert column.required == layout[column.label].required, column.label
            kind = layout[column.label].kind
            if kind is Kind.CODE:
                assert column.parse(layout[column.label].codes.parse(1)) is not None  # type: ignore[union-attr]


class TestTheImportRecord:
    def test_it_records_the_profile_version_and_events_recorded_before_profiles_still_load(self) -> None:
        record = Import.record("ACQ", "f.xlsx", "a" * 64, "nord", AT, {}, [], [], by="t", profile_version=3)
        assert (record.profile, record.profile_version) == ("nord", 3)
        record.reimported("f.xlsx", AT, {"Clienti": {"accepted": 1}}, [], by="t", profile="nord", profile_version=4)
        imported, reimported = record.collect_events()
        assert Import.record("ACQ", "f.xlsx", "a" * 64, "default", AT, {}, [], [], by="t").profile_version is None

        for old in (imported, reimported):  # as stored before import profiles existed
            old.__dict__.pop("profile_version")
        reimported.__dict__.pop("profile")
        replayed = reimported.mutate(imported.mutate(None))
        assert replayed is not None
        assert (replayed.profile, replayed.profile_version, replayed.runs) == ("nord", None, 2)


def test_the_example_in_the_docs_is_a_valid_profile() -> None:
    text = (Path(__file__).parents[2] / "docs" / "excel-import.md").read_text(encoding="utf-8")
    section = text[text.index("### The document") :]
    start = section.index("```json") + len("```json")
    document = parse_profile(json.loads(section[start : section.index("```", start)]), check_profile_value)
    assert [s.sheet for s in document.sheets] == list(SHEETS)
