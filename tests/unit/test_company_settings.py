"""The settings document and the suspension calendar with the company's own days (pure domain)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditbox.domain.company_settings import FIELD_LABELS, CompanyDay, CompanySettings, changed_fields
from creditbox.domain.company_settings_document import (
    InvalidCompanySettings,
    company_day,
    parse_settings,
    require_valid,
    weekday,
)
from creditbox.domain.workflow.calendar import SuspensionCalendar

PATRON = {"date": "24/06", "label": "San Giovanni Battista"}


class TestTheDocument:
    @pytest.mark.parametrize(
        ("given", "number"),
        [("venerdì", 4), ("Venerdi", 4), ("VEN", 4), ("ven'", 4), ("4", 4), (4, 4), ("domenica", 6), ("lun", 0)],
    )
    def test_weekdays_are_numbers_or_italian_names(self, given: object, number: int) -> None:
        assert weekday(given) == number

    @pytest.mark.parametrize("given", ["7", 7, -1, "ve", "friday", True, None, "4.0", "٤"])
    def test_unknown_weekdays_are_refused(self, given: object) -> None:
        with pytest.raises(ValueError):
            weekday(given)

    @pytest.mark.parametrize(
        ("given", "key", "recurring"),
        [("24/06", "06-24", True), ("06-24", "06-24", True), ("29/02", "02-29", True),
         ("07/12/2026", "2026-12-07", False), ("2026-12-07", "2026-12-07", False)],
    )  # fmt: skip
    def test_company_days_every_year_or_once(self, given: str, key: str, recurring: bool) -> None:
        day = company_day(given, "x")
        assert (day.key, day.recurring) == (key, recurring)

    @pytest.mark.parametrize("given", ["31/02", "13-01", "29/02/2027", "24/06/1999", "24/06/9999", "24", "a/b", "", 24])
    def test_impossible_company_days_are_refused(self, given: object) -> None:
        with pytest.raises(ValueError):
            company_day(given)

    def test_a_patch_changes_only_its_fields_and_the_document_round_trips(self) -> None:
        base = parse_settings({"company_days": [PATRON], "write_off_ceilings": {"1": "500", "2": 2000}})
        patched = parse_settings({"grace_period_days": "7", "suspension_forbidden_weekdays": "sab, dom"}, base)

        assert patched.grace_period_days == 7 and patched.suspension_forbidden_weekdays == (5, 6)
        assert patched.company_days == (CompanyDay(6, 24, None, "San Giovanni Battista"),)
        assert patched.write_off_ceilings == {1: Decimal("500.00"), 2: Decimal("2000.00")}
        assert parse_settings(patched.document()) == patched
        assert changed_fields(base, patched) == ("grace_period_days", "suspension_forbidden_weekdays")

    def test_every_problem_is_listed_with_its_field(self) -> None:
        with pytest.raises(InvalidCompanySettings) as refused:
            parse_settings(
                {
                    "suspension_forbidden_weekdays": 5,
                    "company_days": [PATRON, {"date": "06-24", "label": "doppione"}, "24/06", {"date": "01-01",
                                     "label": "Capodanno", "colour": "red"}],
                    "write_off_ceilings": {},
                    "instalment_tolerance_amount": 1.5,
                    "suspension_forbidden_on_holiday_eves": None,
                }
            )  # fmt: skip
        assert [(p.field, p.message.split(" ")[0]) for p in refused.value.problems] == [
            ("suspension_forbidden_weekdays", "attesa"),
            ("suspension_forbidden_on_holiday_eves", "atteso"),
            ("company_days.1.date", "data"),
            ("company_days.2", "atteso"),
            ("company_days.3.colour", "campo"),
            ("write_off_ceilings", "atteso"),
            ("instalment_tolerance_amount", "importo"),
        ]
        assert str(refused.value).startswith("impostazioni non valide (7 problemi):\n- giorni della settimana")

    def test_a_single_problem_is_one_problema(self) -> None:
        with pytest.raises(InvalidCompanySettings, match=r"\(1 problema\)"):
            parse_settings({"grace_period_days": 366})

    def test_settings_built_in_code_are_checked_by_the_same_rules(self) -> None:
        with pytest.raises(InvalidCompanySettings, match="litigation_approval_level"):
            require_valid(CompanySettings(litigation_approval_level=0))
        assert require_valid(CompanySettings()) == CompanySettings()

    def test_settings_recorded_before_the_new_fields_take_the_old_hard_coded_values(self) -> None:
        old = CompanySettings.from_event_data({"grace_period_days": 400, "write_off_ceilings": {"1": "5"}})
        assert old.grace_period_days == 400  # recorded under older rules: loads, even if no longer allowed
        assert old.suspension_forbidden_weekdays == (4, 5) and old.instalment_tolerance_days == 5
        assert old.litigation_approval_level == 2 and old.company_days == ()


class TestTheCalendar:
    def test_the_patron_saints_day_and_its_eve_are_forbidden_every_year(self) -> None:
        calendar = SuspensionCalendar(parse_settings({"company_days": [PATRON]}))
        for year in (2026, 2027, 2031):
            assert calendar.why_forbidden(date(year, 6, 24)) == "giorno dell'azienda: San Giovanni Battista"
        assert calendar.why_forbidden(date(2026, 6, 23)) == "vigilia di San Giovanni Battista"
        assert calendar.next_allowed(date(2026, 6, 23)) == date(2026, 6, 25)

    def test_without_the_eves_rule_only_the_day_itself(self) -> None:
        settings = parse_settings({"company_days": [PATRON], "suspension_forbidden_on_holiday_eves": False})
        calendar = SuspensionCalendar(settings)
        assert not calendar.is_forbidden(date(2026, 6, 23))
        assert calendar.is_forbidden(date(2026, 6, 24))

    def test_a_one_off_day_only_in_its_year(self) -> None:
        calendar = SuspensionCalendar(parse_settings({"company_days": [{"date": "2026-12-09", "label": "chiusura"}]}))
        assert calendar.is_forbidden(date(2026, 12, 9)) and calendar.is_forbidden(date(2026, 12, 8))
        assert not calendar.is_forbidden(date(2027, 12, 9))

    def test_forbidden_weekdays_follow_the_settings(self) -> None:
        calendar = SuspensionCalendar(parse_settings({"suspension_forbidden_weekdays": ["lunedì"]}))
        assert calendar.is_forbidden(date(2026, 3, 2))  # Monday
        assert not calendar.is_forbidden(date(2026, 3, 6))  # Friday: no longer excluded


def test_the_audit_trail_names_the_settings_version_and_the_note() -> None:
    from creditbox.projections.describe import DESCRIBERS

    describe = DESCRIBERS["CompanySettingsChanged"]
    assert describe({"settings_version": 3, "note": "patrono"}) == (
        "Impostazioni dell'azienda modificate (versione 3): patrono"
    )
    assert describe({"by": "cli", "settings": {}}) == "Impostazioni dell'azienda modificate"  # before versions


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)
_FIELDS = st.sampled_from([*FIELD_LABELS, "other"])


@settings(max_examples=400, deadline=None, derandomize=True)
@given(document=st.dictionaries(_FIELDS, _JSON, max_size=6) | _JSON)
def test_any_json_document_is_either_settings_or_a_list_of_problems(document: object) -> None:
    try:
        parsed = parse_settings(document)
    except InvalidCompanySettings as refused:
        assert refused.problems and all(str(p) and p.message for p in refused.problems)
    else:
        assert parse_settings(parsed.document()) == parsed
        SuspensionCalendar(parsed).next_allowed(date(2026, 6, 1))
