"""Business dates on the command line: a date option outside the range, or a fact
or command dated beyond today plus the tolerance, ends with exit code 2 and an Italian message, and
records nothing; ``cases correct-outcome`` supersedes an outcome recorded by mistake.

The command line runs on the real clock: "ahead of today" is computed from today's date.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.integration.test_cases_cli import (
    CASE,
    Run,
    case_open,  # noqa: F401  (fixture)
    cases,
    cli_db,  # noqa: F401  (fixture)
    recorded,
    run,
    step,
    tick,
)

pytestmark = pytest.mark.cli_or_api

AHEAD = (date.today() + timedelta(days=30)).isoformat()


@pytest.mark.parametrize(
    "args",
    [
        ("tick", "--company", "ACQ", "--as-of", "9999-12-31"),
        ("tick", "--company", "ACQ", "--as-of", "0001-01-01"),
        ("tick", "--company", "ACQ", "--as-of", "31/12/2100"),
        ("positions", "show", "C1", "--company", "ACQ", "--as-of", "1989-12-31"),
        ("ageing", "--company", "ACQ", "--as-of", "2100-01-01"),
        ("outbox", "list", "--company", "ACQ", "--since", "0001-01-01"),
        ("simulate", "--company", "ACQ", "--from", "2026-01-01", "--to", "9999-12-31"),
        ("cases", "lock", "C1", "--company", "ACQ", "--reason", "manual", "--until", "9999-12-31"),
        ("cases", "outcome", "C1", CASE, "1", "delivered", "--company", "ACQ", "--date", "0001-01-01"),
    ],
    ids=lambda a: " ".join(a[:2]) + " " + a[-1],
)
def test_a_date_option_outside_the_range_exits_2_naming_the_option(case_open: str, args: tuple[str, ...]) -> None:  # noqa: F811
    result = _run(*args)
    assert result.code == 2, result.out + result.err
    assert "fuori dall'intervallo ammesso (dal 01/01/1990 al 31/12/2099)" in result.err
    assert args[-2] in result.err  # the option


@pytest.mark.parametrize(
    "args",
    [
        ("tick", "--company", "ACQ", "--as-of", AHEAD),
        ("cases", "outcome", "C1", CASE, "1", "delivered", "--company", "ACQ", "--date", AHEAD),
        ("cases", "outcome", "C1", CASE, "1", "delivered", "--company", "ACQ", "--date", "2099-03-01"),
        ("cases", "lock", "C1", "--company", "ACQ", "--reason", "manual", "--from", AHEAD),
        ("cases", "confirm", "C1", CASE, "1", "--company", "ACQ", "--date", AHEAD),
        ("cases", "plan", "C1", CASE, "--company", "ACQ", "--instalments", "2", "--first", AHEAD, "--date", AHEAD),
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_date_beyond_today_plus_the_tolerance_exits_2_and_records_nothing(
    case_open: str,  # noqa: F811
    args: tuple[str, ...],
) -> None:
    before = len(recorded(case_open, "DunningCaseOpened")), _outcomes(case_open)
    result = _run(*args)
    assert result.code == 2, result.out + result.err
    assert "successiva alla data odierna" in result.err and "controllare l'anno" in result.err
    assert (len(recorded(case_open, "DunningCaseOpened")), _outcomes(case_open)) == before
    assert recorded(case_open, "LockSet") == []


@pytest.mark.postgres_smoke
def test_an_outcome_recorded_wrong_is_corrected_and_the_case_follows_the_correction(case_open: str) -> None:  # noqa: F811
    tick("2026-02-15")
    wrong = cases("outcome", "C1", CASE, "2", "returned", "--date", "2026-02-18")
    assert wrong.code == 0, wrong.err
    tick("2026-03-30")  # a returned letter: step 3 waits for a delivery proof
    assert step(2)["outcomes"] == [{"outcome": "returned", "date": "2026-02-18"}]

    fixed = cases(
        "correct-outcome", "C1", CASE, "2", "delivered", "--date", "2026-02-18", "--reason", "ricevuta firmata"
    )
    missing_reason = cases("correct-outcome", "C1", CASE, "2", "delivered", "--date", "2026-02-18")
    half_target = cases(
        "correct-outcome", "C1", CASE, "2", "held", "--date", "2026-02-18", "--reason", "x", "--replaces", "returned"
    )

    assert fixed.code == 0, fixed.err
    assert "esito corretto" in fixed.out
    assert step(2)["outcomes"] == [{"outcome": "delivered", "date": "2026-02-18"}]
    assert step(3)["status"] == "proposed"  # delivered 18/02 + 40 days: the limitation is proposed
    [correction] = recorded(case_open, "OutcomeCorrected")
    assert (correction.replaced_outcome.value, correction.outcome.value) == ("returned", "delivered")
    assert (correction.by, correction.reason) == ("verdi", "ricevuta firmata")  # the operator who ran it
    assert missing_reason.code == 2 and half_target.code == 2


def _run(*args: str) -> Run:
    return run(*args)


def _outcomes(database_url: str) -> int:
    return len(recorded(database_url, "OutcomeRecorded"))
