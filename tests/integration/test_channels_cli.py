"""``creditbox channels``: the configuration as a JSON document in and out (company and group), its
history; templates set, refused, listed and previewed on a real position; the SMS reports polled from
a real HTTP gateway, recorded once."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from creditbox.application.records import BillRecord, CustomerRecord, SupplyRecord
from creditbox.bootstrap import bootstrap
from creditbox.clock import FixedClock
from creditbox.settings import Settings
from tests.builders import details, supply
from tests.integration.command_line import run
from tests.integration.sms_gateway import running_gateway

pytestmark = pytest.mark.cli_or_api

FIRST_SMS = "ACQ/C1/S1/1/1"


def _write(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _an_sms(database_url: str, *, send: bool) -> None:
    """A customer whose first SMS the dunning run decides (and the outbox sends when ``send``)."""
    with bootstrap(Settings(database_url=database_url), clock=FixedClock(date(2026, 2, 10))) as c:
        records = [
            CustomerRecord("C1", details(name="Maria Bianchi", mobile="3331234567")),
            SupplyRecord("C1", supply("S1")),
            BillRecord("B-1", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), Decimal("120.00")),
        ]
        c.ingestor().ingest("ACQ", records, by="test")
        c.dunning().run_due("ACQ", date(2026, 2, 10))
        c.projections.catch_up()
        if send:
            assert c.outbox().send(FIRST_SMS).result == "sent"


@pytest.mark.postgres_smoke
def test_config_set_show_and_history_as_json_for_the_group_and_a_company(cli_db: str, tmp_path: Path) -> None:
    group = {"channels": {"sms": {"sender": "GRUPPO"}}, "letterhead": {"iban": "IT60X0542811101000000123456"}}
    code, out, err = run(
        "channels", "config", "set", _write(tmp_path, "gruppo.json", group), "--group", "--note", "avvio"
    )
    assert code == 0, out + err
    assert "salvata la versione 1" in out
    company = {"channels": {"sms": {"sender": "ACQUE"}}, "payment_days": 30}
    code, out, err = run(
        "channels", "config", "set", _write(tmp_path, "acq.json", company), "--company", "acq", "--json"
    )
    assert code == 0, out + err
    assert json.loads(out)["version"] == 1 and json.loads(out)["source"] == "file:acq.json"
    shown = json.loads(run("channels", "config", "show", "--company", "ACQ", "--json").out)
    assert shown["document"] == company
    assert shown["effective"]["channels"]["sms"]["sender"] == "ACQUE"
    assert shown["effective"]["letterhead"]["iban"] == "IT60X0542811101000000123456"
    # the output of show is accepted back: nothing changes
    exported = _write(tmp_path, "export.json", shown)
    assert "nessuna modifica" in run("channels", "config", "set", exported, "--company", "ACQ").out
    history = json.loads(run("channels", "config", "history", "--group", "--json").out)
    assert [(h["version"], h["note"], h["changed"]) for h in history] == [(1, "avvio", ["channels", "letterhead"])]
    assert run("channels", "config", "show").code == 2  # neither --company nor --group


def test_a_wrong_configuration_is_refused_with_every_problem_exit_2(cli_db: str, tmp_path: Path) -> None:
    wrong = {"channels": {"sms": {"adapter": "piccione", "secrets": {"token": "segreto-in-chiaro"}}}, "extra": 1}
    code, out, err = run("channels", "config", "set", _write(tmp_path, "x.json", wrong), "--company", "ACQ")
    assert code == 2
    assert "configurazione dei canali non valida, 3 problemi. Nulla è stato salvato." in err
    assert "adattatore sconosciuto 'piccione'" in err and "segreto-in-chiaro" not in err + out
    assert json.loads(run("channels", "config", "show", "--company", "ACQ", "--json").out)["version"] == 0


def test_templates_set_refused_listed_and_previewed_on_a_real_position(cli_db: str, tmp_path: Path) -> None:
    code, _, err = run(
        "channels", "templates", "set", "sollecito-sms", "testo", "--text", "{{ cliente.nme }}", "--company", "ACQ"
    )
    assert code == 2 and "campo sconosciuto 'nme'" in err
    source = tmp_path / "sms.txt"
    source.write_text("{{ cliente.nome }}: da pagare {{ totale }} entro il {{ scadenza }}", encoding="utf-8")
    code, out, err = run(
        "channels", "templates", "set", "1", "text", str(source), "--company", "ACQ", "--note", "breve"
    )
    assert code == 0, out + err
    listed = json.loads(run("channels", "templates", "list", "--company", "ACQ", "--json").out)
    origins = {(t["action"], t["part"]): t["origin"] for t in listed}
    assert origins[("sollecito-sms", "text")] == "azienda" and origins[("pec", "html")] == "predefinito"
    _an_sms(cli_db, send=False)
    code, out, err = run(
        "channels",
        "templates",
        "preview",
        "sollecito-sms",
        "--company",
        "ACQ",
        "--customer",
        "C1",
        "--date",
        "2026-02-10",
        "--json",
    )
    assert code == 0, out + err
    assert json.loads(out)["text"] == "Maria Bianchi: da pagare 120,00 € entro il 25/02/2026"
    history = json.loads(run("channels", "templates", "history", "--company", "ACQ", "--json").out)
    assert [(h["version"], h["source"], h["note"]) for h in history] == [(1, "file:sms.txt", "breve")]


def test_sms_reports_are_polled_from_the_gateway_and_recorded_once(cli_db: str, tmp_path: Path) -> None:
    with running_gateway() as gateway:
        config = {"channels": {"sms": {"adapter": "sms-http", "options": gateway.options(auth="none")}}}
        assert run("channels", "config", "set", _write(tmp_path, "sms.json", config), "--company", "ACQ").code == 0
        _an_sms(cli_db, send=True)
        assert list(gateway.state.accepted) == [FIRST_SMS]
        gateway.state.reports = [
            {
                "client_reference": FIRST_SMS,
                "status": "not_delivered",
                "at": "2026-02-10",
                "reason": "numero inesistente",
            },
            {"client_reference": "ACQ/X/S1/1/1", "status": "delivered", "at": "2026-02-10"},
            {"client_reference": FIRST_SMS, "status": "consegnatissimo", "at": "2026-02-10"},
        ]
        code, out, err = run("channels", "sms", "poll", "--company", "ACQ", "--json")
        assert code == 0, out + err
        result = json.loads(out)
        assert (result["kind"], result["accepted"], result["duplicates"]) == ("esiti-sms", 1, 0)
        assert [u["reference"] for u in result["unmatched"]] == ["ACQ/X/S1/1/1"]
        assert [(r["row"], r["column"]) for r in result["rejected"]] == [(3, "status")]
        code, out, _ = run("channels", "sms", "poll", "--company", "ACQ")
        assert code == 1 and "0 registrati, 1 già presenti, 1 senza corrispondenza, 1 scartati" in out
