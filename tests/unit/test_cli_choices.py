"""Every enum-like option of the command line reads the code or the Italian label (any case,
accents, spaces or underscores optional) through one helper; anything else ends with exit code 2
and the list of labels and codes. Counts agree with their noun."""

from __future__ import annotations

from enum import Enum

import pytest
import typer

from creditbox.cli.choices import enum_choice, role, worklist_kind
from creditbox.domain.actions_validation import InvalidActionsTable
from creditbox.domain.import_profile_rules import InvalidImportProfile
from creditbox.domain.tokens import Role
from creditbox.domain.wording import plural
from creditbox.domain.workflow.outcomes import LitigationResult, LockReason, StepOutcome


@pytest.mark.parametrize(
    ("enum", "typed", "expected"),
    [
        (StepOutcome, "delivered", StepOutcome.DELIVERED),
        (StepOutcome, "consegnato", StepOutcome.DELIVERED),
        (StepOutcome, "  CONSEGNATO ", StepOutcome.DELIVERED),
        (StepOutcome, "consegnàto", StepOutcome.DELIVERED),
        (StepOutcome, "Non consegnato", StepOutcome.NOT_DELIVERED),
        (StepOutcome, "non_consegnato", StepOutcome.NOT_DELIVERED),
        (StepOutcome, "not-delivered", StepOutcome.NOT_DELIVERED),
        (StepOutcome, "compiuta giacenza", StepOutcome.UNCLAIMED),
        (StepOutcome, "giacenza", StepOutcome.HELD),
        (StepOutcome, "esito positivo", StepOutcome.POSITIVE),
        (StepOutcome, "Negativo", StepOutcome.NEGATIVE),
        (LockReason, "reclamo", LockReason.COMPLAINT),
        (LockReason, "Complaint", LockReason.COMPLAINT),
        (LockReason, "CONTESTAZIONE", LockReason.DISPUTE),
        (LockReason, "blocco manuale", LockReason.MANUAL),
        (LitigationResult, "recuperato in parte", LitigationResult.PARTIALLY_RECOVERED),
        (LitigationResult, "Inesigibile", LitigationResult.UNRECOVERABLE),
        (LitigationResult, "partially_recovered", LitigationResult.PARTIALLY_RECOVERED),
    ],
)
def test_a_value_is_read_by_its_code_or_its_italian_label(enum: type[Enum], typed: str, expected: Enum) -> None:
    assert enum_choice(enum, typed, "valore") is expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Responsabile", Role.SUPERVISOR),
        ("supervisor", Role.SUPERVISOR),
        ("operatore", Role.OPERATOR),
        ("Revisore", Role.AUDITOR),
        ("ufficio legale", Role.LEGAL),
        ("gestionale", Role.FEED),
    ],
)
def test_roles_are_read_in_italian_too(typed: str, expected: Role) -> None:
    assert role(typed) is expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("proposal", "proposal"),
        ("Proposte da confermare", "proposal"),
        ("proposte", "proposal"),
        ("consegne fallite", "failed_delivery"),
        ("Ufficio tecnico", "technical_office"),
        ("contatti_mancanti", "missing_contact"),
        ("azioni esaurite", "ladder_exhausted"),
        ("invii falliti", "failed_send"),
    ],
)
def test_worklist_kinds_are_read_in_italian_too(typed: str, expected: str) -> None:
    assert worklist_kind(typed) == expected


@pytest.mark.parametrize("typed", ["maybe", "", "   ", "consegn", "deliveredd"])
def test_an_unknown_value_ends_with_exit_2_and_the_allowed_labels(
    typed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(typer.Exit) as ended:
        enum_choice(StepOutcome, typed, "esito")

    assert ended.value.exit_code == 2
    message = " ".join(capsys.readouterr().err.split())
    assert f"esito sconosciuto {typed.strip()!r}" in message
    assert "consegnato (delivered)" in message and "compiuta giacenza (unclaimed)" in message


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0 problemi"),
        (1, "1 problema"),
        (2, "2 problemi"),
        (-1, "-1 problema"),
        (1.0, "1 problema"),
        (2.5, "2.5 problemi"),
    ],
)
def test_a_count_agrees_with_its_noun(n: float, expected: str) -> None:
    assert plural(n, "problema", "problemi") == expected


def test_refusals_with_one_problem_say_problema() -> None:
    one_table = InvalidActionsTable(["riga 2: descrizione mancante"])  # type: ignore[list-item]
    two_tables = InvalidActionsTable(["a", "b"])  # type: ignore[list-item]
    one_profile = InvalidImportProfile(["x"])  # type: ignore[list-item]

    assert str(one_table).startswith("tabella azioni non valida (1 problema):")
    assert str(two_tables).startswith("tabella azioni non valida (2 problemi):")
    assert str(one_profile).startswith("profilo di importazione non valido (1 problema): x")
