"""Validation and parsing of the *tabella azioni*: each rule fails on a table that breaks it, and
every problem names its row, ladder and step."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from creditbox.domain.actions import ActionRow, StartPoint, StepMode
from creditbox.domain.actions_parsing import ParsedTable, match_headers, parse_csv, parse_row_data
from creditbox.domain.actions_validation import InvalidActionsTable, Problem, require_valid, validate
from creditbox.domain.codes import ActionCode, CustomerType, Service, SupplyStatus
from creditbox.infrastructure.actions_csv import standard_rows, standard_table_text

HEADER = (
    "ladder,seq,customer_types,services,supply_types,supply_statuses,action_code,description,wait_before_days,"
    "start_point,wait_after_days,amount_min,amount_max,threshold,approval_level,mode,parameters"
)


def row(**changes: Any) -> ActionRow:
    base = ActionRow(
        ladder="L",
        seq=1,
        action_code=ActionCode.SMS,
        description="Avviso SMS",
        wait_before_days=0,
        start_point=StartPoint.OPENED,
        wait_after_days=5,
        amount_min=Decimal("0.00"),
        amount_max=None,
        threshold=Decimal("10.00"),
        approval_level=0,
        mode=StepMode.AUTO,
    )
    return replace(base, **changes)


def messages(problems: list[Problem]) -> list[str]:
    return [p.message for p in problems]


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def csv_table(*lines: str) -> ParsedTable:
    return parse_csv("\n".join([HEADER, *lines]) + "\n")


class TestTheStandardTable:
    def test_is_valid_and_has_35_rows_in_7_ladders(self) -> None:
        rows = standard_rows()
        assert validate(rows) == []
        assert len(rows) == 35
        assert len({r.ladder for r in rows}) == 7

    def test_parses_sets_parameters_and_open_bands(self) -> None:
        rows = standard_rows()
        water_limit = next(r for r in rows if r.ladder == "ACQUA-DOMESTICI" and r.seq == 3)
        assert water_limit.action_code is ActionCode.TECHNICAL_OFFICE
        assert water_limit.parameter("tech") == "limit"
        assert water_limit.customer_types == {CustomerType.DOMESTIC}
        assert water_limit.services == {Service.WATER}
        litigation = next(r for r in rows if r.ladder == "ACQUA-DOMESTICI" and r.seq == 6)
        assert (litigation.amount_min, litigation.amount_max) == (Decimal("1000.00"), None)
        assert litigation.supply_statuses == {SupplyStatus.ACTIVE, SupplyStatus.SUSPENDED, SupplyStatus.TERMINATED}

    def test_csv_rows_are_numbered_by_line(self) -> None:
        parsed = parse_csv(standard_table_text())
        assert parsed.numbers[0] == 2 and parsed.numbers[-1] == 36


class TestRowRules:
    def test_a_negative_wait_before_names_row_ladder_and_step(self) -> None:
        problem = only(validate([row(), row(seq=2, wait_before_days=-3, start_point=StartPoint.PREVIOUS_SENT)]))
        assert (problem.row, problem.ladder, problem.seq) == (2, "L", 2)
        assert problem.message == "attesa prima negativa: -3 giorni"
        assert str(problem) == "riga 2 (L passo 2): attesa prima negativa: -3 giorni"

    def test_a_negative_wait_after(self) -> None:
        assert messages(validate([row(wait_after_days=-1)])) == ["attesa dopo negativa: -1 giorno"]

    def test_amount_min_above_amount_max(self) -> None:
        problem = only(validate([row(amount_min=Decimal("500.00"), amount_max=Decimal("100.00"))]))
        assert "importo minimo (500.00) non inferiore all'importo massimo (100.00)" in problem.message

    def test_a_negative_threshold_amount_min_and_level(self) -> None:
        found = messages(validate([row(threshold=Decimal("-1.00"), amount_min=Decimal("-5.00"), approval_level=-1)]))
        assert found == [
            "importo minimo negativo: -5.00",
            "soglia minima negativa: -1.00",
            "livello autorizzativo negativo: -1",
        ]

    def test_missing_description_and_ladder_name(self) -> None:
        assert messages(validate([row(description="  ")])) == ["descrizione mancante"]
        assert "nome della scala mancante" in messages(validate([row(ladder="")]))

    def test_a_step_number_below_one(self) -> None:
        assert messages(validate([row(seq=0)])) == ["numero di passo non valido: 0 (deve essere 1 o più)"]

    def test_unknown_parameter_key_for_a_technical_office_request(self) -> None:
        tech = row(action_code=ActionCode.TECHNICAL_OFFICE, parameters=(("tech", "limit"), ("urgent", "yes")))
        assert messages(validate([tech])) == ["parametro sconosciuto per il codice azione 7: 'urgent' (ammessi: tech)"]

    def test_unknown_or_missing_tech_value(self) -> None:
        unknown = row(action_code=ActionCode.TECHNICAL_OFFICE, parameters=(("tech", "explode"),))
        assert "valore sconosciuto del parametro tech: 'explode'" in only(validate([unknown])).message
        missing = row(action_code=ActionCode.TECHNICAL_OFFICE)
        assert only(validate([missing])).message.startswith("manca il parametro tech=")

    def test_every_tech_value_is_accepted(self) -> None:
        for value in ("limit", "suspend", "disconnect", "reactivate"):
            assert validate([row(action_code=ActionCode.TECHNICAL_OFFICE, parameters=(("tech", value),))]) == []

    def test_other_codes_accept_free_parameters(self) -> None:
        assert validate([row(parameters=(("template", "sms-1"),))]) == []


class TestTableRules:
    def test_an_empty_table(self) -> None:
        problem = only(validate([]))
        assert problem.row is None and str(problem) == "tabella: la tabella non ha righe"

    def test_a_ladder_whose_first_step_does_not_start_at_opened(self) -> None:
        rows = [row(seq=2, start_point=StartPoint.PREVIOUS_SENT), row(seq=3, start_point=StartPoint.PREVIOUS_SENT)]
        problem = only(validate(rows))
        assert (problem.row, problem.seq) == (1, 2)
        assert "il primo passo della scala deve decorrere da «opened»" in problem.message

    def test_overlapping_bands_within_one_step(self) -> None:
        low = row(amount_max=Decimal("1000.00"))
        high = row(amount_min=Decimal("500.00"), description="Altro")
        problem = only(validate([low, high]))
        assert problem.row == 2
        assert problem.message == (
            "fascia di importo 500.00 – senza limite sovrapposta alla fascia 0.00 – 1000.00"
            " della riga 1 nello stesso passo"
        )

    def test_adjacent_bands_do_not_overlap(self) -> None:
        low = row(amount_max=Decimal("1000.00"))
        high = row(amount_min=Decimal("1000.00"), description="Altro")
        assert validate([low, high]) == []

    def test_the_same_band_in_another_ladder_or_step_is_fine(self) -> None:
        assert validate([row(), row(ladder="M"), row(seq=2, start_point=StartPoint.PREVIOUS_SENT)]) == []

    def test_duplicate_rows(self) -> None:
        problem = only(validate([row(), row()], numbers=[10, 11]))
        assert (problem.row, problem.message) == (11, "riga duplicata (uguale alla riga 10)")

    def test_the_same_step_and_band_twice(self) -> None:
        problem = only(validate([row(), row(description="Altro testo")]))
        assert problem.message.startswith("passo duplicato")

    def test_all_problems_are_returned_at_once_in_row_order(self) -> None:
        rows = [row(wait_before_days=-1), row(ladder="M", seq=1, start_point=StartPoint.PREVIOUS_OUTCOME), row()]
        problems = validate(rows)
        assert [p.row for p in problems] == [1, 2, 3]

    def test_require_valid_raises_with_every_problem(self) -> None:
        with pytest.raises(InvalidActionsTable) as refused:
            require_valid([row(wait_before_days=-1, wait_after_days=-1)])
        assert len(refused.value.problems) == 2
        assert "attesa prima negativa" in str(refused.value) and "attesa dopo negativa" in str(refused.value)


class TestParsing:
    def test_unknown_action_code(self) -> None:
        problem = only(list(csv_table("L,1,,,,,99,Avviso,0,opened,5,0,,10,0,auto,").problems))
        assert (problem.row, problem.ladder, problem.seq, problem.column) == (2, "L", 1, "Codice azione")
        assert problem.message.startswith("codice sconosciuto 99")

    def test_unknown_classification_codes(self) -> None:
        parsed = csv_table("L,1,7,9,5,0,1,Avviso,0,opened,5,0,,10,0,auto,")
        columns = [p.column for p in parsed.problems]
        assert columns == ["Tipologie cliente", "Servizi", "Tipologie fornitura", "Stati fornitura"]
        assert all(p.row == 2 for p in parsed.problems)

    def test_unknown_start_point_and_mode(self) -> None:
        parsed = csv_table("L,1,,,,,1,Avviso,0,yesterday,5,0,,10,0,sometimes,")
        assert [p.column for p in parsed.problems] == ["Decorrenza", "Modalità"]
        assert "valore sconosciuto 'yesterday'" in parsed.problems[0].message

    def test_not_a_number(self) -> None:
        parsed = csv_table("L,uno,,,,,1,Avviso,0,opened,cinque,0,,dieci,0,auto,")
        assert [p.column for p in parsed.problems] == ["Passo", "Attesa dopo (gg)", "Soglia minima"]

    def test_malformed_parameters(self) -> None:
        parsed = csv_table("L,1,,,,,7,Ufficio tecnico,0,opened,5,0,,10,0,auto,limit")
        assert only(list(parsed.problems)).column == "Parametri"

    def test_an_unparseable_first_step_does_not_also_blame_the_ladder(self) -> None:
        parsed = csv_table(
            "L,1,,,,,99,Avviso,0,opened,5,0,,10,0,auto,",
            "L,2,,,,,2,E-mail,0,previous_sent,5,0,,10,0,auto,",
        )
        assert [p.row for p in parsed.problems] == [2]

    def test_labels_and_italian_amounts_are_accepted(self) -> None:
        parsed = csv_table(
            'L,1,Domestico|Ente,Acqua,Sospendibile,Attivo,PEC,Avviso,0,apertura pratica,5,"1.000,00",,10,0,proposta,'
        )
        assert parsed.ok, [str(p) for p in parsed.problems]
        parsed_row = parsed.rows[0]
        assert parsed_row.customer_types == {CustomerType.DOMESTIC, CustomerType.PUBLIC_BODY}
        assert parsed_row.action_code is ActionCode.PEC
        assert parsed_row.amount_min == Decimal("1000.00")
        assert parsed_row.mode is StepMode.PROPOSAL

    def test_more_than_two_decimals_is_refused(self) -> None:
        parsed = csv_table("L,1,,,,,1,Avviso,0,opened,5,0.001,,10,0,auto,")
        assert only(list(parsed.problems)).message == "importo con più di due decimali: '0.001'"

    def test_empty_rows_are_skipped(self) -> None:
        parsed = csv_table(",,,,,,,,,,,,,,,,", "L,1,,,,,1,Avviso,0,opened,5,0,,10,0,auto,")
        assert parsed.ok and parsed.numbers == (3,)

    def test_italian_headers_match_ignoring_case_spaces_and_accents(self) -> None:
        headers = [
            "SCALA", "passo", "Tipologie_cliente", "servizi", "Tipologie fornitura", "stati fornitura",
            "codice azione", "DESCRIZIONE", "Attesa prima (gg)", "decorrenza", "attesa dopo (gg)",
            "Importo minimo", "importo massimo", "soglia minima", "livello autorizzativo", "MODALITA", "Note interne",
        ]  # fmt: skip
        match = match_headers(headers)
        assert match.problems == ()
        assert match.columns[15] == "mode"
        assert match.ignored == ("Note interne",)

    def test_a_missing_column_is_one_problem_and_rows_are_not_checked(self) -> None:
        parsed = parse_csv("ladder,seq\nL,1\n")
        assert all(p.row == 1 and p.message.startswith("colonna mancante") for p in parsed.problems)
        assert "colonna mancante: «Codice azione»" in [p.message for p in parsed.problems]

    def test_json_rows_in_the_event_data_shape_round_trip(self) -> None:
        data = [r.as_event_data() for r in standard_rows()]
        parsed = parse_row_data(data)
        assert parsed.ok and parsed.rows == standard_rows()

    def test_json_rows_with_unknown_fields_or_values_name_their_position(self) -> None:
        data = [r.as_event_data() for r in standard_rows()[:2]]
        data[1] = {**data[1], "colour": "red", "start_point": "later"}
        parsed = parse_row_data(data)
        assert [(p.row, p.column) for p in parsed.problems] == [(2, None), (2, "Decorrenza")]
        assert parsed.problems[0].message == "campi sconosciuti: colour"
