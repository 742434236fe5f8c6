"""``creditbox cases legal …`` through the real command line: record milestones (the kind by its code or
its Italian words, documents attached), list them, the *contenzioso* by next deadline to Excel, a
document back by its SHA-256; who may record and the refusals."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.integration.command_line import run
from tests.integration.legal_world import PDF, legal_documents_folder  # noqa: F401  (the autouse fixture)
from tests.integration.test_cases_cli import CASE, case_open, cases, cli_db, the_case  # noqa: F401  (fixtures)

pytestmark = pytest.mark.cli_or_api


@pytest.fixture
def in_litigation(case_open: str) -> str:  # noqa: F811
    added = run("operators", "add", "neri", "--company", "ACQ", "--role", "legale")
    assert added.code == 0, added.err
    handed = cases("litigation", "C1", CASE, "--level", "2", "--date", "2026-02-12")
    assert handed.code == 0, handed.err
    return case_open


def legal(*args: str, by: str = "neri") -> tuple[int, str, str]:
    return tuple(cases("legal", *args, "--by", by))  # type: ignore[return-value]


def test_the_legal_team_records_milestones_and_lists_them(in_litigation: str, tmp_path: Path) -> None:
    decree = tmp_path / "decreto.pdf"
    decree.write_bytes(PDF)

    filed = legal(
        "record", "C1", "S-C1", "1", "--kind", "ricorso", "--date", "2026-03-01",
        "--court", "Tribunale di Roma", "--docket", "RG 77/2026",
    )  # fmt: skip
    granted = legal(
        "record", "C1", CASE, "--kind", "decreto-emesso", "--date", "2026-03-20", "--amount", "1.234,50",
        "--deadline", "2026-05-04", "--attach", str(decree), "--note", "provvisoriamente esecutivo",
    )  # fmt: skip
    again = legal("record", "C1", "S-C1", "1", "--kind", "injunction_filed", "--date", "2026-03-01",
                  "--court", "Tribunale di Roma", "--docket", "RG 77/2026")  # fmt: skip
    listed = cases("legal", "list", "C1", "--json")
    shown = cases("legal", "list", "C1", CASE)

    assert filed[0] == 0, filed[2]
    assert filed[1].startswith("Ricorso per decreto ingiuntivo depositato registrato per la pratica S-C1/1")
    assert granted[0] == 0, granted[2]
    assert again[0] == 0 and again[1].startswith("Nessuna modifica")
    (case,) = json.loads(listed.out)["cases"]
    assert case["case_id"] == CASE and case["next_deadline"] == "2026-05-04"
    assert [m["kind"] for m in case["milestones"]] == ["injunction_filed", "injunction_granted"]
    second = case["milestones"][1]
    assert second["amount"] == "1234.50" and second["recorded_by"] == "neri"
    assert second["documents"] == [
        {"name": "decreto.pdf", "sha256": hashlib.sha256(PDF).hexdigest(), "media_type": "application/pdf"}
    ]
    assert shown.code == 0 and "decreto ingiuntivo emesso" in shown.out and "Tribunale di Roma" in shown.out

    back = tmp_path / "copia.pdf"
    copied = cases("legal", "document", hashlib.sha256(PDF).hexdigest(), "--out", str(back))
    assert copied.code == 0, copied.err
    assert back.read_bytes() == PDF

    out = tmp_path / "contenzioso.xlsx"
    exported = cases("legal", "worklist", "--out", str(out))
    assert exported.code == 0, exported.err
    sheet = load_workbook(out).active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1
    values = dict(zip(header, rows[0], strict=True))
    assert values["Ultima fase legale"] == "decreto ingiuntivo emesso"
    assert values["Tribunale"] == "Tribunale di Roma" and values["Numero di ruolo"] == "RG 77/2026"
    assert values["Prossima scadenza"] is not None and values["Prossima scadenza"].date().isoformat() == "2026-05-04"
    on_screen = cases("legal", "worklist")
    assert on_screen.code == 0 and "04/05/2026" in on_screen.out


def test_an_operator_may_not_record_and_refusals_say_why(in_litigation: str, tmp_path: Path) -> None:
    fake = tmp_path / "sentenza.pdf"
    fake.write_text("non un pdf")

    by_operator = legal("record", "C1", CASE, "--kind", "sentenza", "--date", "2026-03-01", by="rossi")
    out_of_order = legal("record", "C1", CASE, "--kind", "notifica", "--date", "2026-03-01")
    not_a_pdf = legal("record", "C1", CASE, "--kind", "sentenza", "--date", "2026-03-01", "--attach", str(fake))
    unknown_kind = legal("record", "C1", CASE, "--kind", "appello", "--date", "2026-03-01")
    no_number = legal("record", "C1", "S-C1", "--kind", "sentenza", "--date", "2026-03-01")

    assert by_operator[0] == 2 and "non può gestire il contenzioso" in by_operator[2]
    assert out_of_order[0] == 1 and "prima serve decreto ingiuntivo emesso" in out_of_order[2]
    assert not_a_pdf[0] == 1 and "non è un PDF" in not_a_pdf[2]
    assert unknown_kind[0] == 2 and "decreto-emesso" not in unknown_kind[2] and "injunction_granted" in unknown_kind[2]
    assert no_number[0] == 2
    assert json.loads(cases("legal", "list", "C1", "--json").out)["cases"][0]["milestones"] == []
    assert the_case()["status"] == "in_litigation"
