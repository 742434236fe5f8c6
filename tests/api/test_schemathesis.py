"""Property-based run of schemathesis against the app's own OpenAPI schema (ASGI, no network):
no 5xx for anything generated, and every response matches the schema (status, media type, body).

Bounded: a few examples per operation (``EXAMPLES``), derandomised, so the run stays well under
a minute per backend. Each operation is called with a token whose role holds its permission.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from creditbox.api.permissions import PERMISSION_KEY, Permission, roles_with
from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, OWN, Api, bill, seed_customer

pytestmark = pytest.mark.cli_or_api

EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_generated_requests_get_no_5xx_and_schema_conformant_answers(api: Api) -> None:
    seed_customer(api)
    api.as_(Role.FEED).post(f"{BASE}/bills", json=bill())
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        raw = operation.definition.raw
        permission = raw.get(PERMISSION_KEY)
        headers: dict[str, str] = {}
        if permission is not None:
            role = roles_with(Permission(permission))[0]
            headers = api.headers(role, "group")
        path_parameters = {"company": OWN} if "{company}" in operation.path else None
        strategy = operation.as_strategy(path_parameters=path_parameters)

        fuzz(strategy, headers)
        operations += 1

    assert operations >= 20


def fuzz(strategy: Any, headers: dict[str, str]) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
