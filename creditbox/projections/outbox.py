"""``outbox``: every action the workflow executed becomes one outbox entry, exactly once.

A ``StepExecuted`` or ``ReactivationRequested`` event gives one row keyed by its ``action_id`` (the
action key), inserted with ``ON CONFLICT DO NOTHING`` in the transaction that moves this projection's
tracking position: a batch applied twice, or the log replayed from zero, adds nothing and never
touches an entry's status. The statuses are the outbox service's (``application/outbox.py``, through
``infrastructure/outbox_store.py``); this projection only inserts.

The ``outbox`` table is a process table: the projection declares no table of its own
(``tables`` is empty), so ``projections rebuild`` and ``reset`` never drop nor empty it, and
:data:`REBUILDS` is False so the shadow rebuild leaves the projection alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

from creditbox.domain.codes import ActionCode
from creditbox.domain.workflow.events import ReactivationRequested, StepExecuted
from creditbox.projections.framework import Batch
from creditbox.projections.schema import outbox

PENDING = "pending"

# The channel an action goes through (the folder of the file channel, the adapter of issue 12).
CHANNELS: dict[ActionCode, str] = {
    ActionCode.SMS: "sms",
    ActionCode.EMAIL: "email",
    ActionCode.FRIENDLY_REMINDER: "lettera",
    ActionCode.REGISTERED_LETTER: "raccomandata",
    ActionCode.PEC: "pec",
    ActionCode.COLLECTION_AGENCY: "agenzia",
    ActionCode.TECHNICAL_OFFICE: "ufficio_tecnico",
    ActionCode.WRITE_OFF_REQUEST: "ufficio",
    ActionCode.REPAYMENT_PLAN: "ufficio",
    ActionCode.LITIGATION: "legale",
}

# What each channel is called where a person reads it.
CHANNEL_LABELS: dict[str, str] = {
    "sms": "SMS",
    "email": "E-mail",
    "lettera": "Lettera ordinaria",
    "raccomandata": "Raccomandata A/R",
    "pec": "PEC",
    "agenzia": "Agenzia di recupero",
    "ufficio_tecnico": "Ufficio tecnico",
    "ufficio": "Ufficio crediti",
    "legale": "Ufficio legale",
}

REACTIVATION_DESCRIPTION = "Richiesta riattivazione fornitura all'Ufficio tecnico"


def channel_of(action: ActionCode) -> str:
    return CHANNELS.get(action, "ufficio")


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


def entry_row(event: Any, position: Any, at: datetime) -> dict[str, Any] | None:
    """The outbox row of an action event (None for any other event)."""
    if isinstance(event, StepExecuted):
        action, seq, recipient = event.action_code, event.seq, event.recipient
        description, parameters = event.description, dict(event.parameters)
    elif isinstance(event, ReactivationRequested):
        action, seq, recipient = ActionCode.TECHNICAL_OFFICE, None, None
        description, parameters = REACTIVATION_DESCRIPTION, {"tech": "reactivate"}
    else:
        return None
    payload = {
        "customer_name": position.details.name,
        "supply_code": event.supply_code,
        "description": description,
        "parameters": parameters,
        "overdue": str(event.overdue),
    }
    return {
        "action_key": event.action_id,
        "company": position.company,
        "position_id": str(event.originator_id),
        "customer_code": position.customer_code,
        "case_id": event.case_id,
        "seq": seq,
        "action_code": action.code,
        "channel": channel_of(action),
        "recipient": recipient,
        "business_date": event.business_date,
        "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True),
        "status": PENDING,
        "attempts": 0,
        "last_error": None,
        # Due from the start of its business date: at once in production (the business date is today),
        # and on the business date of a simulation or a test clock, whatever the wall clock says.
        "next_attempt_at": datetime.combine(event.business_date, time.min, tzinfo=UTC),
        "created_at": at,
        "updated_at": at,
    }


def insert_new(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the rows whose action key is not there yet; the others are left exactly as they are."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(outbox).on_conflict_do_nothing(index_elements=["action_key"])
    conn.execute(statement, list(rows))


class OutboxProjection:
    name: ClassVar[str] = "outbox"
    # A process table: nothing for a rebuild or a reset to empty.
    tables: ClassVar[Sequence[Table]] = ()
    REBUILDS: ClassVar[bool] = False

    def apply(self, batch: Batch, conn: Connection) -> None:
        rows: list[dict[str, Any]] = []
        with_actions: dict[UUID, list[Any]] = {}
        for originator_id in batch.originators():
            actions = [e for e in batch.events_of(originator_id) if isinstance(e, StepExecuted | ReactivationRequested)]
            if actions:
                with_actions[originator_id] = actions
        batch.preload(with_actions)  # their positions read in a few queries, not one each
        for originator_id, actions in with_actions.items():
            position = batch.state(originator_id)
            for event in actions:
                row = entry_row(event, position, event.timestamp)
                if row is not None:
                    rows.append(row)
        insert_new(conn, rows)
