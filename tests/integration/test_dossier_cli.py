"""``creditbox export dossier`` and ``creditbox audit verify-dossier [--json] [--offline]`` on the command line."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from creditbox.application.dossier_format import MANIFEST
from creditbox.domain.ids import position_id
from creditbox.infrastructure.database_url import DatabaseUrl
from tests.integration.command_line import run
from tests.integration.test_audit_cli import tamper
from tests.integration.test_cases_cli import cli_db, given_a_water_customer, tick  # noqa: F401  (fixture)

pytestmark = pytest.mark.cli_or_api


def rewrite(source: Path, target: Path, change: dict[str, bytes | None]) -> None:
    """``source`` copied to ``target`` with files replaced, added, or removed (None)."""
    with zipfile.ZipFile(source) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    for name, content in change.items():
        if content is None:
            contents.pop(name)
        else:
            contents[name] = content
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
    target.write_bytes(buffer.getvalue())


@pytest.mark.postgres_smoke
def test_export_then_verify_a_dossier_and_find_what_was_changed(cli_db: str, tmp_path: Path) -> None:  # noqa: F811
    given_a_water_customer(cli_db)
    tick("2026-02-11")  # the case opens and its first notice goes out
    out = tmp_path / "fascicoli" / "C1.zip"
    exported = run("export", "dossier", "C1", "--company", "ACQ", "--out", str(out), "--json")
    assert exported.code == 0, exported.err
    summary = json.loads(exported.out)
    assert summary["file"] == str(out) and summary["chain_head"]["version"] >= 5
    assert "testa della catena" in run("export", "dossier", "C1", "--company", "ACQ", "--out", str(out)).out

    clean = run("audit", "verify-dossier", str(out), "--json")
    assert clean.code == 0, clean.out + clean.err
    report = json.loads(clean.out)
    assert report["esito"] == "integro" and report["confronto_archivio"] is True and report["rilievi"] == []
    assert "integro" in run("audit", "verify-dossier", str(out)).out

    changed = tmp_path / "cambiato.zip"
    rewrite(out, changed, {"bollette/bollette.json": b"[]", "aggiunto.txt": b"x", "storia/cronologia.pdf": None})
    found = run("audit", "verify-dossier", str(changed))
    assert found.code == 1
    for expected in (
        "bollette/bollette.json",
        "file modificato",
        "aggiunto.txt",
        "non elencato",
        "storia/cronologia.pdf",
    ):
        assert expected in found.out, found.out
    as_json = json.loads(run("audit", "verify-dossier", str(changed), "--json").out)
    assert sorted(f["tipo"] for f in as_json["rilievi"]) == ["file_aggiunto", "file_mancante", "file_modificato"]

    no_manifest = tmp_path / "senza-manifesto.zip"
    rewrite(out, no_manifest, {MANIFEST: None})
    assert run("audit", "verify-dossier", str(no_manifest)).code == 1
    missing = run("audit", "verify-dossier", str(tmp_path / "nessuno.zip"))
    assert missing.code == 2 and "non trovato" in missing.err

    c1 = position_id("ACQ", "C1")
    key = c1 if DatabaseUrl(cli_db).is_postgres else c1.hex
    tamper(cli_db, "DELETE FROM {events} WHERE originator_id = :id AND originator_version = 2", id=key)
    store = run("audit", "verify-dossier", str(out), "--json")
    assert store.code == 1
    [*findings] = json.loads(store.out)["rilievi"]
    assert findings and all(f["tipo"] == "archivio" for f in findings)
    assert any("versione 2" in f["messaggio"] for f in findings)
    assert run("audit", "verify-dossier", str(out), "--offline").code == 0  # against itself, still whole


def test_an_unknown_customer_is_refused(cli_db: str, tmp_path: Path) -> None:  # noqa: F811
    refused = run("export", "dossier", "C9", "--company", "ACQ", "--out", str(tmp_path / "x.zip"))
    assert refused.code != 0 and "C9" in refused.err
    assert not (tmp_path / "x.zip").exists()
