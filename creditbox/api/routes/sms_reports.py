"""``POST /channels/sms/{company}/reports``: the SMS gateway's delivery reports (callback).

Not called with a user's token: the gateway signs the body with the secret it shares with the company
(HMAC-SHA256 in ``X-Signature``: ``sha256=<hex>``), checked in constant time before anything is read;
an unknown company, a company without a callback secret and a wrong signature get the same 401. The
reports go through the ``esiti-sms`` importer, like a file given to ``inbound import``: a report of no
action is kept as unmatched, a malformed one rejected, the same report again changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from creditbox.api.deps import Committer, ContainerDep
from creditbox.api.problems import ApiProblem, problem_responses
from creditbox.application.inbound import InboundResult
from creditbox.application.sms_reports import SIGNATURE_HEADER, BadSignature

router = APIRouter(tags=["channels"])

CALLBACK_PATH = "/channels/sms/{company}/reports"
MAX_REPORT_BYTES = 1 << 20

_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "reports": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "client_reference": {"type": "string"},
                                "status": {"type": "string", "examples": ["delivered", "not_delivered"]},
                                "at": {"type": "string", "format": "date-time"},
                                "reason": {"type": "string"},
                            },
                        },
                    }
                },
            }
        }
    },
}


class SmsReportsOut(BaseModel):
    kind: str
    filename: str
    company: str
    accepted: int = Field(description="Esiti registrati ora")
    duplicates: int = Field(description="Esiti già registrati")
    unmatched: list[dict[str, Any]] = Field(description="Esiti di nessun SMS dell'azienda")
    rejected: list[dict[str, Any]] = Field(description="Esiti scartati: riga, campo, motivo")
    details: dict[str, Any]


@router.post(
    CALLBACK_PATH,
    response_model=SmsReportsOut,
    responses=problem_responses(401, 413),
    openapi_extra={"requestBody": _BODY},
)
async def sms_reports_callback(
    company: Annotated[str, Path(max_length=40, description="Codice azienda")],
    request: Request,
    container: ContainerDep,
) -> SmsReportsOut:
    """Esiti di consegna SMS inviati dal gateway, firmati con il segreto condiviso (``X-Signature``)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_REPORT_BYTES:
        raise ApiProblem(413, f"esiti troppo grandi (al più {MAX_REPORT_BYTES} byte)")
    body = await request.body()
    if len(body) > MAX_REPORT_BYTES:
        raise ApiProblem(413, f"esiti troppo grandi (al più {MAX_REPORT_BYTES} byte)")
    signature = request.headers.get(SIGNATURE_HEADER)
    reports = container.sms_reports()

    def record() -> InboundResult:
        return reports.callback(company, body, signature)

    try:
        result = await run_in_threadpool(Committer(container), record)
    except BadSignature as error:
        raise ApiProblem(401, str(error)) from None
    return SmsReportsOut(**result.as_json())
