"""A decision of the workflow: which dunning event to record, with which data.

The engine and the case commands decide; they return decisions as plain values and never touch
the position's state. :meth:`Position.record <creditbox.domain.position.Position>` records them,
adding who decided (``by``): so the position alone changes itself, and a decision can be looked
at, compared and tested without recording anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from creditbox.domain.workflow.events import DunningEvent


@dataclass(frozen=True)
class Decision:
    event: type[DunningEvent]
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The event's name (``StepExecuted``), as the history and the answers show it."""
        return self.event.__name__


Decisions = list[Decision]
