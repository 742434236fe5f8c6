"""Profile names the inbox needs for itself: a profile folder's ``done/`` and ``failed/`` are no profiles."""

from __future__ import annotations

from datetime import datetime

import pytest

from creditbox.application.inbox import DONE, FAILED
from creditbox.clock import ROME
from creditbox.domain.errors import InvalidCommand
from creditbox.domain.import_profile import ImportProfile
from creditbox.domain.import_profile_rules import check_profile_name, parse_profile
from tests.profile_workbooks import PROFILE


@pytest.mark.parametrize("name", [DONE, FAILED, "Done", " FAILED "])
def test_the_inbox_outcome_folders_cannot_name_a_profile(name: str) -> None:
    with pytest.raises(InvalidCommand, match="riservato alle cartelle della inbox"):
        check_profile_name(name)


def test_nor_can_a_profile_be_defined_under_those_names() -> None:
    at = datetime(2026, 3, 2, 9, tzinfo=ROME)
    with pytest.raises(InvalidCommand, match=r"'done' è riservato"):
        ImportProfile.define("ACQ", "done", parse_profile(PROFILE), by="test", at=at)


@pytest.mark.parametrize("name", ["done-2026", "failed.old", "nord"])
def test_names_that_only_contain_them_are_fine(name: str) -> None:
    assert check_profile_name(name) == name
