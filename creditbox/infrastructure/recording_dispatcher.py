"""The dispatcher until the channels exist (workers issue), and the outbox read from the event log.

``RecordingDispatcher`` keeps the actions handed to it, once per ``action_id``. ``EventLogOutbox``
lists the actions of a company straight from the notification log: the ``StepExecuted`` and
``ReactivationRequested`` events are the outbox, each with its idempotency key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from creditbox.application.dunning import ACTION_TOPICS, actions_of
from creditbox.application.ports import ActionToDispatch
from creditbox.domain.ids import normalise_company_code
from creditbox.infrastructure.event_store import CreditBoxApplication


class RecordingDispatcher:
    def __init__(self) -> None:
        self._actions: dict[str, ActionToDispatch] = {}

    def dispatch(self, actions: Sequence[ActionToDispatch]) -> None:
        for action in actions:
            self._actions.setdefault(action.action_id, action)

    @property
    def actions(self) -> list[ActionToDispatch]:
        return list(self._actions.values())

    def clear(self) -> None:
        self._actions.clear()


class _Owner:
    """Enough of a position for ``actions_of``: its company and customer code."""

    def __init__(self, company: str, customer_code: str) -> None:
        self.company = company
        self.customer_code = customer_code


class EventLogOutbox:
    def __init__(self, app: CreditBoxApplication) -> None:
        self._app = app

    def list(
        self, company: str, *, since: date | None = None, until: date | None = None, limit: int | None = None
    ) -> list[ActionToDispatch]:
        code = normalise_company_code(company)
        prefix = f"{code}/"
        found: list[ActionToDispatch] = []
        start = 1
        while True:
            page = self._app.recorder.select_notifications(start=start, limit=1000, topics=list(ACTION_TOPICS))
            if not page:
                return found
            for notification in page:
                event = self._app.mapper.to_domain_event(notification)
                action_id: str = event.action_id  # type: ignore[attr-defined]
                if not action_id.startswith(prefix):
                    continue
                business_date: date = event.business_date  # type: ignore[attr-defined]
                if (since is not None and business_date < since) or (until is not None and business_date > until):
                    continue
                found.extend(actions_of(_Owner(code, _customer_of(action_id, code, event)), [event]))  # type: ignore[arg-type]
                if limit is not None and len(found) >= limit:
                    return found
            start = page[-1].id + 1


def _customer_of(action_id: str, company: str, event: object) -> str:
    """``COMPANY/<customer>/<case id>/<seq or 'riattivazione'>``: the customer is what is between."""
    case_id: str = getattr(event, "case_id")  # noqa: B009
    tail = action_id.rsplit("/", 1)[1]
    return action_id[len(company) + 1 : -(len(case_id) + len(tail) + 2)]
