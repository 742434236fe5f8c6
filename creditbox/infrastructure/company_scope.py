"""The company a piece of work is done for, handed to PostgreSQL's row-level security.

The read-model tables keyed by company carry a policy (migration 0019, ``docs/reliability.md``): a row
is visible, and may be written, only when its company equals the setting ``creditbox.company`` of the
transaction, or when that setting is ``*`` (the group: projectors, the scheduler, the workers, the
auditor's tokens). No setting at all (or an empty one) shows nothing.

The scope lives in a context variable: a request sets its company (``scoped``) for everything it does,
also in the threads it hands work to (they run in a copy of its context). The read-model engine puts
the scope into each transaction (``set_config('creditbox.company', …, true)``); work outside any
request runs with its engine's default scope, the group's for the processes that work for every
company. SQLite has no row-level security: there the company filter of each query is the only wall.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar

# The PostgreSQL setting the policies read (a custom, dotted name: no server configuration needed).
SETTING = "creditbox.company"
# Every company: the group's processes and group-wide roles (the tokens' ``*`` scope).
GROUP_SCOPE = "*"
# No company: a transaction with this scope sees no row of a company-keyed table.
NO_SCOPE = ""

_scope: ContextVar[str | None] = ContextVar("creditbox_company_scope", default=None)


def current_scope() -> str | None:
    """The scope set by the work in progress (a request's company, ``*``), None: none was set."""
    return _scope.get()


@contextmanager
def scoped(company: str) -> Iterator[None]:
    """Run the block for ``company`` (a company code, or ``GROUP_SCOPE`` for the whole group)."""
    token = _scope.set(company)
    try:
        yield
    finally:
        _scope.reset(token)


def group_scope() -> AbstractContextManager[None]:
    """The block works for every company (the projectors' catch-up after a command, say)."""
    return scoped(GROUP_SCOPE)


def enter_scope(company: str) -> None:
    """Set the scope for the rest of the current context (a request's task: each has its own)."""
    _scope.set(company)
