"""The console's guards over plain HTTP: CSRF, company scope, levels, session expiry and sign-out,
the sign-in rate limit, cookie attributes; and that decisions record the operator's name."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from httpx import Response
from openpyxl import load_workbook

from creditbox.api.auth_limiter import AuthFailureLimiter
from creditbox.clock import FixedClock
from tests.console.conftest import OTHER, OWN, PASSWORD, Console

pytestmark = pytest.mark.cli_or_api


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def history_by(console: Console, customer: str, event: str) -> list[str | None]:
    history = console.container.positions.history(OWN, customer, as_of=None, zone=None)
    return [e.by for e in history.entries if e.type == event]


@pytest.mark.postgres_smoke
def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(console: Console) -> None:
    client = console.sign_in("mario.rossi")
    page = client.get(f"/console/{OWN}/liste/proposal")
    line = {"voce": "C1|SC1/1|1", "decisione": "conferma"}

    missing = client.post(f"/console/{OWN}/liste/proposal/decisioni", data=line, follow_redirects=False)
    wrong = client.post(
        f"/console/{OWN}/liste/proposal/decisioni", data={**line, "csrf": "x" * 43}, follow_redirects=False
    )

    assert missing.status_code == 403 and wrong.status_code == 403
    assert "modulo scaduto" in missing.text
    assert history_by(console, "C1", "ProposalConfirmed") == []
    ok = client.post(
        f"/console/{OWN}/liste/proposal/decisioni", data={**line, "csrf": csrf_of(page.text)}, follow_redirects=True
    )
    assert ok.status_code == 200 and "1 passo confermato" in ok.text
    assert history_by(console, "C1", "ProposalConfirmed") == ["mario.rossi"]


def test_the_sign_in_form_needs_its_own_token(console: Console) -> None:
    answer = console.client.post(
        "/console/accesso", data={"nome": "mario.rossi", "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 403 and "cbx_sessione" not in answer.cookies


@pytest.mark.postgres_smoke
@pytest.mark.app_role
def test_a_company_scoped_operator_cannot_reach_another_company_by_url(console: Console) -> None:
    client = console.sign_in("gas.operatore")
    assert client.get("/console", follow_redirects=False).headers["location"] == f"/console/{OTHER}"
    for path in (
        f"/console/{OWN}",
        f"/console/{OWN}/liste/proposal",
        f"/console/{OWN}/liste/proposal/excel",
        f"/console/{OWN}/clienti/C1",
        "/console/NOPE",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "azienda sconosciuta" in answer.text and "Cliente C1" not in answer.text
    page = client.get(f"/console/{OTHER}")
    forged = client.post(
        f"/console/{OWN}/liste/proposal/decisioni",
        data={"voce": "C1|SC1/1|1", "decisione": "conferma", "csrf": csrf_of(page.text)},
    )
    assert forged.status_code == 404
    assert history_by(console, "C1", "ProposalConfirmed") == []


@pytest.mark.app_role
def test_a_group_operator_sees_every_company(console: Console) -> None:
    client = console.sign_in("revisore")
    companies = client.get("/console")
    assert (
        companies.status_code == 200 and f"/console/{OWN}" in companies.text and f"/console/{OTHER}" in companies.text
    )
    assert client.get(f"/console/{OTHER}").status_code == 200


def test_approval_runs_at_the_operators_level_and_is_refused_below_it(console: Console) -> None:
    low = console.sign_in("luca.bassi")
    page = low.get(f"/console/{OWN}/liste/approval")
    assert "oltre il livello" in page.text and 'value="C2|SC2/1|1"' not in page.text  # not offered below level 3
    refused = low.post(
        f"/console/{OWN}/liste/approval/decisioni",
        data={"voce": "C2|SC2/1|1", "decisione": "approva", "csrf": csrf_of(page.text)},
        follow_redirects=True,
    )
    assert "1 rifiutato" in refused.text and "livello" in refused.text
    assert history_by(console, "C2", "StepApproved") == []
    low.post("/console/uscita", data={"csrf": csrf_of(refused.text)})

    operator = console.sign_in("mario.rossi")
    page = operator.get(f"/console/{OWN}/liste/approval")
    assert 'id="approva"' not in page.text
    by_operator = operator.post(
        f"/console/{OWN}/liste/approval/decisioni",
        data={"voce": "C2|SC2/1|1", "decisione": "approva", "csrf": csrf_of(page.text)},
    )
    assert by_operator.status_code == 403
    operator.post("/console/uscita", data={"csrf": csrf_of(page.text)})

    high = console.sign_in("anna.verdi")
    page = high.get(f"/console/{OWN}/liste/approval")
    done = high.post(
        f"/console/{OWN}/liste/approval/decisioni",
        data={"voce": "C2|SC2/1|1", "decisione": "approva", "csrf": csrf_of(page.text)},
        follow_redirects=True,
    )
    assert "1 passo approvato" in done.text
    assert history_by(console, "C2", "StepApproved") == ["anna.verdi"]


def test_sessions_expire_when_idle_and_end_at_sign_out(console: Console) -> None:
    clock = console.container.clock
    assert isinstance(clock, FixedClock)
    client = console.sign_in("mario.rossi")
    assert client.get(f"/console/{OWN}").status_code == 200
    clock.advance(seconds=29 * 60)
    assert client.get(f"/console/{OWN}", follow_redirects=False).status_code == 200  # pushed forward
    clock.advance(seconds=29 * 60)
    page = client.get(f"/console/{OWN}", follow_redirects=False)
    assert page.status_code == 200
    clock.advance(seconds=31 * 60)
    expired = client.get(f"/console/{OWN}", follow_redirects=False)
    assert expired.status_code == 303
    assert expired.headers["location"] == f"/console/accesso?dopo=%2Fconsole%2F{OWN}"

    client = console.sign_in("mario.rossi")
    page = client.get(f"/console/{OWN}")
    assert client.post("/console/uscita", data={"csrf": csrf_of(page.text)}, follow_redirects=False).status_code == 303
    assert client.get(f"/console/{OWN}", follow_redirects=False).status_code == 303


def test_failed_sign_ins_are_limited_per_address_and_logged(console: Console, caplog: pytest.LogCaptureFixture) -> None:
    console.app.state.console_limiter = AuthFailureLimiter(3, 300)
    client = console.client
    client.get("/console/accesso")

    def attempt(password: str) -> Response:
        # each answer of the form sets a new token for the next attempt
        token = client.cookies.get("cbx_accesso")
        return client.post("/console/accesso", data={"nome": "mario.rossi", "password": password, "csrf": token})

    statuses = [attempt("sbagliata-123").status_code for _ in range(3)]
    blocked = attempt(PASSWORD)

    assert statuses == [401, 401, 401]
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert "cbx_sessione" not in blocked.cookies
    failures = [r.getMessage() for r in caplog.records if r.name == "creditbox.console.auth"]
    assert sum("accesso alla console fallito" in m and "mario.rossi" in m for m in failures) == 3
    assert all(PASSWORD not in m and "sbagliata" not in m for m in failures)


def test_the_session_cookie_is_http_only_same_site_and_secure_on_https(console: Console) -> None:
    client = console.client
    client.get("/console/accesso")
    answer = client.post(
        "/console/accesso",
        data={"nome": "mario.rossi", "password": PASSWORD, "csrf": client.cookies.get("cbx_accesso")},
        follow_redirects=False,
    )
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/console" in cookie and "secure" not in cookie
    client.base_url = client.base_url.copy_with(scheme="https")
    client.get("/console/accesso")
    secure = client.post(
        "/console/accesso",
        data={"nome": "mario.rossi", "password": PASSWORD, "csrf": client.cookies.get("cbx_accesso")},
        follow_redirects=False,
    )
    assert "; secure" in secure.headers["set-cookie"].lower()


def test_the_worklist_export_is_the_clis_workbook(console: Console) -> None:
    client = console.sign_in("mario.rossi")
    answer = client.get(f"/console/{OWN}/liste/approval/excel")
    assert answer.status_code == 200
    sheet = load_workbook(BytesIO(answer.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Lista" and len(rows) == 2
    assert "C2" in rows[1] and sheet.freeze_panes == "A2" and sheet.auto_filter.ref


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (f"/console/{OWN}/clienti/C1", f"/console/{OWN}/clienti/C1"),
        ("https://altro.example/console", "/console"),
        ("//altro.example/console/", "/console"),
        ("/api/v1/companies", "/console"),
    ],
)
def test_after_signing_in_the_browser_goes_back_only_to_a_console_page(
    console: Console, after: str, expected: str
) -> None:
    client = console.client
    client.get("/console/accesso")
    answer = client.post(
        "/console/accesso",
        data={"nome": "mario.rossi", "password": PASSWORD, "csrf": client.cookies.get("cbx_accesso"), "dopo": after},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == expected


def test_a_disabled_operator_is_signed_out_at_the_next_click(console: Console) -> None:
    client = console.sign_in("mario.rossi")
    assert client.get(f"/console/{OWN}", follow_redirects=False).status_code == 200
    console.container.operators().disable("mario.rossi", OWN, by="test")
    assert client.get(f"/console/{OWN}", follow_redirects=False).status_code == 303


NEW_PAGES = (
    f"/console/{OWN}/tabella-azioni",
    f"/console/{OWN}/tabella-azioni/excel",
    f"/console/{OWN}/banca",
    f"/console/{OWN}/revisione",
    f"/console/{OWN}/clienti/C1/estratto-conto?formato=xlsx",
    f"/console/{OWN}/clienti/C1/estratto-conto?formato=pdf",
)
NEW_FORMS = (
    f"/console/{OWN}/clienti/C2/pratiche/SC2/1/stralcio",
    f"/console/{OWN}/clienti/C2/pratiche/SC2/1/stralcio/approva",
    f"/console/{OWN}/clienti/C2/pratiche/SC2/1/stralcio/rifiuta",
    f"/console/{OWN}/clienti/C2/pratiche/SC2/1/piano",
    f"/console/{OWN}/clienti/C2/pratiche/SC2/1/contenzioso",
    f"/console/{OWN}/clienti/C2/pratiche/SC2/1/contenzioso/esito",
    f"/console/{OWN}/banca",
    f"/console/{OWN}/banca/abbinamenti",
    f"/console/{OWN}/tabella-azioni",
    f"/console/{OWN}/revisione/verifica",
)


@pytest.mark.postgres_smoke
def test_the_record_pages_and_case_forms_keep_to_the_operators_company(console: Console) -> None:
    client = console.sign_in("gas.operatore")
    for path in NEW_PAGES:
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "azienda sconosciuta" in answer.text, path
    token = csrf_of(client.get(f"/console/{OTHER}").text)
    for path in NEW_FORMS:
        answer = client.post(path, data={"csrf": token, "tipo": "write_off", "nota": "x"})
        assert answer.status_code in (403, 404), path  # the role's refusal or the company's 404
    assert history_by(console, "C2", "WriteOffRequested") == []
    assert console.container.positions.load(OWN, "C2").dunning.cases["SC2/1"].write_off_request is None


@pytest.mark.postgres_smoke
def test_the_new_forms_refuse_a_post_without_its_csrf_token(console: Console) -> None:
    client = console.sign_in("anna.verdi")
    page = client.get(f"/console/{OWN}/clienti/C2")
    for path in NEW_FORMS:
        answer = client.post(path, data={"tipo": "write_off", "nota": "x", "csrf": "x" * 43}, follow_redirects=False)
        assert answer.status_code == 403, path
        assert "modulo scaduto" in answer.text, path
    assert history_by(console, "C2", "WriteOffRequested") == []
    ok = client.post(
        f"/console/{OWN}/clienti/C2/pratiche/SC2/1/stralcio",
        data={"csrf": csrf_of(page.text), "tipo": "write_off", "nota": "irreperibile"},
    )
    assert "registrata" in ok.text and history_by(console, "C2", "WriteOffRequested") == ["anna.verdi"]
