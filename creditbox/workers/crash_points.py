"""A test hook: a worker process that kills itself (SIGKILL) at a chosen point of a send.

The fault tests need a real worker process to die exactly between two moves of an outbox entry, with
no cleanup, no ``finally`` and no acknowledgement — as when the machine loses power or the kernel kills
it. They start the worker with ``CREDITBOX_TEST_CRASH_AT`` (the ``test_crash_at`` setting) set to

- ``before_channel``: the entry is ``sending`` and the channel has not been called;
- ``after_channel``: the channel has the message and the entry is not ``sent`` yet.

:func:`install` puts the matching hook on the worker's ``OutboxService`` (its ``before_channel`` /
``after_channel`` attributes). The setting is never set in production; unset, nothing is installed and
the hooks stay ``None``.
"""

from __future__ import annotations

import logging
import os
import signal

from creditbox.application.outbox import OutboxService
from creditbox.application.ports import OutboxEntry

log = logging.getLogger(__name__)

BEFORE_CHANNEL = "before_channel"
AFTER_CHANNEL = "after_channel"


def die_now(entry: OutboxEntry) -> None:
    """Kill this process at once (SIGKILL: nothing after this line runs, not even atexit)."""
    log.warning("test hook: SIGKILL while sending %s", entry.action_key)
    os.kill(os.getpid(), signal.SIGKILL)


def install(outbox: OutboxService, crash_at: str | None) -> OutboxService:
    """Put the crash hook for ``crash_at`` on ``outbox`` (nothing when ``None``); returns it."""
    if crash_at == BEFORE_CHANNEL:
        outbox.before_channel = die_now
    elif crash_at == AFTER_CHANNEL:
        outbox.after_channel = die_now
    elif crash_at is not None:
        raise ValueError(f"punto di arresto sconosciuto: {crash_at!r}")
    return outbox
