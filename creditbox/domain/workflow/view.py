"""What the workflow reads of a position: the read-only face the engine and the commands decide on.

The workflow never imports the Position aggregate (an import-linter contract keeps it so): it
decides on this protocol, and the Position, which satisfies it, records what was decided.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from creditbox.domain.allocation import Allocation
from creditbox.domain.documents import Bill, CustomerDetails, Payment, SupplyDetails
from creditbox.domain.workflow.cases import Dunning, DunningCase


class PositionView(Protocol):
    @property
    def company(self) -> str: ...

    @property
    def customer_code(self) -> str: ...

    @property
    def details(self) -> CustomerDetails: ...

    @property
    def supplies(self) -> dict[str, SupplyDetails]: ...

    @property
    def bills(self) -> dict[str, Bill]: ...

    @property
    def credit_notes(self) -> dict[str, Bill]: ...

    @property
    def payments(self) -> dict[str, Payment]: ...

    @property
    def dunning(self) -> Dunning: ...

    def allocation(self, as_of: date | None = None) -> Allocation: ...

    def supply(self, code: str) -> SupplyDetails: ...

    def case(self, case_id: str) -> DunningCase: ...
