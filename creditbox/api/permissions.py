"""Who may do what: the one table of role → permissions that every route declares against.

A route states the permission it needs with ``**needs(Permission.X)`` (stored in the route's
``openapi_extra`` as ``x-permission``, so it is also visible in the OpenAPI document); the
``CurrentPrincipal`` dependency reads it back from the matched route and enforces it. A route
under ``/api/v1`` without a declared permission is refused to everyone (deny by default), and
the authorisation matrix test iterates the route table with this same table.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from creditbox.domain.tokens import Role

PERMISSION_KEY = "x-permission"


class Permission(Enum):
    FEED_WRITE = "feed:write"  # customers, supplies, bills, payments, Excel uploads
    IMPORTS_READ = "imports:read"
    POSITIONS_READ = "positions:read"  # positions, summaries, statements of account, worklists, ageing
    HISTORY_READ = "history:read"  # every event of a position, as-of replays
    ACTIONS_TABLE_READ = "actions-table:read"
    ACTIONS_TABLE_WRITE = "actions-table:write"
    COMPANY_SETTINGS_READ = "company-settings:read"
    COMPANY_SETTINGS_WRITE = "company-settings:write"  # grace period, calendar, ceilings, tolerances
    CASES_WORK = "cases:work"  # confirm/discard proposals, outcomes, locks, plans, requests
    CASES_APPROVE = "cases:approve"  # approve/refuse within the token's level
    CASES_LITIGATE = "cases:litigate"  # hand a case over to litigation


_READ = frozenset(
    {
        Permission.IMPORTS_READ,
        Permission.POSITIONS_READ,
        Permission.HISTORY_READ,
        Permission.ACTIONS_TABLE_READ,
        Permission.COMPANY_SETTINGS_READ,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.FEED: frozenset({Permission.FEED_WRITE, Permission.IMPORTS_READ}),
    Role.OPERATOR: _READ | {Permission.CASES_WORK},
    Role.SUPERVISOR: _READ | {Permission.CASES_WORK, Permission.CASES_APPROVE, Permission.CASES_LITIGATE},
    Role.LEGAL: _READ | {Permission.CASES_LITIGATE},
    Role.AUDITOR: _READ,
    Role.ADMIN: frozenset(
        {
            Permission.IMPORTS_READ,
            Permission.POSITIONS_READ,
            Permission.ACTIONS_TABLE_READ,
            Permission.ACTIONS_TABLE_WRITE,
            Permission.COMPANY_SETTINGS_READ,
            Permission.COMPANY_SETTINGS_WRITE,
        }
    ),
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def roles_with(permission: Permission) -> list[Role]:
    return [role for role in Role if allows(role, permission)]


def needs(permission: Permission) -> dict[str, Any]:
    """Keyword arguments for a route decorator declaring the permission it requires."""
    return {"openapi_extra": {PERMISSION_KEY: permission.value}}


def describe(permission: Permission) -> str:
    roles = ", ".join(role.value for role in roles_with(permission))
    return f"Permesso richiesto: `{permission.value}` (ruoli: {roles})."


def permission_of(route: Any) -> Permission | None:
    """The permission a route declared, or ``None``."""
    extra = getattr(route, "openapi_extra", None) or {}
    value = extra.get(PERMISSION_KEY)
    return Permission(value) if value is not None else None
