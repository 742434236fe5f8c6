"""The standard actions table as the engine sees it, for workflow tests."""

from __future__ import annotations

from creditbox.domain.workflow.ladder import StaticTable
from creditbox.infrastructure.actions_csv import standard_rows


def standard_table(version: int = 1) -> StaticTable:
    return StaticTable(version, standard_rows())
