"""Locks (*blocchi*): dated, with a reason, on one supply or on the whole customer.

Nothing is executed or proposed for a supply while a lock covers it (an open complaint blocks
notices and suspension, a dispute or a manual lock everything); payments still close cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from creditbox.domain.business_dates import check_in_range
from creditbox.domain.errors import Field, InvalidCommand
from creditbox.domain.workflow.outcomes import LockReason


@dataclass
class Lock:
    lock_id: str
    reason: LockReason
    supply_code: str | None  # None: the whole customer
    start: date
    until: date | None  # None: until lifted
    note: str
    by: str
    lifted_on: date | None = None

    def is_active(self, on: date) -> bool:
        if on < self.start:
            return False
        if self.until is not None and on > self.until:
            return False
        return self.lifted_on is None or on < self.lifted_on

    def covers(self, supply_code: str | None) -> bool:
        return self.supply_code is None or self.supply_code == supply_code

    @property
    def scope_label(self) -> str:
        return "intero cliente" if self.supply_code is None else f"fornitura {self.supply_code}"


def validate_lock_dates(start: date, until: date | None) -> None:
    check_in_range(start, Field.LOCK_START, "inizio del blocco")
    if until is not None:
        check_in_range(until, Field.LOCK_UNTIL, "fine del blocco")
    if until is not None and until < start:
        raise InvalidCommand(f"il blocco termina ({until:%d/%m/%Y}) prima di iniziare ({start:%d/%m/%Y})")
