"""Every console route, from the app's route table: none answers a page without a session, so a new
page cannot escape the sign-in (the console's counterpart of the API's authorisation matrix)."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from tests.console.conftest import OWN, Console

pytestmark = pytest.mark.cli_or_api

# The pages anyone may open: the sign-in form (and its post) and the root's redirect to the console.
PUBLIC = {("GET", "/console/accesso"), ("POST", "/console/accesso"), ("GET", "/")}
VALUES = {
    "company": OWN,
    "kind": "proposal",
    "customer": "C1",
    "supply": "SC1",
    "number": "1",
    "seq": "1",
    "lock_id": "B1",
    "import_id": "0",
    "decision": "approva",
}


def console_routes(console: Console) -> list[tuple[str, str]]:
    found = []
    for route in console.app.routes:
        if isinstance(route, APIRoute) and (route.path == "/" or route.path.startswith("/console")):
            found += [(method, route.path) for method in sorted(route.methods)]
    return found


def test_every_console_page_and_form_needs_a_session(console: Console) -> None:
    routes = console_routes(console)
    guarded = [r for r in routes if r not in PUBLIC]
    assert len(guarded) >= 20

    for method, path in guarded:
        url = re.sub(r"\{(\w+)\}", lambda m: VALUES[m.group(1)], path)
        answer = console.client.request(method, url, follow_redirects=False)
        assert answer.status_code == 303, (method, path)
        assert answer.headers["location"].startswith("/console/accesso"), (method, path)


def test_the_static_files_are_served_from_the_package(console: Console) -> None:
    css = console.client.get("/console/static/console.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert console.client.get("/console/static/../templates/base.html").status_code == 404
    assert console.client.get("/", follow_redirects=False).headers["location"] == "/console"


def test_pages_name_no_other_host(console: Console) -> None:
    client = console.sign_in("revisore")
    for path in ("/console", f"/console/{OWN}", f"/console/{OWN}/liste/approval", f"/console/{OWN}/clienti/C2"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert not re.search(r'(src|href)="(https?:)?//', page.text), path


@pytest.mark.postgres_smoke
@pytest.mark.app_role
def test_the_home_page_shows_the_counts_and_the_ageing_read_beside_each_other(console: Console) -> None:
    page = console.sign_in("revisore").get(f"/console/{OWN}")
    assert page.status_code == 200
    assert re.search(r'data-lista="proposal"[^>]*>1<', page.text) and re.search(
        r'data-lista="approval"[^>]*>1<', page.text
    )
    assert "Totale in recupero: <strong>920,50 €</strong>" in page.text and '<svg class="chart"' in page.text
