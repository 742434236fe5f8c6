"""The property-based bad-input corpus: hostile requests to the JSON feed and the case commands
(through the real app, on both backends) and hostile spreadsheets (real .xlsx files written with
openpyxl) to the reader and the import.

Properties: no 5xx, no exception escapes; every refusal is a problem document (a 422 names each
field) or a row rejection naming sheet, row, column and reason; nothing refused is recorded.

Bounded and stable for CI: ``derandomize=True`` (the same cases on every run), no example database,
no deadline. Each test prints how many cases ran (``pytest -s``); see docs/reliability.md.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from creditbox.api.app import create_app
from creditbox.api.permissions import permission_of, roles_with
from creditbox.application.records import Sheet, UnreadableFile
from creditbox.bootstrap import Container
from creditbox.domain.tokens import Role
from creditbox.infrastructure.excel.profile import DEFAULT_PROFILE
from creditbox.infrastructure.excel.workbook_reader import ExcelWorkbookParser
from tests.api.conftest import BASE, OWN, bill, customer, issue_tokens, supply
from tests.api.test_imports_and_actions_table import row
from tests.properties.strategies import (
    amount_texts,
    cells,
    field,
    hostile_text,
    iso,
    json_values,
    plain_key,
    sane_dates,
)

API_EXAMPLES = 150
READER_EXAMPLES = 200
IMPORT_EXAMPLES = 40

CORPUS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


# ---- the API ------------------------------------------------------------------------------------


class Client:
    def __init__(self, client: TestClient, tokens: dict[tuple[str, Role], str]) -> None:
        self.client = client
        self.tokens = tokens
        self.statuses: dict[int, int] = {}

    def send(self, role: Role, method: str, path: str, body: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[('own', role)]}", "Content-Type": "application/json"}
        content = body if isinstance(body, bytes) else json.dumps(body)  # every non-ASCII escaped
        response = self.client.request(method, path, content=content, headers=headers)
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        check_answer(response)
        return response


def check_answer(response: Any) -> None:
    """No 5xx; a refusal is a problem document, a 422 names each wrong field."""
    assert response.status_code < 500, response.text
    if response.status_code < 400:
        return
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    problem = response.json()
    assert problem["status"] == response.status_code and problem["detail"]
    if problem["type"].endswith(":invalid-input") and "errors" in problem:  # a 422 of validation
        assert problem["errors"], problem
        assert all(isinstance(e["field"], str) and e["field"] for e in problem["errors"]), problem


@pytest.fixture
def client(container: Container) -> Iterator[Client]:
    container.companies.register(OWN, "Acque Spa", by="test")
    container.companies.register("GAS", "Gas Spa", by="test")
    tokens = issue_tokens(container)
    app = create_app(container, close_container=False, token_cache_seconds=0)
    with TestClient(app, raise_server_exceptions=True) as test_client:
        yield Client(test_client, tokens)


def path_key() -> st.SearchStrategy[str]:
    """A key for a URL path: plausible, or hostile (but encodable: a URL cannot carry a lone surrogate)."""
    return st.one_of(plain_key, plain_key, hostile_text).filter(_encodable).map(lambda k: quote(k, safe=""))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return bool(text) and text not in (".", "..")


customers = st.fixed_dictionaries(
    {"name": field(st.just("Mario Rossi")), "customer_type": field(st.sampled_from([1, 2, 3, 4]))},
    optional={
        "fiscal_code": field(st.just("RSSMRA80A01H501U")),
        "email": field(st.just("m@example.it")),
        "mobile": field(st.just("3331234567")),
        "address": field(st.just("Via Roma 1")),
        "postcode": field(st.just("00100")),
        "city": hostile_text,
        "province": hostile_text,
        "extra": json_values,
    },
)
supplies = st.fixed_dictionaries(
    {
        "customer_code": field(plain_key),
        "service": field(st.sampled_from([1, 2, 3, 4])),
        "supply_type": field(st.sampled_from([1, 2, 3, 4])),
    },
    optional={"status": field(st.sampled_from([1, 2, 3, 4])), "meter": hostile_text, "address": hostile_text},
)
bills = st.fixed_dictionaries(
    {
        "number": field(plain_key),
        "customer_code": field(st.just("C1")),
        "supply_code": field(st.just("S1")),
        "issue_date": field(sane_dates.map(iso)),
        "due_date": field(sane_dates.map(iso)),
        "amount": st.one_of(amount_texts, json_values, st.floats(allow_nan=False), st.integers()),
    }
)
payments = st.fixed_dictionaries(
    {
        "payment_id": field(plain_key),
        "customer_code": field(st.just("C1")),
        "payment_date": field(sane_dates.map(iso)),
        "amount": st.one_of(amount_texts, json_values, st.floats(allow_nan=False), st.integers()),
    },
    optional={"bill_number": field(st.just("B1")), "method": hostile_text},
)

feed_requests = st.one_of(
    st.tuples(st.just("PUT"), path_key().map(lambda k: f"/customers/{k}"), customers),
    st.tuples(st.just("PUT"), path_key().map(lambda k: f"/supplies/{k}"), supplies),
    st.tuples(st.just("POST"), st.just("/bills"), st.one_of(bills, st.lists(bills, min_size=1, max_size=3))),
    st.tuples(st.just("POST"), st.just("/payments"), st.one_of(payments, st.lists(payments, min_size=1, max_size=3))),
    st.tuples(st.sampled_from(["PUT", "POST"]), st.sampled_from(["/customers/C1", "/bills"]), json_values),
    st.tuples(st.just("POST"), st.just("/bills"), st.binary(max_size=40)),
)


def test_the_json_feed_answers_every_hostile_request_without_a_5xx(client: Client) -> None:
    feed = client
    assert feed.send(Role.FEED, "PUT", f"{BASE}/customers/C1", customer()).status_code == 200
    assert feed.send(Role.FEED, "PUT", f"{BASE}/supplies/S1", supply("C1")).status_code == 200
    ran = 0

    @settings(CORPUS, max_examples=API_EXAMPLES)
    @given(request=feed_requests)
    def hostile(request: tuple[str, str, Any]) -> None:
        nonlocal ran
        ran += 1
        method, path, body = request
        response = feed.send(Role.FEED, method, f"{BASE}{path}", body)
        if response.status_code in (200, 201, 207):
            for result in response.json()["results"]:
                assert result["outcome"] != "rejected" or (result["reason"] and result["kind"]), result

    hostile()
    print(f"\njson feed corpus: {ran} cases, statuses {sorted(feed.statuses.items())}")
    assert ran >= API_EXAMPLES // 2
    assert feed.send(Role.OPERATOR, "GET", f"{BASE}/positions/C1", b"").status_code == 200


def _command_routes(app: Any) -> list[tuple[str, Role]]:
    routes = []
    for route in app.routes:
        path = getattr(route, "path", "")
        if "POST" in getattr(route, "methods", ()) and "/positions/{customer_code}" in path:
            permission = permission_of(route)
            assert permission is not None
            routes.append((path, roles_with(permission)[0]))
    return routes


notes = st.one_of(st.just(""), hostile_text)
command_bodies = st.one_of(
    st.fixed_dictionaries({}, optional={"note": notes}),
    st.fixed_dictionaries(
        {"outcome": field(st.sampled_from(["sent", "delivered", "not_delivered", "positive", "negative"]))},
        optional={"outcome_date": field(sane_dates.map(iso)), "note": notes},
    ),
    st.fixed_dictionaries(
        {"reason": field(st.sampled_from(["complaint", "dispute", "manual"]))},
        optional={
            "supply_code": field(st.just("S1")),
            "start": field(sane_dates.map(iso)),
            "until": field(sane_dates.map(iso)),
            "note": notes,
        },
    ),
    st.fixed_dictionaries(
        {
            "instalments": st.lists(
                st.fixed_dictionaries({"due_date": field(sane_dates.map(iso)), "amount": amount_texts}), max_size=4
            )
        }
    ),
    st.fixed_dictionaries(
        {"kind": field(st.sampled_from(["write_off", "settlement"]))},
        optional={"settlement_amount": st.one_of(amount_texts, json_values), "note": notes},
    ),
    st.fixed_dictionaries(
        {"result": field(st.sampled_from(["recovered", "partially_recovered", "unrecoverable"]))},
        optional={"recovered_amount": st.one_of(amount_texts, json_values), "outcome_date": field(sane_dates.map(iso))},
    ),
    st.fixed_dictionaries({"positive": field(st.booleans())}, optional={"note": notes}),
    json_values,
)


def test_the_case_commands_answer_every_hostile_request_without_a_5xx(client: Client) -> None:
    admin = client
    table = {"rows": [row(1, 3, "proposal"), row(2, 4, "proposal")]}
    assert admin.send(Role.ADMIN, "PUT", f"{BASE}/actions-table", table).status_code == 200
    admin.send(Role.FEED, "PUT", f"{BASE}/customers/C1", customer(address="Via Roma 1", postcode="00100", city="Roma"))
    admin.send(Role.FEED, "PUT", f"{BASE}/supplies/S1", supply("C1"))
    admin.send(Role.FEED, "POST", f"{BASE}/bills", bill())
    container: Container = admin.client.app.state.container  # type: ignore[attr-defined]
    container.dunning().run_due(OWN, container.clock.today())
    container.projections.catch_up()
    routes = _command_routes(admin.client.app)
    assert len(routes) >= 14
    ran = 0

    @settings(CORPUS, max_examples=API_EXAMPLES)
    @given(
        route=st.sampled_from(routes),
        customer_code=st.one_of(st.just("C1"), st.just("C1"), path_key()),
        supply_code=st.one_of(st.just("S1"), path_key()),
        case_number=st.one_of(st.just("1"), st.integers(min_value=-5, max_value=10**12).map(str)),
        seq=st.one_of(st.just("1"), st.just("2"), st.integers(min_value=-5, max_value=10**6).map(str)),
        lock_id=st.one_of(st.just("B1"), path_key()),
        body=command_bodies,
    )
    def hostile(
        route: tuple[str, Role],
        customer_code: str,
        supply_code: str,
        case_number: str,
        seq: str,
        lock_id: str,
        body: Any,
    ) -> None:
        nonlocal ran
        ran += 1
        template, role = route
        path = (
            template.replace("{company}", OWN)
            .replace("{customer_code}", customer_code)
            .replace("{supply_code}", supply_code)
            .replace("{case_number}", case_number)
            .replace("{seq}", seq)
            .replace("{lock_id}", lock_id)
        )
        admin.send(role, "POST", path, body)

    hostile()
    print(f"\ncase command corpus: {ran} cases, statuses {sorted(admin.statuses.items())}")
    assert ran >= API_EXAMPLES // 2
    assert admin.send(Role.OPERATOR, "GET", f"{BASE}/positions/C1", b"").status_code == 200


# ---- the spreadsheet reader ---------------------------------------------------------------------

SPECS = {spec.name: spec for spec in DEFAULT_PROFILE}
# A valid cell per column (by field), so that some rows go in among the hostile ones.
VALID: dict[str, st.SearchStrategy[Any]] = {
    "customer_code": st.sampled_from(["C1", "C2", 3.0]),
    "supply_code": st.sampled_from(["S1", "S2"]),
    "number": plain_key,
    "payment_id": plain_key,
    "bill_number": st.none(),
    "customer_type": st.sampled_from([1, "Domestico", "Ente"]),
    "service": st.sampled_from([1, 2, "Gas"]),
    "supply_type": st.sampled_from([1, "Sospendibile"]),
    "status": st.none(),
    "issue_date": sane_dates,
    "due_date": st.just(date(2030, 12, 31)),
    "payment_date": sane_dates,
    "amount": st.sampled_from([10.5, "1.234,56", "12,00-", 7]),
}


def _cell(field_name: str) -> st.SearchStrategy[Any]:
    valid = VALID.get(field_name, st.sampled_from([None, "Mario Rossi", "Via Roma 1\nPiano 2"]))
    return st.one_of(valid, valid, cells)


@st.composite
def workbooks(draw: st.DrawFn) -> bytes:
    """A real .xlsx: some of our sheets, their headers (sometimes shuffled), rows of any cells."""
    book = Workbook()
    names = draw(st.lists(st.sampled_from(list(Sheet.ALL)), min_size=1, max_size=4, unique=True))
    for index, name in enumerate(names):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = name
        columns = list(SPECS[name].columns)
        if draw(st.booleans()):
            columns = draw(st.permutations(columns))
        sheet.append([c.label for c in columns])
        for _ in range(draw(st.integers(min_value=0, max_value=6))):
            row_cells = [draw(_cell(c.field)) for c in columns]
            sheet.append(row_cells + draw(st.lists(cells, max_size=1)))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _check_parsed(parsed: Any) -> None:
    for name, sheet in parsed.sheets.items():
        for rejection in sheet.rejections:
            assert rejection.sheet == name and rejection.row >= 2
            assert rejection.column and rejection.reason, rejection
        for record in sheet.records:
            assert record.row not in sheet.rejected_rows


def test_the_spreadsheet_reader_turns_every_hostile_cell_into_a_record_or_a_rejection() -> None:
    parser = ExcelWorkbookParser()
    ran = records = rejections = 0

    @settings(CORPUS, max_examples=READER_EXAMPLES)
    @given(content=workbooks())
    def hostile(content: bytes) -> None:
        nonlocal ran, records, rejections
        ran += 1
        try:
            parsed = parser.parse(content, "ostile.xlsx")
        except UnreadableFile as refusal:
            assert str(refusal)
            return
        _check_parsed(parsed)
        records += sum(len(s.records) for s in parsed.sheets.values())
        rejections += sum(len(s.rejections) for s in parsed.sheets.values())

    hostile()
    print(f"\nspreadsheet reader corpus: {ran} workbooks, {records} records, {rejections} rejections")
    assert ran >= READER_EXAMPLES // 2 and records > 0 and rejections > 0


def test_the_import_of_hostile_workbooks_records_or_rejects_every_row(container: Container) -> None:
    container.companies.register(OWN, "Acque Spa", by="test")
    importer = container.importer()
    ran = 0

    @settings(CORPUS, max_examples=IMPORT_EXAMPLES)
    @given(content=workbooks())
    def hostile(content: bytes) -> None:
        nonlocal ran
        ran += 1
        try:
            result = importer.run(content, f"ostile-{ran}.xlsx", OWN, by="test")
        except UnreadableFile as refusal:
            assert str(refusal)
            return
        for rejection in result.rejected:
            assert rejection.sheet in Sheet.ALL and rejection.row >= 1 and rejection.reason, rejection

    hostile()
    container.projections.catch_up()
    print(f"\nimport corpus: {ran} workbooks")
    assert ran >= IMPORT_EXAMPLES // 2
