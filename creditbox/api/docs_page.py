"""``/docs``: Swagger UI served from the installed package, so it works without internet.

The JavaScript, the style sheet and the icon come from the ``swagger-ui-bundle-v2`` package (Swagger
UI 5, which reads OpenAPI 3.1) and are served under ``/docs/assets/``; the page names no other
host. Only the three files the page needs are served (not the package's sample pages). ReDoc is
not served: it would need a bundle from a CDN.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

DOCS_URL = "/docs"
ASSETS_URL = "/docs/assets"

# file name -> media type; nothing else of the bundle is served.
ASSETS: dict[str, str] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}


def install_docs(app: FastAPI) -> None:
    """Add ``/docs`` and its assets to an app built with ``docs_url=None, redoc_url=None``."""
    folder = Path(str(swagger_ui_path))
    openapi_url = app.openapi_url or "/openapi.json"
    title = f"{app.title} — documentazione"

    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon-32x32.png",
            # No call to the public validator service (the badge would fetch from it).
            swagger_ui_parameters={"validatorUrl": None},
        )

    app.add_api_route(DOCS_URL, docs, methods=["GET"], include_in_schema=False)
    for name, media_type in ASSETS.items():
        app.add_api_route(
            f"{ASSETS_URL}/{name}", _asset(folder / name, media_type), methods=["GET"], include_in_schema=False
        )


def _asset(path: Path, media_type: str) -> Callable[[], Coroutine[Any, Any, FileResponse]]:
    async def asset() -> FileResponse:
        return FileResponse(path, media_type=media_type)

    return asset
