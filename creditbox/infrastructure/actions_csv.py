"""The standard *tabella azioni* shipped inside the package (``creditbox/data/standard-actions-table.csv``)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from creditbox.domain.actions import ActionRow
from creditbox.domain.actions_parsing import parse_csv

STANDARD_TABLE_RESOURCE = "standard-actions-table.csv"


def standard_table_text() -> str:
    return files("creditbox").joinpath("data", STANDARD_TABLE_RESOURCE).read_text(encoding="utf-8")


@cache
def standard_rows() -> tuple[ActionRow, ...]:
    """The standard table's rows, parsed and validated (an invalid shipped table is a bug: it raises)."""
    return parse_csv(standard_table_text()).require()
