"""The standard actions table as the engine sees it (a TableVersion), for workflow tests."""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from creditbox.domain.actions import ActionRow, StartPoint, StepMode
from creditbox.domain.codes import ActionCode, CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.workflow.ladder import TableVersion


def _codes(enum_type: type, text: str) -> frozenset:  # type: ignore[type-arg]
    return frozenset(enum_type(int(c)) for c in text.split("|") if c.strip())


@lru_cache(maxsize=1)
def standard_rows() -> tuple[ActionRow, ...]:
    text = resources.files("creditbox").joinpath("data/standard-actions-table.csv").read_text(encoding="utf-8")
    rows = []
    for r in csv.DictReader(text.splitlines()):
        params = tuple(tuple(p.split("=", 1)) for p in r["parameters"].split("|") if p)
        rows.append(
            ActionRow(
                ladder=r["ladder"],
                seq=int(r["seq"]),
                action_code=ActionCode(int(r["action_code"])),
                description=r["description"],
                wait_before_days=int(r["wait_before_days"]),
                start_point=StartPoint(r["start_point"]),
                wait_after_days=int(r["wait_after_days"]),
                amount_min=Decimal(r["amount_min"] or "0"),
                amount_max=Decimal(r["amount_max"]) if r["amount_max"] else None,
                threshold=Decimal(r["threshold"] or "0"),
                approval_level=int(r["approval_level"] or 0),
                mode=StepMode(r["mode"]),
                customer_types=_codes(CustomerType, r["customer_types"]),
                services=_codes(Service, r["services"]),
                supply_types=_codes(SupplyType, r["supply_types"]),
                supply_statuses=_codes(SupplyStatus, r["supply_statuses"]),
                parameters=params,  # type: ignore[arg-type]
            )
        )
    return tuple(rows)


def standard_table(version: int = 1) -> TableVersion:
    return TableVersion(version, standard_rows())
