"""``/docs`` works without internet: the page names no other host, and what it loads is served here."""

from __future__ import annotations

import re

import pytest

from creditbox.api.docs_page import ASSETS, ASSETS_URL
from tests.api.conftest import Api

pytestmark = pytest.mark.cli_or_api

# src="…" / href="…" / url: '…' in the page
_REFERENCES = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\s*:\s*["']([^"']+)["']""")


def test_the_docs_page_references_no_other_host(api: Api) -> None:
    # when the docs page is loaded
    page = api.client.get("/docs")

    # then it is HTML that names no http(s) host nor a protocol-relative one
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "http://" not in page.text and "https://" not in page.text
    assert "//" not in "".join(a or b for a, b in _REFERENCES.findall(page.text))
    assert "validatorUrl" in page.text  # the public validator is turned off


def test_every_asset_the_page_loads_is_served_with_its_type(api: Api) -> None:
    # given the URLs the page loads (scripts, style sheets, icon, the schema)
    page = api.client.get("/docs").text
    loaded = {a or b for a, b in _REFERENCES.findall(page)}
    assert {f"{ASSETS_URL}/swagger-ui-bundle.js", f"{ASSETS_URL}/swagger-ui.css", "/openapi.json"} <= loaded

    # when each is fetched, then it answers 200 with a body of the declared type
    for url in loaded:
        response = api.client.get(url)
        assert response.status_code == 200, url
        assert len(response.content) > 0
        name = url.rsplit("/", 1)[-1]
        if name in ASSETS:
            assert response.headers["content-type"] == ASSETS[name]


def test_the_swagger_ui_bundle_is_version_5_and_reads_openapi_3_1(api: Api) -> None:
    # given the schema the API publishes (OpenAPI 3.1)
    assert api.client.get("/openapi.json").json()["openapi"].startswith("3.1")
    # then the bundle served is Swagger UI 5, the first to read 3.1
    bundle = api.client.get(f"{ASSETS_URL}/swagger-ui-bundle.js").text
    assert "swagger-ui" in bundle.lower()
    assert "3.1" in bundle


def test_only_the_assets_the_page_needs_are_served(api: Api) -> None:
    # the bundle's sample pages (which point at a public demo schema) and source maps are not served
    for name in ("index.html", "swagger-initializer.js", "swagger-ui-bundle.js.map", "../index.html"):
        assert api.client.get(f"{ASSETS_URL}/{name}").status_code == 404
    assert api.client.get("/redoc").status_code == 404
